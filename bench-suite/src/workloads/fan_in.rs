//! Fan-in: P producers into one buffered channel, one consumer.

use crate::{Check, Flavor};

/// `producers` tasks each send `n / producers` values (producer `p` sends
/// `p, p + P, p + 2P, ...`, so together they send `0..n`) into one channel of
/// capacity `cap`; the main task receives them all. `n` must be a multiple of
/// `producers`.
pub fn run<F: Flavor>(producers: u64, cap: usize, n: u64) -> Check {
    assert!(producers > 0 && n % producers == 0, "n must split evenly");
    let (tx, rx) = F::chan(cap);
    let handles: Vec<_> = (0..producers)
        .map(|p| {
            let tx = tx.clone();
            F::spawn(move || {
                let mut v = p;
                while v < n {
                    F::send(&tx, v);
                    v += producers;
                }
            })
        })
        .collect();
    let mut check = Check::default();
    for _ in 0..n {
        check.add(F::recv(&rx));
    }
    handles.into_iter().for_each(F::join);
    check
}

/// What [`run`] returns.
pub fn expected(n: u64) -> Check {
    Check {
        count: n,
        sum: super::sum_below(n),
    }
}
