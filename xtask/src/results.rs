//! The schema of `results.json`. Other tools read this file: keep the names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What was benchmarked, as bench-suite's catalog describes it
/// (`bench_suite::catalog::meta_json`): the only list of workloads, cases and
/// implementations. Stored in `results.json` under `catalog`; files from
/// before it have none and get one derived from their figures
/// ([`Results::catalog`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// `smoke`, `quick` or `full`.
    #[serde(default)]
    pub mode: String,
    /// The per-run sizes (`msgs`, `rounds`, `goroutines`, `threads`, `sieve_limit`).
    #[serde(default)]
    pub sizes: Map<String, Value>,
    /// The workloads, in report order.
    pub workloads: Vec<WorkloadInfo>,
    /// The cases (workload × parameters), in report order.
    pub cases: Vec<CaseInfo>,
    /// The implementations, in report order (Go last).
    pub implementations: Vec<ImplInfo>,
    /// Where an implementation differs from a workload as specified.
    #[serde(default)]
    pub notes: Vec<Unsupported>,
    /// Pairs the implementation cannot run, and why.
    #[serde(default)]
    pub unsupported: Vec<Unsupported>,
}

/// One workload of the catalog.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkloadInfo {
    /// The name in ids (`fan_in`).
    pub name: String,
    /// What it measures, one line.
    #[serde(default)]
    pub about: String,
    /// What one figure is per (`message`, `round trip`, `task`).
    #[serde(default = "default_unit")]
    pub unit: String,
    /// Whether green and OS-thread implementations run different sizes and
    /// are shown apart (spawn).
    #[serde(default)]
    pub by_kind: bool,
}

fn default_unit() -> String {
    "message".to_string()
}

/// One case of the catalog.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseInfo {
    /// The workload.
    pub workload: String,
    /// The parameters as an id, `producers=4,cap=128` (empty if none).
    #[serde(default)]
    pub params: String,
    /// Whether this case stands for its workload in the overview charts.
    #[serde(default)]
    pub headline: bool,
}

impl CaseInfo {
    /// The parameters as an object, in id order.
    pub fn param_map(&self) -> Map<String, Value> {
        parse_params(&self.params)
    }
}

/// One implementation of the catalog.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImplInfo {
    /// The name in ids and reports.
    pub name: String,
    /// The crate whose version the report gives (empty for Go).
    #[serde(default, rename = "crate")]
    pub krate: String,
    /// Green threads (goroutines, coroutines, tasks) rather than OS threads.
    #[serde(default)]
    pub green: bool,
    /// Whether its channels honour their capacity.
    #[serde(default = "yes")]
    pub bounded: bool,
    /// Whether its runtime takes a worker count (the scaling sweep).
    #[serde(default)]
    pub workers: bool,
    /// `criterion` (bench-suite) or `go` (`go test -bench`).
    #[serde(default)]
    pub runner: String,
}

fn yes() -> bool {
    true
}

impl Catalog {
    /// The catalog a results file without one implies: workloads, cases and
    /// implementations in the order of its figures.
    pub fn derived(results: &[Entry], unsupported: &[Unsupported]) -> Catalog {
        let mut c = Catalog::default();
        let workloads = results
            .iter()
            .map(|e| &e.workload)
            .chain(unsupported.iter().map(|u| &u.workload));
        for w in workloads {
            if !c.workloads.iter().any(|x| &x.name == w) {
                c.workloads.push(WorkloadInfo {
                    name: w.clone(),
                    about: String::new(),
                    unit: default_unit(),
                    by_kind: false,
                });
            }
        }
        for e in results {
            let params = param_id(&e.params);
            if !c
                .cases
                .iter()
                .any(|x| x.workload == e.workload && x.params == params)
            {
                let headline = !c.cases.iter().any(|x| x.workload == e.workload);
                c.cases.push(CaseInfo {
                    workload: e.workload.clone(),
                    params,
                    headline,
                });
            }
        }
        // Each case lists its implementations in report order: merge those orders.
        let mut order: Vec<String> = Vec::new();
        for case in &c.cases {
            let seq: Vec<&String> = results
                .iter()
                .filter(|e| e.workload == case.workload && param_id(&e.params) == case.params)
                .map(|e| &e.implementation)
                .collect();
            merge_into(&mut order, &seq);
        }
        let gaps: Vec<&String> = unsupported.iter().map(|u| &u.implementation).collect();
        merge_into(&mut order, &gaps);
        c.implementations = order
            .into_iter()
            .map(|name| ImplInfo {
                name,
                bounded: true,
                ..ImplInfo::default()
            })
            .collect();
        c.unsupported = unsupported.to_vec();
        c
    }

