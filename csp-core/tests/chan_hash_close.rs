//! `Chan: Hash` (Go's `map[chan T]V`) and `close_on_drop` (Go's
//! `defer close(c)`), including an early return from a `select!` arm and
//! unwinding.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use csp_core::{go, select, Builder, Chan};

#[test]
fn hash_is_identity() {
    let a: Chan<i32> = Chan::new(0);
    let b: Chan<i32> = Chan::new(0);
    let mut m = HashMap::new();
    m.insert(a.clone(), "a");
    m.insert(b.clone(), "b");
    m.insert(a.clone(), "a again");
    assert_eq!(m.len(), 2);
    assert_eq!(m[&a], "a again");
    assert_eq!(m[&b], "b");
    let nils: HashSet<Chan<i32>> = [Chan::nil(), Chan::nil()].into_iter().collect();
    assert_eq!(nils.len(), 1, "nil == nil, so they hash alike");
}

/// The case: a `return` inside a `select!` arm skipped the `close`
/// after the loop and leaked the consumer. With the guard it closes.
fn early_return_closes() {
    for _ in 0..20 {
        let out = Chan::new(0);
        let quit = Chan::<()>::new(0);
        let (o, q) = (out.clone(), quit.clone());
        let producer = go! {
            let _closer = o.close_on_drop();
            let mut i = 0;
            loop {
                select! {
                    case o <- i => i += 1,
                    case <-q => return,
                }
            }
        };
        let consumer = {
            let out = out.clone();
            go! { out.iter().count() }
        };
        // Let a few values through, then stop the producer mid-loop.
        quit.send(());
        producer.join().unwrap();
        consumer.join().unwrap(); // ends only because `out` was closed
        assert!(out.is_closed());
    }
}

#[test]
fn early_return_closes_goroutines() {
    Builder::new().workers(2).run(early_return_closes);
}

#[test]
fn early_return_closes_threads() {
    early_return_closes();
}

#[test]
fn closes_on_unwinding() {
    let c: Chan<i32> = Chan::new(1);
    let c2 = c.clone();
    let r = catch_unwind(AssertUnwindSafe(move || {
        let _closer = c2.close_on_drop();
        panic!("boom");
    }));
    assert!(r.is_err());
    assert!(c.is_closed());
}

#[test]
fn unwinding_past_a_closed_channel_does_not_abort() {
    let c: Chan<i32> = Chan::new(1);
    let c2 = c.clone();
    let r = catch_unwind(AssertUnwindSafe(move || {
        let _closer = c2.close_on_drop();
        c2.close();
        panic!("boom");
    }));
    assert!(r.is_err());
    assert!(c.is_closed());
}

#[test]
fn double_close_panics_like_go() {
    let c: Chan<i32> = Chan::new(1);
    let r = catch_unwind(AssertUnwindSafe(|| {
        let _closer = c.close_on_drop();
        c.close();
    }));
    let p = r.expect_err("the guard's close should panic");
    assert_eq!(
        p.downcast_ref::<&str>().copied(),
        Some("close of closed channel")
    );
}
