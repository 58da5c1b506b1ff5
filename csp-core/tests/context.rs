//! Go's context/context_test.go and x_test.go, the portable parts, from
//! goroutines and OS threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::context::{self, Cause, Context};
use csp_core::{after, go, select, Builder, Chan};

const SHORT: Duration = Duration::from_millis(20);
const VERY_LONG: Duration = Duration::from_secs(10_000);

fn both(body: fn()) {
    body();
    Builder::new().workers(2).run(body);
}

fn is_done(c: &Context) -> bool {
    select! {
        case <-c.done() => true,
        default => false,
    }
}

/// Waits for `c` to be done (the deadline tests); Go's `testDeadline` bound
/// is a hang detector.
fn wait_done(c: &Context, name: &str) {
    select! {
        case <-c.done() => {},
        case <-after(Duration::from_secs(60)) => panic!("{name}: context not timed out"),
    }
    assert_eq!(c.err(), Some(context::DeadlineExceeded), "{name}");
}

fn background() {
    let c = context::background();
    assert!(c.deadline().is_none());
    assert!(c.err().is_none());
    assert!(c.done().is_nil());
    assert!(!is_done(&c));
    assert_eq!(format!("{c:?}"), "context.Background");
    assert_eq!(format!("{:?}", context::todo()), "context.Background");
}

#[test]
fn background_both() {
    both(background);
}

/// TestWithCancel.
fn with_cancel() {
    let (c1, cancel) = context::with_cancel(&context::background());
    assert_eq!(format!("{c1:?}"), "context.Background.WithCancel");
    let o = context::with_value(&c1, "k", 1); // Go's otherContext: a wrapper
    let (c2, _c2cancel) = context::with_cancel(&o);
    let contexts = [c1, o, c2];
    for (i, c) in contexts.iter().enumerate() {
        assert!(!c.done().is_nil(), "c[{i}].done() is nil");
        assert!(c.err().is_none(), "c[{i}].err() is not nil");
        assert!(!is_done(c), "<-c[{i}].done() not blocked");
    }
    cancel.cancel();
    for (i, c) in contexts.iter().enumerate() {
        assert!(is_done(c), "<-c[{i}].done() blocked");
        assert_eq!(c.err(), Some(context::Canceled), "c[{i}].err()");
        assert_eq!(c.err().unwrap().to_string(), "context canceled");
    }
}

#[test]
fn with_cancel_both() {
    both(with_cancel);
}

/// TestParentFinishesChild.
fn parent_finishes_child() {
    let (parent, cancel) = context::with_cancel(&context::background());
    let (cancel_child, _stop) = context::with_cancel(&parent);
    let value_child = context::with_value(&parent, "key", "value");
    let (timer_child, _stop2) = context::with_timeout(&value_child, VERY_LONG);
    let after_stop = context::after_func(&parent, || {});
    for c in [&parent, &cancel_child, &value_child, &timer_child] {
        assert!(!is_done(c), "{c:?} done before cancel");
    }
    cancel.cancel();
    for c in [&parent, &cancel_child, &value_child, &timer_child] {
        assert!(is_done(c), "{c:?} not done after parent cancel");
        assert_eq!(c.err(), Some(context::Canceled), "{c:?}");
    }
    assert!(!after_stop.stop(), "the after_func ran: stop must say so");
    // A cancelable child derived from a cancelled parent is cancelled at once.
    let precanceled = context::with_value(&parent, "key", "value");
    let (grand_child, _c) = context::with_cancel(&precanceled);
    assert!(is_done(&grand_child), "<-grandChild.done() blocked");
    assert_eq!(grand_child.err(), Some(context::Canceled));
}

#[test]
fn parent_finishes_child_both() {
    both(parent_finishes_child);
}

/// TestChildFinishesFirst.
fn child_finishes_first() {
    let (cancelable, _cc) = context::with_cancel(&context::background());
    for parent0 in [context::background(), cancelable] {
        let (parent, cancel) = context::with_cancel(&parent0);
        let (child, stop) = context::with_cancel(&parent);
        stop.cancel();
        assert!(is_done(&child));
        assert_eq!(child.err(), Some(context::Canceled));
        assert!(parent.err().is_none(), "parent cancelled by its child");
        assert!(!is_done(&parent), "<-parent.done() not blocked");
        cancel.cancel();
        assert_eq!(parent.err(), Some(context::Canceled));
    }
}