    /// The workload named `name`.
    pub fn workload(&self, name: &str) -> Option<&WorkloadInfo> {
        self.workloads.iter().find(|w| w.name == name)
    }

    /// The implementation named `name`.
    pub fn implementation(&self, name: &str) -> Option<&ImplInfo> {
        self.implementations.iter().find(|i| i.name == name)
    }

    /// Whether `(workload, params)` is a headline case.
    pub fn is_headline(&self, workload: &str, params: &Map<String, Value>) -> bool {
        let id = param_id(params);
        self.cases
            .iter()
            .find(|c| c.workload == workload && c.params == id)
            .is_some_and(|c| c.headline)
    }

    fn rank_workload(&self, w: &str) -> usize {
        self.workloads
            .iter()
            .position(|x| x.name == w)
            .unwrap_or(usize::MAX)
    }

    fn rank_case(&self, w: &str, p: &Map<String, Value>) -> usize {
        let id = param_id(p);
        self.cases
            .iter()
            .position(|c| c.workload == w && c.params == id)
            .unwrap_or(usize::MAX)
    }

    /// The position of an implementation in report order.
    pub fn rank_impl(&self, i: &str) -> usize {
        self.implementations
            .iter()
            .position(|x| x.name == i)
            .unwrap_or(usize::MAX)
    }
}

/// One figure: a workload with parameters, on one implementation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// A workload of the [`Catalog`].
    pub workload: String,
    /// The workload's parameters, e.g. `{"producers": 4, "cap": 128}`.
    pub params: Map<String, Value>,
    /// An implementation of the [`Catalog`].
    pub implementation: String,
    /// Median nanoseconds per message (per round trip for ping-pong, per task for spawn).
    pub ns_per_msg: f64,
    /// Lower end of the interval around the median (criterion: 95% bootstrap CI;
    /// Go: the fastest of its runs).
    pub ci_low: f64,
    /// Upper end of that interval.
    pub ci_high: f64,
    /// Messages per second at the median.
    pub msgs_per_sec: f64,
    /// Messages (the throughput unit) in one timed run.
    pub elements: u64,
    /// Where the implementation differs from the workload as specified.
    pub note: Option<String>,
}

impl Entry {
    /// The parameters as `producers=4,cap=128`, the form of the benchmark ids.
    pub fn param_id(&self) -> String {
        param_id(&self.params)
    }

    /// Builds an entry from a median and interval in nanoseconds per message.
    pub fn new(
        workload: &str,
        params: Map<String, Value>,
        implementation: &str,
        (median, low, high): (f64, f64, f64),
        elements: u64,
    ) -> Entry {
        Entry {
            workload: workload.to_string(),
            params,
            implementation: implementation.to_string(),
            ns_per_msg: median,
            ci_low: low,
            ci_high: high,
            msgs_per_sec: if median > 0.0 { 1e9 / median } else { 0.0 },
            elements,
            note: None,
        }
    }
}

/// A (workload, implementation) pair with no figure, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unsupported {
    /// The workload.
    pub workload: String,
    /// The implementation.
    pub implementation: String,
    /// Why there is no figure.
    pub note: String,
}

