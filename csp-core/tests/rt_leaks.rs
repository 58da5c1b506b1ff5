//! Goroutine leak checks: `#[csp_core::test]` fails a test that leaves
//! goroutines running, with the deadlock dump's format; `leaks = "allow"`
//! opts out; `csp_core::testing::check_leaks` is the same check for a test
//! that builds its own runtime.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use csp_core::testing::check_leaks;
use csp_core::{go, Builder, Chan};

fn text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A goroutine parked for good on a receive that nobody will send to.
fn leak_one(c: &Chan<u8>) {
    let c = c.clone();
    go! { // the leak site
        let _ = <-c;
    };
}

/// `file:line:` of the `go!` in [`leak_one`], as the dump names it.
fn leak_site() -> String {
    let line = include_str!("rt_leaks.rs")
        .lines()
        .position(|l| l.contains("go! { // the leak site"))
        .expect("the marker")
        + 1;
    format!("csp-core/tests/rt_leaks.rs:{line}:")
}

#[test]
fn a_leaking_body_fails_with_the_dump() {
    let r = catch_unwind(AssertUnwindSafe(|| {
        Builder::new().deadlock_detection(false).run(|| {
            let c: Chan<u8> = Chan::new(0);
            check_leaks(|| {
                leak_one(&c);
                // Finishes within the grace: not a leak.
                go!(csp_core::sleep(Duration::from_millis(20)));
            });
            drop(c);
        })
    }));
    let msg = text(&*r.expect_err("the leak fails the run"));
    assert!(
        msg.starts_with("1 goroutine(s) leaked: still there after the test returned"),
        "{msg}"
    );
    // The dump's block: id, wait reason, spawn site (this file, `leak_one`).
    assert!(
        msg.contains("\ngoroutine 2 [chan receive]:\n\tspawned at "),
        "{msg}"
    );
    assert!(msg.contains(&leak_site()), "{msg}");
    assert_eq!(msg.matches("\ngoroutine ").count(), 1, "{msg}");
}

#[test]
fn a_clean_body_passes_and_returns_its_value() {
    let v = Builder::new().workers(2).run(|| {
        check_leaks(|| {
            let c = Chan::new(0);
            let c2 = c.clone();
            let h = go! { c2 <- 5; };
            let v = c.recv();
            h.join().unwrap();
            v
        })
    });
    assert_eq!(v, Some(5));
}

#[test]
fn goroutines_from_before_the_check_are_not_counted() {
    Builder::new().deadlock_detection(false).run(|| {
        let c: Chan<u8> = Chan::new(0);
        leak_one(&c);
        check_leaks(|| {});
    });
}

// The attribute, on tests of this file: `leaks = "allow"` passes although it
// leaks; the default check passes a clean test; a leaking test with the
// default check fails (it runs in a child process, `leaky_attribute_test`).

#[csp_core::test(leaks = "allow", deadlock_detection = false)]
fn leaks_allow_passes_a_leaking_test() {
    let c: Chan<u8> = Chan::new(0);
    leak_one(&c);
    std::mem::forget(c);
}

#[csp_core::test]
fn the_default_check_passes_a_clean_test() {
    let c = Chan::new(1);
    let c2 = c.clone();
    go! { c2 <- 1; }.join().unwrap();
    assert_eq!(c.recv(), Some(1));
}

const CHILD: &str = "CSP_LEAK_CHILD";

/// Fails by design: run only as the child of `the_default_check_fails_a_leaking_test`.
#[csp_core::test(deadlock_detection = false)]
fn leaky_attribute_test() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let c: Chan<u8> = Chan::new(0);
    leak_one(&c);
    std::mem::forget(c);
}

#[test]
fn the_default_check_fails_a_leaking_test() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "leaky_attribute_test", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the child runs");
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("1 goroutine(s) leaked"), "{all}");
    assert!(all.contains("[chan receive]:\n\tspawned at "), "{all}");
    assert!(
        all.contains("test leaky_attribute_test ... FAILED"),
        "{all}"
    );
}
