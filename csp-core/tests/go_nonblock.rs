//! Port of Go's test/chan/nonblock.go (go1.23.5), at Go's size: for buffer
//! sizes 0 and 1 and element types i32, i64, bool and String, a non-blocking
//! receive on an empty channel takes `default`, and non-blocking sends and
//! receives against a partner goroutine, retried up to 10 000 times with a
//! short sleep between tries, eventually succeed with the value intact. Go
//! writes one receiver, one sender and one pair of loops per type; here they
//! are generic over the element type.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use csp_core::{csp, go, select, tick, yield_now, Chan};

/// Up to 100 ms per test.
const MAX_TRIES: u32 = 10_000;

/// Go's `i32receiver` and friends: receives `want`, then signals `strobe`.
fn receiver<T: PartialEq + Debug>(c: Chan<T>, strobe: Chan<bool>, want: T) {
    csp! {
        assert_eq!(<-c, Some(want), "receiver value");
        strobe <- true;
    }
}

/// Go's `i32sender` and friends: sends `v`, then signals `strobe`.
fn sender<T: Send>(c: Chan<T>, strobe: Chan<bool>, v: T) {
    csp! {
        c <- v;
        strobe <- true;
    }
}

/// Go's `sleep`: two ticks of a 10 µs ticker and three Goscheds.
fn sleep(ticker: &Chan<Instant>) {
    csp! {
        <-ticker;
        <-ticker;
    }
    yield_now();
    yield_now();
    yield_now();
}

/// One element type of main's loop body, for one buffer size.
fn nonblock<T>(buffer: usize, to_recv: T, to_send: T, sync: &Chan<bool>, ticker: &Chan<Instant>)
where
    T: Clone + PartialEq + Debug + Send + 'static,
{
    let c: Chan<T> = Chan::new(buffer);
    select! {
        case <-c => panic!("blocked sender (buffer {buffer})"),
        default => {},
    }

    go!(receiver(c.clone(), sync.clone(), to_recv.clone()));
    let mut tries = 0;
    loop {
        select! {
            case c <- to_recv.clone() => break,
            default => {
                tries += 1;
                assert!(tries <= MAX_TRIES, "receiver buffer={buffer}: fail");
                sleep(ticker);
            },
        }
    }
    csp! { <-sync; }

    go!(sender(c.clone(), sync.clone(), to_send.clone()));
    if buffer > 0 {
        csp! { <-sync; }
    }
    let mut tries = 0;
    let got = loop {
        select! {
            case v = <-c => break v,
            default => {
                tries += 1;
                assert!(tries <= MAX_TRIES, "sender buffer={buffer}: fail");
                sleep(ticker);
            },
        }
    };
    assert_eq!(got, Some(to_send), "sender value");
    if buffer == 0 {
        csp! { <-sync; }
    }
}

#[csp_core::test]
fn nonblock_go() {
    let ticker = tick(Duration::from_micros(10));
    let sync = Chan::new(0);
    for buffer in 0..2 {
        nonblock(buffer, 123i32, 234i32, &sync, &ticker);
        nonblock(buffer, 123_456i64, 234_567i64, &sync, &ticker);
        nonblock(buffer, true, true, &sync, &ticker);
        nonblock(
            buffer,
            "hello".to_string(),
            "hello again".to_string(),
            &sync,
            &ticker,
        );
    }
}
