//! MPMC: several producers and several consumers on one buffered channel.

use crate::{Check, Flavor};

/// `producers` tasks together send `0..n` into one channel of capacity `cap`;
/// `consumers` tasks each receive `n / consumers` values and report their
/// [`Check`] on a result channel. Needs a cloneable receiver.
pub fn run<F: Flavor>(producers: u64, consumers: u64, cap: usize, n: u64) -> Check
where
    F::Rx: Clone,
{
    assert!(
        n % producers == 0 && n % consumers == 0,
        "n must split evenly"
    );
    let (tx, rx) = F::chan(cap);
    let (done_tx, done_rx) = F::chan(consumers as usize);
    let mut handles = Vec::new();
    for p in 0..producers {
        let tx = tx.clone();
        handles.push(F::spawn(move || {
            let mut v = p;
            while v < n {
                F::send(&tx, v);
                v += producers;
            }
        }));
    }
    let share = n / consumers;
    for _ in 0..consumers {
        let rx = rx.clone();
        let done_tx = done_tx.clone();
        handles.push(F::spawn(move || {
            let mut sum = 0u64;
            for _ in 0..share {
                sum = sum.wrapping_add(F::recv(&rx));
            }
            // The count is implied (share each); only the sum travels back.
            F::send(&done_tx, sum);
        }));
    }
    let mut check = Check::default();
    for _ in 0..consumers {
        let part = F::recv(&done_rx);
        check.merge(Check {
            count: share,
            sum: part,
        });
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
