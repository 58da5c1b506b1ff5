//! Go's sync/mutex_test.go and rwmutex_test.go, ported with Go's sizes, each
//! from goroutines and from OS threads; plus what makes these locks
//! goroutine-aware (a holder that parks does not hang its worker).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::sync::{Mutex, RwLock};
use csp_core::{after, go, select, sleep, Builder, Chan};

/// Runs `body` on the calling OS thread (goroutines it starts go to the
/// global runtime).
fn on_threads(body: fn()) {
    body();
}

/// Runs `body` as the main goroutine of a runtime with `workers` Ps.
fn on_goroutines(workers: usize, body: fn()) {
    Builder::new().workers(workers).run(body);
}

// --- mutex_test.go -------------------------------------------------------

fn hammer_mutex(m: &Mutex<()>, loops: usize) {
    for i in 0..loops {
        if i % 3 == 0 {
            if let Some(g) = m.try_lock() {
                drop(g);
            }
            continue;
        }
        drop(m.lock());
    }
}

/// TestMutex: TryLock on a locked mutex fails, then 10 hammering goroutines
/// × 1000 loops.
fn test_mutex() {
    let m = Arc::new(Mutex::new(()));
    let g = m.lock();
    assert!(
        m.try_lock().is_none(),
        "TryLock succeeded with mutex locked"
    );
    drop(g);
    assert!(m.try_lock().is_some(), "TryLock failed with mutex unlocked");
    let c = Chan::new(0);
    for _ in 0..10 {
        let (m, c) = (m.clone(), c.clone());
        go! {
            hammer_mutex(&m, 1000);
            c <- true;
        };
    }
    for _ in 0..10 {
        c.recv();
    }
}

#[test]
fn mutex_threads() {
    on_threads(test_mutex);
}

#[test]
fn mutex_goroutines() {
    on_goroutines(4, test_mutex);
}

/// TestMutex's hammering from OS threads directly (not goroutines).
#[test]
fn mutex_hammered_by_os_threads() {
    let m = Arc::new(Mutex::new(()));
    let ts: Vec<_> = (0..10)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || hammer_mutex(&m, 1000))
        })
        .collect();
    for t in ts {
        t.join().unwrap();
    }
}

/// TestMutexFairness: a goroutine that re-locks at once after holding the
/// mutex for 100µs does not starve another that wants it 10 times (Go's
/// 10-second bound is the hang detector).
fn test_mutex_fairness() {
    let mu = Arc::new(Mutex::new(()));
    let stop = Chan::<bool>::new(0);
    let _closer = stop.close_on_drop();
    {
        let (mu, stop) = (mu.clone(), stop.clone());
        go! {
            loop {
                let g = mu.lock();
                sleep(Duration::from_micros(100));
                drop(g);
                select! {
                    case <-stop => return,
                    default => {},
                }
            }
        };
    }
    let done = Chan::new(1);
    {
        let (mu, done) = (mu.clone(), done.clone());
        go! {
            for _ in 0..10 {
                sleep(Duration::from_micros(100));
                drop(mu.lock());
            }
            done <- true;
        };
    }
    select! {
        case <-done => {},
        case <-after(Duration::from_secs(10)) => panic!("can't acquire Mutex in 10 seconds"),
    }
}

#[test]
fn mutex_fairness_threads() {
    on_threads(test_mutex_fairness);
}

#[test]
fn mutex_fairness_goroutines() {
    on_goroutines(2, test_mutex_fairness);
}

/// Counting under the lock: every increment is kept (N goroutines × M).
fn counter() {
    let n = Arc::new(Mutex::new(0u64));
    let wg = csp_core::WaitGroup::new();
    for _ in 0..64 {
        let n = n.clone();
        wg.go(move || {
            for _ in 0..1000 {
                *n.lock() += 1;
            }
        });
    }
    wg.wait();
    assert_eq!(*n.lock(), 64_000);
}

#[test]
fn counter_threads() {
    on_threads(counter);
}

