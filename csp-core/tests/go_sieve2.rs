//! Go's test/chan/sieve2.go: an Eratosthenes sieve over odd candidates, with a
//! heap merging the channels of multiples of every prime, buffered channels (50
//! and 10), and a `sendproxy` goroutine that buffers without bound: its select
//! disables the send case with a nil channel while its ring is empty. The first
//! 25 primes are checked; the goroutines are left parked when main returns.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use csp_core::{go, select, Chan};

/// A channel of odd numbers, starting from 5.
fn odds() -> Chan<i64> {
    let out = Chan::new(50);
    let o = out.clone();
    go! {
        let mut n = 5;
        loop {
            o.send(n);
            n += 2;
        }
    };
    out
}

/// A channel of odd multiples of the prime `p`, starting from p*p.
fn multiples(p: i64) -> Chan<i64> {
    let out = Chan::new(10);
    let o = out.clone();
    go! {
        let mut n = p * p;
        loop {
            o.send(n);
            n += 2 * p;
        }
    };
    out
}

/// A channel that serves as a sending proxy to `out`: a goroutine stores what it
/// receives in a growing ring, so sending to the proxy never blocks.
fn sendproxy(out: Chan<i64>) -> Chan<i64> {
    let proxy = Chan::new(10);
    let p = proxy.clone();
    go! {
        let mut ring: VecDeque<i64> = VecDeque::with_capacity(16);
        loop {
            // Buffer empty: disable output with a nil channel, as Go does.
            let (c, e) = match ring.front() {
                Some(&e) => (out.clone(), e),
                None => (Chan::nil(), 0),
            };
            select! {
                case v = <-p => ring.push_back(v.unwrap()),
                case c <- e => {
                    ring.pop_front();
                },
            }
        }
    };
    proxy
}

/// A channel of the primes.
fn sieve() -> Chan<i64> {
    // The output values.
    let out = Chan::new(10);
    out.send(2);
    out.send(3);
    // The channel of all composites to be eliminated, in increasing order.
    let composites = Chan::new(50);
    // The feedback loop.
    let primes = Chan::new(10);
    primes.send(3);

    // Merge channels of multiples of `primes` into `composites`.
    {
        let (primes, composites) = (primes.clone(), composites.clone());
        go! {
            // (head, index into chans): a min-heap by head, like Go's PeekChHeap.
            let mut h: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
            let mut chans: Vec<Chan<i64>> = Vec::new();
            let mut min = 15;
            loop {
                let m = multiples(primes.recv().unwrap());
                let head = m.recv().unwrap();
                while min < head {
                    composites.send(min);
                    let Reverse((h0, i)) = h.pop().unwrap();
                    min = h0;
                    h.push(Reverse((chans[i].recv().unwrap(), i)));
                }
                while min == head {
                    let Reverse((h0, i)) = h.pop().unwrap();
                    min = h0;
                    h.push(Reverse((chans[i].recv().unwrap(), i)));
                }
                composites.send(head);
                chans.push(m.clone());
                h.push(Reverse((m.recv().unwrap(), chans.len() - 1)));
            }
        };
    }

    // Sieve out `composites` from the candidates.
    {
        let out = out.clone();
        go! {
            // The merging goroutine receives from `primes` much more slowly than
            // this one sends; the proxy buffers so that neither blocks the other.
            let primes = sendproxy(primes);
            let candidates = odds();
            let mut p = candidates.recv().unwrap();
            loop {
                let c = composites.recv().unwrap();
                while p < c {
                    primes.send(p);
                    out.send(p);
                    p = candidates.recv().unwrap();
                }
                if p == c {
                    p = candidates.recv().unwrap();
                }
            }
        };
    }
    out
}

#[test]
fn sieve2() {
    csp_core::run(|| {
        let primes = sieve();
        let a = [
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
            89, 97,
        ];
        for want in a {
            assert_eq!(primes.recv(), Some(want));
        }
    });
}
