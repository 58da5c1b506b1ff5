//! `cargo xtask bench`: builds and runs the criterion suite and the Go
//! benchmarks with a progress bar, then writes the report.

use crate::criterion::{parse_list, read_all};
use crate::gotest::{parse_line, parse_output, parse_sweep};
use crate::machine::{crate_versions, find_go, git_commit, machine, now_utc, output};
use crate::results::{
    Catalog, Entry, LatencyEntry, NetEntry, ParkMemory, Results, SyncEntry, Unsupported, Versions,
};
use indicatif::{ProgressBar, ProgressStyle};
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, IsTerminal, Write};
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
    /// Only these implementations (empty: all).
    pub impls: Vec<String>,
    /// Only these workloads (empty: all; `park_memory` names the memory
    /// measurement).
    pub workloads: Vec<String>,
    /// Print the selected ids and stop.
    pub list: bool,
    /// Worker counts of the scaling sweep (empty: [`default_workers`]; a
    /// single count turns the sweep off).
    pub workers: Vec<usize>,
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
fn stream(cmd: Command, log: &Log, on_line: impl Fn(&str) + Send + Sync) -> Result<bool, String> {
    stream_watched(cmd, log, on_line, None)
}

/// As [`stream`]; with `silence`, a process that prints nothing for that
/// long is taken for hung: a line saying so goes to `on_line` and the log,
/// and the process is killed (it then counts as failed).
fn stream_watched(
    mut cmd: Command,
    log: &Log,
    on_line: impl Fn(&str) + Send + Sync,
    silence: Option<Duration>,
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
    let pid = child.id();
    let last = Mutex::new(Instant::now());
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let (on_line, last, done) = (&on_line, &last, &done);
        let seen = move |line: &str| {
            *last.lock().expect("watch lock") = Instant::now();
            log.line(line);
            on_line(line);
        };
        if let Some(limit) = silence {
            s.spawn(move || {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    if last.lock().expect("watch lock").elapsed() > limit {
                        let msg = format!(
                            "no output for {} s: taken for hung, killed (pid {pid} and its children)",
                            limit.as_secs()
                        );
                        log.line(&msg);
                        on_line(&msg);
                        kill_tree(pid);
                        return;
                    }
                }
            });
        }
        let reader = s.spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                seen(&line);
            }
        });
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            seen(&line);
        }
        let _ = reader.join();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    Ok(child.wait().map_err(|e| e.to_string())?.success())
}

/// Kills `pid` and every process under it: cargo runs the bench binary as
/// its child, and the child holds the output pipes. The whole tree is listed
/// first and killed at once, parents first, so that no parent goes on to its
/// next step when its child dies. (Not a process group of its own: Ctrl-C at
/// the terminal must still reach the benchmark.)
fn kill_tree(pid: u32) {
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let kids = children(tree[i]);
        tree.extend(kids);
        i += 1;
    }
    let _ = Command::new("kill")
        .arg("-9")
        .args(tree.iter().map(u32::to_string))
        .status();
}

/// The processes whose parent is `pid` (from /proc; none elsewhere).
fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            // /proc/<p>/stat: "pid (comm) state ppid ..."; comm may hold spaces.
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|st| {
                    let rest = &st[st.rfind(')')? + 1..];
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(pid)
        })
        .collect()
}

/// How long the criterion process may print nothing before it is taken for
/// hung: far beyond the slowest case of each mode (criterion prints a line
/// at every phase of every case).
fn criterion_silence(mode: &str) -> Duration {
    Duration::from_secs(match mode {
        "smoke" => 300,
        "quick" => 600,
        _ => 1800,
    })
}

/// Builds one of bench-suite's binaries with the profile `cargo bench` used
/// (`bench`, whose output directory is target/release), so its dependencies
/// are not compiled a second time; whether it built.
fn build_bin(root: &Path, features: &[&str], bin: &str, log: &Log) -> bool {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root)
        .args([
            "build",
            "--profile",
            "bench",
            "-p",
            "bench-suite",
            "--bin",
            bin,
        ])
        .args(features);
    matches!(stream(cmd, log, |_| {}), Ok(true))
}

fn bench_cmd(root: &Path, features: &[&str], mode: &str) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root)
        .args(["bench", "--package", "bench-suite", "--bench", "suite"])
        .args(features)
        .env("CSP_BENCH_MODE", mode);
    cmd
}

/// What every stage of a run shares: paths, the log and the filter.
struct Ctx<'a> {
    opts: &'a Options,
    root: PathBuf,
    target: PathBuf,
    /// `CRITERION_HOME`.
    home: PathBuf,
    /// Where the bench binary writes bench-suite's catalog.
    meta_path: PathBuf,
    log_path: PathBuf,
    log: Log,
    filter: Option<Regex>,
    start: Instant,
}

impl Ctx<'_> {
    fn new(opts: &Options) -> Result<Ctx<'_>, String> {
        let start = Instant::now();
        let root = root();
        let filter = opts
            .filter
            .as_deref()
            .map(Regex::new)
            .transpose()
            .map_err(|e| format!("--filter: {e}"))?;
        let target = target_dir(&root);
        let log_path = target.join("xtask-bench.log");
        std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
        let log = Log(Arc::new(Mutex::new(
            std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?,
        )));
        Ok(Ctx {
            opts,
            home: target.join("criterion"),
            meta_path: target.join("xtask-bench-meta.json"),
            root,
            target,
            log_path,
            log,
            filter,
            start,
        })
    }

    /// Whether a benchmark id (`workload/implementation[/params]`) passes
    /// `--filter`, `--impl` and `--workload`.
    fn matches(&self, id: &str) -> bool {
        selected(id, &self.opts.impls, &self.opts.workloads)
            && self.filter.as_ref().map_or(true, |re| re.is_match(id))
    }
}

