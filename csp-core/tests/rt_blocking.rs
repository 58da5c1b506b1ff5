//! A goroutine that blocks its OS thread never stalls the others: `blocking`
//! hands its P off, and sysmon retakes the P of an M stuck in a goroutine
//! while work waits (issue: "Ms apart from Ps"). These check behaviour only:
//! each would hang (and be killed by the harness) without the hand-off.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, OnceLock};
use std::time::Duration;

use csp_core::{blocking, spawn, Builder, Chan, WaitGroup};

/// Eight goroutines meet at a std Barrier of eight under two workers: possible
/// only if all eight run at once, i.e. if six more threads took the Ps over
/// while the first ones blocked (nobody annotated the wait).
#[test]
fn std_barrier_of_eight_under_two_workers() {
    Builder::new().workers(2).run(|| {
        let b = Arc::new(Barrier::new(8));
        let hs: Vec<_> = (0..8)
            .map(|i| {
                let b = b.clone();
                spawn(move || {
                    b.wait();
                    i
                })
            })
            .collect();
        let sum: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(sum, 28);
    });
}

/// The same meeting, announced with `blocking`: hand-off at once.
#[test]
fn std_barrier_of_eight_in_blocking_under_two_workers() {
    Builder::new().workers(2).run(|| {
        let b = Arc::new(Barrier::new(8));
        let wg = WaitGroup::new();
        for _ in 0..8 {
            let (b, wg) = (b.clone(), wg.clone());
            wg.add(1);
            spawn(move || {
                blocking(|| b.wait());
                wg.done();
            });
        }
        wg.wait();
    });
}

/// 1 000 goroutines hold a std Mutex across `yield_now`: the holder is queued
/// behind goroutines that block their threads on the lock (Go: 17.5 ms).
#[test]
fn std_mutex_held_across_yield() {
    Builder::new().workers(2).run(|| {
        let m = Arc::new(Mutex::new(0u64));
        let wg = WaitGroup::new();
        for _ in 0..1000 {
            let (m, wg) = (m.clone(), wg.clone());
            wg.add(1);
            spawn(move || {
                let mut g = m.lock().unwrap();
                csp_core::yield_now();
                *g += 1;
                drop(g);
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(*m.lock().unwrap(), 1000);
    });
}

/// A std `OnceLock` whose init parks the goroutine (a csp sleep) while other
/// goroutines block their threads in `get_or_init`.
fn once_lock_with_parking_init(n: usize) {
    Builder::new().workers(2).run(move || {
        let cell = Arc::new(OnceLock::new());
        let inits = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..n)
            .map(|_| {
                let (cell, inits) = (cell.clone(), inits.clone());
                spawn(move || {
                    *cell.get_or_init(|| {
                        inits.fetch_add(1, Ordering::SeqCst);
                        csp_core::sleep(Duration::from_millis(20));
                        42
                    })
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), 42);
        }
        assert_eq!(inits.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn std_once_lock_with_parking_init_3() {
    once_lock_with_parking_init(3);
}

#[test]
fn std_once_lock_with_parking_init_100() {
    once_lock_with_parking_init(100);
}

/// A goroutine that spins without ever yielding does not stop 1 000 others
/// under one worker.
#[test]
fn cpu_hog_does_not_starve_others_under_one_worker() {
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    Builder::new().workers(1).run(move || {
        let hog_started = Chan::new(1);
        let tx = hog_started.clone();
        let s = stop2.clone();
        spawn(move || {
            tx.send(());
            while !s.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        hog_started.recv();
        let done = Chan::new(1000);
        for i in 0..1000u64 {
            let done = done.clone();
            spawn(move || done.send(i));
        }
        let sum: u64 = (0..1000).map(|_| done.recv().unwrap()).sum();
        assert_eq!(sum, 999 * 1000 / 2);
        stop2.store(true, Ordering::Relaxed);
    });
    stop.store(true, Ordering::Relaxed);
}

#[test]
fn blocking_returns_its_value_and_nests() {
    let v = Builder::new().workers(1).run(|| {
        blocking(|| {
            let inner = blocking(|| 20);
            inner + 1
        }) * 2
    });
    assert_eq!(v, 42);
}

#[test]
fn blocking_propagates_panics() {
    let r = Builder::new().workers(2).run(|| {
        std::panic::catch_unwind(|| blocking(|| panic!("inside blocking")))
    });
    let e = r.unwrap_err();
    assert_eq!(e.downcast_ref::<&str>(), Some(&"inside blocking"));
}

#[test]
fn blocking_outside_a_goroutine_just_calls() {
    assert_eq!(blocking(|| 7), 7);
}

/// Goroutines go on running channel operations (which ready others) from
/// inside `blocking` and after it, whichever M they end up on.
#[test]
fn channel_traffic_inside_and_after_blocking() {
    Builder::new().workers(2).run(|| {
        let ch = Chan::new(0);
        let n = 200;
        let mut hs = Vec::new();
        for i in 0..n {
            let ch = ch.clone();
            hs.push(spawn(move || {
                blocking(|| std::thread::sleep(Duration::from_micros(100)));
                ch.send(i);
                blocking(|| ch.send(i));
            }));
        }
        let mut sum = 0;
        for _ in 0..2 * n {
            sum += ch.recv().unwrap();
        }
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(sum, 2 * (n - 1) * n / 2);
    });
}

/// Eight goroutines that each call `std::thread::sleep` under two workers all
/// finish, and `max_threads` bounds the threads that take Ps over: with the
/// limit at the worker count, the sleeps simply run two at a time.
#[test]
fn thread_sleep_with_max_threads_at_the_limit() {
    Builder::new().workers(2).max_threads(2).run(|| {
        let wg = WaitGroup::new();
        for _ in 0..8 {
            let wg = wg.clone();
            wg.add(1);
            spawn(move || {
                blocking(|| std::thread::sleep(Duration::from_millis(5)));
                wg.done();
            });
        }
        wg.wait();
    });
}
