//! "all goroutines are asleep - deadlock!": the message, the dump, and no false
//! positives while a timer is pending or detection is off.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use csp_core::{Builder, Chan, WaitGroup};

fn panic_message(r: std::thread::Result<()>) -> String {
    let p = r.expect_err("run should have panicked");
    if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else {
        panic!("panic payload is not a string")
    }
}

#[test]
fn main_blocked_on_receive() {
    let r = catch_unwind(|| {
        csp_core::run(|| {
            let c: Chan<i32> = Chan::new(0);
            c.recv();
        })
    });
    let msg = panic_message(r);
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!\n"),
        "{msg}"
    );
    assert!(msg.contains("goroutine 1 [chan receive]:"), "{msg}");
    assert!(
        msg.contains("rt_deadlock.rs"),
        "spawn location missing: {msg}"
    );
}

#[test]
fn dump_lists_every_goroutine_with_its_reason() {
    let r = catch_unwind(|| {
        csp_core::run(|| {
            let c: Chan<i32> = Chan::new(0);
            let c2 = c.clone();
            let _s = csp_core::spawn(move || c2.send(1)); // parks: nobody receives
            let _n = csp_core::spawn(|| Chan::<i32>::nil().send(1));
            let _b = csp_core::spawn(|| csp_core::__private::block_forever());
            let wg = WaitGroup::new();
            wg.add(1);
            let w2 = wg.clone();
            let _w = csp_core::spawn(move || w2.wait());
            let sel = Chan::<u8>::new(0);
            let _x = csp_core::spawn(move || {
                let other = Chan::<u8>::new(0);
                let mut s = csp_core::Select::new();
                s.recv(&sel);
                s.recv(&other);
                s.select();
            });
            let j = csp_core::spawn(move || wg.wait());
            let _ = j.join();
        })
    });
    let msg = panic_message(r);
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!\n"),
        "{msg}"
    );
    for want in [
        "goroutine 1 [join]:",
        "[chan send]:",
        "[chan send (nil chan)]:",
        "[select (no cases)]:",
        "[sync.WaitGroup.Wait]:",
        "[select]:",
    ] {
        assert!(msg.contains(want), "missing {want:?} in:\n{msg}");
    }
    // One block per goroutine: main + 6.
    assert_eq!(msg.matches("\ngoroutine ").count(), 7, "{msg}");
    assert_eq!(msg.matches("spawned at ").count(), 7, "{msg}");
}

#[test]
fn no_false_positive_with_pending_sleep() {
    let v = csp_core::run(|| {
        let c = Chan::new(0);
        let c2 = c.clone();
        csp_core::spawn(move || {
            csp_core::sleep(Duration::from_millis(100));
            c2.send(9);
        });
        c.recv().unwrap()
    });
    assert_eq!(v, 9);
}

#[test]
fn no_false_positive_with_timed_receive() {
    let r = csp_core::run(|| {
        let c: Chan<i32> = Chan::new(0);
        c.recv_timeout(Duration::from_millis(60))
    });
    assert!(r.is_err());
}

#[test]
fn detection_off_for_outside_feeders() {
    let c: Chan<i32> = Chan::new(0);
    let c2 = c.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(80));
        c2.send(5);
    });
    let v = Builder::new()
        .deadlock_detection(false)
        .run(move || c.recv().unwrap());
    assert_eq!(v, 5);
    t.join().unwrap();
}

#[test]
fn leftover_parked_goroutines_do_not_hold_run() {
    for _ in 0..20 {
        let v = csp_core::run(|| {
            for _ in 0..10 {
                let c: Chan<i32> = Chan::new(0);
                csp_core::spawn(move || c.recv());
            }
            3
        });
        assert_eq!(v, 3);
    }
}

#[test]
fn deadlock_with_many_workers() {
    let r = catch_unwind(AssertUnwindSafe(|| {
        Builder::new().workers(4).run(|| {
            let c: Chan<i32> = Chan::new(0);
            for _ in 0..100 {
                let c = c.clone();
                csp_core::spawn(move || c.send(1));
            }
            for _ in 0..100 {
                c.recv();
            }
            c.recv();
        })
    }));
    let msg = panic_message(r);
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!\n"),
        "{msg}"
    );
    assert_eq!(msg.matches("\ngoroutine ").count(), 1, "{msg}");
}

#[test]
fn deadlock_reported_once_an_outside_thread_unblocks() {
    // While an unrelated thread is blocked in a channel operation the detector
    // must stay quiet; once it unblocks, the deadlock is still reported.
    // `released` is set just before the outside thread is unblocked, so a
    // detector that fired while it was still blocked ends `run` with
    // `released` still false.
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let released = Arc::new(AtomicBool::new(false));
    let x: Chan<()> = Chan::new(0);
    let x2 = x.clone();
    let about_to_block: Chan<()> = Chan::new(1);
    let atb = about_to_block.clone();
    let blocked = std::thread::spawn(move || {
        atb.send(());
        x2.recv()
    });
    about_to_block.recv();
    // Let it get from its signal into the receive (microseconds, normally).
    std::thread::sleep(Duration::from_millis(20));
    let rel = released.clone();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        rel.store(true, Ordering::SeqCst);
        x.send(());
    });
    let r = catch_unwind(|| {
        csp_core::run(|| {
            Chan::<i32>::new(0).recv();
        })
    });
    assert!(
        released.load(Ordering::SeqCst),
        "the deadlock was reported while an outside thread was blocked in a channel operation"
    );
    let msg = panic_message(r);
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!\n"),
        "{msg}"
    );
    assert_eq!(blocked.join().unwrap(), Some(()));
    releaser.join().unwrap();
}

#[test]
fn cancelled_timers_do_not_hide_a_deadlock() {
    let r = catch_unwind(|| {
        csp_core::run(|| {
            let c: Chan<i32> = Chan::new(0);
            for i in 0..200 {
                let c2 = c.clone();
                csp_core::spawn(move || c2.send(i));
                // Completes at once; its one-hour timer is cancelled.
                assert_eq!(c.recv_timeout(Duration::from_secs(3600)).unwrap(), i);
            }
            c.recv();
        })
    });
    let msg = panic_message(r);
    assert!(
        msg.starts_with("all goroutines are asleep - deadlock!\n"),
        "{msg}"
    );
    assert!(msg.contains("goroutine 1 [chan receive]:"), "{msg}");
}