/// Whether `id` (`workload/implementation[/params]`) is among the chosen
/// implementations and workloads (an empty list chooses all).
pub fn selected(id: &str, impls: &[String], workloads: &[String]) -> bool {
    let mut parts = id.split('/');
    let (w, i) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    (workloads.is_empty() || workloads.iter().any(|x| x == w))
        && (impls.is_empty() || impls.iter().any(|x| x == i))
}

/// Progress: a bar on a terminal; elsewhere (CI logs) one line per finished
/// case, so the log never goes quiet for long.
#[derive(Clone, Debug)]
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: Arc<Mutex<u64>>,
    start: Instant,
}

impl Progress {
    /// A progress report over `total` cases, drawn as a bar when stderr is a
    /// terminal.
    pub fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:32} {pos}/{len} {msg}",
                )
                .expect("template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            done: Arc::new(Mutex::new(0)),
            start: Instant::now(),
        }
    }

    /// The case now running (shown on the bar only).
    fn running(&self, id: &str) {
        if let Some(b) = &self.bar {
            b.set_message(id.to_string());
        }
    }

    /// A case finished: advance the bar, or print `[k/n mm:ss] id`.
    fn finished(&self, id: &str) {
        let mut done = self.done.lock().expect("progress lock");
        *done += 1;
        match &self.bar {
            Some(b) => b.inc(1),
            None => eprintln!(
                "{}",
                progress_line(*done, self.total, self.start.elapsed(), id)
            ),
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// A line above the bar (or among the progress lines).
    fn println(&self, s: &str) {
        match &self.bar {
            Some(b) => b.println(s),
            None => eprintln!("{s}"),
        }
    }

    fn abandon(&self) {
        if let Some(b) = &self.bar {
            b.abandon();
        }
    }
}

/// One progress line outside a terminal: `[ 12/140 01:05] fan_in/go/producers=4,cap=128`.
pub fn progress_line(done: u64, total: u64, elapsed: Duration, id: &str) -> String {
    let secs = elapsed.as_secs();
    let width = total.to_string().len();
    format!(
        "[{done:>width$}/{total} {:02}:{:02}] {id}",
        secs / 60,
        secs % 60
    )
}

/// The feature set that built: (cargo arguments, implementations left out).
type Features = (&'static [&'static str], &'static [&'static str]);

/// What will run: the criterion ids and Go's cases, with Go's settings.
struct Plan {
    rust_ids: Vec<String>,
    /// (workload, parameter id) of every Go benchmark to keep.
    go_cases: Vec<(String, String)>,
    /// `go version`, when Go is installed and not left out.
    go_bin: Option<String>,
    /// The Go command: the newest of `go` on PATH and /usr/lib/go-*/bin/go.
    go_cmd: PathBuf,
    go_time: &'static str,
    go_count: usize,
}

impl Plan {
    /// The ids of the Go benchmarks, when Go runs.
    fn go_ids(&self) -> Vec<String> {
        if self.go_bin.is_none() {
            return Vec::new();
        }
        self.go_cases.iter().map(|(w, p)| go_id(w, p)).collect()
    }

    /// How many results the progress bar waits for.
    fn steps(&self) -> usize {
        self.rust_ids.len()
            + if self.go_bin.is_some() {
                self.go_cases.len() * self.go_count
            } else {
                0
            }
    }
}

/// Runs the benchmarks and returns their results (None for `--list`).
pub fn run(opts: &Options) -> Result<Option<Results>, String> {
    let ctx = Ctx::new(opts)?;
    eprintln!(
        "cargo xtask bench: mode {}, log {}",
        opts.mode,
        ctx.log_path.display()
    );
    let features = build(&ctx)?;
    let plan = plan(&ctx, features.0)?;
    let sync_plan = fresh_plan(&ctx, features.0, &plan, &SYNC);
    let net_plan = fresh_plan(&ctx, features.0, &plan, &NET);
    // Building sync_bench and net_bench (an LTO link each) counts as build
    // time.
    let built = ctx.start.elapsed();
    if opts.list {
        for id in plan.rust_ids.iter().chain(&plan.go_ids()) {
            println!("{id}");
        }
        for fp in [&sync_plan, &net_plan] {
            for id in fp.rust_ids.iter().chain(&fp.go_ids) {
                println!("{id}");
            }
        }
        return Ok(None);
    }
    let bar = Progress::new(plan.steps() as u64);
    let failed = run_criterion(&ctx, features.0, &plan, &bar)?;
    let benched = ctx.start.elapsed();
    let (go_entries, go_status) = run_go(&ctx, &plan, &bar)?;
    bar.finish();
    let go_done = ctx.start.elapsed();
    let park_memory = park_memory(
        &ctx.root,
        &ctx.target,
        features.0,
        plan.go_bin.as_ref().map(|_| plan.go_cmd.as_path()),
        |id| ctx.matches(id),
        &ctx.log,
    );
    let memory_done = ctx.start.elapsed();
    let latency = latency(&ctx, features.0);
    let latency_done = ctx.start.elapsed();
    let sync = run_sync(&ctx, &plan, &sync_plan);
    let sync_done = ctx.start.elapsed();
    let net = run_net(&ctx, &plan, &net_plan);
    let net_done = ctx.start.elapsed();
    let scaling = scaling(&ctx, features.0, &plan);
    eprintln!(
        "build {:.0} s, criterion {:.0} s, go {:.0} s, memory {:.0} s, latency {:.0} s, sync {:.0} s, net {:.0} s, scaling {:.0} s",
        built.as_secs_f64(),
        (benched - built).as_secs_f64(),
        (go_done - benched).as_secs_f64(),
        (memory_done - go_done).as_secs_f64(),
        (latency_done - memory_done).as_secs_f64(),
        (sync_done - latency_done).as_secs_f64(),
        (net_done - sync_done).as_secs_f64(),
        (ctx.start.elapsed() - net_done).as_secs_f64()
    );
    let mut results = collect(
        &ctx,
        &plan,
        features.1,
        &failed,
        go_entries,
        go_status,
        park_memory,
    );
    results.latency = latency;
    results.sync = sync;
    results.net = net;
    results.scaling = scaling;
    results.sort();
    Ok(Some(results))
}

