//! loom models of the channel protocol, on the real `Chan` and `Select` through the
//! public API: under `--cfg loom` the channel's atomics, parking and lock are loom's.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p csp-core --release --test loom`
//! Models with one spawned thread are explored exhaustively; those with two spawned
//! threads use a preemption bound of 4 or 5. `LOOM_MAX_PREEMPTIONS` overrides the
//! bounds. loom has no clock, so no model uses the timeout forms.
#![cfg(loom)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use csp_core::{Chan, Select};
use loom::thread;

/// No preemption bound: the model is explored exhaustively.
const ALL: Option<usize> = None;

/// Explores `f` with a preemption bound (`None`: exhaustively) unless
/// `LOOM_MAX_PREEMPTIONS` is set.
fn model<F>(bound: Option<usize>, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    quiet_expected_panics();
    let mut b = loom::model::Builder::new();
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        b.preemption_bound = bound;
    }
    // Each execution counts itself, so that the output shows how much was explored.
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    b.check(move || {
        r.fetch_add(1, Ordering::Relaxed);
        f()
    });
    eprintln!(
        "loom: {} executions, preemption bound {:?}",
        runs.load(Ordering::Relaxed),
        b.preemption_bound
    );
}

/// The close models panic "send on closed channel" on purpose in every execution;
/// keep those out of the output, report every other panic as usual.
fn quiet_expected_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let expected = info.payload().downcast_ref::<&str>() == Some(&"send on closed channel");
            if !expected {
                default(info);
            }
        }));
    });
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Unbuffered: the value moves from a sender thread to the receiver exactly once.
#[test]
fn unbuffered_send_recv() {
    model(ALL, || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.send(1));
        assert_eq!(ch.recv(), Some(1));
        t.join().unwrap();
    });
}

/// Unbuffered, the other way round, and with two values (parks on both sides).
#[test]
fn unbuffered_recv_send_twice() {
    model(ALL, || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || (c.recv(), c.recv()));
        ch.send(1);
        ch.send(2);
        assert_eq!(t.join().unwrap(), (Some(1), Some(2)));
    });
}

/// Buffered with a full buffer: the sender parks, the receive rotates its value
/// into the freed slot, FIFO is kept.
#[test]
fn buffered_full_send_recv() {
    model(ALL, || {
        let ch = Chan::<i32>::new(1);
        ch.send(1);
        let c = ch.clone();
        let t = thread::spawn(move || {
            c.send(2);
            c.send(3);
        });
        assert_eq!(ch.recv(), Some(1));
        assert_eq!(ch.recv(), Some(2));
        assert_eq!(ch.recv(), Some(3));
        t.join().unwrap();
        assert_eq!(ch.len(), 0);
    });
}

/// Buffered: a receiver parks on an empty buffer and gets the value directly.
#[test]
fn buffered_empty_recv_send() {
    model(ALL, || {
        let ch = Chan::<i32>::new(1);
        let c = ch.clone();
        let t = thread::spawn(move || c.recv());
        ch.send(7);
        assert_eq!(t.join().unwrap(), Some(7));
        assert_eq!(ch.len(), 0);
    });
}

/// close racing a receiver that may already be parked: it gets None.
#[test]
fn close_races_blocked_receiver() {
    model(ALL, || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.recv());
        ch.close();
        assert_eq!(t.join().unwrap(), None);
    });
}

/// close racing a sender parked on a full buffer: the send panics, the buffered
/// value stays receivable.
#[test]
fn close_races_blocked_sender() {
    model(ALL, || {
        let ch = Chan::<i32>::new(1);
        ch.send(1);
        let c = ch.clone();
        let t = thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| c.send(2))).map_err(|e| panic_message(&*e))
        });
        ch.close();
        assert_eq!(t.join().unwrap(), Err("send on closed channel".to_string()));
        assert_eq!(ch.recv(), Some(1));
        assert_eq!(ch.recv(), None);
    });
}

