//! Resident memory per parked goroutine: start `n` goroutines that each block
//! on a receive, and compare the process's resident set (`VmRSS` in
//! `/proc/self/status`) before and after. The Go twin is
//! `bench-suite/go/cmd/parkmem`; `cargo xtask bench` runs both, each in fresh
//! processes, and reports the median of five.

use std::time::Duration;

use serde_json::{json, Value};

/// Goroutines parked per measurement.
pub const GOROUTINES: usize = 10_000;

/// One measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Goroutines parked.
    pub goroutines: usize,
    /// `VmRSS` before the goroutines started, in KiB.
    pub rss_before_kb: u64,
    /// `VmRSS` with all of them parked, in KiB.
    pub rss_after_kb: u64,
}

impl Sample {
    /// Resident bytes per parked goroutine.
    pub fn bytes_per_goroutine(&self) -> f64 {
        self.rss_after_kb.saturating_sub(self.rss_before_kb) as f64 * 1024.0
            / self.goroutines as f64
    }

    /// The JSON line the measurement programs print (the Go twin prints the same).
    pub fn to_json(&self, implementation: &str) -> Value {
        json!({
            "implementation": implementation,
            "goroutines": self.goroutines,
            "rss_before_kb": self.rss_before_kb,
            "rss_after_kb": self.rss_after_kb,
            "bytes_per_goroutine": self.bytes_per_goroutine(),
        })
    }
}

/// This process's resident set size in KiB (`VmRSS` of `/proc/self/status`).
///
/// # Panics
/// Where `/proc/self/status` has no `VmRSS` line (not Linux).
pub fn vm_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

/// Parks `n` csp goroutines on an unbuffered receive and measures.
///
/// Each goroutine is started with `go!` and its handle dropped, as `go f()`
/// keeps none; a WaitGroup tells when every one has reached its receive, then
/// a short sleep lets the last ones finish parking. The runtime is warmed up
/// first, so that its one-time allocations are not counted; the goroutines are
/// released and the live count checked before returning.
pub fn measure_csp(n: usize) -> Sample {
    csp_core::run(move || {
        // Warm-up: workers, sysmon, the first stack mapping.
        let warm = csp_core::WaitGroup::new();
        for _ in 0..64 {
            warm.add(1);
            let w = warm.clone();
            csp_core::go!(w.done());
        }
        warm.wait();
        csp_core::sleep(Duration::from_millis(20));
        let base = csp_core::num_goroutine();

        let before = vm_rss_kb();
        let gate = csp_core::Chan::<()>::new(0);
        let ready = csp_core::WaitGroup::new();
        let exited = csp_core::WaitGroup::new();
        ready.add(n);
        exited.add(n);
        for _ in 0..n {
            let (gate, ready, exited) = (gate.clone(), ready.clone(), exited.clone());
            csp_core::go! {
                ready.done();
                let _ = gate.recv();
                exited.done();
            };
        }
        ready.wait();
        csp_core::sleep(Duration::from_millis(50));
        let after = vm_rss_kb();
        gate.close();
        exited.wait();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while csp_core::num_goroutine() != base {
            assert!(
                std::time::Instant::now() < deadline,
                "park_memory: goroutines were not released"
            );
            csp_core::sleep(Duration::from_millis(1));
        }
        Sample {
            goroutines: n,
            rss_before_kb: before,
            rss_after_kb: after,
        }
    })
}
