//! `select!`: lowering forms, Go's evaluation order, values, nil channels,
//! `break` in an arm, and channels shared with plain threads.

use std::cell::RefCell;
use std::thread;

use csp_core::{select, Chan};

#[test]
fn default_is_taken_when_nothing_is_ready() {
    let a: Chan<i32> = Chan::new(0);
    let b: Chan<&str> = Chan::new(0);
    let got = select! {
        case v = <-a => format!("a {v:?}"),
        case v = <-b => format!("b {v:?}"),
        default => "default".to_string(),
    };
    assert_eq!(got, "default");
}

#[test]
fn one_case_with_default_is_non_blocking() {
    let ch = Chan::new(1);
    let sent = select! { case ch <- 1 => true, default => false };
    assert!(sent);
    let sent = select! { case ch <- 2 => true, default => false };
    assert!(!sent, "the buffer is full");
    let got = select! { case v = <-ch => v, default => None };
    assert_eq!(got, Some(1));
    let got = select! { case v = <-ch => v, default => Some(-1) };
    assert_eq!(got, Some(-1));
    ch.close();
    let got = select! { case v = <-ch => v, default => Some(-1) };
    assert_eq!(got, None, "closed: the case is ready with None");
}

#[test]
fn one_case_without_default_is_the_plain_operation() {
    let ch = Chan::new(1);
    select! { case ch <- 5 => {} }
    let v = select! { case v = <-ch => v.unwrap() * 2 };
    assert_eq!(v, 10);
}

#[test]
fn value_of_the_chosen_arm_and_element_types_per_case() {
    let ints = Chan::new(1);
    let strs: Chan<String> = Chan::new(1);
    let units: Chan<()> = Chan::new(1);
    strs.send("hello".into());
    let got = select! {
        case v = <-ints => v.map(|i: i64| i.to_string()),
        case v = <-strs => v,
        case <-units => None,
    };
    assert_eq!(got.as_deref(), Some("hello"));
}

#[test]
fn nil_channels_disable_their_case() {
    let live = Chan::new(1);
    let nil: Chan<i32> = Chan::nil();
    live.send(1);
    for _ in 0..100 {
        let which = select! {
            case <-nil => "nil",
            case nil <- 3 => "nil send",
            case v = <-live => { live.send(v.unwrap()); "live" },
        };
        assert_eq!(which, "live");
    }
}

#[test]
fn channel_expressions_may_be_references() {
    let a = Chan::new(1);
    let b = Chan::new(1);
    let (ra, rb) = (&a, &b);
    a.send(1);
    let got = select! {
        case v = <-ra => v,
        case rb <- 2 => None,
        case v = <-&b => v,
    };
    assert!(got == Some(1) || got.is_none());
}

#[test]
fn evaluation_order_is_go_s() {
    // Every channel expression and send value is evaluated once, in source
    // order, before choosing; only the chosen receive's pattern is bound.
    let log = RefCell::new(Vec::new());
    let a = Chan::new(1);
    let b = Chan::new(1);
    let c: Chan<i32> = Chan::new(0);
    b.send(0); // b full: its send case cannot proceed
    let ch = |name: &'static str, ch: &Chan<i32>| {
        log.borrow_mut().push(name);
        ch.clone()
    };
    let val = |name: &'static str, v: i32| {
        log.borrow_mut().push(name);
        v
    };
    let chosen = select! {
        case v = <-ch("c0", &c) => v,
        case ch("c1", &b) <- val("v1", 1) => None,
        case ch("c2", &a) <- val("v2", 2) => Some(2),
    };
    assert_eq!(chosen, Some(2));
    assert_eq!(*log.borrow(), ["c0", "c1", "v1", "c2", "v2"]);
    assert_eq!(a.recv(), Some(2));
    assert_eq!(b.recv(), Some(0), "the unsent value 1 was dropped");
}

#[test]
fn break_in_an_arm_breaks_the_enclosing_loop() {
    let ch = Chan::new(3);
    for i in 0..3 {
        ch.send(i);
    }
    let mut seen = Vec::new();
    loop {
        select! {
            case v = <-ch => {
                let v = v.unwrap();
                if v == 1 {
                    break; // Rust: leaves the loop (Go's would leave the select)
                }
                seen.push(v);
            },
            default => unreachable!("a value is always ready"),
        }
    }
    assert_eq!(seen, [0]);
    assert_eq!(ch.len(), 1);
}

#[test]
fn return_and_question_mark_in_an_arm_leave_the_function() {
    fn first(ch: &Chan<Result<i32, String>>) -> Result<i32, String> {
        let done: Chan<()> = Chan::new(0);
        let v: i32 = select! {
            case v = <-ch => return v.unwrap_or(Err("closed".into())).map(|x| x + 1),
            case <-done => 0,
        };
        Ok(v - 100)
    }
    fn second(ch: &Chan<Result<i32, String>>) -> Result<i32, String> {
        let never: Chan<()> = Chan::nil();
        let v = select! {
            case v = <-ch => v.ok_or("closed")??,
            case <-never => 0,
        };
        Ok(v * 10)
    }
    let ch = Chan::new(1);
    ch.send(Ok(1));
    assert_eq!(first(&ch), Ok(2));
    ch.send(Err("bad".into()));
    assert_eq!(second(&ch), Err("bad".into()));
}

#[test]
fn blocking_select_with_a_thread() {
    let data = Chan::new(0);
    let quit: Chan<()> = Chan::new(0);
    let (d, q) = (data.clone(), quit.clone());
    let t = thread::spawn(move || {
        for i in 0..10 {
            d.send(i);
        }
        q.send(());
    });
    let mut sum = 0;
    loop {
        let stop = select! {
            case v = <-data => { sum += v.unwrap(); false },
            case <-quit => true,
        };
        if stop {
            break;
        }
    }
    t.join().unwrap();
    assert_eq!(sum, 45);
}

#[test]
fn ready_cases_are_chosen_at_random() {
    // Both always ready: each must win a fair share (failure odds < 1e-40).
    let a = Chan::new(1);
    let b = Chan::new(1);
    let mut wins = [0u32; 2];
    for _ in 0..1000 {
        a.send(());
        b.send(());
        let i = select! { case <-a => 0, case <-b => 1 };
        wins[i] += 1;
        let _ = a.try_recv();
        let _ = b.try_recv();
    }
    assert!(wins[0] > 300 && wins[1] > 300, "{wins:?}");
}

#[test]
fn send_case_on_a_closed_channel_panics() {
    let ch: Chan<i32> = Chan::new(1);
    let other: Chan<i32> = Chan::new(0);
    ch.close();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        select! { case ch <- 1 => {}, case <-other => {} }
    }));
    let msg = r.unwrap_err();
    assert_eq!(
        msg.downcast_ref::<&str>().copied(),
        Some("send on closed channel")
    );
}
