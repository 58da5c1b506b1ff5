//! Spawn: `n` tasks, each sending one value, then exiting.

use crate::{Check, Flavor};

/// Capacity of the result channel: enough that most tasks finish at once
/// without every one of them parking.
pub const CAP: usize = 1024;

/// Starts `n` tasks; task `i` sends `i` on one channel of capacity [`CAP`];
/// the main task receives `n` values and joins every task.
pub fn run<F: Flavor>(n: u64) -> Check {
    let (tx, rx) = F::chan(CAP);
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let tx = tx.clone();
            F::spawn(move || F::send(&tx, i))
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