/// The machine the figures come from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name (`/proc/cpuinfo`).
    pub cpu_model: String,
    /// Logical CPUs available to the run.
    pub cores: usize,
    /// Operating system and kernel.
    pub os: String,
    /// CPU clock and cache (`/proc/cpuinfo`).
    #[serde(default)]
    pub cpu_detail: String,
    /// Every CPU flag (`/proc/cpuinfo`).
    #[serde(default)]
    pub cpu_flags: String,
    /// Total memory (`/proc/meminfo`).
    #[serde(default)]
    pub memory: String,
    /// Kernel release (`/proc/sys/kernel/osrelease`).
    #[serde(default)]
    pub kernel: String,
    /// CPU frequency governor (`/sys/devices/system/cpu/cpu0/cpufreq`).
    #[serde(default)]
    pub governor: String,
    /// Whether this is a virtual machine (cpuinfo's `hypervisor` flag, DMI).
    #[serde(default)]
    pub virtualization: String,
}

/// Tool and library versions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    /// `rustc -V`.
    pub rustc: String,
    /// `go version`, or None when Go was not run.
    pub go: Option<String>,
    /// Versions of the benchmarked and benchmarking crates, from Cargo.lock.
    pub crates: Map<String, Value>,
}

/// Everything `results.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// `smoke`, `quick` or `full`.
    pub mode: String,
    /// When the run ended (UTC, RFC 3339).
    pub date: String,
    /// `git rev-parse HEAD`, with `-dirty` when the tree had changes.
    pub git_commit: String,
    /// Wall time of the benchmark run in seconds (build included).
    pub wall_seconds: f64,
    /// The machine.
    pub machine: Machine,
    /// Versions.
    pub versions: Versions,
    /// How the figures were obtained.
    pub method: Vec<String>,
    /// Every figure.
    pub results: Vec<Entry>,
    /// Pairs with no figure, and why.
    pub unsupported: Vec<Unsupported>,
    /// Whether Go ran, and if not, how to add it.
    pub go_status: String,
    /// Resident memory per parked goroutine (absent from older reports, and
    /// left out of results.json when nothing was measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub park_memory: Vec<ParkMemory>,
    /// The headline cases of the runtimes that take a worker count, at each
    /// worker count of the sweep (params carry `workers`; absent from older
    /// reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scaling: Vec<Entry>,
    /// Latency per message (absent from older reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency: Vec<LatencyEntry>,
    /// The sync workloads, `mutex` and `context_cancel` (absent from older
    /// reports, and left out when nothing was measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sync: Vec<SyncEntry>,
    /// The network workloads, `echo` and `blocking` (absent from older
    /// reports, and left out when nothing was measured).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub net: Vec<NetEntry>,
    /// What was benchmarked (absent from older reports: see [`Results::catalog`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Catalog>,
}

/// Resident memory per parked goroutine, for one implementation: the median
/// of several fresh processes that each park `goroutines` goroutines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkMemory {
    /// An implementation of the [`Catalog`] (`csp-goroutines`, `may` or `go`).
    pub implementation: String,
    /// Goroutines parked per run.
    pub goroutines: u64,
    /// Median resident bytes per parked goroutine.
    pub bytes_per_goroutine: f64,
    /// Every run's figure.
    pub runs: Vec<f64>,
}

/// The latency distribution of one implementation on one case: nanoseconds
/// per message (per round trip for ping-pong) from an HDR histogram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyEntry {
    /// The workload.
    pub workload: String,
    /// The parameter id (`producers=4,cap=128`, empty if none).
    #[serde(default)]
    pub params: String,
    /// The implementation.
    pub implementation: String,
    /// Messages recorded.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Slowest message.
    pub max: u64,
    /// (percentile, ns) along the distribution.
    pub percentiles: Vec<(f64, u64)>,
}

