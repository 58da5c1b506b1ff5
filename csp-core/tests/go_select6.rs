//! Port of Go's test/chan/select6.go (go1.23.5, issue 2075), at Go's size, with
//! goroutines: a select's failed case that is last in a channel's wait queue
//! must be unlinked cleanly, or later waiters on that channel never wake. `c1`
//! is such a channel. A second test repeats the shape so that the
//! interleavings vary.

use csp_core::{csp, go, select, Chan};

fn select6() {
    let c1 = Chan::<bool>::new(0);
    let c2 = Chan::<bool>::new(0);
    let c3 = Chan::<bool>::new(0);
    let a = c1.clone();
    let g1 = go! { <-a; };
    let (a, b, c) = (c1.clone(), c2.clone(), c3.clone());
    let g2 = go! {
        select! {
            case <-a => panic!("dummy"),
            case <-b => csp! { c <- true; },
        }
        <-a;
    };
    let b = c2.clone();
    let g3 = go! { b <- true; };
    csp! {
        <-c3;
        c1 <- true;
        c1 <- true;
    }
    // Go's main just returns; joining also checks that nobody panicked.
    for g in [g1, g2, g3] {
        g.join().unwrap();
    }
}

#[csp_core::test]
fn select6_go() {
    select6();
}

#[csp_core::test]
fn select6_repeated() {
    for _ in 0..500 {
        select6();
    }
}
