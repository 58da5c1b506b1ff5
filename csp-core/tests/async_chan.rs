//! Channel futures (`recv_async`, `send_async`, `stream`), `block_on` and
//! `JoinHandle` as a future: one channel shared by tokio tasks, goroutines and
//! OS threads; cancellation that loses nothing; close and nil channels.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use csp_core::{block_on, select, spawn, Chan};
use futures_core::Stream;
use futures_sink::Sink;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

/// A waker that records that it was woken.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag_waker() -> (Arc<Flag>, Waker) {
    let f = Arc::new(Flag(AtomicBool::new(false)));
    (f.clone(), Waker::from(f))
}

/// Polls `f` once with `w`.
fn poll_once<F: Future>(f: Pin<&mut F>, w: &Waker) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(w))
}

/// The next item of a stream, as a future.
async fn next<S: Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| Pin::new(&mut *s).poll_next(cx)).await
}

// ---------------------------------------------------------------------------
// One channel, three kinds of party.

const PER_PRODUCER: u64 = 2_000;

/// Producers 0-1 are tokio tasks, 2-3 goroutines, 4-5 OS threads; consumers
/// likewise (one tokio consumer uses `recv_async`, the other the stream).
/// Every value arrives exactly once and each consumer sees each producer's
/// values in order.
fn mixed(cap: usize) {
    let rt = tokio_rt();
    let ch: Chan<(u64, u64)> = Chan::new(cap);
    let mut producers_async = vec![];
    let mut producers_sync = vec![];
    for p in 0..2u64 {
        let ch = ch.clone();
        producers_async.push(rt.spawn(async move {
            for i in 0..PER_PRODUCER {
                ch.send_async((p, i)).await;
            }
        }));
    }
    for p in 2..4u64 {
        let ch = ch.clone();
        let h = spawn(move || {
            for i in 0..PER_PRODUCER {
                ch.send((p, i));
            }
        });
        producers_sync.push(Box::new(move || h.join().unwrap()) as Box<dyn FnOnce()>);
    }
    for p in 4..6u64 {
        let ch = ch.clone();
        let h = thread::spawn(move || {
            for i in 0..PER_PRODUCER {
                ch.send((p, i));
            }
        });
        producers_sync.push(Box::new(move || h.join().unwrap()));
    }

    type Got = Vec<(u64, u64)>;
    let mut consumers: Vec<Box<dyn FnOnce() -> Got>> = vec![];
    {
        let ch = ch.clone();
        let h = rt.spawn(async move {
            let mut got = vec![];
            while let Some(v) = ch.recv_async().await {
                got.push(v);
            }
            got
        });
        let handle = rt.handle().clone();
        consumers.push(Box::new(move || handle.block_on(h).unwrap()));
    }
    {
        let ch = ch.clone();
        let h = rt.spawn(async move {
            let mut got = vec![];
            let mut s = ch.stream();
            while let Some(v) = next(&mut s).await {
                got.push(v);
            }
            got
        });
        let handle = rt.handle().clone();
        consumers.push(Box::new(move || handle.block_on(h).unwrap()));
    }
    for _ in 0..2 {
        let ch = ch.clone();
        let h = spawn(move || ch.iter().collect::<Got>());
        consumers.push(Box::new(move || h.join().unwrap()));
    }
    for _ in 0..2 {
        let ch = ch.clone();
        let h = thread::spawn(move || ch.iter().collect::<Got>());
        consumers.push(Box::new(move || h.join().unwrap()));
    }

    for h in producers_async {
        rt.block_on(h).unwrap();
    }
    for j in producers_sync {
        j();
    }
    ch.close();
    let mut seen = vec![vec![false; PER_PRODUCER as usize]; 6];
    for c in consumers {
        let got = c();
        let mut last = [None::<u64>; 6];
        for (p, i) in got {
            let p = p as usize;
            assert!(
                last[p].map_or(true, |l| l < i),
                "producer {p}: {i} after {last:?}"
            );
            last[p] = Some(i);
            assert!(!seen[p][i as usize], "({p}, {i}) received twice");
            seen[p][i as usize] = true;
        }
    }
    for (p, s) in seen.iter().enumerate() {
        assert!(s.iter().all(|&b| b), "producer {p}: a value was lost");
    }
}

