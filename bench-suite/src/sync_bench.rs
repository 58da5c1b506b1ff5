//! The sync workloads ([`SyncWorkload`]): mutex contention and the
//! cancellation of a context tree, for csp and its peers. The `sync_bench`
//! binary runs them in a fresh process and prints one JSON line per case
//! ([`Measurement::to_json`]); the Go twin is `bench-suite/go/cmd/syncbench`,
//! which prints the same lines.
//!
//! Every run checks its result: the counter must equal goroutines ×
//! operations per goroutine, and every watcher goroutine must have seen its
//! context cancelled with `Canceled`. A run that does not is an error, and
//! the binary exits non-zero.

use crate::catalog::{SyncCase, SyncWorkload};
use crate::Flavor;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the watcher goroutines of `context_cancel` get to park in their
/// `select!` after the last one said it is ready (untimed).
pub const SETTLE: Duration = Duration::from_millis(10);

/// What one run produced: the value to check and the time it took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// `mutex`: the counter at the end; `context_cancel`: watchers that saw
    /// their context cancelled with `Canceled`.
    pub got: u64,
    /// What a correct run gives ([`SyncCase::elements`]).
    pub want: u64,
    /// The timed part: from just before the start gate opens (every
    /// goroutine has started and waits at it) until every goroutine
    /// finished (`mutex`); from the cancel until every watcher finished
    /// (`context_cancel`).
    pub elapsed: Duration,
}

impl Run {
    /// `Err` with what went wrong when the result is not the expected one.
    pub fn check(&self, case: &SyncCase, implementation: &str) -> Result<(), String> {
        if self.got == self.want {
            Ok(())
        } else {
            Err(format!(
                "{}: got {}, want {}",
                case.id(implementation),
                self.got,
                self.want
            ))
        }
    }
}

/// Runs `case` once on `implementation`: None for an implementation the
/// workload does not have (see [`SyncWorkload::implementations`]).
pub fn run_once(case: &SyncCase, implementation: &str) -> Option<Run> {
    let want = case.elements();
    let (got, elapsed) = match case.workload {
        SyncWorkload::Mutex => {
            let n = case.param("goroutines");
            let per = case.param("ops") / n;
            match implementation {
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines" => mutex_csp(n, per),
                "std" => mutex_threads::<std::sync::Mutex<u64>>(n, per),
                "parking_lot" => mutex_threads::<parking_lot::Mutex<u64>>(n, per),
                "may" => mutex_may(n, per),
                "tokio" => mutex_tokio(n, per),
                _ => return None,
            }
        }
        SyncWorkload::ContextCancel => match implementation {
            #[cfg(feature = "csp-goroutines")]
            "csp-goroutines" => context_cancel_csp(case.param("contexts"), case.param("fanout")),
            _ => return None,
        },
    };
    Some(Run { got, want, elapsed })
}

/// The timed runs of one case on one implementation.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// [`SyncCase::elements`]: what the times are divided by.
    pub elements: u64,
    /// Nanoseconds of each timed run.
    pub runs_ns: Vec<f64>,
}

impl Measurement {
    /// The JSON line the `sync_bench` binary prints (the Go twin prints the
    /// same): `{"workload", "params", "implementation", "elements", "runs_ns"}`.
    pub fn to_json(&self, case: &SyncCase, implementation: &str) -> serde_json::Value {
        serde_json::json!({
            "workload": case.workload.name(),
            "params": case.param_id(),
            "implementation": implementation,
            "elements": self.elements,
            "runs_ns": self.runs_ns,
        })
    }
}

/// One untimed warm-up run and `runs` timed runs of `case`, each checked.
/// `Err` for an implementation the workload does not have or a wrong result.
pub fn measure(case: &SyncCase, implementation: &str, runs: u64) -> Result<Measurement, String> {
    let mut runs_ns = Vec::new();
    for k in 0..=runs {
        let run = run_once(case, implementation).ok_or_else(|| {
            format!(
                "{}: no implementation {implementation}",
                case.workload.name()
            )
        })?;
        run.check(case, implementation)?;
        if k > 0 {
            runs_ns.push(run.elapsed.as_nanos() as f64);
        }
    }
    Ok(Measurement {
        elements: case.elements(),
        runs_ns,
    })
}

/// A mutex of a thread library, as the thread workload uses it.
trait ThreadMutex: Send + Sync + 'static {
    fn new() -> Self;
    fn increment(&self);
    fn get(&self) -> u64;
}

impl ThreadMutex for std::sync::Mutex<u64> {
    fn new() -> Self {
        std::sync::Mutex::new(0)
    }
    fn increment(&self) {
        *self.lock().expect("std mutex poisoned") += 1;
    }
    fn get(&self) -> u64 {
        *self.lock().expect("std mutex poisoned")
    }
}

impl ThreadMutex for parking_lot::Mutex<u64> {
    fn new() -> Self {
        parking_lot::Mutex::new(0)
    }
    fn increment(&self) {
        *self.lock() += 1;
    }
    fn get(&self) -> u64 {
        *self.lock()
    }
}

/// `n` OS threads, released together by a barrier, each incrementing the
/// counter `per` times. A first barrier waits until every thread has
/// started; the clock starts before the second one releases them, so it
/// covers all the work even when a thread finishes before this one returns
/// from the release.
fn mutex_threads<M: ThreadMutex>(n: u64, per: u64) -> (u64, Duration) {
    let m = Arc::new(M::new());
    let ready = Arc::new(std::sync::Barrier::new(n as usize + 1));
    let gate = Arc::new(std::sync::Barrier::new(n as usize + 1));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (m, ready, gate) = (m.clone(), ready.clone(), gate.clone());
            std::thread::spawn(move || {
                ready.wait();
                gate.wait();
                for _ in 0..per {
                    m.increment();
                }
            })
        })
        .collect();
    ready.wait();
    let start = Instant::now();
    gate.wait();
    for h in handles {
        h.join().expect("mutex thread panicked");
    }
    let elapsed = start.elapsed();
    (m.get(), elapsed)
}

