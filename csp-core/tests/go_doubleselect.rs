//! Port of Go's test/chan/doubleselect.go (go1.23.5), at Go's size (100 000
//! iterations, GOMAXPROCS 2): two cases of one select must never both
//! complete. A 4-send-case select feeds 4 mux goroutines into one channel; the
//! receiver rejects any value it sees twice.

use std::collections::HashSet;

use csp_core::{csp, go, select, Chan};

const ITERATIONS: i32 = 100_000;

/// Sends 0..n, each on whichever channel is ready first, then closes them all.
fn sender(n: i32, c1: Chan<i32>, c2: Chan<i32>, c3: Chan<i32>, c4: Chan<i32>) {
    for i in 0..n {
        select! {
            case c1 <- i => {},
            case c2 <- i => {},
            case c3 <- i => {},
            case c4 <- i => {},
        }
    }
    for c in [c1, c2, c3, c4] {
        c.close();
    }
}

fn mux(out: Chan<i32>, inp: Chan<i32>, done: Chan<bool>) {
    csp! {
        for v in &inp {
            out <- v;
        }
        done <- true;
    }
}

/// Fails on a duplicate; returns how many distinct values arrived.
fn recver(inp: &Chan<i32>) -> usize {
    let mut seen = HashSet::new();
    for v in inp {
        assert!(seen.insert(v), "got duplicate value: {v}");
    }
    seen.len()
}

#[csp_core::test(workers = 2)]
fn doubleselect() {
    let c1 = Chan::new(0);
    let c2 = Chan::new(0);
    let c3 = Chan::new(0);
    let c4 = Chan::new(0);
    let done = Chan::new(0);
    let cmux = Chan::new(0);
    go!(sender(
        ITERATIONS,
        c1.clone(),
        c2.clone(),
        c3.clone(),
        c4.clone()
    ));
    go!(mux(cmux.clone(), c1, done.clone()));
    go!(mux(cmux.clone(), c2, done.clone()));
    go!(mux(cmux.clone(), c3, done.clone()));
    go!(mux(cmux.clone(), c4, done.clone()));
    let closer = cmux.clone();
    go! {
        <-done;
        <-done;
        <-done;
        <-done;
        closer.close();
    };
    // Go only checks for duplicates; every value arriving is checked too.
    assert_eq!(recver(&cmux), ITERATIONS as usize);
}
