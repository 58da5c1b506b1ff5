//! Unbuffered single-producer single-consumer stream.

use crate::{Check, Flavor};

/// One producer sends `0..n` on an unbuffered channel; the main task receives.
pub fn run<F: Flavor>(n: u64) -> Check {
    let (tx, rx) = F::chan(0);
    let producer = F::spawn(move || {
        for i in 0..n {
            F::send(&tx, i);
        }
    });
    let mut check = Check::default();
    for _ in 0..n {
        check.add(F::recv(&rx));
    }
    F::join(producer);
    check
}

/// What [`run`] returns.
pub fn expected(n: u64) -> Check {
    Check {
        count: n,
        sum: super::sum_below(n),
    }
}