#[test]
fn tasks_goroutines_and_threads_share_an_unbuffered_channel() {
    mixed(0);
}

#[test]
fn tasks_goroutines_and_threads_share_a_buffered_channel() {
    mixed(16);
}

// ---------------------------------------------------------------------------
// Cancellation storms.

/// Counts of one storm.
#[derive(Default)]
struct Counts {
    created: AtomicU64,
    created_sum: AtomicU64,
    dropped: AtomicU64,
    received: AtomicU64,
    received_sum: AtomicU64,
    unsent_sum: AtomicU64,
}

/// An element that tells, when dropped, whether it was received.
struct Counted {
    v: u64,
    received: bool,
    counts: Arc<Counts>,
}

impl Counted {
    fn new(v: u64, counts: &Arc<Counts>) -> Self {
        counts.created.fetch_add(1, Ordering::SeqCst);
        counts.created_sum.fetch_add(v, Ordering::SeqCst);
        Counted {
            v,
            received: false,
            counts: counts.clone(),
        }
    }

    fn receive(mut self) {
        self.received = true;
        self.counts.received.fetch_add(1, Ordering::SeqCst);
        self.counts.received_sum.fetch_add(self.v, Ordering::SeqCst);
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.counts.dropped.fetch_add(1, Ordering::SeqCst);
        if !self.received {
            self.counts.unsent_sum.fetch_add(self.v, Ordering::SeqCst);
        }
    }
}

const STORM: u64 = 100_000;

/// Polls `f`, lets other tasks run once, polls again, then gives up
/// (drops it): the harshest cancellation, with a waker racing the drop.
/// (`tokio::time::timeout` with a tiny duration is gentler: its timer fires
/// at the next millisecond tick, by when nearly every operation completed.)
async fn poll_twice<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    if let Poll::Ready(v) = poll_now(f.as_mut()).await {
        return Some(v);
    }
    tokio::task::yield_now().await;
    match poll_now(f.as_mut()).await {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// One poll of `f` with the task's waker.
async fn poll_now<F: Future>(mut f: Pin<&mut F>) -> Poll<F::Output> {
    std::future::poll_fn(|cx| Poll::Ready(f.as_mut().poll(cx))).await
}

/// Receivers that cancel most of their receives, against a goroutine sending
/// every value: all values arrive, once each.
fn recv_storm(cap: usize) {
    let rt = tokio_rt();
    let counts = Arc::new(Counts::default());
    let ch: Chan<Counted> = Chan::new(cap);
    let producer = {
        let ch = ch.clone();
        let counts = counts.clone();
        spawn(move || {
            for v in 1..=STORM {
                ch.send(Counted::new(v, &counts));
                if v % 100 == 0 {
                    // Let the receivers drain the channel and wait.
                    csp_core::sleep(Duration::from_micros(20));
                }
            }
            ch.close();
        })
    };
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let ch = ch.clone();
            rt.spawn(async move {
                let mut cancelled = 0u64;
                loop {
                    match poll_twice(ch.recv_async()).await {
                        Some(Some(v)) => v.receive(),
                        Some(None) => return cancelled,
                        None => cancelled += 1,
                    }
                }
            })
        })
        .collect();
    // And a goroutine that receives without cancelling.
    let steady = {
        let ch = ch.clone();
        spawn(move || {
            for v in ch.iter() {
                v.receive();
            }
        })
    };
    producer.join().unwrap();
    let cancelled: u64 = consumers.into_iter().map(|h| rt.block_on(h).unwrap()).sum();
    steady.join().unwrap();
    drop(ch);
    assert!(cancelled > 0, "the storm cancelled nothing");
    assert_eq!(counts.received.load(Ordering::SeqCst), STORM);
    assert_eq!(
        counts.received_sum.load(Ordering::SeqCst),
        STORM * (STORM + 1) / 2
    );
    assert_eq!(counts.unsent_sum.load(Ordering::SeqCst), 0);
    assert_eq!(counts.dropped.load(Ordering::SeqCst), STORM);
}