/// One case of a sync workload (`mutex`, `context_cancel`) on one
/// implementation: every timed run of bench-suite's `sync_bench` or of
/// `bench-suite/go/cmd/syncbench`, which print this as a JSON line (without
/// the summary fields, which [`SyncEntry::from_line`] computes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SyncEntry {
    /// `mutex` or `context_cancel`.
    pub workload: String,
    /// The parameter id (`goroutines=4,ops=256000`).
    #[serde(default)]
    pub params: String,
    /// The implementation.
    pub implementation: String,
    /// What one run's time is divided by: lock–increment–unlock operations
    /// (`mutex`) or contexts (`context_cancel`).
    pub elements: u64,
    /// Nanoseconds of each timed run (the whole run).
    pub runs_ns: Vec<f64>,
    /// Median of `runs_ns`.
    #[serde(default)]
    pub median_ns: f64,
    /// `median_ns / elements`.
    #[serde(default)]
    pub ns_per_element: f64,
    /// The fastest run divided by `elements`.
    #[serde(default)]
    pub low_ns_per_element: f64,
    /// The slowest run divided by `elements`.
    #[serde(default)]
    pub high_ns_per_element: f64,
}

impl SyncEntry {
    /// Parses one line of `sync_bench` or `syncbench` and computes the
    /// median and range; None for a line that is not one (or has no run).
    pub fn from_line(line: &str) -> Option<SyncEntry> {
        let mut e: SyncEntry = serde_json::from_str(line.trim()).ok()?;
        let s = RunSummary::of(&e.runs_ns, e.elements)?;
        e.median_ns = s.median_ns;
        e.ns_per_element = s.ns_per_element;
        e.low_ns_per_element = s.low_ns_per_element;
        e.high_ns_per_element = s.high_ns_per_element;
        Some(e)
    }

    /// The parameters as an object.
    pub fn param_map(&self) -> Map<String, Value> {
        parse_params(&self.params)
    }
}

/// The median and range of whole timed runs, per element.
struct RunSummary {
    median_ns: f64,
    ns_per_element: f64,
    low_ns_per_element: f64,
    high_ns_per_element: f64,
}

impl RunSummary {
    /// None without a run or an element.
    fn of(runs_ns: &[f64], elements: u64) -> Option<RunSummary> {
        if runs_ns.is_empty() || elements == 0 {
            return None;
        }
        let mut sorted = runs_ns.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mid = sorted.len() / 2;
        let median_ns = if sorted.len() % 2 == 0 {
            (sorted[mid - 1] + sorted[mid]) / 2.0
        } else {
            sorted[mid]
        };
        let per = |v: f64| v / elements as f64;
        Some(RunSummary {
            median_ns,
            ns_per_element: per(median_ns),
            low_ns_per_element: per(sorted[0]),
            high_ns_per_element: per(sorted[sorted.len() - 1]),
        })
    }
}

/// One case of a network workload (`echo`, `blocking`) on one
/// implementation: every timed run of bench-suite's `net_bench` or of
/// `bench-suite/go/cmd/netbench`, which print this as a JSON line (without
/// the summary fields, which [`NetEntry::from_line`] computes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetEntry {
    /// `echo` or `blocking`.
    pub workload: String,
    /// The parameter id (`conns=100,rounds=300`, `op=empty,calls=1000000`).
    #[serde(default)]
    pub params: String,
    /// The implementation.
    pub implementation: String,
    /// What one run's time is divided by: round trips (`echo`) or calls
    /// (`blocking`).
    pub elements: u64,
    /// Nanoseconds of each timed run (the whole run).
    pub runs_ns: Vec<f64>,
    /// `echo`: the median round trip over every timed run, in ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50_ns: Option<u64>,
    /// `echo`: the 99th percentile round trip, in ns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ns: Option<u64>,
    /// Median of `runs_ns`.
    #[serde(default)]
    pub median_ns: f64,
    /// `median_ns / elements`: ns per round trip or per call.
    #[serde(default)]
    pub ns_per_element: f64,
    /// The fastest run divided by `elements`.
    #[serde(default)]
    pub low_ns_per_element: f64,
    /// The slowest run divided by `elements`.
    #[serde(default)]
    pub high_ns_per_element: f64,
}

