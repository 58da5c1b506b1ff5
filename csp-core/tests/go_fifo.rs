//! Port of Go's `test/chan/fifo.go` with OS threads in place of goroutines:
//! a buffered channel is FIFO, and an unbuffered one hands values to a daisy chain
//! of receivers in order.

use std::thread;

use csp_core::Chan;

const N: i32 = 10;

#[test]
fn asynch_fifo() {
    let ch = Chan::<i32>::new(N as usize);
    for i in 0..N {
        ch.send(i);
    }
    for i in 0..N {
        assert_eq!(ch.recv(), Some(i), "bad receive");
    }
}

/// Waits for its turn on `inp`, receives exactly `val` from `ch`, passes the turn on.
fn chain(ch: Chan<i32>, val: i32, inp: Chan<i32>, out: Chan<i32>) {
    inp.recv();
    assert_eq!(ch.recv(), Some(val), "chain link {val}");
    out.send(1);
}

/// Threads together a daisy chain to read the elements in sequence.
#[test]
fn synch_fifo() {
    let ch = Chan::<i32>::new(0);
    let mut inp = Chan::<i32>::new(0);
    let start = inp.clone();
    let mut links = Vec::new();
    for i in 0..N {
        let out = Chan::<i32>::new(0);
        let (c, a, b) = (ch.clone(), inp.clone(), out.clone());
        links.push(thread::spawn(move || chain(c, i, a, b)));
        inp = out;
    }
    start.send(0);
    for i in 0..N {
        ch.send(i);
    }
    inp.recv();
    for l in links {
        l.join().unwrap();
    }
}
