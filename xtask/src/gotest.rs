//! Parses `go test -bench` output into figures.

use crate::criterion::median_range;
use crate::results::{parse_params, Entry};
use regex::Regex;
use std::collections::BTreeMap;

/// One result line of `go test -bench`.
#[derive(Debug, PartialEq)]
pub struct GoLine {
    /// Workload (the name after `Benchmark_`).
    pub workload: String,
    /// The sub-benchmark name: the parameter id, empty if none.
    pub params: String,
    /// GOMAXPROCS of the run (the `-N` suffix; 1 without one).
    pub procs: u64,
    /// Iterations Go ran.
    pub iterations: u64,
    /// Nanoseconds per message: the `ns/msg` metric, or `ns/op` without it.
    pub ns_per_msg: f64,
}

impl GoLine {
    /// The id in the Rust suite's form: `fan_in/go/producers=4,cap=128`.
    pub fn id(&self) -> String {
        if self.params.is_empty() {
            format!("{}/go", self.workload)
        } else {
            format!("{}/go/{}", self.workload, self.params)
        }
    }
}

/// Parses one output line; None for lines that are not results.
pub fn parse_line(line: &str) -> Option<GoLine> {
    // Benchmark_fan_in/producers=4,cap=128-2   361   88372 ns/op   44.18 ns/msg ...
    let re = Regex::new(r"^Benchmark_?([^\s/]+?)(?:/(\S+?))?(?:-(\d+))?\s+(\d+)\s+(.*)$").ok()?;
    let c = re.captures(line.trim_end())?;
    let metrics: Vec<&str> = c[5].split_whitespace().collect();
    let metric = |unit: &str| {
        metrics
            .windows(2)
            .find(|w| w[1] == unit)
            .and_then(|w| w[0].parse::<f64>().ok())
    };
    Some(GoLine {
        workload: c[1].to_string(),
        params: c.get(2).map_or(String::new(), |m| m.as_str().to_string()),
        procs: c.get(3).map_or(Some(1), |m| m.as_str().parse().ok())?,
        iterations: c[4].parse().ok()?,
        ns_per_msg: metric("ns/msg").or_else(|| metric("ns/op"))?,
    })
}

/// Folds repeated runs (`-count N`) of each benchmark into one figure: the
/// median, with the fastest and slowest run as the interval.
pub fn parse_output(text: &str) -> Vec<Entry> {
    fold(text.lines().filter_map(parse_line), |l| l.params.clone())
}

/// [`parse_output`] for a `-cpu` sweep: one figure per benchmark and
/// GOMAXPROCS, whose params end with `workers`.
pub fn parse_sweep(text: &str) -> Vec<Entry> {
    fold(text.lines().filter_map(parse_line), |l| {
        let w = format!("workers={}", l.procs);
        if l.params.is_empty() {
            w
        } else {
            format!("{},{w}", l.params)
        }
    })
}

fn fold(lines: impl Iterator<Item = GoLine>, params: impl Fn(&GoLine) -> String) -> Vec<Entry> {
    let mut runs: BTreeMap<String, (String, String, Vec<f64>)> = BTreeMap::new();
    let mut order = Vec::new();
    for line in lines {
        let p = params(&line);
        let id = format!("{}/go/{p}", line.workload);
        if !runs.contains_key(&id) {
            order.push(id.clone());
        }
        runs.entry(id)
            .or_insert_with(|| (line.workload.clone(), p, Vec::new()))
            .2
            .push(line.ns_per_msg);
    }
    order
        .into_iter()
        .map(|id| {
            let (workload, params, v) = runs.remove(&id).expect("id recorded");
            // Elements are filled in from the Rust figure of the same case.
            Entry::new(&workload, parse_params(&params), "go", median_range(&v), 0)
        })
        .collect()
}
