//! The async-to-goroutine ping-pong: a tokio task and a csp goroutine
//! ping-ponging on a pair of unbuffered csp channels, the task through
//! `send_async`/`recv_async`, the goroutine through plain `send`/`recv`.
//!
//! One implementation, `csp-async-goroutine`, that runs only `ping_pong`: the
//! cost of a round trip that crosses from tokio's scheduler to csp's and
//! back. Each run has a fresh csp runtime (its main goroutine waits for the
//! tokio side with `csp_core::block_on`) and a fresh multi-threaded tokio
//! runtime ([`tasks::runtime`](crate::tasks::runtime)), both with
//! [`crate::workers`] worker threads.

use crate::catalog::{Case, Impl, Sizes, Workload};
use crate::latency::{histogram, Latency};
use crate::Check;
use csp_core::{block_on, go, Chan};
use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

/// The name in reports.
pub const NAME: &str = "csp-async-goroutine";

/// Why every workload but ping-pong is left out.
const ONLY_PING_PONG: &str =
    "only ping_pong: the async-to-goroutine case (a tokio task and a csp goroutine on one channel pair)";

fn unsupported(w: Workload) -> Option<&'static str> {
    (w != Workload::PingPong).then_some(ONLY_PING_PONG)
}

/// Runs `f` as the main goroutine of a fresh csp runtime, with a fresh tokio
/// runtime to hand it. The deadlock check is off: the main goroutine waits
/// on a tokio task, which csp cannot see.
fn with_runtimes<R: Send + 'static>(
    f: impl FnOnce(&tokio::runtime::Runtime) -> R + Send + 'static,
) -> R {
    let mut b = csp_core::Builder::new().deadlock_detection(false);
    if let Some(n) = crate::workers() {
        b = b.workers(n);
    }
    b.run(move || {
        let rt = crate::tasks::runtime();
        let r = f(&rt);
        rt.shutdown_background();
        r
    })
}

/// The echo goroutine: `rounds` times, receives on `ping` and sends the
/// value plus one on `pong`.
fn echo(ping: Chan<u64>, pong: Chan<u64>, rounds: u64, step: u64) -> csp_core::JoinHandle<()> {
    go! {
        for _ in 0..rounds {
            let v = ping.recv().expect("csp-async-goroutine: ping closed");
            pong.send(v + step);
        }
    }
}

/// Waits (parking the calling goroutine) for a tokio task; re-raises its panic.
fn join_task<T: Send + 'static>(h: tokio::task::JoinHandle<T>) -> T {
    match block_on(h) {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// Waits for a goroutine; re-raises its panic.
fn join_goroutine(h: csp_core::JoinHandle<()>) {
    if let Err(p) = h.join() {
        std::panic::resume_unwind(p);
    }
}

/// One ping-pong of `rounds` round trips: the tokio task sends `i`, the
/// goroutine answers `i + 1` (the check of
/// [`ping_pong::run`](crate::workloads::ping_pong::run)).
fn ping_pong(rt: &tokio::runtime::Runtime, rounds: u64) -> Check {
    let (ping, pong) = (Chan::new(0), Chan::new(0));
    let g = echo(ping.clone(), pong.clone(), rounds, 1);
    let task = rt.spawn(async move {
        let mut check = Check::default();
        for i in 0..rounds {
            ping.send_async(i).await;
            check.add(
                pong.recv_async()
                    .await
                    .expect("csp-async-goroutine: pong closed"),
            );
        }
        check
    });
    let check = join_task(task);
    join_goroutine(g);
    check
}

fn run(case: &Case, sizes: Sizes, iters: u64) -> Result<(Check, Duration), &'static str> {
    if let Some(why) = unsupported(case.workload) {
        return Err(why);
    }
    let rounds = case.size(sizes, crate::tasks::kind());
    Ok(with_runtimes(move |rt| {
        let start = Instant::now();
        let mut last = Check::default();
        for _ in 0..iters {
            last = std::hint::black_box(ping_pong(rt, rounds));
        }
        (last, start.elapsed())
    }))
}

/// Latency of each round trip, as [`latency::run`](crate::latency::run)
/// measures ping-pong (the echo answers the value unchanged).
///
/// # Panics
/// On a latency workload other than ping-pong (unsupported: the harness
/// skips it).
fn latency(w: Latency, n: u64) -> (Histogram<u64>, Check) {
    assert_eq!(w, Latency::PingPong, "{NAME}: {ONLY_PING_PONG}");
    with_runtimes(move |rt| {
        let (ping, pong) = (Chan::new(0), Chan::new(0));
        let g = echo(ping.clone(), pong.clone(), n, 0);
        let task = rt.spawn(async move {
            let mut h = histogram();
            let mut check = Check::default();
            for _ in 0..n {
                let t = Instant::now();
                ping.send_async(1).await;
                check.add(
                    pong.recv_async()
                        .await
                        .expect("csp-async-goroutine: pong closed"),
                );
                let ns = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
                h.saturating_record(ns.max(1));
            }
            (h, check)
        });
        let r = join_task(task);
        join_goroutine(g);
        r
    })
}

/// The async-to-goroutine ping-pong as the harness sees it.
pub fn implementation() -> Impl {
    Impl {
        name: NAME,
        krate: "csp-core",
        green: true,
        bounded: true,
        workers: true,
        limit_why: "",
        min_cap: 0,
        kind: crate::tasks::kind(),
        run,
        unsupported,
        latency,
    }
}
