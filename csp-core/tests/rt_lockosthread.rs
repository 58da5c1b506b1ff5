//! `lock_os_thread`: a locked goroutine stays on its thread across parks,
//! yields and sleeps, its thread runs nobody else, and the others go on.

use std::cell::Cell;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use csp_core::{lock_os_thread, spawn, unlock_os_thread, Builder, Chan};

std::thread_local! {
    static MARK: Cell<u64> = const { Cell::new(0) };
}

#[test]
fn locked_goroutine_keeps_its_thread_and_its_thread_locals() {
    Builder::new().workers(2).run(|| {
        let ping: Chan<u64> = Chan::new(0);
        let pong: Chan<u64> = Chan::new(0);
        let others = Arc::new(Mutex::new(HashSet::new()));
        // Unlocked goroutines keep the channels busy and record their threads.
        let (p2, q2, o2) = (ping.clone(), pong.clone(), others.clone());
        let echo = spawn(move || {
            for v in &p2 {
                o2.lock().unwrap().insert(std::thread::current().id());
                q2.send(v + 1);
            }
        });
        let locked = spawn(move || {
            lock_os_thread();
            let me = std::thread::current().id();
            MARK.with(|m| m.set(7));
            for i in 0..2_000u64 {
                ping.send(i);
                assert_eq!(pong.recv(), Some(i + 1));
                if i % 100 == 0 {
                    csp_core::sleep(Duration::from_micros(50));
                    csp_core::yield_now();
                }
                assert_eq!(std::thread::current().id(), me, "moved at round {i}");
                assert_eq!(MARK.with(Cell::get), 7);
            }
            ping.close();
            unlock_os_thread();
            me
        });
        let me = locked.join().unwrap();
        echo.join().unwrap();
        // The locked thread ran no other goroutine.
        assert!(!others.lock().unwrap().contains(&me));
    });
}

#[test]
fn many_locked_goroutines_under_one_worker() {
    Builder::new().workers(1).run(|| {
        // All eight lock, then wait at a gate together: each parked locked
        // goroutine holds its thread, so eight threads are held at once.
        let ready = csp_core::WaitGroup::new();
        let gate: Chan<()> = Chan::new(0);
        let hs: Vec<_> = (0..8)
            .map(|_| {
                let (ready, gate) = (ready.clone(), gate.clone());
                ready.add(1);
                spawn(move || {
                    lock_os_thread();
                    lock_os_thread(); // nested: two unlocks needed
                    let me = std::thread::current().id();
                    ready.done();
                    assert_eq!(gate.recv(), None);
                    assert_eq!(std::thread::current().id(), me);
                    for _ in 0..50 {
                        csp_core::sleep(Duration::from_micros(100));
                        assert_eq!(std::thread::current().id(), me);
                    }
                    unlock_os_thread();
                    csp_core::yield_now();
                    assert_eq!(std::thread::current().id(), me, "still locked once");
                    unlock_os_thread();
                    me
                })
            })
            .collect();
        ready.wait();
        gate.close();
        let ids: HashSet<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        // Each sleeping locked goroutine held a thread of its own.
        assert_eq!(ids.len(), 8);
    });
}

#[test]
fn a_goroutine_that_returns_locked_frees_its_thread() {
    Builder::new().workers(1).run(|| {
        for _ in 0..20 {
            spawn(|| {
                lock_os_thread();
                csp_core::yield_now();
            })
            .join()
            .unwrap();
        }
        // The runtime still runs ordinary goroutines afterwards.
        let c = Chan::new(0);
        let c2 = c.clone();
        spawn(move || c2.send(1));
        assert_eq!(c.recv(), Some(1));
    });
}

#[test]
fn lock_os_thread_outside_a_goroutine_does_nothing() {
    lock_os_thread();
    unlock_os_thread();
    unlock_os_thread();
}
