//! Latency percentiles of every implementation on the latency workloads, one
//! JSON line each (`bench_suite::latency::to_json`), for `cargo xtask bench`.
//!
//! Sizes follow `CSP_BENCH_MODE`; `CSP_LATENCY_IMPLS` (comma-separated names)
//! chooses implementations, all when unset. Each run's count is checked.

use bench_suite::catalog::{impls, Workload};
use bench_suite::latency::{to_json, Latency};
use bench_suite::Mode;

fn main() {
    let sizes = Mode::from_env().sizes();
    let chosen = std::env::var("CSP_LATENCY_IMPLS").ok();
    let wanted = |name: &str| {
        chosen
            .as_deref()
            .map_or(true, |list| list.split(',').any(|n| n == name))
    };
    for imp in impls().into_iter().filter(|i| wanted(i.name)) {
        for w in Latency::ALL {
            let workload = match w {
                Latency::PingPong => Workload::PingPong,
                Latency::SpscUnbuffered => Workload::SpscUnbuffered,
                Latency::FanIn => Workload::FanIn,
            };
            if (imp.unsupported)(workload).is_some() {
                continue;
            }
            let n = match w {
                Latency::PingPong => sizes.rounds,
                _ => sizes.msgs,
            };
            let (h, check) = (imp.latency)(w, n);
            assert_eq!(check.count, n, "{} {}: lost messages", imp.name, w.name());
            println!("{}", to_json(w, imp.name, &h));
        }
    }
}
