//! Go's src/runtime/chanbarrier_test.go: TestChanSendSelectBarrier and
//! TestChanSendBarrier.
//!
//! Each request makes a fresh unbuffered channel, starts a goroutine that sends a
//! heap-allocated response on it (through a two-case select with a `done`
//! channel, or a plain send), and receives it. In Go this stresses the GC's write
//! barrier on direct stack-to-stack sends; here it stresses direct handoff,
//! goroutine creation and exit, and select sudogs on short-lived channels.
//!
//! Sizes: Go's `-short` sizes (10 × 1 000 requests); the full 100 × 100 000 takes
//! about 22 s per test in Go on this machine and does not fit CI's budget.

use csp_core::{go, select, yield_now, Chan, WaitGroup};

#[derive(Debug, PartialEq)]
struct MyError;

struct Async {
    resp: Option<Box<[u8]>>,
    err: Option<MyError>,
}

fn do_request(use_select: bool) -> (Option<Box<[u8]>>, Option<MyError>) {
    let ch: Chan<Box<Async>> = Chan::new(0);
    let done: Chan<()> = Chan::new(0);
    let c = ch.clone();
    if use_select {
        go! {
            select! {
                case c <- Box::new(Async { resp: None, err: Some(MyError) }) => {},
                case <-done => {},
            }
        };
    } else {
        go! {
            c.send(Box::new(Async { resp: None, err: Some(MyError) }));
        };
    }
    let r = ch.recv().expect("the sender never closes");
    yield_now();
    (r.resp, r.err)
}

const OUTER: usize = 10;
const INNER: usize = 1000;

fn chan_send_barrier(use_select: bool) {
    csp_core::run(move || {
        let wg = WaitGroup::new();
        for _ in 0..OUTER {
            wg.add(1);
            let wg = wg.clone();
            go! {
                let mut garbage = Vec::new();
                for _ in 0..INNER {
                    let (resp, err) = do_request(use_select);
                    assert!(resp.is_none());
                    assert_eq!(err, Some(MyError));
                    garbage = vec![0u8; 1 << 10];
                }
                drop(garbage);
                wg.done();
            };
        }
        wg.wait();
    });
}

#[test]
fn chan_send_select_barrier() {
    chan_send_barrier(true);
}

#[test]
fn chan_send_barrier_plain() {
    chan_send_barrier(false);
}