#[test]
fn recv_storm_unbuffered() {
    recv_storm(0);
}

#[test]
fn recv_storm_buffered() {
    recv_storm(4);
}

/// Senders and receivers that both cancel: every value is received once or
/// dropped unsent, never both, never lost.
fn send_recv_storm(cap: usize) {
    let rt = tokio_rt();
    let counts = Arc::new(Counts::default());
    let ch: Chan<Counted> = Chan::new(cap);
    let senders: Vec<_> = (0..2u64)
        .map(|s| {
            let ch = ch.clone();
            let counts = counts.clone();
            rt.spawn(async move {
                for i in 0..STORM / 2 {
                    let v = Counted::new(s * STORM + i + 1, &counts);
                    poll_twice(ch.send_async(v)).await;
                }
            })
        })
        .collect();
    let receiver = {
        let ch = ch.clone();
        rt.spawn(async move {
            loop {
                match poll_twice(ch.recv_async()).await {
                    Some(Some(v)) => v.receive(),
                    Some(None) => return,
                    None => {}
                }
            }
        })
    };
    let steady = {
        let ch = ch.clone();
        spawn(move || {
            for v in ch.iter() {
                v.receive();
            }
        })
    };
    for s in senders {
        rt.block_on(s).unwrap();
    }
    ch.close();
    rt.block_on(receiver).unwrap();
    steady.join().unwrap();
    drop(ch);
    let c = &counts;
    assert_eq!(c.created.load(Ordering::SeqCst), STORM);
    assert_eq!(
        c.dropped.load(Ordering::SeqCst),
        STORM,
        "every value dropped once"
    );
    assert_eq!(
        c.received_sum.load(Ordering::SeqCst) + c.unsent_sum.load(Ordering::SeqCst),
        c.created_sum.load(Ordering::SeqCst),
        "each value received or dropped unsent"
    );
    assert!(c.received.load(Ordering::SeqCst) > 0, "nothing got through");
}

#[test]
fn send_and_recv_storm_unbuffered() {
    send_recv_storm(0);
}

#[test]
fn send_and_recv_storm_buffered() {
    send_recv_storm(4);
}

// ---------------------------------------------------------------------------
// Given-back values: where a dropped receive future's value goes.

/// A receive future that has been queued (polled once, pending).
fn queued_recv<T>(ch: &Chan<T>) -> Pin<Box<csp_core::RecvFuture<'_, T>>> {
    let (_, w) = flag_waker();
    let mut f = Box::pin(ch.recv_async());
    assert!(poll_once(f.as_mut(), &w).is_pending());
    f
}

#[test]
fn given_back_value_comes_before_a_waiting_sender() {
    let ch = Chan::new(0);
    let f = queued_recv(&ch);
    assert!(ch.try_send(1).is_ok(), "handed to the queued future");
    let tx = ch.clone();
    let later = thread::spawn(move || tx.send(2));
    drop(f); // 1 goes back ahead of 2
    assert_eq!(ch.recv(), Some(1));
    assert_eq!(ch.recv(), Some(2));
    later.join().unwrap();
}

#[test]
fn given_back_value_goes_to_the_head_of_the_buffer() {
    let ch = Chan::new(2);
    let f = queued_recv(&ch);
    ch.send(1); // straight into the future
    ch.send(2); // into the buffer
    drop(f);
    assert_eq!(ch.len(), 2);
    assert_eq!(ch.try_recv(), Ok(1));
    assert_eq!(ch.try_recv(), Ok(2));
}

