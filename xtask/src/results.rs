//! The schema of `results.json`. Other tools read this file: keep the names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The workload names, in report order.
pub const WORKLOADS: [&str; 8] = [
    "ping_pong",
    "spsc_unbuffered",
    "fan_in",
    "mpmc",
    "pipeline",
    "select4",
    "spawn",
    "sieve",
];

/// The implementation names, in report order.
pub const IMPLEMENTATIONS: [&str; 8] = [
    "csp-goroutines",
    "csp-threads",
    "crossbeam",
    "flume",
    "std-mpsc",
    "kanal",
    "may",
    "go",
];

/// One figure: a workload with parameters, on one implementation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// One of [`WORKLOADS`].
    pub workload: String,
    /// The workload's parameters, e.g. `{"producers": 4, "cap": 128}`.
    pub params: Map<String, Value>,
    /// One of [`IMPLEMENTATIONS`].
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
}

/// Resident memory per parked goroutine, for one implementation: the median
/// of several fresh processes that each park `goroutines` goroutines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParkMemory {
    /// One of [`IMPLEMENTATIONS`] (`csp-goroutines`, `may` or `go`).
    pub implementation: String,
    /// Goroutines parked per run.
    pub goroutines: u64,
    /// Median resident bytes per parked goroutine.
    pub bytes_per_goroutine: f64,
    /// Every run's figure.
    pub runs: Vec<f64>,
}

impl Results {
    /// Sorts figures into report order: workload, parameters, implementation.
    pub fn sort(&mut self) {
        let rank = |list: &[&str], s: &str| list.iter().position(|x| *x == s).unwrap_or(usize::MAX);
        self.results.sort_by(|a, b| {
            (
                rank(&WORKLOADS, &a.workload),
                param_key(&a.params),
                rank(&IMPLEMENTATIONS, &a.implementation),
            )
                .cmp(&(
                    rank(&WORKLOADS, &b.workload),
                    param_key(&b.params),
                    rank(&IMPLEMENTATIONS, &b.implementation),
                ))
        });
        self.unsupported.sort_by_key(|u| {
            (
                rank(&WORKLOADS, &u.workload),
                rank(&IMPLEMENTATIONS, &u.implementation),
            )
        });
        self.park_memory
            .sort_by_key(|m| rank(&IMPLEMENTATIONS, &m.implementation));
    }

    /// The figure for one case and implementation.
    pub fn find(&self, workload: &str, params: &Map<String, Value>, imp: &str) -> Option<&Entry> {
        self.results
            .iter()
            .find(|e| e.workload == workload && &e.params == params && e.implementation == imp)
    }

    /// The distinct (workload, params) cases, in report order.
    pub fn cases(&self) -> Vec<(String, Map<String, Value>)> {
        let mut out: Vec<(String, Map<String, Value>)> = Vec::new();
        for e in &self.results {
            if !out.iter().any(|(w, p)| *w == e.workload && *p == e.params) {
                out.push((e.workload.clone(), e.params.clone()));
            }
        }
        out
    }

    /// The implementations that have at least one figure or gap, in report order.
    pub fn implementations(&self) -> Vec<&'static str> {
        IMPLEMENTATIONS
            .into_iter()
            .filter(|i| {
                self.results.iter().any(|e| e.implementation == *i)
                    || self.unsupported.iter().any(|u| u.implementation == *i)
            })
            .collect()
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
