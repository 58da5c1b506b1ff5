//! Latency per message, as a distribution: every message's time from send to
//! receive (the whole round trip for ping-pong) recorded in an HDR histogram.
//!
//! The sender puts the time it sends into the message itself (nanoseconds
//! since a base instant both sides share); the receiver subtracts it from its
//! own clock. For fan-in that includes the time a message waits in the
//! buffer behind the others, which is what a consumer sees.

use crate::tasks::AsyncChannel;
use crate::{Check, Flavor};
use hdrhistogram::Histogram;
use std::time::Instant;

/// The workloads with a latency figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Latency {
    /// Round trip over two unbuffered channels.
    PingPong,
    /// One producer, one consumer, unbuffered.
    SpscUnbuffered,
    /// [`FAN_IN_PRODUCERS`] producers into one channel of capacity
    /// [`FAN_CAP`](crate::catalog::FAN_CAP).
    FanIn,
}

/// Producers of the fan-in latency case (the headline case).
pub const FAN_IN_PRODUCERS: u64 = crate::catalog::FAN_IN_HEADLINE;

impl Latency {
    /// Every latency workload, in report order.
    pub const ALL: [Latency; 3] = [Latency::PingPong, Latency::SpscUnbuffered, Latency::FanIn];

    /// The workload name (as in `catalog::Workload::name`).
    pub fn name(self) -> &'static str {
        match self {
            Latency::PingPong => "ping_pong",
            Latency::SpscUnbuffered => "spsc_unbuffered",
            Latency::FanIn => "fan_in",
        }
    }

    /// The parameter id of the case measured.
    pub fn params(self) -> String {
        match self {
            Latency::FanIn => format!(
                "producers={FAN_IN_PRODUCERS},cap={}",
                crate::catalog::FAN_CAP
            ),
            _ => String::new(),
        }
    }
}

/// A histogram of nanoseconds from 1 ns to 100 s at 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 100_000_000_000, 3).expect("histogram bounds")
}

fn record(h: &mut Histogram<u64>, ns: u64) {
    h.saturating_record(ns.max(1));
}

/// Nanoseconds since `base`, as a message.
fn stamp(base: Instant) -> u64 {
    base.elapsed().as_nanos() as u64
}

/// Runs a latency workload of `n` messages (round trips) on `F`, inside its
/// runtime; the histogram and the check of what arrived (count only: the
/// values are times).
pub fn run<F: Flavor>(w: Latency, n: u64) -> (Histogram<u64>, Check) {
    F::run(move || {
        let mut h = histogram();
        let mut check = Check::default();
        let base = Instant::now();
        match w {
            Latency::PingPong => {
                let (ping_tx, ping_rx) = F::chan(0);
                let (pong_tx, pong_rx) = F::chan(0);
                let echo = F::spawn(move || {
                    for _ in 0..n {
                        F::send(&pong_tx, F::recv(&ping_rx));
                    }
                });
                for _ in 0..n {
                    let t = Instant::now();
                    F::send(&ping_tx, 1);
                    check.add(F::recv(&pong_rx));
                    record(&mut h, t.elapsed().as_nanos() as u64);
                }
                F::join(echo);
            }
            Latency::SpscUnbuffered | Latency::FanIn => {
                let (p, cap) = match w {
                    Latency::FanIn => (FAN_IN_PRODUCERS, crate::catalog::FAN_CAP as usize),
                    _ => (1, 0),
                };
                let (tx, rx) = F::chan(cap);
                let handles: Vec<_> = (0..p)
                    .map(|_| {
                        let tx = tx.clone();
                        F::spawn(move || {
                            for _ in 0..n / p {
                                F::send(&tx, stamp(base));
                            }
                        })
                    })
                    .collect();
                for _ in 0..n / p * p {
                    let sent = F::recv(&rx);
                    record(&mut h, stamp(base).saturating_sub(sent));
                    check.add(1);
                }
                handles.into_iter().for_each(F::join);
            }
        }
        (h, check)
    })
}

/// [`run`] for an async peer, on tokio tasks.
pub fn run_async<C: AsyncChannel>(w: Latency, n: u64) -> (Histogram<u64>, Check) {
    let rt = crate::tasks::runtime();
    rt.block_on(async move {
        let main = tokio::spawn(async move {
            let mut h = histogram();
            let mut check = Check::default();
            let base = Instant::now();
            let chan = |cap: usize| C::chan(cap.max(C::MIN_CAP));
            match w {
                Latency::PingPong => {
                    let (ping_tx, mut ping_rx) = chan(0);
                    let (pong_tx, mut pong_rx) = chan(0);
                    let echo = tokio::spawn(async move {
                        for _ in 0..n {
                            let v = C::recv(&mut ping_rx).await;
                            C::send(&pong_tx, v).await;
                        }
                    });
                    for _ in 0..n {
                        let t = Instant::now();
                        C::send(&ping_tx, 1).await;
                        check.add(C::recv(&mut pong_rx).await);
                        record(&mut h, t.elapsed().as_nanos() as u64);
                    }
                    echo.await.expect("echo task");
                }
                Latency::SpscUnbuffered | Latency::FanIn => {
                    let (p, cap) = match w {
                        Latency::FanIn => (FAN_IN_PRODUCERS, crate::catalog::FAN_CAP as usize),
                        _ => (1, 0),
                    };
                    let (tx, mut rx) = chan(cap);
                    let handles: Vec<_> = (0..p)
                        .map(|_| {
                            let tx = tx.clone();
                            tokio::spawn(async move {
                                for _ in 0..n / p {
                                    C::send(&tx, stamp(base)).await;
                                }
                            })
                        })
                        .collect();
                    for _ in 0..n / p * p {
                        let sent = C::recv(&mut rx).await;
                        record(&mut h, stamp(base).saturating_sub(sent));
                        check.add(1);
                    }
                    for handle in handles {
                        handle.await.expect("producer task");
                    }
                }
            }
            (h, check)
        });
        main.await.expect("latency main task")
    })
}

/// The percentiles the report gives and plots.
pub const QUANTILES: [f64; 9] = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// One line of JSON for the xtask: the case, the implementation, the
/// message count and the value at each of [`QUANTILES`] and the maximum.
pub fn to_json(w: Latency, imp: &str, h: &Histogram<u64>) -> serde_json::Value {
    let curve: Vec<serde_json::Value> = QUANTILES
        .iter()
        .map(|q| serde_json::json!([q * 100.0, h.value_at_quantile(*q)]))
        .collect();
    serde_json::json!({
        "workload": w.name(),
        "params": w.params(),
        "implementation": imp,
        "count": h.len(),
        "p50": h.value_at_quantile(0.5),
        "p99": h.value_at_quantile(0.99),
        "p999": h.value_at_quantile(0.999),
        "max": h.max(),
        "percentiles": curve,
    })
}
