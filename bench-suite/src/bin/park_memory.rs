//! `park_memory [IMPLEMENTATION] [N]`: parks `N` goroutines (default 10 000)
//! of `IMPLEMENTATION` (`csp-goroutines`, the default, or `may`) and prints
//! one JSON line with the resident memory per parked goroutine.
//! `cargo xtask bench` runs it (and its Go twin) five times each, a fresh
//! process every time. Exits 1 when some goroutines were not released.

use bench_suite::park_memory::{measure, GOROUTINES, IMPLEMENTATIONS};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let imp = args
        .first()
        .map_or(IMPLEMENTATIONS[0], String::as_str)
        .to_string();
    let n = match args.get(1) {
        Some(s) => match s.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("park_memory: not a goroutine count: {s}");
                std::process::exit(2)
            }
        },
        None => GOROUTINES,
    };
    let Some(sample) = measure(&imp, n) else {
        eprintln!(
            "park_memory: unknown implementation {imp} (known in this build: {})",
            IMPLEMENTATIONS.join(", ")
        );
        std::process::exit(2)
    };
    println!("{}", sample.to_json(&imp));
    if sample.unreleased != 0 {
        eprintln!(
            "park_memory: {} of {n} goroutines still alive after release",
            sample.unreleased
        );
        std::process::exit(1)
    }
}
