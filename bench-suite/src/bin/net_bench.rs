//! `net_bench [--list]`: the network workloads (loopback TCP echo with 1,
//! 100 and 1 000 connections; the cost of `csp_core::blocking`) of every
//! Rust implementation, one JSON line per case
//! (`bench_suite::net_bench::Measurement::to_json`), for `cargo xtask bench`,
//! which runs it in a fresh process, as it does `sync_bench`.
//!
//! Sizes follow `CSP_BENCH_MODE`; `CSP_NET_IDS` (ids separated by `;`, such
//! as `echo/tokio/conns=100,rounds=500`) chooses cases, all when unset.
//! `--list` prints the ids and stops. Every run is checked; a wrong result
//! is reported on stderr and the program exits 1 after the other cases.
//! The soft limit on open files is raised to the hard limit first (1 000
//! connections hold 2 000 sockets).

use bench_suite::catalog::net_cases;
use bench_suite::net_bench::{measure, raise_fd_limit};
use bench_suite::Mode;

fn main() {
    let mode = Mode::from_env();
    let list = std::env::args().skip(1).any(|a| a == "--list");
    let chosen = std::env::var("CSP_NET_IDS").ok();
    let wanted = |id: &str| {
        chosen
            .as_deref()
            .map_or(true, |ids| ids.split(';').any(|x| x == id))
    };
    raise_fd_limit();
    let mut failed = false;
    for case in net_cases(mode) {
        for imp in case.workload.implementations() {
            let id = case.id(imp);
            if list {
                println!("{id}");
                continue;
            }
            if !wanted(&id) {
                continue;
            }
            match measure(&case, imp, mode.net_sizes().runs) {
                Ok(m) => println!("{}", m.to_json(&case, imp)),
                Err(e) => {
                    eprintln!("net_bench: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