/// Stage 1: builds the bench binary, falling back to fewer csp adapters
/// while they do not compile.
fn build(ctx: &Ctx) -> Result<Features, String> {
    let spinner = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        eprintln!("building bench-suite (cargo bench --no-run)");
        ProgressBar::hidden()
    };
    spinner.enable_steady_tick(Duration::from_millis(120));
    let mut chosen = None;
    for (features, left_out) in FEATURE_SETS {
        spinner.set_message(format!("building bench-suite {}", features.join(" ")));
        let mut cmd = bench_cmd(&ctx.root, features, ctx.opts.mode);
        cmd.arg("--no-run");
        let sp = spinner.clone();
        let ok = stream(cmd, &ctx.log, move |l| {
            if let Some(c) = l.trim_start().strip_prefix("Compiling ") {
                sp.set_message(format!("building: {c}"));
            }
        })?;
        if ok {
            chosen = Some((features, left_out));
            break;
        }
        eprintln!(
            "{}",
            format_args!(
                "warning: bench-suite did not build with [{}]; trying fewer csp adapters (see {})",
                features.join(" "),
                ctx.log_path.display()
            )
        );
    }
    spinner.finish_and_clear();
    chosen.ok_or(format!(
        "bench-suite does not build; see {}",
        ctx.log_path.display()
    ))
}

/// Stage 2: the benchmark ids (criterion's own list) and Go's cases derived
/// from them.
fn plan(ctx: &Ctx, features: &[&str]) -> Result<Plan, String> {
    let mut cmd = bench_cmd(&ctx.root, features, ctx.opts.mode);
    cmd.args(["--", "--list"]);
    let listing = cmd
        .output()
        .map_err(|e| format!("cargo bench --list: {e}"))?;
    let all_ids = parse_list(&String::from_utf8_lossy(&listing.stdout));
    let rust_ids = all_ids
        .iter()
        .filter(|id| ctx.matches(id))
        .cloned()
        .collect();
    let (go_cmd, go_bin) = match find_go(&ctx.root) {
        Some((cmd, version)) if !ctx.opts.no_go => (cmd, Some(version)),
        _ => (PathBuf::from("go"), None),
    };
    let mut go_cases: Vec<(String, String)> = Vec::new();
    for id in &all_ids {
        let mut parts = id.splitn(3, '/');
        let (w, _, p) = (
            parts.next().unwrap_or(""),
            parts.next(),
            parts.next().unwrap_or(""),
        );
        if ctx.matches(&go_id(w, p)) && !go_cases.iter().any(|(a, b)| a == w && b == p) {
            go_cases.push((w.to_string(), p.to_string()));
        }
    }
    let (go_time, go_count) = match ctx.opts.mode {
        "smoke" => ("20ms", 1),
        "quick" => ("200ms", 3),
        _ => ("1s", 5),
    };
    Ok(Plan {
        rust_ids,
        go_cases,
        go_bin,
        go_cmd,
        go_time,
        go_count,
    })
}

/// The id of a Go benchmark in the Rust suite's form: `fan_in/go/producers=4,cap=128`.
fn go_id(workload: &str, params: &str) -> String {
    if params.is_empty() {
        format!("{workload}/go")
    } else {
        format!("{workload}/go/{params}")
    }
}

/// A case whose benchmark process failed twice: no figure, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    /// The criterion id.
    pub id: String,
    /// The last lines the process printed.
    pub tail: Vec<String>,
}

/// How many of a failed process's last lines a warning repeats.
const TAIL_LINES: usize = 12;

/// What one criterion process did: the ids it finished, the id it was in
/// when it stopped, its last lines, and whether it exited successfully.
#[derive(Debug, Default)]
struct Pass {
    finished: Vec<String>,
    current: Option<String>,
    tail: std::collections::VecDeque<String>,
    ok: bool,
}

impl Pass {
    /// Follows one line of criterion's output.
    fn line(&mut self, l: &str) {
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(l.to_string());
        let Some(rest) = l.strip_prefix("Benchmarking ") else {
            return;
        };
        let id = rest.split(": ").next().unwrap_or(rest);
        if self.current.as_deref() != Some(id) {
            self.current = Some(id.to_string());
        }
        if rest.ends_with(": Analyzing") {
            self.finished.push(id.to_string());
            self.current = None;
        }
    }
}

/// After a failed pass over `remaining`: the ids still to run and whether
/// the case it died in has now failed twice (then it is given up). A
/// process that dies outside any case (before the first, or between two)
/// is retried once as a whole.
fn after_failure(
    remaining: &[String],
    pass: &Pass,
    failed_once: &mut BTreeSet<String>,
) -> (Vec<String>, Option<Failed>) {
    let left: Vec<String> = remaining
        .iter()
        .filter(|id| !pass.finished.contains(id))
        .cloned()
        .collect();
    let culprit = pass
        .current
        .clone()
        .or_else(|| left.first().cloned())
        .unwrap_or_default();
    if failed_once.insert(culprit.clone()) {
        return (left, None);
    }
    let left = left.into_iter().filter(|id| *id != culprit).collect();
    let failed = Failed {
        id: culprit,
        tail: pass.tail.iter().cloned().collect(),
    };
    (left, Some(failed))
}