/// close racing a receiver and a sender on one unbuffered channel: either they met
/// (the receiver has the value and the send returned) or neither did.
#[test]
fn close_races_blocked_receiver_and_sender() {
    model(Some(5), || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let r = thread::spawn(move || c.recv());
        let c = ch.clone();
        let s = thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| c.send(5))).map_err(|e| panic_message(&*e))
        });
        ch.close();
        let got = r.join().unwrap();
        let sent = s.join().unwrap();
        match (got, sent) {
            (Some(5), Ok(())) => {}
            (None, Err(msg)) => assert_eq!(msg, "send on closed channel"),
            other => panic!("inconsistent outcome: {other:?}"),
        }
    });
}

/// A two-case receive select racing a sender on one of its channels.
#[test]
fn select_two_recv_cases_racing_sender() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let c = c1.clone();
        let t = thread::spawn(move || c.send(1));
        let mut s = Select::new();
        let i1 = s.recv(&c1);
        s.recv(&c2);
        let sel = s.select();
        assert_eq!(sel.index(), i1);
        assert_eq!(sel.recv(&c1), Some(1));
        t.join().unwrap();
        // The select's waiter on c2 is gone.
        assert!(c2.try_send(0).is_err());
    });
}

/// A select with a send and a receive case racing a receiver thread.
#[test]
fn select_send_and_recv_cases_racing_receiver() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let c = c1.clone();
        let t = thread::spawn(move || c.recv());
        let mut s = Select::new();
        let i1 = s.send(&c1, 4);
        s.recv(&c2);
        assert_eq!(s.select().index(), i1);
        assert_eq!(t.join().unwrap(), Some(4));
    });
}

/// Two senders race into one two-case select; the loser's value is received after.
#[test]
fn select_two_senders() {
    model(Some(4), || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let a = c1.clone();
        let ta = thread::spawn(move || a.send(1));
        let b = c2.clone();
        let tb = thread::spawn(move || b.send(2));
        let mut s = Select::new();
        let i1 = s.recv(&c1);
        let i2 = s.recv(&c2);
        let sel = s.select();
        let i = sel.index();
        if i == i1 {
            assert_eq!(sel.recv(&c1), Some(1));
            assert_eq!(c2.recv(), Some(2));
        } else {
            assert_eq!(i, i2);
            assert_eq!(sel.recv(&c2), Some(2));
            assert_eq!(c1.recv(), Some(1));
        }
        ta.join().unwrap();
        tb.join().unwrap();
    });
}

/// A select parked on a receive case when the channel is closed.
#[test]
fn select_races_close() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let c = c1.clone();
        let t = thread::spawn(move || c.close());
        let mut s = Select::new();
        let i1 = s.recv(&c1);
        s.recv(&c2);
        let sel = s.select();
        assert_eq!(sel.index(), i1);
        assert_eq!(sel.recv(&c1), None);
        t.join().unwrap();
    });
}

/// close racing two parked receivers: both get None.
#[test]
fn close_races_two_receivers() {
    model(Some(5), || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let r1 = thread::spawn(move || c.recv());
        let c = ch.clone();
        let r2 = thread::spawn(move || c.recv());
        ch.close();
        assert_eq!(r1.join().unwrap(), None);
        assert_eq!(r2.join().unwrap(), None);
    });
}

/// A sender thread and a receiver thread meet on an unbuffered channel.
#[test]
fn unbuffered_sender_and_receiver_threads() {
    model(Some(5), || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let r = thread::spawn(move || c.recv());
        let c = ch.clone();
        let s = thread::spawn(move || c.send(1));
        assert_eq!(r.join().unwrap(), Some(1));
        s.join().unwrap();
    });
}