#[test]
fn child_finishes_first_both() {
    both(child_finishes_first);
}

/// TestDeadline.
fn deadline() {
    let (c, _) = context::with_deadline(&context::background(), Instant::now() + SHORT);
    assert_eq!(format!("{c:?}"), "context.Background.WithDeadline");
    wait_done(&c, "WithDeadline");

    let (c, _) = context::with_deadline(&context::background(), Instant::now() + SHORT);
    let o = context::with_value(&c, "k", 1);
    wait_done(&o, "WithDeadline+otherContext");

    let (c, _) = context::with_deadline(&context::background(), Instant::now() + SHORT);
    let o = context::with_value(&c, "k", 1);
    let (c, _) = context::with_deadline(&o, Instant::now() + VERY_LONG);
    wait_done(&c, "WithDeadline+otherContext+WithDeadline");

    // Already passed, or exactly now: done at once.
    let (c, _) = context::with_deadline(&context::background(), Instant::now() - SHORT);
    assert!(is_done(&c));
    assert_eq!(c.err(), Some(context::DeadlineExceeded));
    let (c, _) = context::with_deadline(&context::background(), Instant::now());
    assert_eq!(c.err(), Some(context::DeadlineExceeded));

    // A later deadline under an earlier one keeps the earlier.
    let d = Instant::now() + VERY_LONG;
    let (p, _) = context::with_deadline(&context::background(), d);
    let (c, _) = context::with_deadline(&p, d + VERY_LONG);
    assert_eq!(c.deadline(), Some(d));
    assert_eq!(
        format!("{c:?}"),
        "context.Background.WithDeadline.WithCancel"
    );
}

#[test]
fn deadline_both() {
    both(deadline);
}

/// TestTimeout.
fn timeout() {
    let (c, _) = context::with_timeout(&context::background(), SHORT);
    wait_done(&c, "WithTimeout");
    let (c, _) = context::with_timeout(&context::background(), SHORT);
    let o = context::with_value(&c, "k", 1);
    wait_done(&o, "WithTimeout+otherContext");
    let (c, _) = context::with_timeout(&context::background(), SHORT);
    let o = context::with_value(&c, "k", 1);
    let (c, _) = context::with_timeout(&o, VERY_LONG);
    wait_done(&c, "WithTimeout+otherContext+WithTimeout");
    assert!(c.deadline().is_some());
}

#[test]
fn timeout_both() {
    both(timeout);
}

/// TestCanceledTimeout.
fn canceled_timeout() {
    let (c, _) = context::with_timeout(&context::background(), Duration::from_secs(1));
    let o = context::with_value(&c, "k", 1);
    let (c, cancel) = context::with_timeout(&o, Duration::from_secs(2));
    cancel.cancel();
    assert!(is_done(&c), "<-c.done() blocked");
    assert_eq!(c.err(), Some(context::Canceled));
}

#[test]
fn canceled_timeout_both() {
    both(canceled_timeout);
}

#[derive(PartialEq)]
struct Key1(i32);
#[derive(PartialEq)]
struct Key2(i32);

/// TestValues: keys of distinct types never match, the innermost wins, a
/// value of another type reads as absent.
fn values() {
    let k1 = || Key1(1);
    let k2 = || Key2(1);
    let k3 = || Key2(3);
    let check = |c: &Context, nm: &str, v1: &str, v2: &str, v3: &str| {
        let get1 = c.value::<_, &str>(&k1()).copied().unwrap_or("");
        let get2 = c.value::<_, &str>(&k2()).copied().unwrap_or("");
        let get3 = c.value::<_, &str>(&k3()).copied().unwrap_or("");
        assert_eq!((get1, get2, get3), (v1, v2, v3), "{nm}");
    };
    let c0 = context::background();
    check(&c0, "c0", "", "", "");
    let c1 = context::with_value(&context::background(), k1(), "c1k1");
    check(&c1, "c1", "c1k1", "", "");
    assert_eq!(format!("{c1:?}"), "context.Background.WithValue");
    let c2 = context::with_value(&c1, k2(), "c2k2");
    check(&c2, "c2", "c1k1", "c2k2", "");
    let c3 = context::with_value(&c2, k3(), "c3k3");
    check(&c3, "c2", "c1k1", "c2k2", "c3k3");
    let c4 = context::with_value(&c3, k1(), ()); // Go's nil value
    check(&c4, "c4", "", "c2k2", "c3k3");
    let o0 = context::without_cancel(&context::background());
    check(&o0, "o0", "", "", "");
    let o3 = context::without_cancel(&c4);
    check(&o3, "o3", "", "c2k2", "c3k3");
    let c5 = context::with_value(&o3, k3(), "o4k3");
    check(&c5, "c5", "", "c2k2", "o4k3");
    let (c6, _) = context::with_cancel(&c5);
    check(&c6, "c6", "", "c2k2", "o4k3");
}

