//! `cargo xtask bench [--quick|--smoke] [--list] [--impl NAMES] [--workload NAMES]
//! [--workers N,N,...] [--filter REGEX] [--no-go] [--out DIR]`
//! [--baseline FILE [--threshold R]], `cargo xtask report [--from FILE] [--out DIR]`
//! and `cargo xtask compare OLD.json NEW.json [--out FILE] [--threshold R]`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use xtask::{bench, compare, report, results::Results};

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
        /// Worker counts of the scaling sweep, e.g. `1,2,4,8` [default: 1, 2,
        /// 4, ... up to the number of CPUs, and that number]; one count (`1`)
        /// turns the sweep off.
        #[arg(long, value_name = "N,N,...", value_delimiter = ',')]
        workers: Vec<usize>,
        /// Leave Go out even when `go` is installed.
        #[arg(long)]
        no_go: bool,
        /// Report directory [default: reports/latest].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Compare with this results.json afterwards (writes compare.md into
        /// the report directory; exits 2 on a regression, as `compare` does).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Regression threshold for --baseline: new median ÷ old median.
        #[arg(long, value_name = "RATIO", default_value_t = compare::DEFAULT_THRESHOLD)]
        threshold: f64,
    },
    /// Compare two results.json files case by case; exits 2 when a case
    /// regresses (slower, disjoint ranges, median grown beyond --threshold).
    Compare {
        /// The earlier results.
        old: PathBuf,
        /// The later results.
        new: PathBuf,
        /// Where to write the table [default: compare.md beside NEW].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Regression threshold: new median ÷ old median.
        #[arg(long, value_name = "RATIO", default_value_t = compare::DEFAULT_THRESHOLD)]
        threshold: f64,
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
    if !results.results.is_empty() {
        println!("\n{}", report::summary_table(results));
    }
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
    for lines in [report::sync_summary(results), report::net_summary(results)] {
        if !lines.is_empty() {
            println!();
            for line in lines {
                println!("{line}");
            }
        }
    }
    if xtask::plots::font().is_none() {
        println!("note: no TrueType font found (install fonts-dejavu-core); plots have no text");
    }
    println!("report: {}", out.join("index.html").display());
    Ok(())
}

fn load(path: &std::path::Path) -> Result<Results, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Compares, prints and writes the table; Ok(true) when something regressed.
fn compare_runs(
    old: &Results,
    new: &Results,
    out: &std::path::Path,
    threshold: f64,
) -> Result<bool, String> {
    let changes = compare::compare(old, new, threshold);
    let text = compare::markdown(old, new, &changes, threshold);
    std::fs::write(out, &text).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{text}");
    println!("comparison: {}", out.display());
    let bad: Vec<&str> = changes
        .iter()
        .filter(|c| c.regresses(threshold))
        .map(|c| c.id.as_str())
        .collect();
    if !bad.is_empty() {
        eprintln!(
            "regression beyond {threshold}×: {} case(s): {}",
            bad.len(),
            bad.join(", ")
        );
    }
    Ok(!bad.is_empty())
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
            workers,
            no_go,
            out,
            baseline,
            threshold,
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
                workers,
                no_go,
                out: out.clone(),
            };
            let baseline = baseline.map(|b| load(&b)).transpose();
            baseline.and_then(|baseline| {
                let Some(results) = bench::run(&opts)? else {
                    return Ok(false);
                };
                write_report(&results, &out)?;
                match baseline {
                    Some(old) => compare_runs(&old, &results, &out.join("compare.md"), threshold),
                    None => Ok(false),
                }
            })
        }
        Cmd::Report { from, out } => {
            let from = from.unwrap_or_else(|| latest.join("results.json"));
            let out =
                out.unwrap_or_else(|| from.parent().map_or(latest.clone(), |p| p.to_path_buf()));
            load(&from)
                .and_then(|results| write_report(&results, &out))
                .map(|()| false)
        }
        Cmd::Compare {
            old,
            new,
            out,
            threshold,
        } => {
            let out = out.unwrap_or_else(|| {
                new.parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join("compare.md")
            });
            load(&old).and_then(|o| compare_runs(&o, &load(&new)?, &out, threshold))
        }
    };
    match outcome {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
