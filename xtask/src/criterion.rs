//! Reads criterion's saved estimates (`<criterion home>/<id>/new/*.json`).

use crate::results::{parse_params, Entry};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one benchmark directory says.
#[derive(Debug, PartialEq)]
pub struct Estimate {
    /// `group/function/parameter`, as criterion prints it.
    pub full_id: String,
    /// The group: the workload.
    pub group: String,
    /// The function: the implementation.
    pub function: String,
    /// The parameter string, if any.
    pub value: Option<String>,
    /// Elements per iteration (criterion's `Throughput::Elements`).
    pub elements: u64,
    /// Median time per iteration in ns and its confidence interval.
    pub median: (f64, f64, f64),
    /// Time per iteration of every sample in ns (`sample.json`; empty when
    /// the file is missing).
    pub samples: Vec<f64>,
}

impl Estimate {
    /// The figure per message: the median of the samples with their range
    /// (fastest and slowest sample), the statistic Go's runs get too; without
    /// samples, criterion's median estimate and its bootstrap interval.
    pub fn to_entry(&self) -> Entry {
        let per = self.elements.max(1) as f64;
        let (m, lo, hi) = if self.samples.is_empty() {
            self.median
        } else {
            median_range(&self.samples)
        };
        Entry::new(
            &self.group,
            parse_params(self.value.as_deref().unwrap_or("")),
            &self.function,
            (m / per, lo / per, hi / per),
            self.elements,
        )
    }
}

/// Parses one benchmark's `benchmark.json` and `estimates.json` texts.
pub fn parse(benchmark_json: &str, estimates_json: &str) -> Result<Estimate, String> {
    let b: Value =
        serde_json::from_str(benchmark_json).map_err(|e| format!("benchmark.json: {e}"))?;
    let e: Value =
        serde_json::from_str(estimates_json).map_err(|e| format!("estimates.json: {e}"))?;
    let text = |v: &Value, k: &str| -> Result<String, String> {
        v[k].as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("benchmark.json: no {k}"))
    };
    let elements = match &b["throughput"] {
        Value::Object(t) => t
            .get("Elements")
            .and_then(Value::as_u64)
            .ok_or("benchmark.json: throughput is not Elements")?,
        _ => return Err("benchmark.json: no throughput".into()),
    };
    let median = &e["median"];
    let num = |v: &Value, what: &str| {
        v.as_f64()
            .ok_or_else(|| format!("estimates.json: no {what}"))
    };
    Ok(Estimate {
        full_id: text(&b, "full_id")?,
        group: text(&b, "group_id")?,
        function: text(&b, "function_id")?,
        value: b["value_str"].as_str().map(str::to_string),
        elements,
        median: (
            num(&median["point_estimate"], "median.point_estimate")?,
            num(
                &median["confidence_interval"]["lower_bound"],
                "median lower_bound",
            )?,
            num(
                &median["confidence_interval"]["upper_bound"],
                "median upper_bound",
            )?,
        ),
        samples: Vec::new(),
    })
}

/// Median, fastest and slowest of `xs` (not empty).
pub fn median_range(xs: &[f64]) -> (f64, f64, f64) {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (median, v[0], v[n - 1])
}

/// Time per iteration of each sample in a `sample.json` text
/// (`{"iters": [...], "times": [...]}`, times in ns).
pub fn parse_samples(sample_json: &str) -> Result<Vec<f64>, String> {
    let v: Value = serde_json::from_str(sample_json).map_err(|e| format!("sample.json: {e}"))?;
    let list = |k: &str| -> Result<Vec<f64>, String> {
        v[k].as_array()
            .ok_or_else(|| format!("sample.json: no {k}"))?
            .iter()
            .map(|x| {
                x.as_f64()
                    .ok_or_else(|| format!("sample.json: {k} not numbers"))
            })
            .collect()
    };
    let (iters, times) = (list("iters")?, list("times")?);
    if iters.len() != times.len() || iters.is_empty() {
        return Err("sample.json: iters and times differ in length".into());
    }
    Ok(times
        .iter()
        .zip(&iters)
        .map(|(t, i)| t / i.max(1.0))
        .collect())
}

/// Every benchmark under `home`, keyed by full id.
pub fn read_all(home: &Path) -> BTreeMap<String, Estimate> {
    let mut out = BTreeMap::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if !path.is_dir() {
                continue;
            }
            if path.file_name().is_some_and(|n| n == "new") {
                let read = |f: &str| std::fs::read_to_string(path.join(f));
                if let (Ok(b), Ok(e)) = (read("benchmark.json"), read("estimates.json")) {
                    let samples = read("sample.json").ok().map(|s| parse_samples(&s));
                    match parse(&b, &e) {
                        Ok(mut est) => {
                            match samples {
                                Some(Ok(s)) => est.samples = s,
                                Some(Err(err)) => eprintln!("warning: {}: {err}", path.display()),
                                None => {}
                            }
                            out.insert(est.full_id.clone(), est);
                        }
                        Err(err) => eprintln!("warning: {}: {err}", path.display()),
                    }
                }
            } else {
                stack.push(path);
            }
        }
    }
    out
}

/// The ids of a `--list` output (`fan_in/crossbeam/producers=1,cap=128: benchmark`).
pub fn parse_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_suffix(": benchmark"))
        .map(str::to_string)
        .collect()
}