/// `n` csp goroutines on `csp_core::sync::Mutex`, released together by
/// closing a channel.
#[cfg(feature = "csp-goroutines")]
fn mutex_csp(n: u64, per: u64) -> (u64, Duration) {
    use csp_core::{go, Chan, WaitGroup};
    crate::impls::CspGoroutines::run(move || {
        let m = Arc::new(csp_core::sync::Mutex::new(0u64));
        let ready = WaitGroup::new();
        ready.add(n as usize);
        let gate: Chan<()> = Chan::new(0);
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (m, ready, gate) = (m.clone(), ready.clone(), gate.clone());
                go! {
                    ready.done();
                    let _ = gate.recv();
                    for _ in 0..per {
                        *m.lock() += 1;
                    }
                }
            })
            .collect();
        ready.wait();
        let start = Instant::now();
        gate.close();
        for h in handles {
            if let Err(e) = h.join() {
                std::panic::resume_unwind(e);
            }
        }
        let elapsed = start.elapsed();
        let got = *m.lock();
        (got, elapsed)
    })
}

/// `n` may coroutines on `may::sync::Mutex`, released together by a may
/// barrier (the clock starts before the release, as for threads).
fn mutex_may(n: u64, per: u64) -> (u64, Duration) {
    use crate::impls::May;
    May::run(move || {
        let m = Arc::new(may::sync::Mutex::new(0u64));
        let ready = Arc::new(may::sync::Barrier::new(n as usize + 1));
        let gate = Arc::new(may::sync::Barrier::new(n as usize + 1));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let (m, ready, gate) = (m.clone(), ready.clone(), gate.clone());
                May::spawn(move || {
                    ready.wait();
                    gate.wait();
                    for _ in 0..per {
                        *m.lock().expect("may mutex poisoned") += 1;
                    }
                })
            })
            .collect();
        ready.wait();
        let start = Instant::now();
        gate.wait();
        handles.into_iter().for_each(May::join);
        let elapsed = start.elapsed();
        let got = *m.lock().expect("may mutex poisoned");
        (got, elapsed)
    })
}

/// `n` tokio tasks on `tokio::sync::Mutex` (multi-thread runtime), released
/// together by a tokio barrier (the clock starts before the release, as for
/// threads).
fn mutex_tokio(n: u64, per: u64) -> (u64, Duration) {
    let rt = crate::tasks::runtime();
    rt.block_on(async move {
        let main = tokio::spawn(async move {
            let m = Arc::new(tokio::sync::Mutex::new(0u64));
            let ready = Arc::new(tokio::sync::Barrier::new(n as usize + 1));
            let gate = Arc::new(tokio::sync::Barrier::new(n as usize + 1));
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let (m, ready, gate) = (m.clone(), ready.clone(), gate.clone());
                    tokio::spawn(async move {
                        ready.wait().await;
                        gate.wait().await;
                        for _ in 0..per {
                            *m.lock().await += 1;
                        }
                    })
                })
                .collect();
            ready.wait().await;
            let start = Instant::now();
            gate.wait().await;
            for h in handles {
                h.await.expect("tokio mutex task");
            }
            let elapsed = start.elapsed();
            let got = *m.lock().await;
            (got, elapsed)
        });
        main.await.expect("tokio main task")
    })
}

/// A tree of `contexts` csp contexts (node `i` derived from node
/// `(i - 1) / fanout`), each watched by a goroutine selecting on its `done()`
/// and on a channel nobody sends on; cancel the root and wait for every
/// watcher. Returns how many watchers saw `Canceled`.
#[cfg(feature = "csp-goroutines")]
fn context_cancel_csp(contexts: u64, fanout: u64) -> (u64, Duration) {
    use csp_core::{context, go, select, Chan, WaitGroup};
    use std::sync::atomic::{AtomicU64, Ordering};
    crate::impls::CspGoroutines::run(move || {
        let (root, cancel) = context::with_cancel(&context::background());
        let mut ctxs = Vec::with_capacity(contexts as usize);
        let mut cancels = Vec::with_capacity(contexts as usize);
        ctxs.push(root);
        for i in 1..contexts as usize {
            let (c, f) = context::with_cancel(&ctxs[(i - 1) / fanout as usize]);
            ctxs.push(c);
            cancels.push(f);
        }
        let observed = Arc::new(AtomicU64::new(0));
        let (ready, finished) = (WaitGroup::new(), WaitGroup::new());
        ready.add(ctxs.len());
        finished.add(ctxs.len());
        let never: Chan<()> = Chan::new(0);
        for c in &ctxs {
            let (c, never) = (c.clone(), never.clone());
            let (ready, finished, observed) = (ready.clone(), finished.clone(), observed.clone());
            go! {
                ready.done();
                select! {
                    case <-c.done() => {
                        if c.err() == Some(context::Canceled) {
                            observed.fetch_add(1, Ordering::Relaxed);
                        }
                    },
                    case <-never => {},
                }
                finished.done();
            };
        }
        ready.wait();
        csp_core::sleep(SETTLE);
        let start = Instant::now();
        cancel.cancel();
        finished.wait();
        let elapsed = start.elapsed();
        drop(cancels);
        (observed.load(Ordering::Relaxed), elapsed)
    })
}