/// Stage 3: runs criterion over the planned ids, advancing `bar` per id.
///
/// One process runs every case, so a case that crashes it (a panic, a
/// signal) would take the rest of the run with it: the process is started
/// again over the ids not yet finished, and a case that fails twice is
/// given up with a warning (its last lines, and the log's path) and comes
/// back in the returned list. A csp case given up is an error, after the
/// rest have run: a crash in csp is a bug, in a peer it is the peer's.
fn run_criterion(
    ctx: &Ctx,
    features: &[&str],
    plan: &Plan,
    bar: &Progress,
) -> Result<Vec<Failed>, String> {
    let _ = std::fs::remove_file(&ctx.meta_path);
    let mut remaining = plan.rust_ids.clone();
    let mut failed_once = BTreeSet::new();
    let mut failed: Vec<Failed> = Vec::new();
    let mut first = true;
    let mut outside = 0;
    while !remaining.is_empty() {
        let mut cmd = bench_cmd(&ctx.root, features, ctx.opts.mode);
        cmd.env("CSP_BENCH_META", &ctx.meta_path)
            .env("CRITERION_HOME", &ctx.home)
            .arg("--");
        let filtered = ctx.opts.filter.is_some()
            || !ctx.opts.impls.is_empty()
            || !ctx.opts.workloads.is_empty();
        if filtered || !first {
            // criterion takes one regex: the exact ids chosen.
            let ids: Vec<String> = remaining.iter().map(|id| regex::escape(id)).collect();
            cmd.arg(format!("^({})$", ids.join("|")));
        }
        first = false;
        let pass = Mutex::new(Pass::default());
        let b = bar.clone();
        let silence = Some(criterion_silence(ctx.opts.mode));
        let ok = stream_watched(
            cmd,
            &ctx.log,
            |l| {
                let mut p = pass.lock().expect("pass lock");
                let before = (p.current.clone(), p.finished.len());
                p.line(l);
                if p.current != before.0 {
                    if let Some(id) = &p.current {
                        b.running(id);
                    }
                }
                if p.finished.len() > before.1 {
                    b.finished(&p.finished[before.1]);
                }
            },
            silence,
        )?;
        let mut pass = pass.into_inner().expect("pass lock");
        pass.ok = ok;
        if pass.ok {
            break;
        }
        let (left, gave_up) = after_failure(&remaining, &pass, &mut failed_once);
        let culprit = pass
            .current
            .clone()
            .unwrap_or_else(|| "(between cases)".into());
        bar.println(&format!(
            "warning: the benchmark process failed in {culprit}; its last lines:\n    {}\n{}",
            pass.tail.iter().cloned().collect::<Vec<_>>().join("\n    "),
            match &gave_up {
                Some(f) => format!(
                    "{} failed twice: left out (log: {})",
                    f.id,
                    ctx.log_path.display()
                ),
                None => "running the cases not yet finished again".to_string(),
            }
        ));
        if let Some(f) = gave_up {
            bar.finished(&f.id);
            failed.push(f);
        }
        if pass.current.is_none() && pass.finished.is_empty() {
            // It died before any case began: once may be the machine, twice
            // is the binary.
            outside += 1;
            if outside == 2 {
                bar.abandon();
                return Err(format!(
                    "cargo bench failed; see {}",
                    ctx.log_path.display()
                ));
            }
        }
        remaining = left;
    }
    let csp: Vec<&str> = failed
        .iter()
        .filter(|f| f.id.split('/').nth(1).is_some_and(|i| i.starts_with("csp")))
        .map(|f| f.id.as_str())
        .collect();
    if !csp.is_empty() {
        bar.abandon();
        return Err(format!(
            "csp benchmark cases failed twice: {}; see {}",
            csp.join(", "),
            ctx.log_path.display()
        ));
    }
    Ok(failed)
}

/// Stage 4: runs `go test -bench` over the planned cases; returns Go's
/// figures and a status line for the report.
fn run_go(ctx: &Ctx, plan: &Plan, bar: &Progress) -> Result<(Vec<Entry>, String), String> {
    let version =
        match (&plan.go_bin, ctx.opts.no_go) {
            (_, true) => return Ok((Vec::new(), "skipped (--no-go)".to_string())),
            (None, false) => return Ok((
                Vec::new(),
                "not installed: install Go (Debian bookworm: add bookworm-backports to the apt \
                 sources, then apt-get install -t bookworm-backports golang-1.23-go; it is found \
                 in /usr/lib/go-1.23/bin) and rerun `cargo xtask bench` to add the Go column"
                    .to_string(),
            )),
            (Some(_), false) if plan.go_cases.is_empty() => {
                return Ok((Vec::new(), "no Go benchmark matched --filter".to_string()))
            }
            (Some(version), false) => version,
        };
    let b = bar.clone();
    let (ok, text) = go_test(
        ctx,
        plan,
        plan.go_cases.iter().map(|(w, _)| w.as_str()),
        &[],
        |g| b.finished(&g.id()),
    )?;
    std::fs::create_dir_all(&ctx.opts.out).map_err(|e| e.to_string())?;
    let _ = std::fs::write(ctx.opts.out.join("go-bench.txt"), &text);
    let entries = parse_output(&text)
        .into_iter()
        .filter(|e| ctx.matches(&go_id(&e.workload, &e.param_id())))
        .collect();
    let status = if ok {
        format!("ran ({version}, {})", plan.go_cmd.display())
    } else {
        format!("go test failed ({version}); see {}", ctx.log_path.display())
    };
    Ok((entries, status))
}

/// Runs `go test -bench` in bench-suite/go over whole workloads (Go matches
/// -bench per name level and skips benchmarks without sub-benchmarks under a
/// two-level pattern, so callers filter the cases afterwards), with -cpu
/// `cpus` when given; calls `on_result` per result line. Whether it passed,
/// and its output.
fn go_test<'w>(
    ctx: &Ctx,
    plan: &Plan,
    workloads: impl Iterator<Item = &'w str>,
    cpus: &[usize],
    on_result: impl Fn(&crate::gotest::GoLine) + Send + Sync,
) -> Result<(bool, String), String> {
    let tops: BTreeSet<String> = workloads.map(regex::escape).collect();
    let pattern = format!(
        "^Benchmark_({})$",
        tops.into_iter().collect::<Vec<_>>().join("|")
    );
    let mut cmd = Command::new(&plan.go_cmd);
    cmd.current_dir(ctx.root.join("bench-suite").join("go"))
        .args(["test", "-run", "^$", "-bench", &pattern])
        .args(["-benchtime", plan.go_time])
        .arg(format!("-count={}", plan.go_count))
        .env("CSP_BENCH_MODE", ctx.opts.mode);
    if !cpus.is_empty() {
        let list: Vec<String> = cpus.iter().map(|n| n.to_string()).collect();
        cmd.arg(format!("-cpu={}", list.join(",")));
    }
    let text = Mutex::new(String::new());
    let ok = stream(cmd, &ctx.log, |l| {
        text.lock().expect("go output").push_str(&format!("{l}\n"));
        if let Some(g) = parse_line(l) {
            on_result(&g);
        }
    })?;
    Ok((ok, text.into_inner().expect("go output")))
}