#[test]
fn given_back_value_into_a_full_buffer_keeps_the_order() {
    let ch = Chan::new(2);
    let f = queued_recv(&ch);
    ch.send(1);
    ch.send(2);
    ch.send(3); // the buffer is full again
    let tx = ch.clone();
    let later = thread::spawn(move || tx.send(4));
    drop(f);
    let got: Vec<i32> = (0..4).map(|_| ch.recv().unwrap()).collect();
    assert_eq!(got, [1, 2, 3, 4]);
    later.join().unwrap();
}

#[test]
fn given_back_value_goes_to_the_next_waiting_receiver() {
    let ch = Chan::new(0);
    let f = queued_recv(&ch);
    let rx = ch.clone();
    let next = thread::spawn(move || rx.recv());
    ch.send(7); // the future is first in the queue
    drop(f);
    assert_eq!(next.join().unwrap(), Some(7));
}

#[test]
fn given_back_value_survives_close_and_is_dropped_with_the_channel() {
    let counts = Arc::new(Counts::default());
    let ch = Chan::new(0);
    let f = queued_recv(&ch);
    assert!(ch.try_send(Counted::new(1, &counts)).is_ok());
    ch.close();
    drop(f);
    let v = ch.try_recv().expect("sent before the close: still there");
    assert_eq!(v.v, 1);
    v.receive();
    assert!(ch.recv().is_none(), "then closed");

    let ch = Chan::new(0);
    let f = queued_recv(&ch);
    assert!(ch.try_send(Counted::new(2, &counts)).is_ok());
    drop(f);
    drop(ch); // the given-back value is dropped with the channel, once
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 2);
    assert_eq!(counts.unsent_sum.load(Ordering::SeqCst), 2);
}

#[test]
fn dropped_send_future_either_sent_or_dropped_its_value() {
    let counts = Arc::new(Counts::default());
    let ch = Chan::new(0);
    let (_, w) = flag_waker();
    let mut f = Box::pin(ch.send_async(Counted::new(5, &counts)));
    assert!(poll_once(f.as_mut(), &w).is_pending());
    let v = ch.try_recv().expect("taken from the queued send future");
    v.receive();
    drop(f); // sent: nothing to drop
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 1);

    let mut f = Box::pin(ch.send_async(Counted::new(6, &counts)));
    assert!(poll_once(f.as_mut(), &w).is_pending());
    drop(f); // not sent: dropped with the future
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 2);
    assert_eq!(counts.unsent_sum.load(Ordering::SeqCst), 6);
    assert!(
        ch.try_recv().is_err(),
        "the dropped future's value was not sent"
    );
}

// ---------------------------------------------------------------------------
// Close, nil channels, wakers.

#[test]
fn close_wakes_a_pending_receive_future_with_none() {
    let ch: Chan<i32> = Chan::new(0);
    let (flag, w) = flag_waker();
    let mut f = Box::pin(ch.recv_async());
    assert!(poll_once(f.as_mut(), &w).is_pending());
    ch.close();
    assert!(flag.0.load(Ordering::SeqCst), "close woke the task");
    assert_eq!(poll_once(f.as_mut(), &w), Poll::Ready(None));
}

#[test]
fn close_makes_a_pending_send_future_panic_when_polled() {
    let rt = tokio_rt();
    let ch: Chan<i32> = Chan::new(0);
    let tx = ch.clone();
    let started = Chan::new(1);
    let s2 = started.clone();
    let h = rt.spawn(async move {
        let mut f = pin!(tx.send_async(1));
        let first = std::future::poll_fn(|cx| Poll::Ready(f.as_mut().poll(cx))).await;
        assert!(first.is_pending());
        s2.send(());
        f.await;
    });
    started.recv();
    ch.close();
    let err = rt.block_on(h).unwrap_err();
    assert!(err.is_panic());
    let msg = err.into_panic();
    let msg = msg
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| msg.downcast_ref::<String>().map(String::as_str))
        .unwrap_or_default()
        .to_string();
    assert_eq!(msg, "send on closed channel");
}

