//! x/sync's errgroup/errgroup_test.go, from goroutines and OS threads.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::context;
use csp_core::sync::errgroup::Group;
use csp_core::{go, select, sleep, Builder, Chan};

fn both(body: fn()) {
    body();
    Builder::new().workers(4).run(body);
}

#[derive(Debug, Clone, PartialEq)]
struct E(&'static str);

impl std::fmt::Display for E {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for E {}

/// TestZeroGroup. Go's `Wait` returns the first error on every call; a Rust
/// error is moved out, so `wait` hands it over once: the first `wait` after
/// the first failure returns it, later ones return `Ok`; errors after the
/// first are dropped, as in Go.
fn zero_group() {
    let err1 = E("errgroup_test: 1");
    let err2 = E("errgroup_test: 2");
    let cases: Vec<Vec<Option<E>>> = vec![
        vec![],
        vec![None],
        vec![Some(err1.clone())],
        vec![Some(err1.clone()), None],
        vec![Some(err1.clone()), None, Some(err2.clone())],
    ];
    for errs in cases {
        let g: Group<E> = Group::new();
        let mut first: Option<E> = None;
        let mut returned = false;
        for (i, err) in errs.iter().enumerate() {
            let e = err.clone();
            g.go(move || e.map_or(Ok(()), Err));
            if first.is_none() && err.is_some() {
                first = err.clone();
            }
            let got = g.wait().err();
            let want = if returned { None } else { first.clone() };
            assert_eq!(got, want, "after {} Go calls in {errs:?}", i + 1);
            returned |= got.is_some();
        }
    }
}

#[test]
fn zero_group_both() {
    both(zero_group);
}

/// TestWithContext: the context is cancelled when `wait` returns, and the
/// first error is returned.
fn with_context() {
    let err_doom = E("group_test: doomed");
    let cases: Vec<(Vec<Option<E>>, Option<E>)> = vec![
        (vec![], None),
        (vec![None], None),
        (vec![Some(err_doom.clone())], Some(err_doom.clone())),
        (vec![Some(err_doom.clone()), None], Some(err_doom.clone())),
    ];
    for (errs, want) in cases {
        let (g, ctx) = Group::<E>::with_context(&context::background());
        for err in errs.iter().cloned() {
            g.go(move || err.map_or(Ok(()), Err));
        }
        assert_eq!(g.wait().err(), want, "{errs:?}");
        select! {
            case <-ctx.done() => {},
            default => panic!("after wait, ctx.done() was not closed"),
        }
    }
}

#[test]
fn with_context_both() {
    both(with_context);
}

/// The context is cancelled at the first error, before `wait`, with the
/// error as its cause (TestCancelCause).
fn cancelled_at_first_error() {
    let (g, ctx) = Group::<E>::with_context(&context::background());
    let c = ctx.clone();
    g.go(move || {
        c.done().recv(); // released by the failing sibling
        Ok(())
    });
    g.go(|| Err(E("doomed")));
    ctx.done().recv();
    assert_eq!(ctx.err(), Some(context::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "doomed");
    assert_eq!(g.wait(), Err(E("doomed")));
}

#[test]
fn cancelled_at_first_error_both() {
    both(cancelled_at_first_error);
}

/// TestTryGo.
fn try_go() {
    let g: Group = Group::new();
    let n = 42;
    g.set_limit(Some(42));
    let ch = Chan::<()>::new(0);
    let f = |ch: &Chan<()>| {
        let ch = ch.clone();
        move || {
            ch.send(());
            Ok(())
        }
    };
    for i in 0..n {
        assert!(
            g.try_go(f(&ch)),
            "TryGo should succeed but got fail at {i}-th call."
        );
    }
    assert!(
        !g.try_go(f(&ch)),
        "TryGo is expected to fail but succeeded."
    );
    {
        let ch = ch.clone();
        go! { for _ in 0..n { ch.recv(); } };
    }
    g.wait().unwrap();
    assert!(
        g.try_go(f(&ch)),
        "TryGo should success but got fail after all goroutines."
    );
    {
        let ch = ch.clone();
        go!(ch.recv());
    }
    g.wait().unwrap();
    // Switch limit.
    g.set_limit(Some(1));
    assert!(g.try_go(f(&ch)), "TryGo should success but got failed.");
    assert!(!g.try_go(f(&ch)), "TryGo should fail but succeeded.");
    {
        let ch = ch.clone();
        go!(ch.recv());
    }
    g.wait().unwrap();
    // Block all calls.
    g.set_limit(Some(0));
    for _ in 0..1 << 10 {
        assert!(!g.try_go(f(&ch)), "TryGo should fail but got succeeded.");
    }
    g.wait().unwrap();
}

#[test]
fn try_go_both() {
    both(try_go);
}

/// TestGoLimit: never more than `limit` active.
fn go_limit() {
    const LIMIT: i32 = 10;
    let g: Group = Group::new();
    g.set_limit(Some(LIMIT as usize));
    let active = Arc::new(AtomicI32::new(0));
    for _ in 0..=1 << 10 {
        let active = active.clone();
        g.go(move || {
            let n = active.fetch_add(1, Ordering::SeqCst) + 1;
            if n > LIMIT {
                return Err(format!("saw {n} active goroutines; want ≤ {LIMIT}").into());
            }
            sleep(Duration::from_micros(1));
            active.fetch_add(-1, Ordering::SeqCst);
            Ok(())
        });
    }
    if let Err(e) = g.wait() {
        panic!("{e}");
    }
}

#[test]
fn go_limit_both() {
    both(go_limit);
}

/// SetLimit while goroutines are active panics with Go's message.
#[test]
fn set_limit_while_active_panics() {
    let g: Group = Group::new();
    g.set_limit(Some(2));
    let gate = Chan::<()>::new(0);
    let gt = gate.clone();
    g.go(move || {
        gt.recv();
        Ok(())
    });
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.set_limit(Some(3))));
    let p = r.expect_err("set_limit should panic");
    assert_eq!(
        p.downcast_ref::<String>().map(String::as_str),
        Some("errgroup: modify limit while 1 goroutines in the group are still active")
    );
    gate.send(());
    g.wait().unwrap();
}
