//! `cargo xtask bench`: builds and runs the criterion suite and the Go
//! benchmarks with a progress bar, then writes the report.

use crate::criterion::{parse_list, read_all};
use crate::gotest::{parse_line, parse_output};
use crate::machine::{crate_versions, git_commit, machine, now_utc, output};
use crate::results::{Entry, ParkMemory, Results, Unsupported, Versions};
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Options of `cargo xtask bench`.
#[derive(Clone, Debug)]
pub struct Options {
    /// `smoke`, `quick` or `full`.
    pub mode: &'static str,
    /// Only benchmark ids matching this regex (`fan_in/crossbeam/producers=4,cap=128`, `ping_pong/go`).
    pub filter: Option<String>,
    /// Skip Go even when it is installed.
    pub no_go: bool,
    /// Report directory.
    pub out: PathBuf,
}

/// The workspace root (this crate's parent directory).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is in the workspace")
        .to_path_buf()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Cargo's target directory for the workspace.
fn target_dir(root: &Path) -> PathBuf {
    output(
        &cargo(),
        &["metadata", "--format-version", "1", "--no-deps"],
        root,
    )
    .and_then(|s| serde_json::from_str::<Value>(&s).ok())
    .and_then(|v| v["target_directory"].as_str().map(PathBuf::from))
    .unwrap_or_else(|| root.join("target"))
}

/// Feature sets to try, best first: (cargo arguments, implementations left out).
const FEATURE_SETS: [(&[&str], &[&str]); 3] = [
    (
        &["--no-default-features", "--features", "csp-goroutines"],
        &[],
    ),
    (
        &["--no-default-features", "--features", "csp-threads"],
        &["csp-goroutines"],
    ),
    (
        &["--no-default-features"],
        &["csp-goroutines", "csp-threads"],
    ),
];

/// A log file that several threads append lines to.
#[derive(Clone)]
struct Log(Arc<Mutex<std::fs::File>>);

impl Log {
    fn line(&self, s: &str) {
        if let Ok(mut f) = self.0.lock() {
            let _ = writeln!(f, "{s}");
        }
    }
}

/// Runs `cmd`, sending each stdout and stderr line to `on_line` (and the log).
fn stream(
    mut cmd: Command,
    log: &Log,
    on_line: impl Fn(&str) + Send + Sync,
) -> Result<bool, String> {
    log.line(&format!("$ {cmd:?}"));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    let (out, err) = (
        child.stdout.take().expect("piped"),
        child.stderr.take().expect("piped"),
    );
    std::thread::scope(|s| {
        let on_line = &on_line;
        s.spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                log.line(&line);
                on_line(&line);
            }
        });
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            log.line(&line);
            on_line(&line);
        }
    });
    Ok(child.wait().map_err(|e| e.to_string())?.success())
}

fn bench_cmd(root: &Path, features: &[&str], mode: &str) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root)
        .args(["bench", "--package", "bench-suite", "--bench", "suite"])
        .args(features)
        .env("CSP_BENCH_MODE", mode);
    cmd
}