/// Stage 5: criterion's estimates, Go's figures and bench-suite's catalog
/// (notes, gaps, sizes) into one [`Results`].
fn collect(
    ctx: &Ctx,
    plan: &Plan,
    left_out: &[&str],
    failed: &[Failed],
    go_entries: Vec<Entry>,
    go_status: String,
    park_memory: Vec<ParkMemory>,
) -> Results {
    let estimates = read_all(&ctx.home);
    let mut results: Vec<Entry> = plan
        .rust_ids
        .iter()
        .filter(|id| !failed.iter().any(|f| f.id == **id))
        .filter_map(|id| match estimates.get(id) {
            Some(e) => Some(e.to_entry()),
            None => {
                eprintln!("warning: no criterion estimate for {id}");
                None
            }
        })
        .collect();
    let catalog: Option<Catalog> = std::fs::read_to_string(&ctx.meta_path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    let catalog = catalog.unwrap_or_default();
    let sizes = Value::Object(catalog.sizes.clone());
    for mut g in go_entries {
        // Go runs the sizes of the green implementations.
        g.elements = if g.workload == "spawn" {
            sizes["goroutines"].as_u64().unwrap_or(0)
        } else {
            results
                .iter()
                .find(|e| e.workload == g.workload && e.params == g.params)
                .map_or(0, |e| e.elements)
        };
        results.push(g);
    }
    for n in &catalog.notes {
        for e in results
            .iter_mut()
            .filter(|e| e.workload == n.workload && e.implementation == n.implementation)
        {
            e.note = Some(n.note.clone());
        }
    }
    let run_workloads: BTreeSet<String> = results.iter().map(|e| e.workload.clone()).collect();
    let mut unsupported: Vec<Unsupported> = catalog
        .unsupported
        .iter()
        .filter(|u| {
            run_workloads.contains(&u.workload) && !left_out.contains(&u.implementation.as_str())
        })
        .cloned()
        .collect();
    for f in failed {
        let mut parts = f.id.split('/');
        let (w, i) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let last = f.tail.last().map_or("", |l| l.trim());
        unsupported.push(Unsupported {
            workload: w.to_string(),
            implementation: i.to_string(),
            note: format!(
                "{}: the benchmark process failed twice here (last line: {last})",
                f.id
            ),
        });
    }
    for imp in left_out {
        for w in &run_workloads {
            unsupported.push(Unsupported {
                workload: w.clone(),
                implementation: imp.to_string(),
                note: format!(
                    "not run: bench-suite did not build with this adapter (see {})",
                    ctx.log_path.display()
                ),
            });
        }
    }
    let lock = std::fs::read_to_string(ctx.root.join("Cargo.lock")).unwrap_or_default();
    let mut crates: Vec<&str> = catalog
        .implementations
        .iter()
        .map(|i| i.krate.as_str())
        .filter(|k| !k.is_empty() && *k != "std")
        .collect();
    crates.extend(TOOL_CRATES);
    let mut res = Results {
        mode: ctx.opts.mode.to_string(),
        date: now_utc(),
        git_commit: git_commit(&ctx.root),
        wall_seconds: ctx.start.elapsed().as_secs_f64(),
        machine: machine(),
        versions: Versions {
            rustc: output("rustc", &["-V"], &ctx.root).unwrap_or_else(|| "unknown".into()),
            go: plan.go_bin.clone(),
            crates: crate_versions(&lock, &crates),
        },
        method: method(ctx.opts.mode, &sizes, plan.go_time, plan.go_count),
        results,
        unsupported,
        go_status,
        park_memory,
        latency: Vec::new(),
        sync: Vec::new(),
        net: Vec::new(),
        scaling: Vec::new(),
        catalog: Some(catalog),
    };
    res.sort();
    res
}

/// Crates the harness itself depends on whose versions the report gives.
const TOOL_CRATES: [&str; 3] = ["corosensei", "criterion", "plotters"];

/// Stage 4c: latency percentiles from bench-suite's `latency` binary (one
/// fresh process), for the implementations whose id `latency/<implementation>`
/// passes the selection. A failed build or run is logged and gives none.
fn latency(ctx: &Ctx, features: &[&str]) -> Vec<LatencyEntry> {
    let catalog: Option<Catalog> = std::fs::read_to_string(&ctx.meta_path)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok());
    let wanted: Vec<String> = catalog
        .map(|c| c.implementations)
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i.runner == "criterion" && ctx.matches(&format!("latency/{}", i.name)))
        .map(|i| i.name)
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    if !build_bin(&ctx.root, features, "latency", &ctx.log) {
        eprintln!("warning: the latency binary did not build; see the log");
        return Vec::new();
    }
    eprintln!("latency: {} implementations", wanted.len());
    let mut cmd = Command::new(ctx.target.join("release").join("latency"));
    cmd.current_dir(&ctx.root)
        .env("CSP_BENCH_MODE", ctx.opts.mode)
        .env("CSP_LATENCY_IMPLS", wanted.join(","));
    let text = Mutex::new(String::new());
    let ok = stream(cmd, &ctx.log, |l| {
        text.lock()
            .expect("latency output")
            .push_str(&format!("{l}\n"));
    });
    if !matches!(ok, Ok(true)) {
        eprintln!("warning: the latency run failed; see the log");
    }
    let text = text.into_inner().expect("latency output");
    text.lines()
        .filter_map(|l| serde_json::from_str::<LatencyEntry>(l).ok())
        .collect()
}

