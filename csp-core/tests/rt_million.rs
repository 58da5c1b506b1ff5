//! A million parked goroutines, each on a 32 MiB stack reservation (32 TiB of
//! address space in all), spawned, counted and all released.
//!
//! `#[ignore]`d because it takes several GB of RAM and tens of seconds; run it
//! in release:
//! `cargo test --release -p csp-core --test rt_million -- --ignored --nocapture`.
//! It prints the wall time, the resident memory per parked goroutine and the
//! page-table memory (VmPTE), which are figures to read, not to assert on.

use std::time::{Duration, Instant};

use csp_core::{Builder, Chan, WaitGroup};

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("procfs");
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/self/status"))
}

#[test]
#[ignore = "a million goroutines take several GB and tens of seconds: run in release with --ignored"]
fn a_million_parked_goroutines() {
    const N: usize = 1_000_000;
    let t0 = Instant::now();
    // CSP_MILLION_STACK=<bytes> compares another stack size.
    let mut b = Builder::new();
    if let Some(n) = std::env::var("CSP_MILLION_STACK")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        b = b.stack_size(n);
    }
    b.run(move || {
        let (rss0, pte0) = (status_kb("VmRSS:"), status_kb("VmPTE:"));
        let base = csp_core::num_goroutine();
        let gate: Chan<()> = Chan::new(0);
        let (started, done) = (WaitGroup::new(), WaitGroup::new());
        started.add(N);
        done.add(N);
        for _ in 0..N {
            let (g, s, d) = (gate.clone(), started.clone(), done.clone());
            csp_core::spawn(move || {
                s.done();
                assert_eq!(g.recv(), None);
                d.done();
            });
        }
        started.wait();
        assert_eq!(csp_core::num_goroutine(), base + N);
        let spawned = t0.elapsed();
        // As bench-suite's park_memory: let the last ones finish parking.
        csp_core::sleep(Duration::from_millis(50));
        let (rss1, pte1) = (status_kb("VmRSS:"), status_kb("VmPTE:"));
        gate.close();
        done.wait();
        // Every goroutine has received the close; each leaves the count just
        // after its last statement.
        let mut n = csp_core::num_goroutine();
        for _ in 0..10_000 {
            if n == base {
                break;
            }
            csp_core::sleep(Duration::from_millis(1));
            n = csp_core::num_goroutine();
        }
        assert_eq!(n, base, "goroutines left after the release");
        println!(
            "{N} parked goroutines: spawned and parked in {spawned:?}, all released after {:?}; \
             RSS {} kB -> {} kB ({:.0} bytes per goroutine); page tables {} kB -> {} kB \
             ({:.0} bytes per goroutine)",
            t0.elapsed(),
            rss0,
            rss1,
            (rss1 - rss0) as f64 * 1024.0 / N as f64,
            pte0,
            pte1,
            (pte1 - pte0) as f64 * 1024.0 / N as f64,
        );
    });
}
