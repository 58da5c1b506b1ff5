//! Resident memory per parked goroutine: start `n` goroutines that each block
//! on a receive, and compare the process's resident set (`VmRSS` in
//! `/proc/self/status`) before and after. The Go twin is
//! `bench-suite/go/cmd/parkmem`; `cargo xtask bench` runs the csp, may and Go
//! measurements, each in fresh processes, and reports the median of five.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::impls::May;
use crate::Flavor;

/// Goroutines parked per measurement.
pub const GOROUTINES: usize = 10_000;

/// The implementations [`measure`] knows, in report order.
pub const IMPLEMENTATIONS: &[&str] = &[
    #[cfg(feature = "csp-goroutines")]
    "csp-goroutines",
    "may",
];

/// How long the parked goroutines are left alone before `VmRSS` is read, so
/// that the last ones to report ready have finished parking.
const SETTLE: Duration = Duration::from_millis(50);

/// How long released goroutines get to exit before they count as unreleased.
const RELEASE_DEADLINE: Duration = Duration::from_secs(10);

/// One measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// Goroutines parked.
    pub goroutines: usize,
    /// `VmRSS` before the goroutines started, in KiB.
    pub rss_before_kb: u64,
    /// `VmRSS` with all of them parked, in KiB.
    pub rss_after_kb: u64,
    /// Goroutines of the measurement still alive after they were released
    /// (closing their channel) and waited for: 0 unless something is wrong.
    pub unreleased: usize,
}

impl Sample {
    /// Resident bytes per parked goroutine: the growth of `VmRSS` divided by
    /// the goroutines parked (0 when the resident set did not grow).
    pub fn bytes_per_goroutine(&self) -> f64 {
        self.rss_after_kb.saturating_sub(self.rss_before_kb) as f64 * 1024.0
            / self.goroutines.max(1) as f64
    }

    /// The JSON line the measurement programs print (the Go twin prints the same).
    pub fn to_json(&self, implementation: &str) -> Value {
        json!({
            "implementation": implementation,
            "goroutines": self.goroutines,
            "rss_before_kb": self.rss_before_kb,
            "rss_after_kb": self.rss_after_kb,
            "bytes_per_goroutine": self.bytes_per_goroutine(),
            "unreleased": self.unreleased,
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

/// Runs the measurement for `implementation` (one of [`IMPLEMENTATIONS`])
/// with `n` goroutines; `None` for an implementation this build lacks.
///
/// Measure in a fresh process: memory that earlier work left mapped (a grown
/// heap, cached stacks) would make the goroutines look cheaper.
pub fn measure(implementation: &str, n: usize) -> Option<Sample> {
    match implementation {
        #[cfg(feature = "csp-goroutines")]
        "csp-goroutines" => Some(measure_csp(n)),
        "may" => Some(measure_may(n)),
        _ => None,
    }
}

/// Parks `n` csp goroutines on a receive from an unbuffered channel and measures.
///
/// Each goroutine is started with `go!` and its handle dropped, as `go f()`
/// keeps none; a WaitGroup tells when every one has reached its receive, then
/// a short sleep lets the last ones finish parking. The runtime is warmed up
/// first, so that its one-time allocations are not counted. Afterwards the
/// channel is closed and the goroutines are waited for; those still counted by
/// [`csp_core::num_goroutine`] are [`Sample::unreleased`].
#[cfg(feature = "csp-goroutines")]
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
        csp_core::sleep(SETTLE);
        let after = vm_rss_kb();

        gate.close();
        exited.wait();
        // A goroutine leaves the count just after its last statement.
        let deadline = Instant::now() + RELEASE_DEADLINE;
        while csp_core::num_goroutine() > base && Instant::now() < deadline {
            csp_core::sleep(Duration::from_millis(1));
        }
        Sample {
            goroutines: n,
            rss_before_kb: before,
            rss_after_kb: after,
            unreleased: csp_core::num_goroutine().saturating_sub(base),
        }
    })
}

/// Parks `n` may coroutines on a receive from a `may::sync::mpmc` channel and
/// measures, the same way as [`measure_csp`].
///
/// may has no goroutine count, so readiness and exits are counted with atomics
/// (no allocation per coroutine beyond its own); the channel is "closed" by
/// dropping its only sender, which wakes every receiver with an error.
/// Coroutines that have not exited by the deadline are [`Sample::unreleased`].
pub fn measure_may(n: usize) -> Sample {
    May::run(move || {
        // Warm-up: worker threads, the coroutine pool, the timer thread.
        let warm: Vec<_> = (0..64).map(|_| May::spawn(|| {})).collect();
        warm.into_iter().for_each(May::join);
        may::coroutine::sleep(Duration::from_millis(20));

        let before = vm_rss_kb();
        let (gate_tx, gate_rx) = may::sync::mpmc::channel::<()>();
        let ready = Arc::new(AtomicUsize::new(0));
        let exited = Arc::new(AtomicUsize::new(0));
        for _ in 0..n {
            let (gate, ready, exited) = (gate_rx.clone(), ready.clone(), exited.clone());
            // Dropping the handle detaches the coroutine, as `go f()` does.
            drop(May::spawn(move || {
                ready.fetch_add(1, Ordering::Release);
                let _ = gate.recv();
                exited.fetch_add(1, Ordering::Release);
            }));
        }
        drop(gate_rx);
        let deadline = Instant::now() + RELEASE_DEADLINE;
        while ready.load(Ordering::Acquire) < n {
            assert!(
                Instant::now() < deadline,
                "park_memory/may: only {} of {n} coroutines started",
                ready.load(Ordering::Acquire)
            );
            may::coroutine::sleep(Duration::from_millis(1));
        }
        may::coroutine::sleep(SETTLE);
        let after = vm_rss_kb();

        drop(gate_tx);
        let deadline = Instant::now() + RELEASE_DEADLINE;
        while exited.load(Ordering::Acquire) < n && Instant::now() < deadline {
            may::coroutine::sleep(Duration::from_millis(1));
        }
        Sample {
            goroutines: n,
            rss_before_kb: before,
            rss_after_kb: after,
            unreleased: n - exited.load(Ordering::Acquire),
        }
    })
}