/// A bench-suite binary that runs its cases in one fresh process and prints
/// one JSON line per case, and its Go twin in bench-suite/go/cmd.
struct Fresh {
    /// The stage's name in progress lines (`sync`, `net`).
    stage: &'static str,
    /// The bench-suite binary (`sync_bench`).
    bin: &'static str,
    /// The variable that chooses its cases (`CSP_SYNC_IDS`).
    ids_env: &'static str,
    /// The Go command, bench-suite/go/cmd/<go_cmd> (`syncbench`).
    go_cmd: &'static str,
}

/// The sync workloads (`mutex`, `context_cancel`).
const SYNC: Fresh = Fresh {
    stage: "sync",
    bin: "sync_bench",
    ids_env: "CSP_SYNC_IDS",
    go_cmd: "syncbench",
};

/// The network workloads (`echo`, `blocking`).
const NET: Fresh = Fresh {
    stage: "net",
    bin: "net_bench",
    ids_env: "CSP_NET_IDS",
    go_cmd: "netbench",
};

/// The cases of a [`Fresh`] binary that will run: the binary (built) with
/// the ids it lists that pass the selection, and the Go twins of every
/// listed case (`mutex/go/goroutines=4,ops=256000`) that pass it.
struct FreshPlan {
    exe: Option<PathBuf>,
    rust_ids: Vec<String>,
    go_ids: Vec<String>,
}

/// Stage 2b: builds a [`Fresh`] binary (`sync_bench`, `net_bench`) and takes
/// its list of cases (the catalog's `sync_cases`, `net_cases`); Go's ids are
/// derived from it, as for criterion. A failed build is logged and plans
/// nothing.
fn fresh_plan(ctx: &Ctx, features: &[&str], plan: &Plan, fresh: &Fresh) -> FreshPlan {
    let none = FreshPlan {
        exe: None,
        rust_ids: Vec::new(),
        go_ids: Vec::new(),
    };
    if !build_bin(&ctx.root, features, fresh.bin, &ctx.log) {
        eprintln!(
            "warning: the {} binary did not build; see the log",
            fresh.bin
        );
        return none;
    }
    let exe = ctx.target.join("release").join(fresh.bin);
    let listing = Command::new(&exe)
        .arg("--list")
        .env("CSP_BENCH_MODE", ctx.opts.mode)
        .output();
    let all: Vec<String> = match listing {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
        _ => {
            eprintln!("warning: {} --list failed", fresh.bin);
            return none;
        }
    };
    let mut go_ids: Vec<String> = Vec::new();
    if plan.go_bin.is_some() {
        for id in &all {
            let mut parts = id.splitn(3, '/');
            let (w, _, p) = (
                parts.next().unwrap_or(""),
                parts.next(),
                parts.next().unwrap_or(""),
            );
            let g = go_id(w, p);
            if ctx.matches(&g) && !go_ids.contains(&g) {
                go_ids.push(g);
            }
        }
    }
    FreshPlan {
        exe: Some(exe),
        rust_ids: all.into_iter().filter(|id| ctx.matches(id)).collect(),
        go_ids,
    }
}

/// Stages 4d and 4e: the planned Rust cases of a [`Fresh`] binary in one
/// fresh process, then Go's in one fresh bench-suite/go/cmd process (built
/// into the target directory); `parse` reads a JSON line into its entry
/// and id. A failed build or run is logged and gives what it printed
/// before.
fn run_fresh<T: Send>(
    ctx: &Ctx,
    plan: &Plan,
    fp: &FreshPlan,
    fresh: &Fresh,
    parse: impl Fn(&str) -> Option<(String, T)> + Send + Sync,
) -> Vec<T> {
    let total = fp.rust_ids.len() + fp.go_ids.len();
    if total == 0 {
        return Vec::new();
    }
    eprintln!(
        "{}: {} Rust cases, {} Go cases",
        fresh.stage,
        fp.rust_ids.len(),
        fp.go_ids.len()
    );
    let progress = Progress::new(total as u64);
    let mut progs: Vec<(&str, Command)> = Vec::new();
    if let (Some(exe), false) = (&fp.exe, fp.rust_ids.is_empty()) {
        let mut cmd = Command::new(exe);
        cmd.env(fresh.ids_env, fp.rust_ids.join(";"));
        progs.push((fresh.bin, cmd));
    }
    if !fp.go_ids.is_empty() {
        let exe = ctx.target.join(fresh.go_cmd);
        let mut build = Command::new(&plan.go_cmd);
        build
            .current_dir(ctx.root.join("bench-suite").join("go"))
            .args(["build", "-o"])
            .arg(&exe)
            .arg(format!("./cmd/{}", fresh.go_cmd));
        match stream(build, &ctx.log, |_| {}) {
            Ok(true) => {
                let mut cmd = Command::new(exe);
                cmd.arg("-ids").arg(fp.go_ids.join(";"));
                progs.push((fresh.go_cmd, cmd));
            }
            _ => eprintln!(
                "warning: go build ./cmd/{} failed; see the log",
                fresh.go_cmd
            ),
        }
    }
    let out = Mutex::new(Vec::new());
    for (name, mut cmd) in progs {
        cmd.current_dir(&ctx.root)
            .env("CSP_BENCH_MODE", ctx.opts.mode);
        let p = progress.clone();
        let ok = stream(cmd, &ctx.log, |l| {
            if let Some((id, e)) = parse(l) {
                p.finished(&id);
                out.lock().expect("fresh-process output").push(e);
            }
        });
        if !matches!(ok, Ok(true)) {
            eprintln!("warning: the {name} run failed (a wrong result or a crash); see the log");
        }
    }
    progress.finish();
    out.into_inner().expect("fresh-process output")
}

