//! Go's sync/cond_test.go (TestCondSignal, TestCondSignalGenerations,
//! TestCondBroadcast, TestRace, TestCondSignalStealing), from goroutines
//! and from OS threads.

use std::sync::Arc;
use std::time::Duration;

use csp_core::sync::{Cond, Mutex};
use csp_core::{after, go, select, Builder, Chan};

type Shared<T> = Arc<(Mutex<T>, Cond)>;

fn shared<T>(v: T) -> Shared<T> {
    Arc::new((Mutex::new(v), Cond::new()))
}

fn both(name: &str, body: fn()) {
    eprintln!("{name}: threads");
    body();
    eprintln!("{name}: goroutines");
    Builder::new().workers(4).run(body);
}

fn cond_signal() {
    let s = shared(());
    let mut n = 2;
    let running = Chan::new(n);
    let awake = Chan::new(n);
    for _ in 0..n {
        let (s, running, awake) = (s.clone(), running.clone(), awake.clone());
        go! {
            let g = s.0.lock();
            running <- true;
            let g = s.1.wait(g);
            awake <- true;
            drop(g);
        };
    }
    for _ in 0..n {
        running.recv(); // wait for everyone to run
    }
    while n > 0 {
        select! {
            case <-awake => panic!("goroutine not asleep"),
            default => {},
        }
        let g = s.0.lock();
        s.1.signal();
        drop(g);
        awake.recv(); // deadlocks if no goroutine wakes up
        select! {
            case <-awake => panic!("too many goroutines awake"),
            default => {},
        }
        n -= 1;
    }
    s.1.signal();
}

#[test]
fn cond_signal_both() {
    both("TestCondSignal", cond_signal);
}

fn cond_signal_generations() {
    let s = shared(());
    let n = 100;
    let running = Chan::new(n);
    let awake = Chan::new(n);
    for i in 0..n {
        let (s2, running2, awake2) = (s.clone(), running.clone(), awake.clone());
        go! {
            let g = s2.0.lock();
            running2 <- true;
            let g = s2.1.wait(g);
            awake2 <- i;
            drop(g);
        };
        if i > 0 {
            let a = awake.recv().unwrap();
            assert_eq!(a, i - 1, "wrong goroutine woke up: want {}, got {a}", i - 1);
        }
        running.recv();
        let g = s.0.lock();
        s.1.signal();
        drop(g);
    }
}

#[test]
fn cond_signal_generations_both() {
    both("TestCondSignalGenerations", cond_signal_generations);
}

fn cond_broadcast() {
    let s = shared(false); // `exit`
    let n = 200;
    let running = Chan::new(n);
    let awake = Chan::new(n);
    for g in 0..n {
        let (s, running, awake) = (s.clone(), running.clone(), awake.clone());
        go! {
            let mut m = s.0.lock();
            while !*m {
                running.send(g);
                m = s.1.wait(m);
                awake.send(g);
            }
            drop(m);
        };
    }
    for i in 0..n {
        for _ in 0..n {
            running.recv(); // wait for everyone to run
        }
        if i == n - 1 {
            *s.0.lock() = true;
        }
        select! {
            case <-awake => panic!("goroutine not asleep"),
            default => {},
        }
        let m = s.0.lock();
        s.1.broadcast();
        drop(m);
        let mut seen = vec![false; n];
        for _ in 0..n {
            let g = awake.recv().unwrap();
            assert!(!seen[g], "goroutine woke up twice");
            seen[g] = true;
        }
    }
    select! {
        case <-running => panic!("goroutine did not exit"),
        default => {},
    }
    s.1.broadcast();
}

#[test]
fn cond_broadcast_both() {
    both("TestCondBroadcast", cond_broadcast);
}

fn race() {
    let s = shared(0);
    let done = Chan::new(0);
    {
        let (s, done) = (s.clone(), done.clone());
        go! {
            let mut x = s.0.lock();
            *x = 1;
            x = s.1.wait(x);
            assert_eq!(*x, 2, "want 2");
            *x = 3;
            s.1.signal();
            drop(x);
            done <- true;
        };
    }
    {
        let (s, done) = (s.clone(), done.clone());
        go! {
            let mut x = s.0.lock();
            loop {
                if *x == 1 {
                    *x = 2;
                    s.1.signal();
                    break;
                }
                drop(x);
                csp_core::yield_now();
                x = s.0.lock();
            }
            drop(x);
            done <- true;
        };
    }
    {
        let (s, done) = (s.clone(), done.clone());
        go! {
            let mut x = s.0.lock();
            loop {
                if *x == 2 {
                    x = s.1.wait(x);
                    assert_eq!(*x, 3, "want 3");
                    break;
                }
                if *x == 3 {
                    break;
                }
                drop(x);
                csp_core::yield_now();
                x = s.0.lock();
            }
            drop(x);
            done <- true;
        };
    }
    for _ in 0..3 {
        done.recv();
    }
}

#[test]
fn race_both() {
    both("TestRace", race);
}

fn cond_signal_stealing() {
    for _ in 0..1000 {
        let s = shared(false); // `done`
                               // Start a waiter.
        let ch = Chan::new(0);
        {
            let (s, ch) = (s.clone(), ch.clone());
            go! {
                let m = s.0.lock();
                ch <- ();
                let m = s.1.wait(m);
                drop(m);
                ch <- ();
            };
        }
        ch.recv();
        drop(s.0.lock());
        // The waiter is in wait(): we synchronised with it, then took and
        // released the mutex it held. Now race a broadcast with a new
        // waiter: the new one may or may not be woken, the first must be.
        {
            let s = s.clone();
            go! { s.1.broadcast() };
        }
        {
            let s = s.clone();
            go! {
                let mut m = s.0.lock();
                while !*m {
                    m = s.1.wait(m);
                }
            };
        }
        select! {
            case <-ch => {},
            case <-after(Duration::from_secs(2)) => panic!("First waiter didn't get broadcast."),
        }
        // Release the second waiter in case it didn't get the broadcast.
        *s.0.lock() = true;
        s.1.broadcast();
    }
}

#[test]
fn cond_signal_stealing_both() {
    both("TestCondSignalStealing", cond_signal_stealing);
}

/// A Cond wait from a plain OS thread, signalled by a goroutine.
#[test]
fn thread_waits_goroutine_signals() {
    let s = shared(0);
    let s2 = s.clone();
    let h = go! {
        for _ in 0..100 {
            let mut g = s2.0.lock();
            *g += 1;
            s2.1.signal();
        }
    };
    let g = s.1.wait_while(s.0.lock(), |n| *n < 100);
    assert_eq!(*g, 100);
    drop(g);
    h.join().unwrap();
}
