//! Go's src/runtime/chanbarrier_test.go: TestChanSendSelectBarrier and
//! TestChanSendBarrier.
//!
//! Each request makes a fresh unbuffered channel, starts a goroutine that sends a
//! heap-allocated response on it (through a two-case select with a `done`
//! channel, or a plain send), and receives it. In Go this stresses the GC's write
//! barrier on direct stack-to-stack sends; here it stresses direct handoff,
//! goroutine creation and exit, and select sudogs on short-lived channels.
//!
//! Sizes: the normal suite runs Go's `-short` sizes (10 × 1 000 requests); Go's
//! full 100 × 100 000 (about 22 s per test in Go on this machine) runs in the
//! ignored `*_full_size` tests, which `.ci/run` runs in release.

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

/// Go's `-short` sizes.
const OUTER: usize = 10;
const INNER: usize = 1000;

/// Go's full sizes.
const FULL_OUTER: usize = 100;
const FULL_INNER: usize = 100_000;

fn chan_send_barrier(use_select: bool, outer: usize, inner: usize) {
    csp_core::run(move || {
        let wg = WaitGroup::new();
        for _ in 0..outer {
            wg.add(1);
            let wg = wg.clone();
            go! {
                let mut garbage = Vec::new();
                for _ in 0..inner {
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
    chan_send_barrier(true, OUTER, INNER);
}

#[test]
fn chan_send_barrier_plain() {
    chan_send_barrier(false, OUTER, INNER);
}

#[test]
#[ignore = "Go's full size (100 x 100 000); .ci/run runs it in release"]
fn chan_send_select_barrier_full_size() {
    chan_send_barrier(true, FULL_OUTER, FULL_INNER);
}

#[test]
#[ignore = "Go's full size (100 x 100 000); .ci/run runs it in release"]
fn chan_send_barrier_plain_full_size() {
    chan_send_barrier(false, FULL_OUTER, FULL_INNER);
}
