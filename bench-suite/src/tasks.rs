//! Async peers: channel libraries whose send and receive are futures, on
//! tasks of tokio's multi-threaded runtime.
//!
//! [`Flavor`](crate::Flavor)'s blocking send and receive cannot run on async
//! tasks, so the workloads exist a second time here, as async functions over
//! [`AsyncChannel`], with the same messages, the same counts and the same
//! closed-form answers as `crate::workloads`. The task side (spawn, join, the
//! main task) is tokio's for every async peer, as [`impls::threads`] is the
//! task side of every OS-thread peer.
//!
//! [`impls::threads`]: crate::impls::threads

use crate::catalog::{Case, Impl, Kind, Sizes, Workload};
use crate::workloads::spawn;
use crate::Check;
use std::future::Future;
use std::time::{Duration, Instant};

/// What differs between async channel libraries.
pub trait AsyncChannel: 'static {
    /// The name in reports.
    const NAME: &'static str;
    /// The crate whose version the report records.
    const CRATE: &'static str;
    /// The smallest capacity the library accepts; an unbuffered (0) channel
    /// becomes this capacity, and the report says so.
    const MIN_CAP: usize = 0;
    /// The sending half of a channel of `u64`.
    type Tx: Clone + Send + Sync + 'static;
    /// The receiving half.
    type Rx: Send + 'static;
    /// A channel of capacity `cap` (at least [`AsyncChannel::MIN_CAP`]).
    fn chan(cap: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`, waiting while the channel is full.
    fn send(tx: &Self::Tx, v: u64) -> impl Future<Output = ()> + Send;
    /// Receives one value, waiting while the channel is empty.
    fn recv(rx: &mut Self::Rx) -> impl Future<Output = u64> + Send;
    /// Another receiver of the same channel, when the library has several
    /// consumers (None: the MPMC workload is unsupported).
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx>;
    /// Why the library cannot run a workload, if it cannot.
    fn unsupported(w: Workload) -> Option<&'static str>;
}

fn chan<C: AsyncChannel>(cap: usize) -> (C::Tx, C::Rx) {
    C::chan(cap.max(C::MIN_CAP))
}

/// Waits for a task; re-raises its panic.
async fn join(h: tokio::task::JoinHandle<()>) {
    if let Err(e) = h.await {
        match e.try_into_panic() {
            Ok(p) => std::panic::resume_unwind(p),
            Err(e) => panic!("task failed: {e}"),
        }
    }
}

async fn join_all(handles: Vec<tokio::task::JoinHandle<()>>) {
    for h in handles {
        join(h).await;
    }
}

/// Ping-pong: as [`ping_pong::run`](crate::workloads::ping_pong::run).
pub async fn ping_pong_async<C: AsyncChannel>(rounds: u64) -> Check {
    let (ping_tx, mut ping_rx) = chan::<C>(0);
    let (pong_tx, mut pong_rx) = chan::<C>(0);
    let echo = tokio::spawn(async move {
        for _ in 0..rounds {
            let v = C::recv(&mut ping_rx).await;
            C::send(&pong_tx, v + 1).await;
        }
    });
    let mut check = Check::default();
    for i in 0..rounds {
        C::send(&ping_tx, i).await;
        check.add(C::recv(&mut pong_rx).await);
    }
    join(echo).await;
    check
}

/// Unbuffered SPSC: as [`spsc::run`](crate::workloads::spsc::run).
pub async fn spsc_async<C: AsyncChannel>(n: u64) -> Check {
    let (tx, mut rx) = chan::<C>(0);
    let producer = tokio::spawn(async move {
        for i in 0..n {
            C::send(&tx, i).await;
        }
    });
    let mut check = Check::default();
    for _ in 0..n {
        check.add(C::recv(&mut rx).await);
    }
    join(producer).await;
    check
}

/// Producers send `p, p + P, p + 2P, ...` below `n` on `tx`.
fn producers<C: AsyncChannel>(
    tx: &C::Tx,
    producers: u64,
    n: u64,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..producers)
        .map(|p| {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut v = p;
                while v < n {
                    C::send(&tx, v).await;
                    v += producers;
                }
            })
        })
        .collect()
}

/// Fan-in: as [`fan_in::run`](crate::workloads::fan_in::run).
pub async fn fan_in_async<C: AsyncChannel>(p: u64, cap: usize, n: u64) -> Check {
    assert!(p > 0 && n % p == 0, "n must split evenly");
    let (tx, mut rx) = chan::<C>(cap);
    let handles = producers::<C>(&tx, p, n);
    let mut check = Check::default();
    for _ in 0..n {
        check.add(C::recv(&mut rx).await);
    }
    join_all(handles).await;
    check
}

/// MPMC: as [`mpmc::run`](crate::workloads::mpmc::run).
pub async fn mpmc_async<C: AsyncChannel>(p: u64, consumers: u64, cap: usize, n: u64) -> Check {
    assert!(n % p == 0 && n % consumers == 0, "n must split evenly");
    let (tx, rx) = chan::<C>(cap);
    let (done_tx, mut done_rx) = chan::<C>(consumers as usize);
    let mut handles = producers::<C>(&tx, p, n);
    let share = n / consumers;
    for _ in 0..consumers {
        let mut rx = C::clone_rx(&rx).expect("MPMC needs several consumers");
        let done_tx = done_tx.clone();
        handles.push(tokio::spawn(async move {
            let mut sum = 0u64;
            for _ in 0..share {
                sum = sum.wrapping_add(C::recv(&mut rx).await);
            }
            C::send(&done_tx, sum).await;
        }));
    }
    let mut check = Check::default();
    for _ in 0..consumers {
        let sum = C::recv(&mut done_rx).await;
        check.merge(Check { count: share, sum });
    }
    join_all(handles).await;
    check
}

/// Pipeline: as [`pipeline::run`](crate::workloads::pipeline::run).
pub async fn pipeline_async<C: AsyncChannel>(stages: u64, cap: usize, n: u64) -> Check {
    let (first_tx, mut rx) = chan::<C>(cap);
    let mut handles = vec![tokio::spawn(async move {
        for i in 0..n {
            C::send(&first_tx, i).await;
        }
    })];
    for _ in 0..stages {
        let (tx, next_rx) = chan::<C>(cap);
        let mut input = std::mem::replace(&mut rx, next_rx);
        handles.push(tokio::spawn(async move {
            for _ in 0..n {
                let v = C::recv(&mut input).await;
                C::send(&tx, v + 1).await;
            }
        }));
    }
    let mut check = Check::default();
    for _ in 0..n {
        check.add(C::recv(&mut rx).await);
    }
    join_all(handles).await;
    check
}

/// Select over four channels: as [`select4::run`](crate::workloads::select4::run), with `tokio::select!`
/// (random branch order) over the four receive futures.
pub async fn select4_async<C: AsyncChannel>(cap: usize, n: u64) -> Check {
    assert!(n % 4 == 0, "n must split evenly");
    let mut txs = Vec::new();
    let mut rxs = Vec::new();
    for _ in 0..4 {
        let (tx, rx) = chan::<C>(cap);
        txs.push(tx);
        rxs.push(rx);
    }
    let handles: Vec<_> = txs
        .iter()
        .enumerate()
        .map(|(k, tx)| {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut v = k as u64;
                while v < n {
                    C::send(&tx, v).await;
                    v += 4;
                }
            })
        })
        .collect();
    let [a, b, c, d] = &mut rxs[..] else {
        unreachable!("four channels were made")
    };
    let mut check = Check::default();
    for _ in 0..n {
        let (k, v) = tokio::select! {
            v = C::recv(a) => (0, v),
            v = C::recv(b) => (1, v),
            v = C::recv(c) => (2, v),
            v = C::recv(d) => (3, v),
        };
        assert_eq!(v % 4, k, "{}: value {v} arrived on case {k}", C::NAME);
        check.add(v);
    }
    join_all(handles).await;
    check
}

/// Spawn: as [`spawn::run`].
pub async fn spawn_async<C: AsyncChannel>(n: u64) -> Check {
    let (tx, mut rx) = chan::<C>(spawn::CAP);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let tx = tx.clone();
            tokio::spawn(async move { C::send(&tx, i).await })
        })
        .collect();
    let mut check = Check::default();
    for _ in 0..n {
        check.add(C::recv(&mut rx).await);
    }
    join_all(handles).await;
    check
}

/// The sieve: as [`sieve::run`](crate::workloads::sieve::run) (0 ends the chain).
pub async fn sieve_async<C: AsyncChannel>(limit: u64) -> Check {
    const END: u64 = 0;
    let (gen_tx, mut rx) = chan::<C>(0);
    let mut handles = vec![tokio::spawn(async move {
        for v in 2..=limit {
            C::send(&gen_tx, v).await;
        }
        C::send(&gen_tx, END).await;
    })];
    let mut check = Check::default();
    loop {
        let prime = C::recv(&mut rx).await;
        if prime == END {
            break;
        }
        check.add(prime);
        let (tx, next_rx) = chan::<C>(0);
        let mut input = std::mem::replace(&mut rx, next_rx);
        handles.push(tokio::spawn(async move {
            loop {
                let v = C::recv(&mut input).await;
                if v == END || v % prime != 0 {
                    C::send(&tx, v).await;
                }
                if v == END {
                    break;
                }
            }
        }));
    }
    join_all(handles).await;
    check
}

/// Runs `body` `iters` times as one task of a fresh multi-threaded tokio
/// runtime (the main task, like Go's main goroutine); the last check and the
/// time of all runs.
fn timed<Fut>(iters: u64, body: impl Fn() -> Fut + Send + 'static) -> (Check, Duration)
where
    Fut: Future<Output = Check> + Send + 'static,
{
    let rt = runtime();
    rt.block_on(async move {
        let main = tokio::spawn(async move {
            let start = Instant::now();
            let mut last = Check::default();
            for _ in 0..iters {
                last = std::hint::black_box(body().await);
            }
            (last, start.elapsed())
        });
        match main.await {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    })
}

/// A multi-threaded tokio runtime with [`crate::workers`] worker threads
/// (one per CPU by default).
pub fn runtime() -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = crate::workers() {
        b.worker_threads(n);
    }
    b.build().expect("tokio runtime")
}

/// Runs a case on an async peer.
fn dispatch<C: AsyncChannel>(
    case: &Case,
    sizes: Sizes,
    iters: u64,
) -> Result<(Check, Duration), &'static str> {
    if let Some(why) = C::unsupported(case.workload) {
        return Err(why);
    }
    let n = case.size(sizes, kind());
    let p = |k: &str| case.param(k);
    Ok(match case.workload {
        Workload::PingPong => timed(iters, move || ping_pong_async::<C>(n)),
        Workload::SpscUnbuffered => timed(iters, move || spsc_async::<C>(n)),
        Workload::FanIn => {
            let (prod, cap) = (p("producers"), p("cap") as usize);
            timed(iters, move || fan_in_async::<C>(prod, cap, n))
        }
        Workload::Mpmc => {
            let (prod, cons, cap) = (p("producers"), p("consumers"), p("cap") as usize);
            timed(iters, move || mpmc_async::<C>(prod, cons, cap, n))
        }
        Workload::Pipeline => {
            let (stages, cap) = (p("stages"), p("cap") as usize);
            timed(iters, move || pipeline_async::<C>(stages, cap, n))
        }
        Workload::Select4 => {
            let cap = p("cap") as usize;
            timed(iters, move || select4_async::<C>(cap, n))
        }
        Workload::Spawn => timed(iters, move || spawn_async::<C>(n)),
        Workload::Sieve => timed(iters, move || sieve_async::<C>(n)),
    })
}

/// Tokio tasks are green: the spawn workload starts as many as for goroutines.
pub(crate) fn kind() -> Kind {
    Kind {
        green: true,
        max_tasks: u64::MAX,
    }
}

/// An async peer as the harness sees it.
pub fn implementation<C: AsyncChannel>() -> Impl {
    Impl {
        name: C::NAME,
        krate: C::CRATE,
        green: true,
        bounded: true,
        workers: true,
        limit_why: "",
        min_cap: C::MIN_CAP,
        kind: kind(),
        run: |case, sizes, iters| dispatch::<C>(case, sizes, iters),
        unsupported: C::unsupported,
        latency: crate::latency::run_async::<C>,
    }
}

/// tokio's bounded `mpsc` channel (single consumer; capacity at least 1).
#[derive(Debug)]
pub struct Tokio;

impl AsyncChannel for Tokio {
    const NAME: &'static str = "tokio";
    const CRATE: &'static str = "tokio";
    const MIN_CAP: usize = 1;
    type Tx = tokio::sync::mpsc::Sender<u64>;
    type Rx = tokio::sync::mpsc::Receiver<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        tokio::sync::mpsc::channel(cap)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).await.expect("tokio: receiver gone");
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.expect("tokio: senders gone")
    }
    fn clone_rx(_: &Self::Rx) -> Option<Self::Rx> {
        None
    }
    fn unsupported(w: Workload) -> Option<&'static str> {
        (w == Workload::Mpmc)
            .then_some("tokio::sync::mpsc has a single consumer (Receiver is not Clone)")
    }
}

/// async-channel's `bounded(cap)` (MPMC; capacity at least 1) on tokio tasks.
#[derive(Debug)]
pub struct AsyncChan;

impl AsyncChannel for AsyncChan {
    const NAME: &'static str = "async-channel";
    const CRATE: &'static str = "async-channel";
    const MIN_CAP: usize = 1;
    type Tx = async_channel::Sender<u64>;
    type Rx = async_channel::Receiver<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        async_channel::bounded(cap)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).await.expect("async-channel: receivers gone");
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.expect("async-channel: senders gone")
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn unsupported(_: Workload) -> Option<&'static str> {
        None
    }
}

/// csp's channel futures (`Chan::send_async`, `Chan::recv_async`; MPMC,
/// unbuffered channels) on tokio tasks.
#[cfg(feature = "csp-threads")]
#[derive(Debug)]
pub struct CspAsync;

#[cfg(feature = "csp-threads")]
impl AsyncChannel for CspAsync {
    const NAME: &'static str = "csp-async";
    const CRATE: &'static str = "csp-core";
    type Tx = csp_core::Chan<u64>;
    type Rx = csp_core::Chan<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        let c = csp_core::Chan::new(cap);
        (c.clone(), c)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send_async(v).await;
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv_async().await.expect("csp-async: channel closed")
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn unsupported(_: Workload) -> Option<&'static str> {
        None
    }
}

/// flume's `bounded(cap)` through its futures (`send_async`, `recv_async`;
/// MPMC, unbuffered channels) on tokio tasks.
#[derive(Debug)]
pub struct FlumeAsync;

impl AsyncChannel for FlumeAsync {
    const NAME: &'static str = "flume-async";
    const CRATE: &'static str = "flume";
    type Tx = flume::Sender<u64>;
    type Rx = flume::Receiver<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send_async(v).await.expect("flume-async: receivers gone");
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv_async().await.expect("flume-async: senders gone")
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn unsupported(_: Workload) -> Option<&'static str> {
        None
    }
}

/// kanal's `bounded_async(cap)` (MPMC, unbuffered channels) on tokio tasks.
#[derive(Debug)]
pub struct KanalAsync;

impl AsyncChannel for KanalAsync {
    const NAME: &'static str = "kanal-async";
    const CRATE: &'static str = "kanal";
    type Tx = kanal::AsyncSender<u64>;
    type Rx = kanal::AsyncReceiver<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        kanal::bounded_async(cap)
    }
    async fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).await.expect("kanal-async: receivers gone");
    }
    async fn recv(rx: &mut Self::Rx) -> u64 {
        rx.recv().await.expect("kanal-async: senders gone")
    }
    fn clone_rx(rx: &Self::Rx) -> Option<Self::Rx> {
        Some(rx.clone())
    }
    fn unsupported(w: Workload) -> Option<&'static str> {
        // select4 races four receive futures in tokio::select! and drops the
        // losers; kanal 0.1.1's ReceiveFuture drops a value that a sender
        // already handed it (its Drop impl), so the workload would lose one.
        (w == Workload::Select4).then_some(
            "kanal has no select, and its receive future is not cancel-safe for \
             tokio::select! (a dropped ReceiveFuture drops a value a sender already handed it)",
        )
    }
}
