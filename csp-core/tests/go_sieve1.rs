//! Port of Go's test/chan/sieve1.go (go1.23.5), at Go's size: the concurrent
//! prime sieve, a linear chain of filter goroutines, checked on the first 25
//! primes. The generator and the filters are left parked when the test's main
//! goroutine returns, as in Go.

use csp_core::{csp, go, Chan};

/// Sends 2, 3, 4, ... to `ch`.
fn generate(ch: Chan<i32>) {
    csp! {
        let mut i = 2;
        loop {
            ch <- i;
            i += 1;
        }
    }
}

/// Copies the values from `inp` to `out`, removing those divisible by `prime`.
fn filter(inp: Chan<i32>, out: Chan<i32>, prime: i32) {
    csp! {
        for i in &inp {
            if i % prime != 0 {
                out <- i;
            }
        }
    }
}

/// The prime sieve: daisy-chains filter processes together.
fn sieve(primes: Chan<i32>) {
    let mut ch = Chan::new(0);
    go!(generate(ch.clone()));
    loop {
        // Note that ch is different on each iteration.
        let prime = csp! { (<-ch).unwrap() };
        csp! { primes <- prime; }
        let ch1 = Chan::new(0);
        go!(filter(ch, ch1.clone(), prime));
        ch = ch1;
    }
}

// Go's sieve1.go leaves its chain of filter goroutines blocked when main
// has the primes it wants, as this port does.
#[csp_core::test(leaks = "allow")]
fn sieve1() {
    let primes = Chan::new(0);
    go!(sieve(primes.clone()));
    let a = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97,
    ];
    for want in a {
        assert_eq!(csp! { <-primes }, Some(want));
    }
}
