//! Port of Go's test/chan/select8.go (go1.23.5), with `go!` and `select!`:
//! `break` inside one-, two- and three-case selects. In Go, `break` leaves the
//! select. In Rust, `break` inside a `select!` arm leaves the enclosing loop
//! (the select is an expression, not a statement with its own break target);
//! Go's meaning is a labeled block, `'sel: { select! { .. => break 'sel } }`.
//! Both are checked.

use csp_core::{go, select, Chan};

// Go's select8.go leaves its sender goroutine blocked, as this port does.
#[csp_core::test(leaks = "allow")]
#[allow(clippy::never_loop)] // the point: each break leaves its loop at once
fn select8_go() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    // Sends forever; left behind when the test's main goroutine returns.
    go! {
        loop {
            tx <- 5;
        }
    };

    // Rust's meaning: each `break` leaves the loop around the select.
    let mut rounds = 0;
    loop {
        rounds += 1;
        select! { case <-ch => break }
    }
    loop {
        rounds += 1;
        select! { default => break }
    }
    loop {
        rounds += 1;
        select! {
            case <-ch => break,
            default => break,
        }
    }
    loop {
        rounds += 1;
        select! {
            case <-ch => break,
            case ch <- 10 => panic!("unreachable: nobody receives"),
            default => break,
        }
    }
    assert_eq!(rounds, 4, "every break left its loop on the first round");

    // Go's meaning: leave the select, and only the select.
    let mut after = 0;
    'sel: {
        select! { case <-ch => break 'sel }
    }
    after += 1;
    'sel: {
        select! {
            case <-ch => break 'sel,
            case ch <- 10 => panic!("unreachable: nobody receives"),
            default => break 'sel,
        }
    }
    after += 1;
    assert_eq!(after, 2);
}