/// Stage 4d: the sync workloads (`mutex`, `context_cancel`), by
/// `sync_bench` and `bench-suite/go/cmd/syncbench`.
fn run_sync(ctx: &Ctx, plan: &Plan, fp: &FreshPlan) -> Vec<SyncEntry> {
    run_fresh(ctx, plan, fp, &SYNC, |l| {
        SyncEntry::from_line(l).map(|e| {
            let id = format!("{}/{}/{}", e.workload, e.implementation, e.params);
            (id, e)
        })
    })
}

/// Stage 4e: the network workloads (`echo`, `blocking`), by `net_bench`
/// and `bench-suite/go/cmd/netbench`.
fn run_net(ctx: &Ctx, plan: &Plan, fp: &FreshPlan) -> Vec<NetEntry> {
    run_fresh(ctx, plan, fp, &NET, |l| {
        NetEntry::from_line(l).map(|e| {
            let id = format!("{}/{}/{}", e.workload, e.implementation, e.params);
            (id, e)
        })
    })
}

/// The default worker counts of the sweep: 1, 2, 4, ... below `nproc`, and
/// `nproc` (1, 2 on two cores; 1, 2, 4, ..., 64 on 64).
pub fn default_workers(nproc: usize) -> Vec<usize> {
    let mut out: Vec<usize> = std::iter::successors(Some(1usize), |n| n.checked_mul(2))
        .take_while(|n| *n < nproc)
        .collect();
    out.push(nproc.max(1));
    out.dedup();
    out
}

/// Stage 4f: the scaling sweep. The catalog's headline case of every
/// workload, on every runtime that takes a worker count, once per worker
/// count: criterion with `CSP_BENCH_WORKERS` (and `GOMAXPROCS`) set, each
/// count in its own criterion directory, and Go with `go test -cpu`.
fn scaling(ctx: &Ctx, features: &[&str], plan: &Plan) -> Vec<Entry> {
    let counts = if ctx.opts.workers.is_empty() {
        default_workers(std::thread::available_parallelism().map_or(1, |n| n.get()))
    } else {
        ctx.opts.workers.clone()
    };
    if counts.len() < 2 {
        return Vec::new();
    }
    let Some(catalog) = std::fs::read_to_string(&ctx.meta_path)
        .ok()
        .and_then(|s| serde_json::from_str::<Catalog>(&s).ok())
    else {
        return Vec::new();
    };
    let id = |w: &str, imp: &str, p: &str| {
        if p.is_empty() {
            format!("{w}/{imp}")
        } else {
            format!("{w}/{imp}/{p}")
        }
    };
    let heads: Vec<_> = catalog.cases.iter().filter(|c| c.headline).collect();
    let ids: Vec<String> = heads
        .iter()
        .flat_map(|c| {
            catalog
                .implementations
                .iter()
                .filter(|i| i.workers && i.runner == "criterion")
                .map(|i| id(&c.workload, &i.name, &c.params))
                .collect::<Vec<_>>()
        })
        .filter(|i| plan.rust_ids.contains(i))
        .collect();
    let mut out = Vec::new();
    let with_workers = |mut e: Entry, n: usize| {
        e.params
            .insert("workers".to_string(), Value::from(n as u64));
        e
    };
    let go_cases: Vec<_> = heads
        .iter()
        .filter(|c| plan.go_bin.is_some() && ctx.matches(&go_id(&c.workload, &c.params)))
        .collect();
    // Go runs every sub-benchmark of a chosen workload, -count times each.
    let go_lines = plan
        .go_cases
        .iter()
        .filter(|(w, _)| go_cases.iter().any(|c| c.workload == *w))
        .count()
        * plan.go_count;
    let progress = Progress::new(((ids.len() + go_lines) * counts.len()) as u64);

    for n in &counts {
        if ids.is_empty() {
            break;
        }
        let home = ctx.target.join("criterion-workers").join(n.to_string());
        let mut cmd = bench_cmd(&ctx.root, features, ctx.opts.mode);
        let exact: Vec<String> = ids.iter().map(|i| regex::escape(i)).collect();
        cmd.env("CSP_BENCH_WORKERS", n.to_string())
            .env("GOMAXPROCS", n.to_string())
            .env("CRITERION_HOME", &home)
            .arg("--")
            .arg(format!("^({})$", exact.join("|")));
        let p = progress.clone();
        let ok = stream(cmd, &ctx.log, move |l| {
            if let Some(rest) = l.strip_prefix("Benchmarking ") {
                if let Some(id) = rest.strip_suffix(": Analyzing") {
                    p.finished(&format!("{id} (workers={n})"));
                }
            }
        });
        if !matches!(ok, Ok(true)) {
            eprintln!("warning: the scaling run with {n} workers failed; see the log");
            continue;
        }
        let estimates = read_all(&home);
        out.extend(
            ids.iter()
                .filter_map(|i| estimates.get(i))
                .map(|e| with_workers(e.to_entry(), *n)),
        );
    }
    if !go_cases.is_empty() {
        let p = progress.clone();
        let (ok, text) = go_test(
            ctx,
            plan,
            go_cases.iter().map(|c| c.workload.as_str()),
            &counts,
            |g| p.finished(&format!("{} (GOMAXPROCS={})", g.id(), g.procs)),
        )
        .unwrap_or_default();
        if !ok {
            eprintln!("warning: go test -cpu failed; see the log");
        }
        out.extend(parse_sweep(&text).into_iter().filter(|e| {
            let mut p = e.params.clone();
            p.remove("workers");
            go_cases
                .iter()
                .any(|c| c.workload == e.workload && c.param_map() == p)
        }));
    }
    progress.finish();
    out
}

/// Runs of each parked-goroutine memory measurement (a fresh process each).
const PARK_MEMORY_RUNS: usize = 5;

