//! `sync_bench [--list]`: the sync workloads (mutex contention, context-tree
//! cancellation) of every Rust implementation, one JSON line per case
//! (`bench_suite::sync_bench::Measurement::to_json`), for `cargo xtask bench`,
//! which runs it in a fresh process, as it does `latency`.
//!
//! Sizes follow `CSP_BENCH_MODE`; `CSP_SYNC_IDS` (ids separated by `;`, such
//! as `mutex/std/goroutines=4,ops=256000`) chooses cases, all when unset.
//! `--list` prints the ids and stops. Every run is checked; a wrong result
//! is reported on stderr and the program exits 1 after the other cases.

use bench_suite::catalog::sync_cases;
use bench_suite::sync_bench::measure;
use bench_suite::Mode;

fn main() {
    let mode = Mode::from_env();
    let list = std::env::args().skip(1).any(|a| a == "--list");
    let chosen = std::env::var("CSP_SYNC_IDS").ok();
    let wanted = |id: &str| {
        chosen
            .as_deref()
            .map_or(true, |ids| ids.split(';').any(|x| x == id))
    };
    let mut failed = false;
    for case in sync_cases(mode) {
        for imp in case.workload.implementations() {
            let id = case.id(imp);
            if list {
                println!("{id}");
                continue;
            }
            if !wanted(&id) {
                continue;
            }
            match measure(&case, imp, mode.sync_sizes().runs) {
                Ok(m) => println!("{}", m.to_json(&case, imp)),
                Err(e) => {
                    eprintln!("sync_bench: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
