//! Port of Go's test/chan/fifo.go (go1.23.5), at Go's size: a buffered channel
//! is FIFO, and an unbuffered one hands values to a daisy chain of 10
//! goroutines in order.

use csp_core::{csp, go, Chan};

const N: i32 = 10;

#[test]
fn asynch_fifo() {
    let ch = Chan::new(N as usize);
    csp! {
        for i in 0..N {
            ch <- i;
        }
        for i in 0..N {
            assert_eq!(<-ch, Some(i), "bad receive");
        }
    }
}

/// Waits for its turn on `inp`, receives exactly `val` from `ch`, passes the
/// turn on.
fn chain(ch: Chan<i32>, val: i32, inp: Chan<i32>, out: Chan<i32>) {
    csp! {
        <-inp;
        assert_eq!(<-ch, Some(val), "chain link {val}");
        out <- 1;
    }
}

/// Threads together a daisy chain to read the elements in sequence.
#[csp_core::test]
fn synch_fifo() {
    let ch = Chan::new(0);
    let mut inp = Chan::new(0);
    let start = inp.clone();
    for i in 0..N {
        let out = Chan::new(0);
        go!(chain(ch.clone(), i, inp, out.clone()));
        inp = out;
    }
    csp! {
        start <- 0;
        for i in 0..N {
            ch <- i;
        }
        <-inp;
    }
}