#[test]
fn send_future_on_a_closed_channel_panics() {
    let ch: Chan<i32> = Chan::new(1);
    ch.close();
    let r = std::panic::catch_unwind(|| block_on(ch.send_async(1)));
    let msg = r.unwrap_err();
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"send on closed channel"));
}

#[test]
fn nil_channel_futures_stay_pending() {
    let ch: Chan<i32> = Chan::nil();
    let (flag, w) = flag_waker();
    let mut r = pin!(ch.recv_async());
    let mut s = pin!(ch.send_async(1));
    let mut st = ch.stream();
    for _ in 0..3 {
        assert!(poll_once(r.as_mut(), &w).is_pending());
        assert!(poll_once(s.as_mut(), &w).is_pending());
        assert!(Pin::new(&mut st)
            .poll_next(&mut Context::from_waker(&w))
            .is_pending());
    }
    let rt = tokio_rt();
    let elapsed = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(20), ch.recv_async())
            .await
            .is_err()
    });
    assert!(elapsed);
    assert!(!flag.0.load(Ordering::SeqCst));
}

#[test]
fn a_pending_future_wakes_the_task_that_polled_it_last() {
    let ch = Chan::new(0);
    let (first, w1) = flag_waker();
    let (second, w2) = flag_waker();
    let mut f = Box::pin(ch.recv_async());
    assert!(poll_once(f.as_mut(), &w1).is_pending());
    assert!(poll_once(f.as_mut(), &w2).is_pending());
    ch.send(3);
    assert!(!first.0.load(Ordering::SeqCst));
    assert!(second.0.load(Ordering::SeqCst));
    assert_eq!(poll_once(f.as_mut(), &w2), Poll::Ready(Some(3)));
}

#[test]
fn stream_yields_every_value_then_ends() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    let g = spawn(move || {
        for i in 0..100 {
            tx.send(i);
        }
        tx.close();
    });
    let got = block_on(async {
        let mut s = ch.stream();
        let mut got = vec![];
        while let Some(v) = next(&mut s).await {
            got.push(v);
        }
        assert_eq!(next(&mut s).await, None, "stays ended");
        got
    });
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    g.join().unwrap();
}

// ---------------------------------------------------------------------------
// Goroutines and async together.

#[test]
fn goroutine_select_is_completed_by_an_async_sender() {
    let rt = tokio_rt();
    let a: Chan<i32> = Chan::new(0);
    let b: Chan<i32> = Chan::new(0);
    let (a2, b2) = (a.clone(), b.clone());
    let g = spawn(move || {
        select! {
            case v = <-a2 => ("a", v),
            case v = <-b2 => ("b", v),
        }
    });
    rt.block_on(b.send_async(9));
    assert_eq!(g.join().unwrap(), ("b", Some(9)));
    drop(a);
}

#[test]
fn async_receiver_is_completed_by_a_goroutine_select_send() {
    let rt = tokio_rt();
    let a: Chan<i32> = Chan::new(0);
    let b: Chan<i32> = Chan::new(0);
    let b2 = b.clone();
    let h = rt.spawn(async move { b2.recv_async().await });
    let (a2, b3) = (a.clone(), b.clone());
    let g = spawn(move || {
        select! {
            case a2 <- 1 => "a",
            case b3 <- 2 => "b",
        }
    });
    assert_eq!(g.join().unwrap(), "b");
    assert_eq!(rt.block_on(h).unwrap(), Some(2));
    drop(a);
}

#[test]
fn ping_pong_between_a_tokio_task_and_a_goroutine() {
    const ROUNDS: u64 = 10_000;
    let rt = tokio_rt();
    let ping: Chan<u64> = Chan::new(0);
    let pong: Chan<u64> = Chan::new(0);
    let (ping2, pong2) = (ping.clone(), pong.clone());
    let g = spawn(move || {
        for v in ping2.iter() {
            pong2.send(v + 1);
        }
    });
    let last = rt.block_on(async {
        let mut v = 0;
        for _ in 0..ROUNDS {
            ping.send_async(v).await;
            v = pong.recv_async().await.unwrap();
        }
        ping.close();
        v
    });
    assert_eq!(last, ROUNDS);
    g.join().unwrap();
}

