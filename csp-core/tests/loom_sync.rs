//! loom models of the sync protocols on the real code, on OS threads (under
//! `--cfg loom` the primitives' atomics, internal locks and thread parking
//! are loom's): Mutex hand-off through its semaphore, RwLock's writer
//! announcement, Cond signal vs wait, Once, and the Semaphore's queue.
//!
//! Run: `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p csp-core --release --test loom_sync`
//!
//! Not modelled: starvation mode (it needs a waiter to wait 1 ms of real
//! time, and loom has no clock), and timer stop racing fire (the timer heap
//! runs on the runtime's worker threads, which loom does not drive; the
//! `time_timer` tests race them for real).
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering};

use csp_core::sync::{Cond, Mutex, Once, RwLock, Semaphore};
use loom::sync::Arc;
use loom::thread;

/// Explores `f` with a preemption bound (`None`: exhaustively) unless
/// `LOOM_MAX_PREEMPTIONS` is set.
fn model<F>(bound: Option<usize>, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut b = loom::model::Builder::new();
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        b.preemption_bound = bound;
    }
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

/// Two threads increment under the mutex: no lost update, and a waiter
/// parked on the mutex's semaphore is always woken (unlock's WOKEN and
/// waiter-count protocol against lock_slow's CAS loop).
#[test]
fn mutex_two_lockers() {
    model(None, || {
        let m = Arc::new(Mutex::new(0));
        let m2 = m.clone();
        let t = thread::spawn(move || *m2.lock() += 1);
        *m.lock() += 1;
        t.join().unwrap();
        assert_eq!(*m.lock(), 2);
    });
}

/// Three lockers, the third a try_lock that may fail: a bound keeps it small.
#[test]
fn mutex_three_lockers() {
    model(Some(3), || {
        let m = Arc::new(Mutex::new(0));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let m = m.clone();
                thread::spawn(move || *m.lock() += 1)
            })
            .collect();
        let mut extra = 0;
        if let Some(mut g) = m.try_lock() {
            *g += 1;
            extra = 1;
        }
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(*m.lock(), 2 + extra);
    });
}

/// A guard moved to and dropped on another thread (Go lets any goroutine
/// unlock), while the owner thread waits to lock again.
#[test]
fn mutex_unlock_on_other_thread() {
    model(None, || {
        let m = Arc::new(Mutex::new(()));
        let m2 = m.clone();
        let tx = csp_core::Chan::<()>::new(0);
        let tx2 = tx.clone();
        let t = thread::spawn(move || {
            let g = m2.lock();
            tx2.send(()); // hand over: the main thread now knows it is held
            drop(g);
        });
        tx.recv();
        drop(m.lock());
        t.join().unwrap();
    });
}

/// A writer and a reader: never both inside; the writer's announcement
/// (reader_count - MAX) against a reader arriving or leaving.
#[test]
fn rwlock_reader_writer() {
    model(None, || {
        let l = Arc::new(RwLock::new(0));
        let l2 = l.clone();
        let t = thread::spawn(move || {
            let v = *l2.read();
            assert!(v == 0 || v == 1);
        });
        *l.write() += 1;
        t.join().unwrap();
        assert_eq!(*l.read(), 1);
    });
}

/// Two readers and a writer, bounded.
#[test]
fn rwlock_two_readers_writer() {
    model(Some(3), || {
        let l = Arc::new(RwLock::new(0));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                thread::spawn(move || {
                    let v = *l.read();
                    assert!(v == 0 || v == 1);
                })
            })
            .collect();
        *l.write() += 1;
        for t in ts {
            t.join().unwrap();
        }
    });
}

/// Cond: a signal sent while the waiter is between taking its ticket and
/// parking is not lost; the waiter always finishes.
#[test]
fn cond_signal_vs_wait() {
    model(None, || {
        let s = Arc::new((Mutex::new(false), Cond::new()));
        let s2 = s.clone();
        let t = thread::spawn(move || {
            *s2.0.lock() = true;
            s2.1.signal();
        });
        let g = s.1.wait_while(s.0.lock(), |ready| !*ready);
        assert!(*g);
        drop(g);
        t.join().unwrap();
    });
}

/// Cond: broadcast against two waiters, bounded.
#[test]
fn cond_broadcast_two_waiters() {
    model(Some(2), || {
        let s = Arc::new((Mutex::new(false), Cond::new()));
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let s = s.clone();
                thread::spawn(move || {
                    drop(s.1.wait_while(s.0.lock(), |ready| !*ready));
                })
            })
            .collect();
        *s.0.lock() = true;
        s.1.broadcast();
        for t in ts {
            t.join().unwrap();
        }
    });
}

/// Once: two callers; the action runs exactly once and both see its effect
/// when `call_once` returns.
#[test]
fn once_two_callers() {
    model(None, || {
        let o = Arc::new((Once::new(), loom::sync::atomic::AtomicUsize::new(0)));
        let o2 = o.clone();
        let t = thread::spawn(move || {
            o2.0.call_once(|| {
                o2.1.fetch_add(1, loom::sync::atomic::Ordering::Relaxed);
            });
            assert_eq!(o2.1.load(loom::sync::atomic::Ordering::Relaxed), 1);
        });
        o.0.call_once(|| {
            o.1.fetch_add(1, loom::sync::atomic::Ordering::Relaxed);
        });
        assert_eq!(o.1.load(loom::sync::atomic::Ordering::Relaxed), 1);
        t.join().unwrap();
    });
}

/// Semaphore: a waiter for 2 units and one for 1 against a holder's
/// release: every request is granted, units are conserved.
#[test]
fn semaphore_queue() {
    model(Some(3), || {
        let s = Arc::new(Semaphore::new(2));
        s.acquire(2);
        let s2 = s.clone();
        let big = thread::spawn(move || {
            s2.acquire(2);
            s2.release(2);
        });
        let s3 = s.clone();
        let small = thread::spawn(move || {
            s3.acquire(1);
            s3.release(1);
        });
        s.release(2);
        big.join().unwrap();
        small.join().unwrap();
        assert!(s.try_acquire(2), "units lost");
    });
}

/// Semaphore: release racing a parked acquire, exhaustively.
#[test]
fn semaphore_release_vs_acquire() {
    model(None, || {
        let s = Arc::new(Semaphore::new(1));
        s.acquire(1);
        let s2 = s.clone();
        let t = thread::spawn(move || {
            s2.acquire(1);
            s2.release(1);
        });
        s.release(1);
        t.join().unwrap();
        assert!(s.try_acquire(1));
    });
}