/// Runs the benchmarks and writes the report.
pub fn run(opts: &Options) -> Result<Results, String> {
    let start = Instant::now();
    let root = root();
    let filter = opts
        .filter
        .as_deref()
        .map(Regex::new)
        .transpose()
        .map_err(|e| format!("--filter: {e}"))?;
    let matches = |id: &str| filter.as_ref().map_or(true, |re| re.is_match(id));
    let target = target_dir(&root);
    let home = target.join("criterion");
    let meta_path = target.join("xtask-bench-meta.json");
    let log_path = target.join("xtask-bench.log");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    let log = Log(Arc::new(Mutex::new(
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?,
    )));
    eprintln!(
        "cargo xtask bench: mode {}, log {}",
        opts.mode,
        log_path.display()
    );

    // 1. Build, falling back while the csp adapters do not compile.
    let spinner = ProgressBar::new_spinner();
    spinner.enable_steady_tick(Duration::from_millis(120));
    let mut chosen = None;
    for (features, left_out) in FEATURE_SETS {
        spinner.set_message(format!("building bench-suite {}", features.join(" ")));
        let mut cmd = bench_cmd(&root, features, opts.mode);
        cmd.arg("--no-run");
        let sp = spinner.clone();
        let ok = stream(cmd, &log, move |l| {
            if let Some(c) = l.trim_start().strip_prefix("Compiling ") {
                sp.set_message(format!("building: {c}"));
            }
        })?;
        if ok {
            chosen = Some((features, left_out));
            break;
        }
        spinner.println(format!(
            "warning: bench-suite did not build with [{}]; trying fewer csp adapters (see {})",
            features.join(" "),
            log_path.display()
        ));
    }
    spinner.finish_and_clear();
    let built = start.elapsed();
    let (features, left_out) = chosen.ok_or(format!(
        "bench-suite does not build; see {}",
        log_path.display()
    ))?;

    // 2. The benchmark ids: criterion's own list, then Go's cases derived from it.
    let mut cmd = bench_cmd(&root, features, opts.mode);
    cmd.args(["--", "--list"]);
    let listing = cmd
        .output()
        .map_err(|e| format!("cargo bench --list: {e}"))?;
    let all_ids = parse_list(&String::from_utf8_lossy(&listing.stdout));
    let rust_ids: Vec<String> = all_ids.iter().filter(|id| matches(id)).cloned().collect();
    let go_bin = if opts.no_go {
        None
    } else {
        output("go", &["version"], &root)
    };
    let mut go_cases: Vec<(String, String)> = Vec::new();
    for id in &all_ids {
        let mut parts = id.splitn(3, '/');
        let (w, _, p) = (
            parts.next().unwrap_or(""),
            parts.next(),
            parts.next().unwrap_or(""),
        );
        let go_id = if p.is_empty() {
            format!("{w}/go")
        } else {
            format!("{w}/go/{p}")
        };
        if matches(&go_id) && !go_cases.iter().any(|(a, b)| a == w && b == p) {
            go_cases.push((w.to_string(), p.to_string()));
        }
    }
    let (go_time, go_count) = match opts.mode {
        "smoke" => ("20ms", 1),
        "quick" => ("200ms", 3),
        _ => ("1s", 5),
    };
    let go_runs = if go_bin.is_some() {
        go_cases.len() * go_count
    } else {
        0
    };

    // 3. Run criterion with a bar over every id.
    let bar = ProgressBar::new((rust_ids.len() + go_runs) as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:32} {pos}/{len} {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let _ = std::fs::remove_file(&meta_path);
    if !rust_ids.is_empty() {
        let mut cmd = bench_cmd(&root, features, opts.mode);
        cmd.env("CSP_BENCH_META", &meta_path)
            .env("CRITERION_HOME", &home)
            .arg("--");
        if let Some(f) = &opts.filter {
            cmd.arg(f);
        }
        let current = Mutex::new(String::new());
        let b = bar.clone();
        let ok = stream(cmd, &log, move |l| {
            let Some(rest) = l.strip_prefix("Benchmarking ") else {
                return;
            };
            let id = rest.split(": ").next().unwrap_or(rest);
            let mut cur = current.lock().expect("progress lock");
            if *cur != id {
                *cur = id.to_string();
                b.set_message(id.to_string());
            }
            if rest.ends_with(": Analyzing") {
                b.inc(1);
            }
        })?;
        if !ok {
            bar.abandon();
            return Err(format!("cargo bench failed; see {}", log_path.display()));
        }
    }

    let benched = start.elapsed();

    // 4. Go.
    let go_dir = root.join("bench-suite").join("go");
    let mut go_entries = Vec::new();
    let go_status = match (&go_bin, opts.no_go) {
        (_, true) => "skipped (--no-go)".to_string(),
        (None, false) => {
            "not installed: install Go 1.19 or newer (Debian: apt-get install golang-go) \
                          and rerun `cargo xtask bench` to add the Go column"
                .to_string()
        }
        (Some(_), false) if go_cases.is_empty() => "no Go benchmark matched --filter".to_string(),
        (Some(version), false) => {
            // Go matches -bench per name level and skips benchmarks without
            // sub-benchmarks under a two-level pattern: select by workload only,
            // then filter the results.
            let tops: BTreeSet<String> = go_cases.iter().map(|(w, _)| regex::escape(w)).collect();
            let pattern = format!(
                "^Benchmark_({})$",
                tops.into_iter().collect::<Vec<_>>().join("|")
            );
            let mut cmd = Command::new("go");
            cmd.current_dir(&go_dir)
                .args([
                    "test",
                    "-run",
                    "^$",
                    "-bench",
                    &pattern,
                    "-benchtime",
                    go_time,
                ])
                .arg(format!("-count={go_count}"))
                .env("CSP_BENCH_MODE", opts.mode);
            let text = Mutex::new(String::new());
            let b = bar.clone();
            let ok = stream(cmd, &log, |l| {
                text.lock().expect("go output").push_str(&format!("{l}\n"));
                if let Some(g) = parse_line(l) {
                    b.set_message(g.id());
                    b.inc(1);
                }
            })?;
            let text = text.into_inner().expect("go output");
            std::fs::create_dir_all(&opts.out).map_err(|e| e.to_string())?;
            let _ = std::fs::write(opts.out.join("go-bench.txt"), &text);
            go_entries = parse_output(&text)
                .into_iter()
                .filter(|e| {
                    let p = e.param_id();
                    let id = if p.is_empty() {
                        format!("{}/go", e.workload)
                    } else {
                        format!("{}/go/{p}", e.workload)
                    };
                    matches(&id)
                })
                .collect();
            if ok {
                format!("ran ({version})")
            } else {
                format!("go test failed ({version}); see {}", log_path.display())
            }
        }
    };
    bar.finish_and_clear();

    let go_done = start.elapsed();

    // 4b. Memory per parked goroutine, in fresh processes.
    let park_memory = park_memory(
        &root,
        &target,
        features,
        go_bin.is_some() && !opts.no_go,
        matches,
        &log,
    );
    eprintln!(
        "build {:.0} s, criterion {:.0} s, go {:.0} s, memory {:.0} s",
        built.as_secs_f64(),
        (benched - built).as_secs_f64(),
        (go_done - benched).as_secs_f64(),
        (start.elapsed() - go_done).as_secs_f64()
    );

    // 5. Collect.
    let estimates = read_all(&home);
    let mut results: Vec<Entry> = rust_ids
        .iter()
        .filter_map(|id| match estimates.get(id) {
            Some(e) => Some(e.to_entry()),
            None => {
                eprintln!("warning: no criterion estimate for {id}");
                None
            }
        })
        .collect();
    let meta: Value = std::fs::read_to_string(&meta_path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let pairs = |key: &str| -> Vec<(String, String, String)> {
        meta[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| {
                        let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
                        (s("workload"), s("implementation"), s("note"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for (w, i, note) in pairs("notes") {
        for e in results
            .iter_mut()
            .filter(|e| e.workload == w && e.implementation == i)
        {
            e.note = Some(note.clone());
        }
    }
    for mut g in go_entries {
        // Go runs the sizes of the green implementations.
        g.elements = if g.workload == "spawn" {
            meta["sizes"]["goroutines"].as_u64().unwrap_or(0)
        } else {
            results
                .iter()
                .find(|e| e.workload == g.workload && e.params == g.params)
                .map_or(0, |e| e.elements)
        };
        if g.workload == "spawn" {
            g.note =
                Some("no join (Go has none): the run ends with the last value received".into());
        }
        results.push(g);
    }
    let run_workloads: BTreeSet<String> = results.iter().map(|e| e.workload.clone()).collect();
    let mut unsupported: Vec<Unsupported> = pairs("unsupported")
        .into_iter()
        .filter(|(w, i, _)| run_workloads.contains(w) && !left_out.contains(&i.as_str()))
        .map(|(workload, implementation, note)| Unsupported {
            workload,
            implementation,
            note,
        })
        .collect();
    for imp in left_out {
        for w in &run_workloads {
            unsupported.push(Unsupported {
                workload: w.clone(),
                implementation: imp.to_string(),
                note: format!(
                    "not run: bench-suite did not build with this adapter (see {})",
                    log_path.display()
                ),
            });
        }
    }
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let sizes = &meta["sizes"];
    let mut res = Results {
        mode: opts.mode.to_string(),
        date: now_utc(),
        git_commit: git_commit(&root),
        wall_seconds: start.elapsed().as_secs_f64(),
        machine: machine(),
        versions: Versions {
            rustc: output("rustc", &["-V"], &root).unwrap_or_else(|| "unknown".into()),
            go: go_bin.clone().filter(|_| !opts.no_go),
            crates: crate_versions(&lock),
        },
        method: method(opts.mode, sizes, go_time, go_count),
        results,
        unsupported,
        go_status,
        park_memory,
    };
    res.sort();
    Ok(res)
}

/// Runs of each parked-goroutine memory measurement (a fresh process each).
const PARK_MEMORY_RUNS: usize = 5;

/// Measures resident memory per parked goroutine: `bench-suite`'s
/// `park_memory` binary for csp goroutines (when the csp-goroutines adapter
/// built) and may, and `bench-suite/go/cmd/parkmem` for Go (when `with_go`),
/// five fresh processes each, for the implementations whose id
/// `park_memory/<implementation>` `matches` the filter. A failed build or run
/// is logged and leaves that implementation out.
fn park_memory(
    root: &Path,
    target: &Path,
    features: &[&str],
    with_go: bool,
    matches: impl Fn(&str) -> bool,
    log: &Log,
) -> Vec<ParkMemory> {
    let wanted = |imp: &str| matches(&format!("park_memory/{imp}"));
    let mut rust: Vec<&str> = Vec::new();
    if features.contains(&"csp-goroutines") {
        rust.push("csp-goroutines");
    }
    rust.push("may");
    rust.retain(|imp| wanted(imp));
    let mut progs: Vec<(&str, Command)> = Vec::new();
    if !rust.is_empty() {
        let mut cmd = Command::new(cargo());
        cmd.current_dir(root)
            .args([
                "build",
                "--release",
                "-p",
                "bench-suite",
                "--bin",
                "park_memory",
            ])
            .args(features);
        if let Ok(true) = stream(cmd, log, |_| {}) {
            let exe = target.join("release").join("park_memory");
            for imp in rust {
                let mut cmd = Command::new(&exe);
                cmd.arg(imp);
                progs.push((imp, cmd));
            }
        } else {
            eprintln!("warning: park_memory did not build; see the log");
        }
    }
    if with_go && wanted("go") {
        let exe = target.join("parkmem");
        let mut cmd = Command::new("go");
        cmd.current_dir(root.join("bench-suite").join("go"))
            .args(["build", "-o"])
            .arg(&exe)
            .arg("./cmd/parkmem");
        match stream(cmd, log, |_| {}) {
            Ok(true) => progs.push(("go", Command::new(exe))),
            _ => eprintln!("warning: go build ./cmd/parkmem failed; see the log"),
        }
    }
    let mut out = Vec::new();
    for (imp, mut cmd) in progs {
        eprintln!("park_memory/{imp}: {PARK_MEMORY_RUNS} runs");
        cmd.current_dir(root);
        let mut runs = Vec::new();
        let mut goroutines = 0;
        for _ in 0..PARK_MEMORY_RUNS {
            log.line(&format!("$ {cmd:?}"));
            let line = match cmd.output() {
                Ok(o) => {
                    let stdout = String::from_utf8_lossy(&o.stdout).trim().to_string();
                    log.line(&stdout);
                    log.line(String::from_utf8_lossy(&o.stderr).trim_end());
                    Some(stdout).filter(|_| o.status.success())
                }
                Err(e) => {
                    log.line(&format!("park_memory/{imp}: {e}"));
                    None
                }
            };
            let v: Option<Value> = line.and_then(|l| serde_json::from_str(&l).ok());
            if let Some(v) = v {
                if let (Some(b), Some(n)) =
                    (v["bytes_per_goroutine"].as_f64(), v["goroutines"].as_u64())
                {
                    runs.push(b);
                    goroutines = n;
                }
            }
        }
        if runs.len() < PARK_MEMORY_RUNS {
            eprintln!(
                "warning: park_memory/{imp}: {} of {PARK_MEMORY_RUNS} runs failed; see the log",
                PARK_MEMORY_RUNS - runs.len()
            );
        }
        if runs.is_empty() {
            continue;
        }
        out.push(ParkMemory {
            implementation: imp.to_string(),
            goroutines,
            bytes_per_goroutine: median(&runs),
            runs,
        });
    }
    out
}

/// The median of `xs` (the mean of the middle two for an even count).
fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

/// How the figures were made, for the report.
fn method(mode: &str, sizes: &Value, go_time: &str, go_count: usize) -> Vec<String> {
    let n = |k: &str| sizes[k].as_u64().map_or("?".to_string(), |v| v.to_string());
    vec![
        format!(
            "Mode {mode}. One run of a workload sends {} messages ({} round trips for ping_pong; {} goroutines or {} OS threads for spawn; sieve up to {}).",
            n("msgs"), n("rounds"), n("goroutines"), n("threads"), n("sieve_limit")
        ),
        "Rust: criterion 0.5 (bench-suite/benches/suite.rs), one group per workload; each sample times whole runs inside the implementation's runtime (csp::run for goroutines, a may coroutine for may). ns_per_msg is criterion's median time per run divided by the messages per run; ci_low and ci_high are its 95% bootstrap interval of the median, divided the same way.".to_string(),
        format!("Go: go test -bench in bench-suite/go with the same sizes, -benchtime {go_time}, -count {go_count}; ns_per_msg is the median over the runs, ci_low and ci_high the fastest and slowest run."),
        "Every run checks the count and sum of what arrived; a wrong result fails the benchmark.".to_string(),
        "Ratios (÷ Go, ÷ crossbeam) divide ns per message: below 1 is faster than the reference.".to_string(),
    ]
}
