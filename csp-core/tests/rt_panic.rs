//! Panics in goroutines: join gives the payload, an unjoined panic ends `run`
//! with its message, a panicking goroutine leaves its channels usable.

use std::panic::{catch_unwind, AssertUnwindSafe};

use csp_core::{Builder, Chan};

fn text(p: &(dyn std::any::Any + Send)) -> &str {
    p.downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| p.downcast_ref::<&str>().copied())
        .unwrap_or("<not a string>")
}

#[test]
fn join_returns_the_payload() {
    csp_core::run(|| {
        let n = std::hint::black_box(7);
        let h = csp_core::spawn(move || -> i32 { panic!("boom {n}") });
        let e = h.join().unwrap_err();
        assert_eq!(text(&*e), "boom 7");
    });
    // From a thread, on the global runtime.
    let h = csp_core::spawn(|| -> i32 { panic!("plain") });
    let e = h.join().unwrap_err();
    assert_eq!(text(&*e), "plain");
}

#[test]
#[should_panic(expected = "unjoined goroutine failed")]
fn unjoined_panic_ends_run() {
    Builder::new().deadlock_detection(false).run(|| {
        csp_core::spawn(|| panic!("unjoined goroutine failed"));
        // Would wait forever: the panic must end run instead.
        Chan::<()>::new(0).recv();
    });
}

#[test]
#[should_panic(expected = "dropped handle")]
fn panic_behind_a_dropped_handle_ends_run() {
    csp_core::run(|| {
        let h = csp_core::spawn(|| panic!("dropped handle"));
        csp_core::sleep(std::time::Duration::from_millis(20));
        drop(h);
        csp_core::sleep(std::time::Duration::from_secs(10));
    });
}

#[test]
fn main_panic_is_resumed_in_the_caller() {
    let r = catch_unwind(|| csp_core::run(|| panic!("main says no")));
    let p = r.unwrap_err();
    assert_eq!(text(&*p), "main says no");
}

#[test]
fn panic_leaves_channels_usable() {
    let sum = csp_core::run(|| {
        let c: Chan<u32> = Chan::new(0);
        let mut hs = Vec::new();
        for i in 0..50u32 {
            let c = c.clone();
            hs.push(csp_core::spawn(move || {
                c.send(i);
                if i % 2 == 0 {
                    panic!("after send {i}");
                }
                c.send(1000);
            }));
        }
        let mut sum = 0;
        for _ in 0..75 {
            sum += c.recv().unwrap();
        }
        let errs = hs
            .into_iter()
            .map(|h| h.join().is_err() as u32)
            .sum::<u32>();
        assert_eq!(errs, 25);
        // The channel still works after all those panics.
        let c2 = c.clone();
        csp_core::spawn(move || c2.send(1));
        sum + c.recv().unwrap()
    });
    assert_eq!(sum, (0..50).sum::<u32>() + 25 * 1000 + 1);
}

#[test]
fn run_survives_a_caught_panic_in_a_goroutine() {
    let v = csp_core::run(|| {
        let h = csp_core::spawn(|| {
            let r = catch_unwind(AssertUnwindSafe(|| {
                let c: Chan<i32> = Chan::new(1);
                c.close();
                c.send(1);
            }));
            r.is_err()
        });
        h.join().unwrap()
    });
    assert!(v);
}

/// A goroutine that catches its own panic and then waits does not hold back
/// `main` (nor its end): the panic started counts only until it is caught.
#[test]
fn a_panic_caught_inside_the_goroutine_does_not_fail_run() {
    let v = Builder::new().deadlock_detection(false).run(|| {
        let parked: Chan<()> = Chan::new(0);
        let caught: Chan<bool> = Chan::new(1);
        let (p2, c2) = (parked.clone(), caught.clone());
        drop(csp_core::spawn(move || {
            let r = catch_unwind(|| panic!("caught at home"));
            c2.send(r.is_err());
            // Parks for good: `run` must still end when main returns.
            p2.recv();
        }));
        let ok = caught.recv();
        csp_core::sleep(std::time::Duration::from_millis(5));
        ok
    });
    assert_eq!(v, Some(true));
}
