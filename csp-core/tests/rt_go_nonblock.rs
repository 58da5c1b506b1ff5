//! test/chan/nonblock.go and select3.go, ported onto csp goroutines with Chan
//! methods and the dynamic `Select` (non-blocking forms are `try_*` /
//! `try_select`, Go's select with a default case).

use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use csp_core::{Chan, Select};

const MAX_TRIES: u32 = 10_000;

/// nonblock.go's `sleep`: two ticks of a 10 µs ticker and three Goscheds.
fn nap(ticker: &Chan<Instant>) {
    ticker.recv();
    ticker.recv();
    for _ in 0..3 {
        csp_core::yield_now();
    }
}

/// One element type of nonblock.go, for one buffer size.
fn nonblock_one<T>(buffer: usize, to_recv: T, to_send: T, ticker: &Chan<Instant>)
where
    T: Clone + PartialEq + Debug + Send + 'static,
{
    let c: Chan<T> = Chan::new(buffer);
    let sync: Chan<bool> = Chan::new(0);
    // A non-blocking receive on an empty channel takes the default.
    assert!(c.try_recv().is_err(), "blocked sender (buffer {buffer})");

    let (c2, s2, want) = (c.clone(), sync.clone(), to_recv.clone());
    csp_core::spawn(move || {
        assert_eq!(c2.recv(), Some(want), "receiver value");
        s2.send(true);
    });
    let mut tries = 0;
    let mut v = to_recv;
    loop {
        match c.try_send(v) {
            Ok(()) => break,
            Err(e) => {
                v = e.into_inner();
                tries += 1;
                assert!(tries <= MAX_TRIES, "receiver buffer={buffer}: fail");
                nap(ticker);
            }
        }
    }
    sync.recv();

    let (c2, s2, val) = (c.clone(), sync.clone(), to_send.clone());
    csp_core::spawn(move || {
        c2.send(val);
        s2.send(true);
    });
    if buffer > 0 {
        sync.recv();
    }
    let mut tries = 0;
    let got = loop {
        match c.try_recv() {
            Ok(x) => break x,
            Err(_) => {
                tries += 1;
                assert!(tries <= MAX_TRIES, "sender buffer={buffer}: fail");
                nap(ticker);
            }
        }
    };
    assert_eq!(got, to_send, "sender value");
    if buffer == 0 {
        sync.recv();
    }
}

#[test]
fn nonblock() {
    csp_core::run(|| {
        let ticker = csp_core::tick(Duration::from_micros(10));
        for buffer in 0..2 {
            nonblock_one(buffer, 123i32, 234i32, &ticker);
            nonblock_one(buffer, 123i64, 234i64, &ticker);
            nonblock_one(buffer, true, false, &ticker);
            nonblock_one(
                buffer,
                "hello".to_string(),
                "hello again".to_string(),
                &ticker,
            );
        }
    });
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Signal {
    Always,
    Never,
}
use Signal::{Always, Never};

/// Calls `f` and checks that it always / never panics.
fn test_panic(signal: Signal, f: impl FnOnce()) {
    let s = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => Never,
        Err(_) => Always,
    };
    assert_eq!(s, signal, "{signal:?} panic");
}

/// Runs `f` in a goroutine and checks empirically that it always / never
/// blocks: a 10 ms race for "always", up to 10 s for "never".
fn test_block(signal: Signal, f: impl FnOnce() + Send + 'static) {
    let c: Chan<Signal> = Chan::new(0);
    let c2 = c.clone();
    csp_core::spawn(move || {
        f();
        c2.send(Never);
    });
    let c3 = c.clone();
    csp_core::spawn(move || {
        csp_core::sleep(if signal == Never {
            Duration::from_secs(10)
        } else {
            Duration::from_millis(10)
        });
        c3.send(Always);
    });
    assert_eq!(c.recv(), Some(signal), "{signal:?} block");
}

fn unreachable() {
    panic!("control flow shouldn't reach here");
}

#[test]
fn select3() {
    csp_core::run(|| {
        let closed: Chan<i32> = Chan::new(0);
        closed.close();

        // Sending to / receiving from a nil channel blocks.
        test_block(Always, || Chan::<i32>::nil().send(7));
        test_block(Always, || {
            Chan::<i32>::nil().recv();
        });
        // Nil channels in a select are never selected.
        test_panic(Never, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.send(&nil, 7);
            if s.try_select().is_some() {
                unreachable();
            }
        });
        test_panic(Never, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.recv(&nil);
            if s.try_select().is_some() {
                unreachable();
            }
        });
        // Sending to a channel with free buffer space never blocks.
        test_block(Never, || Chan::new(1).send(7));
        // Receiving from a closed channel never blocks.
        let cl = closed.clone();
        test_block(Never, move || {
            for _ in 0..10 {
                assert_eq!(cl.recv(), None, "expected None from a closed channel");
            }
        });
        // Sending to a closed channel panics.
        let cl = closed.clone();
        test_panic(Always, move || cl.send(7));
        // Receiving from a non-ready channel always blocks.
        test_block(Always, || {
            Chan::<i32>::new(0).recv();
        });
        // Empty selects always block.
        test_block(Always, || csp_core::__private::block_forever());
        // Selects with only nil channels always block.
        test_block(Always, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.recv(&nil);
            s.select();
            unreachable();
        });
        test_block(Always, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.send(&nil, 7);
            s.select();
            unreachable();
        });
        test_block(Always, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.recv(&nil);
            s.send(&nil, 7);
            s.select();
            unreachable();
        });
        // Selects with non-ready non-nil channels always block.
        test_block(Always, || {
            let ch = Chan::<i32>::new(0);
            let mut s = Select::new();
            s.recv(&ch);
            s.select();
            unreachable();
        });
        // Selects with default cases don't block.
        test_block(Never, || {
            assert!(Select::new().try_select().is_none());
        });
        test_block(Never, || {
            let nil = Chan::<i32>::nil();
            let mut s = Select::new();
            s.recv(&nil);
            if s.try_select().is_some() {
                unreachable();
            }
        });
        // Selects with ready channels don't block.
        test_block(Never, || {
            let ch = Chan::<i32>::new(1);
            let mut s = Select::new();
            s.send(&ch, 7);
            if s.try_select().is_none() {
                unreachable();
            }
        });
        test_block(Never, || {
            let ch = Chan::<i32>::new(1);
            ch.send(7);
            let mut s = Select::new();
            s.recv(&ch);
            let got = s.try_select().map(|sel| sel.recv(&ch));
            assert_eq!(got, Some(Some(7)));
        });
        // Selects with closed channels behave like ordinary operations.
        let cl = closed.clone();
        test_block(Never, move || {
            let mut s = Select::new();
            s.recv(&cl);
            assert_eq!(s.select().recv(&cl), None);
        });
        let cl = closed.clone();
        test_panic(Always, move || {
            let mut s = Select::new();
            s.send(&cl, 7);
            s.select();
        });
        // A select does not get confused if it sees itself.
        test_block(Always, || {
            let c = Chan::<i32>::new(0);
            let mut s = Select::new();
            s.send(&c, 1);
            s.recv(&c);
            s.select();
        });
    });
}