/// The lock-free failure fast paths of the try_ forms against locked operations.
#[test]
fn try_forms_three_threads() {
    model(Some(5), || {
        let ch = Chan::<i32>::new(1);
        let c = ch.clone();
        let a = thread::spawn(move || c.try_send(1).is_ok());
        let c = ch.clone();
        let b = thread::spawn(move || c.try_send(2).is_ok());
        let got = ch.try_recv().ok();
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        // Exactly as many values are left as were sent and not taken.
        let sent = a as usize + b as usize;
        assert!(sent >= 1, "an empty cap-1 buffer refused both sends");
        assert_eq!(ch.len(), sent - got.is_some() as usize);
    });
}

/// chan_test.go TestNonblockRecvRace: a non-blocking receive on a buffered channel
/// holding a value never reports "empty" while another thread closes and drains it.
#[test]
fn nonblock_recv_races_close() {
    model(ALL, || {
        let ch = Chan::<i32>::new(1);
        ch.send(1);
        let c = ch.clone();
        let t = thread::spawn(move || c.try_recv());
        ch.close();
        let mine = ch.recv();
        let theirs = t.join().unwrap();
        assert_ne!(
            theirs,
            Err(csp_core::TryRecvError::Empty),
            "chan is not ready"
        );
        // The value went to exactly one of the two.
        assert_eq!(mine.is_some() as u8 + theirs.is_ok() as u8, 1);
    });
}

/// chan_test.go TestNonblockSelectRace: from the select's start on, one of c1, c2
/// is always ready, so a non-blocking select never takes default.
#[test]
fn nonblock_select_is_atomic() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(1);
        let c2 = Chan::<i32>::new(1);
        c1.send(1);
        let (a, b) = (c1.clone(), c2.clone());
        let t = thread::spawn(move || {
            let mut s = Select::new();
            s.recv(&a);
            s.recv(&b);
            s.try_select().map(|sel| sel.index())
        });
        c2.send(1);
        let _ = c1.try_recv();
        assert!(t.join().unwrap().is_some(), "no chan is ready");
    });
}

/// TestNonblockSelectRace2: the same with close(c2) for c2 <- 1.
#[test]
fn nonblock_select_is_atomic_with_close() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(1);
        let c2 = Chan::<i32>::new(0);
        c1.send(1);
        let (a, b) = (c1.clone(), c2.clone());
        let t = thread::spawn(move || {
            let mut s = Select::new();
            s.recv(&a);
            s.recv(&b);
            s.try_select().map(|sel| sel.index())
        });
        c2.close();
        let _ = c1.try_recv();
        assert!(t.join().unwrap().is_some(), "no chan is ready");
    });
}

/// A select parked on a send case panics when that channel is closed.
#[test]
fn select_send_case_races_close() {
    model(ALL, || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let (a, b) = (c1.clone(), c2.clone());
        let t = thread::spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let mut s = Select::new();
                s.send(&a, 1);
                s.recv(&b);
                s.select().index()
            }))
            .map_err(|e| panic_message(&*e))
        });
        c1.close();
        assert_eq!(t.join().unwrap(), Err("send on closed channel".to_string()));
        // The select's waiter on c2 is gone.
        assert!(c2.try_send(0).is_err());
    });
}

/// chan_test.go TestSelectDuplicateChannel: a select queued twice on `c` and once
/// on `d`, woken through `d`, leaves nothing behind on `c`.
#[test]
fn select_duplicate_channel() {
    model(ALL, || {
        let c = Chan::<i32>::new(0);
        let d = Chan::<i32>::new(0);
        let (c1, d1) = (c.clone(), d.clone());
        let t = thread::spawn(move || {
            let mut s = Select::new();
            s.recv(&c1);
            s.recv(&c1);
            let id = s.recv(&d1);
            let sel = s.select();
            assert_eq!(sel.index(), id);
            sel.recv(&d1)
        });
        d.send(7);
        assert_eq!(t.join().unwrap(), Some(7));
        assert!(c.try_send(8).is_err(), "a stale waiter is left on c");
    });
}

