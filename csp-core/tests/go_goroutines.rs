//! Port of Go's test/chan/goroutines.go (go1.23.5), at Go's size: a chain of
//! 10 000 goroutines, each `left <- <-right`, passes one value end to end.

use csp_core::{csp, go, Chan};

/// Go's `f`: forwards one value from `right` to `left`.
fn f(left: Chan<i32>, right: Chan<i32>) {
    csp! {
        left <- (<-right).unwrap();
    }
}

#[csp_core::test]
fn goroutines() {
    let n = 10_000;
    let leftmost: Chan<i32> = Chan::new(0);
    let mut right = leftmost.clone();
    let mut left = leftmost.clone();
    for _ in 0..n {
        right = Chan::new(0);
        go!(f(left, right.clone()));
        left = right.clone();
    }
    go! { right <- 1; };
    assert_eq!(csp! { <-leftmost }, Some(1));
}