#[test]
fn join_handle_is_a_future() {
    let rt = tokio_rt();
    let ch = Chan::new(0);
    let rx = ch.clone();
    let g = spawn(move || rx.recv().unwrap() * 2);
    let h = rt.spawn(async move {
        let r = g.await;
        r.unwrap()
    });
    ch.send(21);
    assert_eq!(rt.block_on(h).unwrap(), 42);

    let bad = spawn(|| -> i32 { panic!("boom") });
    let r = block_on(bad);
    assert_eq!(r.unwrap_err().downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn block_on_in_goroutines_parks_only_the_goroutine() {
    // Eight goroutines wait in block_on for a tokio timer under one worker:
    // possible only if waiting does not hold the worker's thread.
    // The tokio tasks wait on a csp barrier channel that only the eighth
    // goroutine's arrival opens, so all eight must be waiting at once.
    let rt = tokio_rt();
    let handle = rt.handle().clone();
    let done = Arc::new(Mutex::new(0));
    let d2 = done.clone();
    let sum = csp_core::Builder::new().workers(1).run(move || {
        let arrived: Chan<()> = Chan::new(8);
        let open: Chan<()> = Chan::new(0);
        let gs: Vec<_> = (0..8)
            .map(|i| {
                let handle = handle.clone();
                let done = d2.clone();
                let (arrived, open) = (arrived.clone(), open.clone());
                spawn(move || {
                    let t = handle.spawn(async move {
                        arrived.send_async(()).await;
                        assert_eq!(open.recv_async().await, None);
                        i
                    });
                    let v = block_on(t).unwrap();
                    *done.lock().unwrap() += 1;
                    v
                })
            })
            .collect();
        for _ in 0..8 {
            arrived.recv();
        }
        open.close();
        gs.into_iter().map(|g| g.join().unwrap()).sum::<i32>()
    });
    assert_eq!(sum, (0..8).sum());
    assert_eq!(*done.lock().unwrap(), 8);
}

#[test]
fn block_on_goroutines_are_not_reported_as_deadlocked() {
    // Inside `run` with deadlock detection on, main waits for a tokio timer
    // for longer than the detector's grace; nothing is reported.
    let rt = tokio_rt();
    let handle = rt.handle().clone();
    let v = csp_core::Builder::new().workers(1).run(move || {
        let t = handle.spawn(async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            5
        });
        block_on(t).unwrap()
    });
    assert_eq!(v, 5);
}

#[test]
fn recv_future_on_a_timer_channel_fires() {
    // The runtime's timers send on their channels from the timer heap: a
    // queued receive future is woken like a parked goroutine.
    let rt = tokio_rt();
    let start = std::time::Instant::now();
    let t = csp_core::after(Duration::from_millis(5));
    let fired = rt
        .block_on(async { t.recv_async().await })
        .expect("a value");
    assert!(fired >= start);
    let tk = csp_core::tick(Duration::from_millis(1));
    let ticks = block_on(async {
        let mut n = 0;
        while n < 3 {
            tk.recv_async().await.expect("a tick");
            n += 1;
        }
        n
    });
    assert_eq!(ticks, 3);
}

/// A waker that, when woken, polls every future it holds right away (as some
/// executors' wakers do inline).
struct InlinePoll {
    futs: Mutex<Vec<Pin<Box<csp_core::RecvFuture<'static, i32>>>>>,
    done: Mutex<Vec<Option<i32>>>,
}

impl Wake for InlinePoll {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let Ok(mut futs) = self.futs.try_lock() else {
            return;
        };
        let w = Waker::from(flag_waker().0);
        let mut i = 0;
        while i < futs.len() {
            if let Poll::Ready(v) = poll_once(futs[i].as_mut(), &w) {
                self.done.lock().unwrap().push(v);
                drop(futs.remove(i));
            } else {
                i += 1;
            }
        }
    }
}