#[test]
fn counter_goroutines() {
    on_goroutines(4, counter);
}

/// A holder that parks (a channel receive) does not block its worker: with
/// one worker, a second goroutine waiting for the mutex and the sender both
/// still run. With a std mutex this program hangs.
#[test]
fn holder_parks_on_one_worker() {
    Builder::new().workers(1).run(|| {
        let m = Arc::new(Mutex::new(0));
        let ch = Chan::new(0);
        let (m1, c1) = (m.clone(), ch.clone());
        let holder = go! {
            let mut g = m1.lock();
            *g = c1.recv().unwrap(); // parks holding the mutex
        };
        csp_core::yield_now();
        let m2 = m.clone();
        let waiter = go! { *m2.lock() + 1 };
        csp_core::yield_now();
        ch.send(41);
        holder.join().unwrap();
        assert_eq!(waiter.join().unwrap(), 42);
    });
}

/// No poisoning (Go has none): a panic while locked unlocks, and the data
/// stays usable.
#[test]
fn no_poisoning() {
    let m = Arc::new(Mutex::new(1));
    let m2 = m.clone();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut g = m2.lock();
        *g = 2;
        panic!("boom");
    }));
    assert!(r.is_err());
    assert_eq!(*m.lock(), 2);
}

/// TestMutexMisuse's Rust counterpart: a double lock is a deadlock, which
/// the detector reports with Go's wait reason.
#[test]
fn double_lock_is_a_reported_deadlock() {
    let r = catch_unwind(|| {
        csp_core::run(|| {
            let m = Mutex::new(());
            let _a = m.lock();
            let _b = m.lock();
        })
    });
    let p = r.expect_err("run should have panicked");
    let msg = p
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap();
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!"),
        "{msg}"
    );
    assert!(msg.contains("[sync.Mutex.Lock]"), "{msg}");
}

/// Starvation mode: with one goroutine hogging the lock in a tight loop and
/// others waiting longer than 1 ms, every waiter still gets it (hand-off).
fn starvation_handoff() {
    let m = Arc::new(Mutex::new(0u32));
    let stop = Arc::new(AtomicBool::new(false));
    let (m1, s1) = (m.clone(), stop.clone());
    let hog = go! {
        while !s1.load(Ordering::Relaxed) {
            let g = m1.lock();
            sleep(Duration::from_micros(50));
            drop(g);
        }
    };
    let wg = csp_core::WaitGroup::new();
    for _ in 0..8 {
        let m = m.clone();
        wg.go(move || {
            for _ in 0..20 {
                *m.lock() += 1;
            }
        });
    }
    wg.wait();
    stop.store(true, Ordering::Relaxed);
    hog.join().unwrap();
    assert_eq!(*m.lock(), 160);
}

#[test]
fn starvation_handoff_threads() {
    on_threads(starvation_handoff);
}

#[test]
fn starvation_handoff_goroutines() {
    on_goroutines(2, starvation_handoff);
}

// --- rwmutex_test.go -----------------------------------------------------

/// TestParallelReaders: `n` readers hold the read lock at the same time.
fn parallel_readers(n: usize) {
    let m = Arc::new(RwLock::new(()));
    let clocked = Chan::new(0);
    let cunlock = Chan::new(0);
    let cdone = Chan::new(0);
    for _ in 0..n {
        let (m, clocked, cunlock, cdone) =
            (m.clone(), clocked.clone(), cunlock.clone(), cdone.clone());
        go! {
            let g = m.read();
            clocked <- true;
            <-cunlock;
            drop(g);
            cdone <- true;
        };
    }
    for _ in 0..n {
        clocked.recv();
    }
    for _ in 0..n {
        cunlock.send(true);
    }
    for _ in 0..n {
        cdone.recv();
    }
}

fn test_parallel_readers() {
    parallel_readers(1);
    parallel_readers(3);
    parallel_readers(4);
}

#[test]
fn parallel_readers_threads() {
    on_threads(test_parallel_readers);
}

