//! `cargo xtask bench [--quick|--smoke] [--list] [--impl NAMES] [--workload NAMES]
//! [--filter REGEX] [--no-go] [--out DIR]`
//! and `cargo xtask report [--from FILE] [--out DIR]`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::{bench, report, results::Results};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "csp project automation")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the benchmark suite (criterion, and Go when installed) and write the report.
    Bench {
        /// A short run (about 4 minutes).
        #[arg(long, conflicts_with = "smoke")]
        quick: bool,
        /// Every workload and implementation at a tiny size (CI).
        #[arg(long)]
        smoke: bool,
        /// Only ids matching this regex, e.g. `fan_in` or `ping_pong/(go|csp-goroutines)`.
        #[arg(long, value_name = "REGEX")]
        filter: Option<String>,
        /// Only these implementations (comma-separated), e.g. `csp-goroutines,go`.
        #[arg(long = "impl", value_name = "NAMES", value_delimiter = ',')]
        impls: Vec<String>,
        /// Only these workloads (comma-separated), e.g. `ping_pong,fan_in`;
        /// `park_memory` is the memory measurement.
        #[arg(long = "workload", value_name = "NAMES", value_delimiter = ',')]
        workloads: Vec<String>,
        /// Print the ids of the selected cases (one a line) and stop.
        #[arg(long)]
        list: bool,
        /// Leave Go out even when `go` is installed.
        #[arg(long)]
        no_go: bool,
        /// Report directory [default: reports/latest].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Redraw the report from a saved results.json.
    Report {
        /// The results to draw [default: reports/latest/results.json].
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
        /// Report directory [default: the directory of --from].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

fn write_report(results: &Results, out: &std::path::Path) -> Result<(), String> {
    report::write(results, out)?;
    println!("\n{}", report::summary_table(results));
    if !results.park_memory.is_empty() {
        let figures: Vec<String> = results
            .park_memory
            .iter()
            .map(|m| {
                format!(
                    "{} {}",
                    m.implementation,
                    report::fmt_num(m.bytes_per_goroutine)
                )
            })
            .collect();
        println!(
            "\nresident bytes per parked goroutine (median): {}",
            figures.join(", ")
        );
    }
    if xtask::plots::font().is_none() {
        println!("note: no TrueType font found (install fonts-dejavu-core); plots have no text");
    }
    println!("report: {}", out.join("index.html").display());
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let latest = bench::root().join("reports").join("latest");
    let outcome = match cli.command {
        Cmd::Bench {
            quick,
            smoke,
            filter,
            impls,
            workloads,
            list,
            no_go,
            out,
        } => {
            let mode = if smoke {
                "smoke"
            } else if quick {
                "quick"
            } else {
                "full"
            };
            let out = out.unwrap_or(latest);
            let opts = bench::Options {
                mode,
                filter,
                impls,
                workloads,
                list,
                no_go,
                out: out.clone(),
            };
            bench::run(&opts).and_then(|results| match results {
                Some(results) => write_report(&results, &out),
                None => Ok(()),
            })
        }
        Cmd::Report { from, out } => {
            let from = from.unwrap_or_else(|| latest.join("results.json"));
            let out =
                out.unwrap_or_else(|| from.parent().map_or(latest.clone(), |p| p.to_path_buf()));
            std::fs::read_to_string(&from)
                .map_err(|e| format!("{}: {e}", from.display()))
                .and_then(|s| {
                    serde_json::from_str::<Results>(&s)
                        .map_err(|e| format!("{}: {e}", from.display()))
                })
                .and_then(|results| write_report(&results, &out))
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
