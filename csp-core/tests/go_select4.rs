//! Port of Go's test/chan/select4.go (go1.23.5), at Go's size: the receive
//! target of a case that is not chosen is never evaluated. In the DSL the
//! target is the arm's pattern and body, bound and run only for the chosen
//! case.

use std::cell::Cell;

use csp_core::{select, Chan};

#[test]
fn select4_go() {
    struct X {
        a: i32,
    }
    let mut x = X { a: 0 };
    let calls = Cell::new(0);
    let spare = Cell::new(0);
    // Go's `*f()`: an assignment target with a side effect.
    let f = || {
        calls.set(calls.get() + 1);
        &spare
    };
    let c = Chan::new(1);
    let c1: Chan<i32> = Chan::new(0);
    c.send(42);
    select! {
        case v = <-c1 => f().set(v.unwrap()),
        case v = <-c => x.a = v.unwrap(),
    }
    assert_eq!(x.a, 42);
    assert_eq!(calls.get(), 0, "BUG: called f");
}