#[test]
fn parallel_readers_goroutines() {
    on_goroutines(4, test_parallel_readers);
}

fn reader(rw: &RwLock<()>, iterations: usize, activity: &AtomicI32, cdone: &Chan<bool>) {
    for _ in 0..iterations {
        let g = rw.read();
        let n = activity.fetch_add(1, Ordering::SeqCst) + 1;
        assert!((1..10000).contains(&n), "wlock({n})");
        for _ in 0..100 {}
        activity.fetch_add(-1, Ordering::SeqCst);
        drop(g);
    }
    cdone.send(true);
}

fn writer(rw: &RwLock<()>, iterations: usize, activity: &AtomicI32, cdone: &Chan<bool>) {
    for _ in 0..iterations {
        let g = rw.write();
        let n = activity.fetch_add(10000, Ordering::SeqCst) + 10000;
        assert_eq!(n, 10000, "wlock({n})");
        for _ in 0..100 {}
        activity.fetch_add(-10000, Ordering::SeqCst);
        drop(g);
    }
    cdone.send(true);
}

/// HammerRWMutex: 2 writers and `num_readers` readers, `iterations` each.
fn hammer_rwmutex(num_readers: usize, iterations: usize) {
    let activity = Arc::new(AtomicI32::new(0));
    let rw = Arc::new(RwLock::new(()));
    let cdone = Chan::new(0);
    let spawn_w = |rw: Arc<RwLock<()>>, a: Arc<AtomicI32>, c: Chan<bool>| {
        go! { writer(&rw, iterations, &a, &c) }
    };
    spawn_w(rw.clone(), activity.clone(), cdone.clone());
    let mut i = 0;
    while i < num_readers / 2 {
        let (rw, a, c) = (rw.clone(), activity.clone(), cdone.clone());
        go! { reader(&rw, iterations, &a, &c) };
        i += 1;
    }
    spawn_w(rw.clone(), activity.clone(), cdone.clone());
    while i < num_readers {
        let (rw, a, c) = (rw.clone(), activity.clone(), cdone.clone());
        go! { reader(&rw, iterations, &a, &c) };
        i += 1;
    }
    for _ in 0..2 + num_readers {
        cdone.recv();
    }
}

/// TestRWMutex: Go's grid of (GOMAXPROCS, readers), 1000 iterations.
#[test]
fn rwmutex_goroutines() {
    let n = 1000;
    for (procs, readers) in [
        (1, 1),
        (1, 3),
        (1, 10),
        (4, 1),
        (4, 3),
        (4, 10),
        (10, 1),
        (10, 3),
        (10, 10),
        (10, 5),
    ] {
        Builder::new()
            .workers(procs)
            .run(move || hammer_rwmutex(readers, n));
    }
}

#[test]
fn rwmutex_threads() {
    for readers in [1, 3, 10] {
        hammer_rwmutex(readers, 1000);
    }
}

/// Writer preference: once a writer waits, a new reader cannot get in.
fn writer_preference() {
    let l = Arc::new(RwLock::new(0));
    let r1 = l.read();
    let l2 = l.clone();
    let w = go! { *l2.write() += 1 };
    // The writer announces itself: from then on new readers must wait.
    while let Some(g) = l.try_read() {
        drop(g);
        sleep(Duration::from_millis(1));
    }
    assert!(l.try_write().is_none());
    drop(r1);
    w.join().unwrap();
    assert_eq!(*l.read(), 1);
}

#[test]
fn writer_preference_threads() {
    on_threads(writer_preference);
}

#[test]
fn writer_preference_goroutines() {
    on_goroutines(2, writer_preference);
}

#[test]
fn rwlock_try_forms() {
    let l = RwLock::new(5);
    let a = l.try_read().unwrap();
    let b = l.try_read().unwrap();
    assert!(l.try_write().is_none());
    drop((a, b));
    let w = l.try_write().unwrap();
    assert!(l.try_read().is_none());
    drop(w);
    assert_eq!(l.into_inner(), 5);
}