/// Measures resident memory per parked goroutine: `bench-suite`'s
/// `park_memory` binary for csp goroutines (when the csp-goroutines adapter
/// built) and may, and `bench-suite/go/cmd/parkmem` for Go (with the Go command `go`, when given),
/// five fresh processes each, for the implementations whose id
/// `park_memory/<implementation>` `matches` the filter. A failed build or run
/// is logged and leaves that implementation out.
fn park_memory(
    root: &Path,
    target: &Path,
    features: &[&str],
    go: Option<&Path>,
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
        if build_bin(root, features, "park_memory", log) {
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
    if let Some(go) = go.filter(|_| wanted("go")) {
        let exe = target.join("parkmem");
        let mut cmd = Command::new(go);
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
        "Rust: criterion 0.5 (bench-suite/benches/suite.rs), one group per workload; each sample times whole runs inside the implementation's runtime (csp::run for goroutines, a may coroutine for may). ns_per_msg is the median over criterion's samples of the time per run divided by the messages per run; ci_low and ci_high are the fastest and slowest sample, divided the same way.".to_string(),
        format!("Go: go test -bench in bench-suite/go with the same sizes, -benchtime {go_time}, -count {go_count}; ns_per_msg is the median over the runs, ci_low and ci_high the fastest and slowest run."),
        "One statistic for every implementation: the median of its runs (criterion samples or go test runs), with the range from the fastest to the slowest.".to_string(),
        "Every run checks the count and sum of what arrived; a wrong result fails the benchmark.".to_string(),
        "mutex and context_cancel: bench-suite's sync_bench binary (bench-suite/src/sync_bench.rs) and its Go twin bench-suite/go/cmd/syncbench, each in one fresh process; per case one untimed warm-up run, then timed runs, each checked (the counter equals goroutines × operations; every watcher saw Canceled); the figure is the median run divided by its operations or contexts, the range the fastest and slowest run.".to_string(),
        "echo and blocking: bench-suite's net_bench binary (bench-suite/src/net_bench.rs) and its Go twin bench-suite/go/cmd/netbench, each in one fresh process, as for mutex; echo runs C connections over loopback TCP (every echo compared byte for byte with its 64-byte message, round trips and echoed messages counted exactly), timed from the release of the connected clients to the last client's end: round trips per second is the round trips of the median run over its time, p50 and p99 are percentiles of every round trip of every timed run (HDR histogram in Rust, the sorted round trips in Go); blocking times a loop of calls on one goroutine, ns per call of the median run.".to_string(),
        "Ratios (vs Go, vs crossbeam) divide ns per message by the reference's and are written as \"2.1× faster\" or \"3.0× slower\"; within 5 % they read \"same\".".to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(lines: &[&str]) -> Pass {
        let mut p = Pass::default();
        for l in lines {
            p.line(l);
        }
        p
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_silent_process_is_killed_and_fails() {
        let path = std::env::temp_dir().join(format!("xtask-watch-{}.log", std::process::id()));
        let log = Log(Arc::new(Mutex::new(
            std::fs::File::create(&path).expect("log file"),
        )));
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 60; echo never"]);
        let lines = Mutex::new(Vec::new());
        let t = Instant::now();
        let ok = stream_watched(
            cmd,
            &log,
            |l| lines.lock().unwrap().push(l.to_string()),
            Some(Duration::from_secs(1)),
        )
        .expect("spawned");
        assert!(!ok, "a killed process counts as failed");
        assert!(t.elapsed() < Duration::from_secs(30), "not killed");
        let lines = lines.into_inner().unwrap();
        assert_eq!(lines[0], "started");
        assert!(
            lines.iter().any(|l| l.contains("taken for hung")),
            "{lines:?}"
        );
        assert!(!lines.iter().any(|l| l == "never"));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_pass_follows_criterion_lines() {
        let p = pass(&[
            "Benchmarking a/x: Warming up for 20 ms",
            "Benchmarking a/x: Analyzing",
            "a/x   time: [1 ns 2 ns 3 ns]",
            "Benchmarking a/y: Warming up for 20 ms",
            "thread 'main' panicked at src/x.rs:1:1:",
        ]);
        assert_eq!(p.finished, ids(&["a/x"]));
        assert_eq!(p.current.as_deref(), Some("a/y"));
        assert_eq!(
            p.tail.back().map(String::as_str),
            Some("thread 'main' panicked at src/x.rs:1:1:")
        );
    }

    #[test]
    fn a_crashing_case_is_retried_once_then_given_up() {
        let all = ids(&["a/x", "a/y", "a/z"]);
        let mut once = BTreeSet::new();
        let crash = pass(&[
            "Benchmarking a/x: Analyzing",
            "Benchmarking a/y: Collecting",
            "boom",
        ]);
        let (left, gave_up) = after_failure(&all, &crash, &mut once);
        assert_eq!(left, ids(&["a/y", "a/z"]));
        assert_eq!(gave_up, None);
        let again = pass(&["Benchmarking a/y: Collecting", "boom"]);
        let (left, gave_up) = after_failure(&left, &again, &mut once);
        assert_eq!(left, ids(&["a/z"]));
        let f = gave_up.expect("given up after two failures");
        assert_eq!(f.id, "a/y");
        assert_eq!(f.tail.last().map(String::as_str), Some("boom"));
    }

    #[test]
    fn a_crash_between_cases_blames_the_next_one() {
        let all = ids(&["a/x", "a/y"]);
        let mut once = BTreeSet::new();
        let (left, gave_up) =
            after_failure(&all, &pass(&["Benchmarking a/x: Analyzing"]), &mut once);
        assert_eq!((left.clone(), gave_up), (ids(&["a/y"]), None));
        let (left, gave_up) = after_failure(&left, &pass(&["boom"]), &mut once);
        assert!(left.is_empty());
        assert_eq!(gave_up.map(|f| f.id), Some("a/y".to_string()));
    }
}