impl NetEntry {
    /// Parses one line of `net_bench` or `netbench` and computes the median
    /// and range; None for a line that is not one (or has no run).
    pub fn from_line(line: &str) -> Option<NetEntry> {
        let mut e: NetEntry = serde_json::from_str(line.trim()).ok()?;
        let s = RunSummary::of(&e.runs_ns, e.elements)?;
        e.median_ns = s.median_ns;
        e.ns_per_element = s.ns_per_element;
        e.low_ns_per_element = s.low_ns_per_element;
        e.high_ns_per_element = s.high_ns_per_element;
        Some(e)
    }

    /// Elements per second of the median run (round trips per second for
    /// `echo`).
    pub fn per_second(&self) -> f64 {
        1e9 / self.ns_per_element
    }

    /// The parameters as an object.
    pub fn param_map(&self) -> Map<String, Value> {
        parse_params(&self.params)
    }
}

impl Results {
    /// The catalog: the stored one, or for an older file one derived from its
    /// figures.
    pub fn catalog(&self) -> std::borrow::Cow<'_, Catalog> {
        match &self.catalog {
            Some(c) => std::borrow::Cow::Borrowed(c),
            None => std::borrow::Cow::Owned(Catalog::derived(&self.results, &self.unsupported)),
        }
    }

    /// Sorts figures into report order: workload, case, implementation.
    pub fn sort(&mut self) {
        let cat = self.catalog().into_owned();
        self.results.sort_by(|a, b| {
            (
                cat.rank_workload(&a.workload),
                cat.rank_case(&a.workload, &a.params),
                param_key(&a.params),
                cat.rank_impl(&a.implementation),
            )
                .cmp(&(
                    cat.rank_workload(&b.workload),
                    cat.rank_case(&b.workload, &b.params),
                    param_key(&b.params),
                    cat.rank_impl(&b.implementation),
                ))
        });
        self.unsupported.sort_by_key(|u| {
            (
                cat.rank_workload(&u.workload),
                cat.rank_impl(&u.implementation),
            )
        });
        self.park_memory
            .sort_by_key(|m| cat.rank_impl(&m.implementation));
        self.latency.sort_by_key(|l| {
            (
                cat.rank_workload(&l.workload),
                cat.rank_impl(&l.implementation),
            )
        });
    }

    /// The figure for one case and implementation.
    pub fn find(&self, workload: &str, params: &Map<String, Value>, imp: &str) -> Option<&Entry> {
        self.results
            .iter()
            .find(|e| e.workload == workload && &e.params == params && e.implementation == imp)
    }

    /// The scaling figure of `imp` on `workload` at `workers` worker threads.
    pub fn scaling_at(&self, workload: &str, imp: &str, workers: u64) -> Option<&Entry> {
        self.scaling.iter().find(|e| {
            e.workload == workload
                && e.implementation == imp
                && e.params.get("workers").and_then(Value::as_u64) == Some(workers)
        })
    }

    /// Why `imp` has no figure for `workload`, if the catalog says.
    pub fn gap(&self, workload: &str, imp: &str) -> Option<&Unsupported> {
        self.unsupported
            .iter()
            .find(|u| u.workload == workload && u.implementation == imp)
    }

    /// The distinct (workload, params) cases that have figures, in report order.
    pub fn cases(&self) -> Vec<(String, Map<String, Value>)> {
        let mut out: Vec<(String, Map<String, Value>)> = Vec::new();
        for e in &self.results {
            if !out.iter().any(|(w, p)| *w == e.workload && *p == e.params) {
                out.push((e.workload.clone(), e.params.clone()));
            }
        }
        out
    }

    /// The lines of the summary: one per case, and for a workload whose
    /// sizes differ by kind (spawn) one per kind that has figures, green first.
    pub fn rows(&self) -> Vec<Row> {
        let catalog = self.catalog();
        let mut out = Vec::new();
        for (workload, params) in self.cases() {
            let by_kind = catalog.workload(&workload).is_some_and(|w| w.by_kind);
            if !by_kind {
                out.push(Row {
                    workload,
                    params,
                    green: None,
                });
                continue;
            }
            for green in [true, false] {
                let any = self.results.iter().any(|e| {
                    e.workload == workload
                        && e.params == params
                        && catalog
                            .implementation(&e.implementation)
                            .is_some_and(|i| i.green == green)
                });
                if any {
                    out.push(Row {
                        workload: workload.clone(),
                        params: params.clone(),
                        green: Some(green),
                    });
                }
            }
        }
        out
    }

    /// Whether `imp` belongs in `row` (every implementation, or those of the
    /// row's kind).
    pub fn in_row(&self, row: &Row, imp: &str) -> bool {
        match row.green {
            None => true,
            Some(g) => self
                .catalog()
                .implementation(imp)
                .is_some_and(|i| i.green == g),
        }
    }

    /// The figure of `imp` in `row`, if it has one there.
    pub fn find_in(&self, row: &Row, imp: &str) -> Option<&Entry> {
        self.find(&row.workload, &row.params, imp)
            .filter(|_| self.in_row(row, imp))
    }

    /// The implementations that have at least one figure or gap, in report order.
    pub fn implementations(&self) -> Vec<String> {
        self.catalog()
            .implementations
            .iter()
            .map(|i| i.name.clone())
            .filter(|i| {
                self.results.iter().any(|e| &e.implementation == i)
                    || self.unsupported.iter().any(|u| &u.implementation == i)
            })
            .collect()
    }
}