/// Two senders and one receiver on a buffer of one: both values arrive, once each.
#[test]
fn buffered_two_senders_one_receiver() {
    model(Some(5), || {
        let ch = Chan::<i32>::new(1);
        let c = ch.clone();
        let a = thread::spawn(move || c.send(1));
        let c = ch.clone();
        let b = thread::spawn(move || c.send(2));
        let mut got = [ch.recv().unwrap(), ch.recv().unwrap()];
        got.sort();
        assert_eq!(got, [1, 2]);
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(ch.len(), 0);
    });
}

/// Select poll-order seeds the select models run under: each seed is a
/// different sequence of poll orders (runtime/rand.rs), so an interleaving bug
/// that needs one order is not hidden by a fixed seed.
const SEEDS: [u64; 3] = [1, 0x9e37_79b9_7f4a_7c15, 0xd1b5_4a32_d192_ed03];

/// [`model`], once per seed of [`SEEDS`].
fn model_seeds<F>(bound: Option<usize>, f: F)
where
    F: Fn() + Sync + Send + Clone + 'static,
{
    for seed in SEEDS {
        csp_core::__private::set_loom_select_seed(seed);
        model(bound, f.clone());
    }
    csp_core::__private::set_loom_select_seed(1);
}

/// Two selects over the same two channels, listed in opposite orders (the
/// locks are still taken in address order): a select of two sends against a
/// select of two receives. Exactly one pair meets, with the value of the case
/// both chose, and no waiter of either select is left queued.
#[test]
fn two_selects_over_overlapping_channels() {
    model_seeds(Some(3), || {
        let a = Chan::<i32>::new(0);
        let b = Chan::<i32>::new(0);
        let (a2, b2) = (a.clone(), b.clone());
        let t = thread::spawn(move || {
            let mut s = Select::new();
            let ib = s.recv(&b2);
            let ia = s.recv(&a2);
            let sel = s.select();
            let i = sel.index();
            if i == ia {
                ('a', sel.recv(&a2))
            } else {
                assert_eq!(i, ib);
                ('b', sel.recv(&b2))
            }
        });
        let mut s = Select::new();
        let ia = s.send(&a, 1);
        let ib = s.send(&b, 2);
        let i = s.select().index();
        let got = t.join().unwrap();
        if i == ia {
            assert_eq!(got, ('a', Some(1)));
        } else {
            assert_eq!(i, ib);
            assert_eq!(got, ('b', Some(2)));
        }
        assert!(a.try_send(0).is_err(), "a stale receiver is left on a");
        assert!(b.try_send(0).is_err(), "a stale receiver is left on b");
        assert!(
            a.try_recv().is_err() && b.try_recv().is_err(),
            "a stale sender is left"
        );
    });
}

/// Two senders of two values each and one receiver on a buffer of two: every
/// value arrives once, each sender's in its order, and the buffer ends empty.
#[test]
fn buffer_of_two_two_senders_one_receiver() {
    model(Some(3), || {
        let ch = Chan::<i32>::new(2);
        let c = ch.clone();
        let a = thread::spawn(move || {
            c.send(1);
            c.send(2);
        });
        let c = ch.clone();
        let b = thread::spawn(move || {
            c.send(3);
            c.send(4);
        });
        let got: Vec<i32> = (0..4).map(|_| ch.recv().unwrap()).collect();
        let pos = |v| {
            got.iter()
                .position(|&x| x == v)
                .expect("every value arrives")
        };
        assert!(pos(1) < pos(2), "sender a's values out of order: {got:?}");
        assert!(pos(3) < pos(4), "sender b's values out of order: {got:?}");
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(ch.len(), 0);
    });
}

/// A buffer of three that two senders fill past its capacity while the
/// receiver drains it, with `close` after both senders are done: the receiver
/// gets all five values and then `None`.
#[test]
fn buffer_of_three_then_close() {
    model(Some(2), || {
        let ch = Chan::<i32>::new(3);
        let c = ch.clone();
        let a = thread::spawn(move || {
            c.send(1);
            c.send(2);
            c.send(3);
        });
        let c = ch.clone();
        let b = thread::spawn(move || {
            c.send(4);
            c.send(5);
        });
        let mut got: Vec<i32> = (0..5).map(|_| ch.recv().unwrap()).collect();
        a.join().unwrap();
        b.join().unwrap();
        ch.close();
        assert_eq!(ch.recv(), None);
        got.sort();
        assert_eq!(got, [1, 2, 3, 4, 5]);
    });
}

