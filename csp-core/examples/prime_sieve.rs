//! The concurrent prime sieve from the Go documentation: a chain of filter
//! goroutines, one per prime found.
//!
//! Run with `cargo run -p csp-core --example prime_sieve`.

use csp_core::{csp, go, Chan};

/// Sends 2, 3, 4, … to `ch`.
fn generate(ch: Chan<u64>) {
    csp! {
        for i in 2.. {
            ch <- i;
        }
    }
}

/// Copies the values from `input` to `output`, removing those divisible by
/// `prime`.
fn filter(input: Chan<u64>, output: Chan<u64>, prime: u64) {
    csp! {
        loop {
            let i = (<-input).unwrap();
            if i % prime != 0 {
                output <- i;
            }
        }
    }
}

#[csp_core::main]
fn main() {
    let mut ch = Chan::new(0);
    go!(generate(ch.clone()));
    let mut primes = Vec::new();
    for _ in 0..25 {
        let prime = csp! { (<-ch).unwrap() };
        println!("{prime}");
        primes.push(prime);
        let ch1 = Chan::new(0);
        go!(filter(ch, ch1.clone(), prime));
        ch = ch1;
    }
    assert_eq!(primes.last(), Some(&97), "the 25th prime");
}
