//! Go's sync/once_test.go and sync/waitgroup_test.go, plus `OnceCell`
//! (Go's OnceValue) whose init parks, from goroutines and OS threads.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use csp_core::sync::{Once, OnceCell, WaitGroup};
use csp_core::{go, select, Builder, Chan};

fn both(body: fn()) {
    body();
    Builder::new().workers(4).run(body);
}

/// TestOnce: 10 goroutines race to `Do(increment)`; it runs once, and each
/// caller returns only after it has run.
fn once() {
    let o = Arc::new(AtomicUsize::new(0));
    let once = Arc::new(Once::new());
    let c = Chan::new(0);
    for _ in 0..10 {
        let (o, once, c) = (o.clone(), once.clone(), c.clone());
        go! {
            once.call_once(|| { o.fetch_add(1, Ordering::SeqCst); });
            let v = o.load(Ordering::SeqCst);
            assert_eq!(v, 1, "once failed inside run: {v} is not 1");
            c <- true;
        };
    }
    for _ in 0..10 {
        c.recv();
    }
    assert_eq!(o.load(Ordering::SeqCst), 1, "once failed outside run");
}

#[test]
fn once_both() {
    both(once);
}

/// TestOncePanic: a panicking action counts as done.
#[test]
fn once_panic() {
    let once = Once::new();
    let r = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("failed"))));
    assert!(r.is_err(), "Once.Do did not panic");
    once.call_once(|| panic!("Once.Do called twice"));
    assert!(once.is_completed());
}

/// Callers that arrive while the action parks wait for it (goroutines park,
/// threads block).
fn once_action_parks() {
    let once = Arc::new(Once::new());
    let gate = Chan::<()>::new(0);
    let ran = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    for _ in 0..8 {
        let (once, gate, ran) = (once.clone(), gate.clone(), ran.clone());
        wg.go(move || {
            once.call_once(|| {
                gate.recv(); // parks inside the action
                ran.fetch_add(1, Ordering::SeqCst);
            });
            assert_eq!(ran.load(Ordering::SeqCst), 1);
        });
    }
    gate.send(());
    wg.wait();
}

#[test]
fn once_action_parks_both() {
    both(once_action_parks);
}

fn once_cell() {
    let cell = Arc::new(OnceCell::new());
    let gate = Chan::new(0);
    let inits = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    let out = Chan::new(16);
    for _ in 0..16 {
        let (cell, gate, inits, out) = (cell.clone(), gate.clone(), inits.clone(), out.clone());
        wg.go(move || {
            let v: &String = cell.get_or_init(|| {
                inits.fetch_add(1, Ordering::SeqCst);
                gate.recv().unwrap() // init parks
            });
            out.send(v.clone());
        });
    }
    gate.send("value".to_string());
    wg.wait();
    out.close();
    assert_eq!(inits.load(Ordering::SeqCst), 1);
    assert!(out.iter().all(|v| v == "value"));
    assert_eq!(cell.get().map(String::as_str), Some("value"));
    assert_eq!(cell.set("other".into()), Err("other".to_string()));
}

#[test]
fn once_cell_both() {
    both(once_cell);
}

#[test]
fn once_cell_panicking_init_leaves_it_empty() {
    let cell = OnceCell::new();
    let r = catch_unwind(AssertUnwindSafe(|| {
        cell.get_or_init(|| -> i32 { panic!("init failed") });
    }));
    assert!(r.is_err());
    assert!(cell.get().is_none());
    assert_eq!(*cell.get_or_init(|| 7), 7);
    assert_eq!(cell.into_inner(), Some(7));
}

#[test]
fn once_cell_drops_its_value() {
    let v = Arc::new(());
    let cell = OnceCell::new();
    cell.set(v.clone()).unwrap();
    assert_eq!(Arc::strong_count(&v), 2);
    drop(cell);
    assert_eq!(Arc::strong_count(&v), 1);
}

// --- waitgroup_test.go ---------------------------------------------------

fn test_wait_group(wg1: &WaitGroup, wg2: &WaitGroup) {
    let n = 16;
    wg1.add(n);
    wg2.add(n);
    let exited = Chan::new(n);
    for _ in 0..n {
        let (wg1, wg2, exited) = (wg1.clone(), wg2.clone(), exited.clone());
        go! {
            wg1.done();
            wg2.wait();
            exited <- true;
        };
    }
    wg1.wait();
    for _ in 0..n {
        select! {
            case <-exited => panic!("WaitGroup released group too soon"),
            default => {},
        }
        wg2.done();
    }
    for _ in 0..n {
        exited.recv(); // will block if barrier fails to unlock someone
    }
}

/// TestWaitGroup: the barrier, 8 times over the same pair.
fn wait_group() {
    let wg1 = WaitGroup::new();
    let wg2 = WaitGroup::new();
    for _ in 0..8 {
        test_wait_group(&wg1, &wg2);
    }
}

#[test]
fn wait_group_both() {
    both(wait_group);
}

/// TestWaitGroupMisuse.
#[test]
fn wait_group_misuse() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let r = catch_unwind(AssertUnwindSafe(|| wg.done()));
    let p = r.expect_err("Unexpected success");
    assert_eq!(
        p.downcast_ref::<&str>().copied(),
        Some("sync: negative WaitGroup counter")
    );
}

/// TestWaitGroupGo (Go 1.25).
fn wait_group_go() {
    let wg = WaitGroup::new();
    let i = Arc::new(AtomicUsize::new(0));
    let j = i.clone();
    wg.go(move || {
        j.fetch_add(1, Ordering::SeqCst);
    });
    wg.wait();
    assert_eq!(i.load(Ordering::SeqCst), 1);
}

#[test]
fn wait_group_go_both() {
    both(wait_group_go);
}
