//! Soak test: mixed work for a given duration, checking that nothing is lost,
//! duplicated or leaked.
//!
//! Ignored by default. Run it with
//!
//! ```sh
//! CSP_SOAK_SECS=600 cargo test --release -p csp-core --test soak -- --ignored --nocapture
//! ```
//!
//! Each round runs, at once: MPMC with close (4 producers, 4 consumers, every value
//! received exactly once), a select loop with timers, a spawn storm, goroutines
//! that panic (their `join` must return the panic), and OS threads talking to
//! goroutines. After every round `num_goroutine` must be back to its baseline; at
//! the end the resident memory must be back near the level of the first round.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::{after, num_goroutine, spawn, yield_now, Builder, Chan, Select, WaitGroup};

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// MPMC with close: every value is received exactly once.
fn mpmc_round(round: u64) -> u64 {
    const PRODUCERS: u64 = 4;
    const PER: u64 = 20_000;
    let cap = (round % 4) as usize * 40; // 0, 40, 80, 120
    let ch = Chan::new(cap);
    let seen: Arc<Vec<AtomicU8>> =
        Arc::new((0..PRODUCERS * PER).map(|_| AtomicU8::new(0)).collect());
    let wg = WaitGroup::new();
    for p in 0..PRODUCERS {
        wg.add(1);
        let (ch, wg) = (ch.clone(), wg.clone());
        spawn(move || {
            for i in 0..PER {
                ch.send(p * PER + i);
            }
            wg.done();
        });
    }
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let (ch, seen) = (ch.clone(), seen.clone());
            spawn(move || {
                let mut n = 0u64;
                for v in &ch {
                    seen[v as usize].fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let closer = {
        let ch = ch.clone();
        spawn(move || {
            wg.wait();
            ch.close();
        })
    };
    closer.join().unwrap();
    let total: u64 = consumers.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(total, PRODUCERS * PER, "values lost or duplicated");
    for (v, s) in seen.iter().enumerate() {
        assert_eq!(
            s.load(Ordering::Relaxed),
            1,
            "value {v} received {} times",
            s.load(Ordering::Relaxed)
        );
    }
    total
}

/// A select loop that races data against timers.
fn select_with_timers() -> u64 {
    let data = Chan::new(0);
    let feeder = {
        let data = data.clone();
        spawn(move || {
            for i in 0..500u64 {
                data.send(i);
                if i % 50 == 0 {
                    csp_core::sleep(Duration::from_micros(200));
                }
            }
            data.close();
        })
    };
    let (mut got, mut timeouts, mut next) = (0u64, 0u64, 0u64);
    loop {
        let timer = after(Duration::from_millis(1));
        let mut sel = Select::new();
        let d = sel.recv(&data);
        let t = sel.recv(&timer);
        let done = sel.select();
        if done.index() == d {
            match done.recv(&data) {
                Some(v) => {
                    assert_eq!(v, next, "FIFO broken");
                    next += 1;
                    got += 1;
                }
                None => break,
            }
        } else {
            assert_eq!(done.index(), t);
            timeouts += 1;
        }
    }
    feeder.join().unwrap();
    assert_eq!(got, 500);
    got + timeouts
}

/// Many short goroutines, each sending one value.
fn spawn_storm() -> u64 {
    const N: u64 = 10_000;
    let ch = Chan::new(64);
    for i in 0..N {
        let ch = ch.clone();
        spawn(move || ch.send(i));
    }
    let sum: u64 = (0..N).map(|_| ch.recv().unwrap()).sum();
    assert_eq!(sum, N * (N - 1) / 2);
    N
}

/// Goroutines that panic: join returns the panic, nothing stays locked.
fn panics() -> u64 {
    let ch: Chan<u64> = Chan::new(0);
    let hs: Vec<_> = (0..100u64)
        .map(|i| {
            let ch = ch.clone();
            spawn(move || {
                if i % 2 == 0 {
                    panic!("soak panic {i}");
                }
                ch.send(i);
            })
        })
        .collect();
    let mut received = 0;
    for _ in 0..50 {
        assert_eq!(ch.recv().unwrap() % 2, 1);
        received += 1;
    }
    for (i, h) in hs.into_iter().enumerate() {
        let r = h.join();
        if i % 2 == 0 {
            let e = r.expect_err("the goroutine panicked");
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            assert_eq!(msg, format!("soak panic {i}"));
        } else {
            assert!(r.is_ok());
        }
    }
    received
}

/// OS threads and goroutines on the same channels.
fn threads_and_goroutines() -> u64 {
    let (req, resp) = (Chan::new(0), Chan::new(0));
    let server = {
        let (req, resp) = (req.clone(), resp.clone());
        spawn(move || {
            for v in &req {
                resp.send(v * 2u64);
            }
        })
    };
    let client = std::thread::spawn(move || {
        for i in 0..2_000u64 {
            req.send(i);
            assert_eq!(resp.recv(), Some(i * 2));
        }
        req.close();
    });
    client.join().unwrap();
    server.join().unwrap();
    2_000
}

fn wait_for_goroutines(baseline: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while num_goroutine() > baseline {
        assert!(
            Instant::now() < deadline,
            "num_goroutine stuck at {} (baseline {baseline})",
            num_goroutine()
        );
        yield_now();
        csp_core::sleep(Duration::from_millis(1));
    }
}

#[test]
#[ignore = "long-running; set CSP_SOAK_SECS and run with --ignored"]
fn soak() {
    let secs: u64 = std::env::var("CSP_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    // The panics of `panics()` are expected: keep them out of the output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let expected = info
            .payload()
            .downcast_ref::<String>()
            .is_some_and(|m| m.starts_with("soak panic"));
        if !expected {
            default_hook(info);
        }
    }));
    let r = catch_unwind(AssertUnwindSafe(|| {
        Builder::new().deadlock_detection(false).run(move || {
            let baseline = num_goroutine();
            let start = Instant::now();
            let (mut rounds, mut ops) = (0u64, 0u64);
            let mut rss_first = 0;
            let mut rss_peak = 0;
            while start.elapsed() < Duration::from_secs(secs) {
                let jobs = [
                    spawn(move || mpmc_round(rounds)),
                    spawn(select_with_timers),
                    spawn(spawn_storm),
                    spawn(panics),
                    spawn(threads_and_goroutines),
                ];
                for j in jobs {
                    ops += j.join().expect("a soak job failed");
                }
                wait_for_goroutines(baseline);
                rounds += 1;
                let rss = rss_kb();
                if rounds == 1 {
                    rss_first = rss;
                }
                rss_peak = rss_peak.max(rss);
                if rounds % 10 == 0 {
                    println!(
                        "soak: {:>5.0}s  rounds {rounds}  ops {ops}  goroutines {}  rss {rss} kB",
                        start.elapsed().as_secs_f64(),
                        num_goroutine()
                    );
                }
            }
            let rss_end = rss_kb();
            println!(
                "soak done: {secs}s, {rounds} rounds, {ops} operations; num_goroutine {} (baseline {baseline}); rss first round {rss_first} kB, peak {rss_peak} kB, end {rss_end} kB",
                num_goroutine()
            );
            assert!(rounds > 0);
            // Back near the first round's level: pooled stacks and buffers may stay,
            // but no growth per round.
            assert!(
                rss_end <= rss_first + rss_first / 2 + 32 * 1024,
                "resident memory grew from {rss_first} kB to {rss_end} kB"
            );
        })
    }));
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}
