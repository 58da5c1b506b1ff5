//! Runs one benchmark case many times, for a profiler.
//!
//! ```text
//! cargo build --release -p bench-suite --example profile
//! perf record -g target/release/examples/profile fan_in producers=2 csp-goroutines 200
//! valgrind --tool=callgrind target/release/examples/profile spawn - csp-goroutines 2
//! ```
//!
//! Arguments: the workload name, its parameters as in the report's ids (`-` for
//! none), the implementation, and how many runs (default 100). Sizes are the
//! full mode's unless `CSP_BENCH_MODE` says otherwise. Prints the time per
//! message, so a change can be checked by hand before the real benchmark.

use bench_suite::catalog::{cases, impls};
use bench_suite::Mode;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: profile <workload> <params|-> <impl> [runs]");
        std::process::exit(2);
    }
    let mode = Mode::from_env();
    let sizes = mode.sizes();
    let params = if args[1] == "-" { "" } else { args[1].as_str() };
    let case = cases(mode)
        .into_iter()
        .find(|c| c.workload.name() == args[0] && c.param_id().starts_with(params))
        .unwrap_or_else(|| panic!("no case {} {}", args[0], args[1]));
    let imp = impls()
        .into_iter()
        .find(|i| i.name == args[2])
        .unwrap_or_else(|| panic!("no implementation {}", args[2]));
    let runs: u64 = args.get(3).map_or(100, |s| s.parse().expect("runs"));
    let (check, time) = (imp.run)(&case, sizes, runs).expect("unsupported");
    assert_eq!(check, case.expected(sizes, imp.kind), "wrong result");
    let elements = case.elements(sizes, imp.kind) * runs;
    println!(
        "{} {} {}: {:.1} ns/msg over {runs} runs",
        case.workload.name(),
        case.param_id(),
        imp.name,
        time.as_nanos() as f64 / elements as f64
    );
}
