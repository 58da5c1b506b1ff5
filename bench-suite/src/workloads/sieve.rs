//! The prime sieve of Go's tour: a chain of filter tasks, one per prime.

use crate::{Check, Flavor};

/// Marks the end of the stream (real candidates start at 2).
const END: u64 = 0;

/// A generator sends `2..=limit` then [`END`] on an unbuffered channel. The main
/// task takes the first value of the current channel as a prime and puts a
/// filter for it in front of the chain; each filter forwards what its prime
/// does not divide, and forwards [`END`] before exiting. Returns the primes'
/// count and sum. One task per prime, so `limit` bounds the thread count.
pub fn run<F: Flavor>(limit: u64) -> Check {
    let (gen_tx, mut rx) = F::chan(0);
    let mut handles = vec![F::spawn(move || {
        for v in 2..=limit {
            F::send(&gen_tx, v);
        }
        F::send(&gen_tx, END);
    })];
    let mut check = Check::default();
    loop {
        let prime = F::recv(&rx);
        if prime == END {
            break;
        }
        check.add(prime);
        let (tx, next_rx) = F::chan(0);
        let input = std::mem::replace(&mut rx, next_rx);
        handles.push(F::spawn(move || loop {
            let v = F::recv(&input);
            if v == END || v % prime != 0 {
                F::send(&tx, v);
            }
            if v == END {
                break;
            }
        }));
    }
    handles.into_iter().for_each(F::join);
    check
}

/// The primes up to `limit`, by trial division (independent of the channels).
fn primes(limit: u64) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    for v in 2..=limit {
        if out.iter().take_while(|p| *p * *p <= v).all(|p| v % p != 0) {
            out.push(v);
        }
    }
    out
}

/// What [`run`] returns: the count and sum of the primes up to `limit`.
pub fn expected(limit: u64) -> Check {
    let mut check = Check::default();
    primes(limit).into_iter().for_each(|p| check.add(p));
    check
}

/// How many channel sends one run makes: the throughput unit of this workload.
pub fn messages(limit: u64) -> u64 {
    // The generator sends every candidate and END; the filter of the k-th prime
    // forwards the candidates that no prime up to it divides, and END.
    let mut survivors: Vec<u64> = (2..=limit).collect();
    let mut total = survivors.len() as u64 + 1;
    while let Some(&prime) = survivors.first() {
        survivors.retain(|v| v % prime != 0);
        total += survivors.len() as u64 + 1;
    }
    total
}