/// A line of the summary: a case, restricted to one kind of task for
/// workloads that size the kinds differently.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The workload.
    pub workload: String,
    /// Its parameters.
    pub params: Map<String, Value>,
    /// Some(true): green implementations only; Some(false): OS threads only.
    pub green: Option<bool>,
}

impl Row {
    /// `fan_in (producers=4,cap=128)`, `spawn (goroutines)`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if !self.params.is_empty() {
            parts.push(param_id(&self.params));
        }
        match self.green {
            Some(true) => parts.push("goroutines".to_string()),
            Some(false) => parts.push("OS threads".to_string()),
            None => {}
        }
        if parts.is_empty() {
            self.workload.clone()
        } else {
            format!("{} ({})", self.workload, parts.join(", "))
        }
    }

    /// The HTML id of the row's table: `case-fan_in-producers-4-cap-128`.
    pub fn anchor(&self) -> String {
        let raw = format!("case-{}", self.label());
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// Adds the names of `seq` missing from `order`, each just before the next
/// name of `seq` that `order` already has (at the end if none): `order` keeps
/// the relative order of every sequence merged into it.
fn merge_into(order: &mut Vec<String>, seq: &[&String]) {
    for (j, name) in seq.iter().enumerate() {
        if order.contains(name) {
            continue;
        }
        let at = seq[j + 1..]
            .iter()
            .find_map(|next| order.iter().position(|o| o == *next))
            .unwrap_or(order.len());
        order.insert(at, (*name).clone());
    }
}

/// Numeric parameters sort numerically (cap=16 before cap=256).
fn param_key(p: &Map<String, Value>) -> Vec<(String, u64)> {
    p.iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect()
}

/// `producers=4,cap=128` from the params object (in its stored order).
pub fn param_id(p: &Map<String, Value>) -> String {
    let parts: Vec<String> = p
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    parts.join(",")
}

/// The params object of `producers=4,cap=128` (numbers where they parse).
pub fn parse_params(id: &str) -> Map<String, Value> {
    let mut map = Map::new();
    for part in id.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let value = v
            .parse::<u64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(v));
        map.insert(k.to_string(), value);
    }
    map
}