#[test]
fn values_both() {
    both(values);
}

/// TestAfterFuncCalledAfterCancel.
fn after_func_called_after_cancel() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    let donec = Chan::<()>::new(0);
    let d = donec.clone();
    let stop = context::after_func(&ctx, move || d.close());
    select! {
        case <-donec => panic!("AfterFunc called before context is done"),
        case <-after(SHORT) => {},
    }
    cancel.cancel();
    select! {
        case <-donec => {},
        case <-after(Duration::from_secs(60)) => panic!("AfterFunc not called after context is canceled"),
    }
    assert!(!stop.stop(), "stop() = true, want false");
}

#[test]
fn after_func_called_after_cancel_both() {
    both(after_func_called_after_cancel);
}

/// TestAfterFuncCalledAfterTimeout.
fn after_func_called_after_timeout() {
    let (ctx, _) = context::with_timeout(&context::background(), SHORT);
    let donec = Chan::<()>::new(0);
    let d = donec.clone();
    context::after_func(&ctx, move || d.close());
    donec.recv();
}

#[test]
fn after_func_called_after_timeout_both() {
    both(after_func_called_after_timeout);
}

/// TestAfterFuncCalledImmediately.
fn after_func_called_immediately() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    cancel.cancel();
    let donec = Chan::<()>::new(0);
    let d = donec.clone();
    context::after_func(&ctx, move || d.close());
    donec.recv();
}

#[test]
fn after_func_called_immediately_both() {
    both(after_func_called_immediately);
}

/// TestAfterFuncNotCalledAfterStop.
fn after_func_not_called_after_stop() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    let donec = Chan::<()>::new(0);
    let d = donec.clone();
    let stop = context::after_func(&ctx, move || d.close());
    assert!(stop.stop(), "stop() = false, want true");
    cancel.cancel();
    select! {
        case <-donec => panic!("AfterFunc called for stopped context"),
        case <-after(SHORT) => {},
    }
    assert!(!stop.stop(), "stop() = true, want false");
}

#[test]
fn after_func_not_called_after_stop_both() {
    both(after_func_not_called_after_stop);
}

/// TestAfterFuncCalledAsynchronously: cancel does not wait for f.
fn after_func_called_asynchronously() {
    let (ctx, cancel) = context::with_cancel(&context::background());
    let donec = Chan::<()>::new(0);
    let d = donec.clone();
    let stop = context::after_func(&ctx, move || d.send(())); // blocks until read
    cancel.cancel();
    donec.recv();
    stop.stop();
}

#[test]
fn after_func_called_asynchronously_both() {
    both(after_func_called_asynchronously);
}

/// TestWithoutCancel.
fn without_cancel() {
    let (parent, cancel) = context::with_cancel(&context::background());
    let ctx = context::with_value(&parent, "key", "value");
    let ctx = context::without_cancel(&ctx);
    assert!(ctx.deadline().is_none());
    assert!(ctx.done().is_nil(), "ctx.done() is not nil");
    assert!(ctx.err().is_none());
    assert_eq!(ctx.value::<_, &str>(&"key"), Some(&"value"));
    cancel.cancel();
    assert!(ctx.err().is_none(), "cancelled through WithoutCancel");
    assert!(ctx.cause().is_none());
    assert_eq!(
        format!("{ctx:?}"),
        "context.Background.WithCancel.WithValue.WithoutCancel"
    );
}

#[test]
fn without_cancel_both() {
    both(without_cancel);
}

fn cause_of(s: &str) -> Cause {
    Arc::new(std::io::Error::other(s.to_string()))
}

