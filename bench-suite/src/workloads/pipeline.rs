//! Buffered pipeline: a source, `stages` forwarding tasks, and a sink.

use crate::{Check, Flavor};

/// A source task sends `0..n` into the first of `stages + 1` channels of
/// capacity `cap`; each stage receives from one channel and sends `v + 1` to
/// the next; the main task receives `n` values from the last channel.
pub fn run<F: Flavor>(stages: u64, cap: usize, n: u64) -> Check {
    let (first_tx, mut rx) = F::chan(cap);
    let mut handles = vec![F::spawn(move || {
        for i in 0..n {
            F::send(&first_tx, i);
        }
    })];
    for _ in 0..stages {
        let (tx, next_rx) = F::chan(cap);
        let input = std::mem::replace(&mut rx, next_rx);
        handles.push(F::spawn(move || {
            for _ in 0..n {
                let v = F::recv(&input);
                F::send(&tx, v + 1);
            }
        }));
    }
    let mut check = Check::default();
    for _ in 0..n {
        check.add(F::recv(&rx));
    }
    handles.into_iter().for_each(F::join);
    check
}

/// What [`run`] returns: every value went through `stages` increments.
pub fn expected(stages: u64, n: u64) -> Check {
    Check {
        count: n,
        sum: super::sum_below(n).wrapping_add(stages * n),
    }
}
