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
}

impl Estimate {
    /// The figure per message.
    pub fn to_entry(&self) -> Entry {
        let per = self.elements.max(1) as f64;
        let (m, lo, hi) = self.median;
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
    })
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
                    match parse(&b, &e) {
                        Ok(est) => {
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