/// TestCause, the portable cases.
fn cause() {
    // No cause: the cause is the error.
    let (ctx, cancel) = context::with_cancel_cause(&context::background());
    assert!(ctx.cause().is_none());
    cancel.cancel(None);
    assert_eq!(ctx.err(), Some(context::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "context canceled");

    // A cause; only the first cancellation counts.
    let (ctx, cancel) = context::with_cancel_cause(&context::background());
    cancel.cancel(Some(cause_of("cause")));
    cancel.cancel(Some(cause_of("second")));
    assert_eq!(ctx.err(), Some(context::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "cause");

    // The parent's cause reaches the child.
    let (parent, cancel) = context::with_cancel_cause(&context::background());
    let (child, _) = context::with_cancel(&parent);
    cancel.cancel(Some(cause_of("parent cause")));
    assert_eq!(child.err(), Some(context::Canceled));
    assert_eq!(child.cause().unwrap().to_string(), "parent cause");

    // A child cancelled first keeps its own cause.
    let (parent, pcancel) = context::with_cancel_cause(&context::background());
    let (child, ccancel) = context::with_cancel_cause(&parent);
    ccancel.cancel(Some(cause_of("child cause")));
    pcancel.cancel(Some(cause_of("parent cause")));
    assert_eq!(child.cause().unwrap().to_string(), "child cause");
    assert_eq!(parent.cause().unwrap().to_string(), "parent cause");

    // A deadline's cause.
    let (ctx, _) =
        context::with_timeout_cause(&context::background(), SHORT, Some(cause_of("too slow")));
    wait_done(&ctx, "WithTimeoutCause");
    assert_eq!(ctx.cause().unwrap().to_string(), "too slow");
    let (ctx, _) = context::with_deadline(&context::background(), Instant::now() - SHORT);
    assert_eq!(
        ctx.cause().unwrap().to_string(),
        "context deadline exceeded"
    );

    // Cancelled before its deadline: Canceled, the cancel's cause.
    let (parent, pcancel) = context::with_cancel_cause(&context::background());
    let (ctx, _) = context::with_timeout(&parent, VERY_LONG);
    pcancel.cancel(Some(cause_of("early")));
    assert_eq!(ctx.err(), Some(context::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "early");
}

#[test]
fn cause_both() {
    both(cause);
}

/// Cancelling the root of a tree of 10 000 contexts, each watched by a
/// goroutine in `select!`, wakes every watcher with `Canceled`.
fn tree_of_contexts() {
    let (root, cancel) = context::with_cancel(&context::background());
    let mut level = vec![root.clone()];
    let mut all = vec![];
    while all.len() < 10_000 {
        let mut next = vec![];
        for p in &level {
            for _ in 0..10 {
                if all.len() == 10_000 {
                    break;
                }
                let (c, _) = context::with_cancel(p);
                all.push(c.clone());
                next.push(c);
            }
        }
        level = next;
    }
    let woke = Arc::new(AtomicUsize::new(0));
    let never: Chan<()> = Chan::new(0);
    let wg = csp_core::WaitGroup::new();
    for c in &all {
        let (c, woke, never) = (c.clone(), woke.clone(), never.clone());
        wg.go(move || {
            select! {
                case <-c.done() => {
                    assert_eq!(c.err(), Some(context::Canceled));
                    woke.fetch_add(1, Ordering::Relaxed);
                },
                case <-never => unreachable!(),
            }
        });
    }
    cancel.cancel();
    wg.wait();
    assert_eq!(woke.load(Ordering::Relaxed), 10_000);
    drop(never);
}

#[test]
fn tree_of_contexts_goroutines() {
    Builder::new().workers(2).run(tree_of_contexts);
}

/// A context handle is Send + Sync and cheap to clone; it crosses into a
/// goroutine and an OS thread.
#[test]
fn context_crosses_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Context>();
    let (ctx, cancel) = context::with_cancel(&context::background());
    let c = ctx.clone();
    let t = std::thread::spawn(move || {
        c.done().recv();
        c.err()
    });
    let c = ctx.clone();
    let g = go! { c.done().recv(); c.err() };
    cancel.cancel();
    assert_eq!(t.join().unwrap(), Some(context::Canceled));
    assert_eq!(g.join().unwrap(), Some(context::Canceled));
}