/// Two senders into one two-case select, under every seed of [`SEEDS`].
#[test]
fn select_two_senders_seeded() {
    model_seeds(Some(3), || {
        let c1 = Chan::<i32>::new(0);
        let c2 = Chan::<i32>::new(0);
        let a = c1.clone();
        let ta = thread::spawn(move || a.send(1));
        let b = c2.clone();
        let tb = thread::spawn(move || b.send(2));
        let mut s = Select::new();
        let i1 = s.recv(&c1);
        s.recv(&c2);
        let sel = s.select();
        if sel.index() == i1 {
            assert_eq!(sel.recv(&c1), Some(1));
            assert_eq!(c2.recv(), Some(2));
        } else {
            assert_eq!(sel.recv(&c2), Some(2));
            assert_eq!(c1.recv(), Some(1));
        }
        ta.join().unwrap();
        tb.join().unwrap();
    });
}

/// The futex lock's own protocol (`lock_futex.rs`, Go's `lock_futex.go`):
/// three threads take it in turn around a counter. loom fails the model if two
/// are ever inside at once (the cell's accesses would race), or if one sleeps
/// in the futex and no `unlock` wakes it (every thread blocked: a deadlock).
#[test]
fn futex_lock_excludes_and_never_loses_a_wakeup() {
    use loom::cell::UnsafeCell;
    use std::sync::Arc;

    struct Counter {
        lock: csp_core::__private::FutexLock,
        n: UnsafeCell<u32>,
    }
    // SAFETY: `n` is only touched with `lock` held (which the model checks).
    unsafe impl Sync for Counter {}

    model(Some(3), || {
        let c = Arc::new(Counter {
            lock: Default::default(),
            n: UnsafeCell::new(0),
        });
        let bump = |c: &Counter| {
            c.lock.lock();
            // SAFETY: the lock is held.
            c.n.with_mut(|n| unsafe { *n += 1 });
            c.lock.unlock();
        };
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let c = c.clone();
                thread::spawn(move || bump(&c))
            })
            .collect();
        bump(&c);
        for t in ts {
            t.join().unwrap();
        }
        // SAFETY: every thread has finished.
        assert_eq!(c.n.with(|n| unsafe { *n }), 3);
    });
}

// ---------------------------------------------------------------------------
// Channel futures (`recv_async`, `send_async`): cancellation and close.

/// A waker that does nothing: the models poll by hand.
struct NoWake;

impl std::task::Wake for NoWake {
    fn wake(self: std::sync::Arc<Self>) {}
}

fn poll_once<F: std::future::Future>(
    f: std::pin::Pin<&mut F>,
    w: &std::task::Waker,
) -> std::task::Poll<F::Output> {
    f.poll(&mut std::task::Context::from_waker(w))
}