#[test]
fn close_with_a_waker_that_polls_inline_does_not_deadlock() {
    // Two queued futures of one "task" whose waker polls both inline: close
    // must let both go before it runs either wake, or the first wake spins
    // on the second future, still held by close.
    let ch: &'static Chan<i32> = Box::leak(Box::new(Chan::new(0)));
    let task = Arc::new(InlinePoll {
        futs: Mutex::new(vec![Box::pin(ch.recv_async()), Box::pin(ch.recv_async())]),
        done: Mutex::new(vec![]),
    });
    let w = Waker::from(task.clone());
    for f in task.futs.lock().unwrap().iter_mut() {
        assert!(poll_once(f.as_mut(), &w).is_pending());
    }
    ch.close();
    assert_eq!(*task.done.lock().unwrap(), [None, None]);
}

// ---------------------------------------------------------------------------
// Chan::sink.

/// What `SinkExt::send_all` does: each item goes in once the sink is ready,
/// then the sink is flushed.
async fn send_all<S: Sink<T> + Unpin, T>(sink: &mut S, items: impl IntoIterator<Item = T>)
where
    S::Error: std::fmt::Debug,
{
    let mut items = items.into_iter().peekable();
    let mut next = items.next();
    std::future::poll_fn(|cx| {
        while next.is_some() {
            std::task::ready!(Pin::new(&mut *sink).poll_ready(cx)).unwrap();
            Pin::new(&mut *sink)
                .start_send(next.take().unwrap())
                .unwrap();
            next = items.next();
        }
        Pin::new(&mut *sink).poll_flush(cx)
    })
    .await
    .unwrap();
}

/// Two tokio tasks send through sinks on one unbuffered channel; a goroutine
/// and an OS thread receive: every value once, each sink's values in order.
#[test]
fn sinks_send_every_value_once_in_order() {
    const N: u64 = 5_000;
    let rt = tokio_rt();
    let ch: Chan<u64> = Chan::new(0);
    let producers: Vec<_> = (0..2u64)
        .map(|p| {
            let ch = ch.clone();
            rt.spawn(async move {
                let mut sink = ch.sink();
                send_all(&mut sink, (0..N).map(|i| p * N + i)).await;
            })
        })
        .collect();
    let collect = |ch: Chan<u64>| {
        move || {
            let mut got = Vec::new();
            while let Some(v) = ch.recv() {
                got.push(v);
            }
            got
        }
    };
    let g = spawn(collect(ch.clone()));
    let t = thread::spawn(collect(ch.clone()));
    for p in producers {
        rt.block_on(p).unwrap();
    }
    ch.close();
    let mut all = g.join().unwrap();
    let from_thread = t.join().unwrap();
    for got in [&all, &from_thread] {
        for p in 0..2 {
            let mine: Vec<u64> = got.iter().copied().filter(|v| v / N == p).collect();
            assert!(
                mine.windows(2).all(|w| w[0] < w[1]),
                "sink {p} out of order"
            );
        }
    }
    all.extend(from_thread);
    all.sort_unstable();
    assert_eq!(all, (0..2 * N).collect::<Vec<_>>());
}

