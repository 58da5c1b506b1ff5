//! Select over four channels, each fed by its own producer.

use crate::{Check, Select4};

/// Producer `k` sends `n / 4` values `k, k + 4, k + 8, ...` on channel `k`
/// (capacity `cap`); the main task selects `n` times over the four channels and
/// checks that each value came from the channel it was sent on.
pub fn run<F: Select4>(cap: usize, n: u64) -> Check {
    assert!(n % 4 == 0, "n must split evenly");
    let mut txs = Vec::new();
    let mut rxs = Vec::new();
    for _ in 0..4 {
        let (tx, rx) = F::chan(cap);
        txs.push(tx);
        rxs.push(rx);
    }
    // The main task keeps every sender alive: with libraries that disconnect
    // when the last sender drops, a finished producer's channel would
    // otherwise become ready forever (like a closed channel in Go).
    let handles: Vec<_> = txs
        .iter()
        .enumerate()
        .map(|(k, tx)| {
            let tx = tx.clone();
            F::spawn(move || {
                let mut v = k as u64;
                while v < n {
                    F::send(&tx, v);
                    v += 4;
                }
            })
        })
        .collect();
    let rxs: [F::Rx; 4] = match rxs.try_into() {
        Ok(a) => a,
        Err(_) => unreachable!("four channels were made"),
    };
    let mut check = Check::default();
    for _ in 0..n {
        let (k, v) = F::select4(&rxs);
        assert_eq!(
            v % 4,
            k as u64,
            "{}: value {v} arrived on case {k}",
            F::NAME
        );
        check.add(v);
    }
    handles.into_iter().for_each(F::join);
    drop(txs);
    check
}

/// What [`run`] returns.
pub fn expected(n: u64) -> Check {
    Check {
        count: n,
        sum: super::sum_below(n),
    }
}