/// Wakes a thread parked in [`block_on`].
struct Unpark(thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` on this model thread until it completes, parking between polls.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let w = std::task::Waker::from(std::sync::Arc::new(Unpark(thread::current())));
    loop {
        if let std::task::Poll::Ready(v) = poll_once(f.as_mut(), &w) {
            return v;
        }
        thread::park();
    }
}

/// Counts its drops (the models check that a value is dropped exactly once).
struct Counted(std::sync::Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A queued receive future, polled again and dropped while a sender hands it
/// a value: the value is returned by the second poll, or given back to the
/// channel by the drop; received exactly once either way.
#[test]
fn recv_future_dropped_while_a_sender_hands_it_a_value() {
    model(Some(3), || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.try_send(1).is_ok());
        let w = std::task::Waker::from(std::sync::Arc::new(NoWake));
        let mut got = 0;
        {
            let mut f = Box::pin(ch.recv_async());
            for _ in 0..2 {
                if let std::task::Poll::Ready(v) = poll_once(f.as_mut(), &w) {
                    assert_eq!(v, Some(1));
                    got += 1;
                    break;
                }
            }
        }
        let sent = t.join().unwrap();
        while ch.try_recv().is_ok() {
            got += 1;
        }
        assert_eq!(got, usize::from(sent), "sent {sent}, received {got} times");
    });
}

/// The same on a buffered channel whose buffer fills meanwhile: the value
/// given back comes out first.
#[test]
fn recv_future_dropped_gives_back_ahead_of_the_buffer() {
    model(Some(3), || {
        let ch = Chan::<i32>::new(1);
        let c = ch.clone();
        let t = thread::spawn(move || (c.try_send(1).is_ok(), c.try_send(2).is_ok()));
        let w = std::task::Waker::from(std::sync::Arc::new(NoWake));
        let mut got = vec![];
        {
            let mut f = Box::pin(ch.recv_async());
            if let std::task::Poll::Ready(v) = poll_once(f.as_mut(), &w) {
                got.push(v.unwrap());
            }
        }
        let (a, b) = t.join().unwrap();
        while let Ok(v) = ch.try_recv() {
            got.push(v);
        }
        let sent: Vec<i32> = [(a, 1), (b, 2)]
            .iter()
            .filter(|x| x.0)
            .map(|x| x.1)
            .collect();
        assert_eq!(got, sent, "every sent value once, in order");
    });
}

/// A queued send future dropped while a receiver takes its value: the value
/// is received, or dropped with the future; dropped exactly once.
#[test]
fn send_future_dropped_while_a_receiver_takes_it() {
    model(ALL, || {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let ch = Chan::<Counted>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.try_recv().is_ok());
        let w = std::task::Waker::from(std::sync::Arc::new(NoWake));
        {
            let mut f = Box::pin(ch.send_async(Counted(drops.clone())));
            let _ = poll_once(f.as_mut(), &w);
        }
        let received = t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1, "received: {received}");
        assert!(ch.try_recv().is_err());
    });
}

/// The same race through `Chan::sink`: a sink dropped with its item queued
/// while a receiver takes it. The item is dropped exactly once (by the
/// receiver, or by the sink unsent) and never left in the queue.
#[test]
fn sink_dropped_while_a_receiver_takes_its_item() {
    use futures_sink::Sink;
    // Bound 3 (1.5 s): exhaustive ran 19 minutes here, for the same race as
    // the send future's model above, which is exhaustive.
    model(Some(3), || {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let ch = Chan::<Counted>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.try_recv().is_ok());
        let w = std::task::Waker::from(std::sync::Arc::new(NoWake));
        let mut cx = std::task::Context::from_waker(&w);
        {
            let mut sink = ch.sink();
            let mut s = std::pin::Pin::new(&mut sink);
            assert!(s.as_mut().poll_ready(&mut cx).is_ready());
            s.as_mut().start_send(Counted(drops.clone())).unwrap();
            let _ = s.as_mut().poll_flush(&mut cx);
        }
        let received = t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1, "received: {received}");
        assert!(ch.try_recv().is_err());
    });
}

/// close racing a pending receive future: it wakes and ends with None.
#[test]
fn close_races_recv_future() {
    model(ALL, || {
        let ch = Chan::<i32>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.close());
        assert_eq!(block_on(ch.recv_async()), None);
        t.join().unwrap();
    });
}

/// close racing a pending send future: it panics "send on closed channel"
/// when polled, and its value is dropped once.
#[test]
fn close_races_send_future() {
    model(ALL, || {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let ch = Chan::<Counted>::new(0);
        let c = ch.clone();
        let t = thread::spawn(move || c.close());
        let d = drops.clone();
        let r = catch_unwind(AssertUnwindSafe(|| block_on(ch.send_async(Counted(d)))));
        assert_eq!(panic_message(&*r.unwrap_err()), "send on closed channel");
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