/// A sink dropped with its item still queued drops the item, once, and
/// leaves the send queue: a receiver then gets the next value, not it.
#[test]
fn a_sink_dropped_with_an_item_in_flight_drops_it_unsent() {
    let counts = Arc::new(Counts::default());
    let ch: Chan<Counted> = Chan::new(0);
    let (_, w) = flag_waker();
    {
        let mut sink = ch.sink();
        let mut s = Pin::new(&mut sink);
        assert!(s
            .as_mut()
            .poll_ready(&mut Context::from_waker(&w))
            .is_ready());
        s.as_mut().start_send(Counted::new(7, &counts)).unwrap();
        // No receiver: the item waits in the send queue.
        assert!(s
            .as_mut()
            .poll_flush(&mut Context::from_waker(&w))
            .is_pending());
        assert_eq!(counts.dropped.load(Ordering::SeqCst), 0);
    }
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 1);
    assert_eq!(counts.unsent_sum.load(Ordering::SeqCst), 7);
    assert!(ch.try_recv().is_err(), "the dropped item was still queued");
}

/// An item taken by a receiver while queued counts as sent: flush completes
/// and wakes the task; dropping the sink then drops nothing more.
#[test]
fn a_sink_item_taken_by_a_receiver_is_sent() {
    let counts = Arc::new(Counts::default());
    let ch: Chan<Counted> = Chan::new(0);
    let (flag, w) = flag_waker();
    let mut sink = ch.sink();
    let mut s = Pin::new(&mut sink);
    assert!(s
        .as_mut()
        .poll_ready(&mut Context::from_waker(&w))
        .is_ready());
    s.as_mut().start_send(Counted::new(5, &counts)).unwrap();
    assert!(s
        .as_mut()
        .poll_flush(&mut Context::from_waker(&w))
        .is_pending());
    let got = ch.try_recv().expect("the queued item");
    assert_eq!(got.v, 5);
    got.receive();
    assert!(
        flag.0.load(Ordering::SeqCst),
        "the sink's task was not woken"
    );
    assert!(s
        .as_mut()
        .poll_flush(&mut Context::from_waker(&w))
        .is_ready());
    drop(sink);
    assert_eq!(counts.dropped.load(Ordering::SeqCst), 1);
    assert_eq!(counts.unsent_sum.load(Ordering::SeqCst), 0);
}

#[test]
#[should_panic(expected = "SendSink::start_send called before poll_ready was Ready")]
fn a_second_item_before_ready_panics() {
    let ch: Chan<u8> = Chan::new(0);
    let mut sink = ch.sink();
    let mut s = Pin::new(&mut sink);
    s.as_mut().start_send(1).unwrap();
    s.as_mut().start_send(2).unwrap();
}

#[test]
#[should_panic(expected = "send on closed channel")]
fn a_sink_on_a_closed_channel_panics_when_driven() {
    let ch: Chan<u8> = Chan::new(1);
    ch.close();
    let mut sink = ch.sink();
    block_on(send_all(&mut sink, [1]));
}

/// `poll_close` flushes and leaves the channel open for the other senders.
#[test]
fn closing_a_sink_flushes_and_leaves_the_channel_open() {
    let ch: Chan<u8> = Chan::new(2);
    let mut sink = ch.sink();
    block_on(std::future::poll_fn(|cx| {
        std::task::ready!(Pin::new(&mut sink).poll_ready(cx)).unwrap();
        Pin::new(&mut sink).start_send(1).unwrap();
        Pin::new(&mut sink).poll_close(cx)
    }))
    .unwrap();
    ch.send(2);
    assert_eq!((ch.recv(), ch.recv()), (Some(1), Some(2)));
}

/// A nil channel's sink takes an item and never sends it.
#[test]
fn a_nil_channels_sink_never_flushes() {
    let ch: Chan<u8> = Chan::nil();
    let (flag, w) = flag_waker();
    let mut sink = ch.sink();
    let mut s = Pin::new(&mut sink);
    assert!(s
        .as_mut()
        .poll_ready(&mut Context::from_waker(&w))
        .is_ready());
    s.as_mut().start_send(1).unwrap();
    assert!(s
        .as_mut()
        .poll_flush(&mut Context::from_waker(&w))
        .is_pending());
    assert!(s
        .as_mut()
        .poll_ready(&mut Context::from_waker(&w))
        .is_pending());
    assert!(!flag.0.load(Ordering::SeqCst));
}
