//! `park_memory [csp-goroutines] [n]`: parks `n` goroutines (default 10 000)
//! and prints one JSON line with the resident memory per parked goroutine.
//! `cargo xtask bench` runs it (and its Go twin) five times each.

use bench_suite::park_memory::{measure_csp, GOROUTINES};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let imp = args.first().map_or("csp-goroutines", String::as_str);
    let n = match args.get(1) {
        Some(s) => s.parse().unwrap_or_else(|_| {
            eprintln!("park_memory: not a goroutine count: {s}");
            std::process::exit(2)
        }),
        None => GOROUTINES,
    };
    let sample = match imp {
        "csp-goroutines" => measure_csp(n),
        other => {
            eprintln!("park_memory: unknown implementation {other} (known: csp-goroutines)");
            std::process::exit(2)
        }
    };
    println!("{}", sample.to_json(imp));
}
