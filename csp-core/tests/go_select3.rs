//! Port of Go's test/chan/select3.go (go1.23.5), at Go's size: which channel
//! operations and selects block, never block, or panic. "Always blocks" is
//! decided by a 10 ms race, "never blocks" waits up to 10 s, as in Go. The
//! goroutines that block forever are left parked when the test returns.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use csp_core::{csp, go, select, sleep, Chan};

/// Go's `always` and `never`: whether the function blocks or panics.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Signal {
    Always,
    Never,
}
use Signal::{Always, Never};

fn unreachable() -> ! {
    panic!("control flow shouldn't reach here");
}

/// Go's `var nilch chan int`.
fn nilch() -> Chan<i32> {
    Chan::nil()
}

/// Checks that `f` always / never panics (Go's `recover`).
fn test_panic(signal: Signal, f: impl FnOnce()) {
    let s = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => Never,
        Err(_) => Always, // f panicked
    };
    assert_eq!(s, signal, "{signal:?} panic");
}

/// Checks empirically that `f`, run in a goroutine, always / never blocks.
fn test_block(signal: Signal, f: impl FnOnce() + Send + 'static) {
    let c = Chan::new(0);
    let c1 = c.clone();
    go! {
        f();
        c1 <- Never; // f didn't block
    };
    let c2 = c.clone();
    go! {
        if signal == Never {
            // Wait a long time to make sure that we don't miss our window by
            // accident on a slow machine.
            sleep(Duration::from_secs(10));
        } else {
            // Wait as short a time as we can without false negatives.
            sleep(Duration::from_millis(10));
        }
        c2 <- Always; // f blocked always
    };
    assert_eq!(csp! { <-c }, Some(signal), "{signal:?} block");
}

// Go's select3.go leaves the goroutines of its "blocks" probes blocked for
// good (and those of "never blocks" asleep for 10 s), as this port does.
#[csp_core::test(leaks = "allow")]
fn select3_go() {
    let closedch = Chan::<i32>::new(0);
    closedch.close();

    // Sending/receiving from a nil channel blocks.
    test_block(Always, || csp! { nilch() <- 7; });
    test_block(Always, || csp! { <-nilch(); });

    // Sending/receiving from a nil channel inside a select is never selected.
    test_panic(Never, || {
        select! {
            case nilch() <- 7 => unreachable(),
            default => {},
        }
    });
    test_panic(Never, || {
        select! {
            case <-nilch() => unreachable(),
            default => {},
        }
    });

    // Sending to an async channel with free buffer space never blocks.
    test_block(Never, || {
        let ch = Chan::new(1);
        csp! { ch <- 7; }
    });

    // Receiving from a closed channel never blocks.
    let cl = closedch.clone();
    test_block(Never, move || {
        for _ in 0..10 {
            // Go's zero value is None here, and `x, ok` is the same Option.
            assert_eq!(csp! { <-cl }, None, "expected None from closed channel");
            assert_eq!(csp! { <-cl }, None, "expected None from closed channel");
        }
    });

    // Sending to a closed channel panics.
    test_panic(Always, || csp! { closedch <- 7; });

    // Receiving from a non-ready channel always blocks.
    test_block(Always, || {
        let ch = Chan::<i32>::new(0);
        csp! { <-ch; }
    });

    // Empty selects always block.
    test_block(Always, || select! {});

    // Selects with only nil channels always block.
    test_block(Always, || {
        select! {
            case <-nilch() => unreachable(),
        }
    });
    test_block(Always, || {
        select! {
            case nilch() <- 7 => unreachable(),
        }
    });
    test_block(Always, || {
        select! {
            case <-nilch() => unreachable(),
            case nilch() <- 7 => unreachable(),
        }
    });

    // Selects with non-ready non-nil channels always block.
    test_block(Always, || {
        let ch = Chan::<i32>::new(0);
        select! {
            case <-ch => unreachable(),
        }
    });

    // Selects with default cases don't block.
    test_block(Never, || select! { default => {} });
    test_block(Never, || {
        select! {
            case <-nilch() => unreachable(),
            default => {},
        }
    });
    test_block(Never, || {
        select! {
            case nilch() <- 7 => unreachable(),
            default => {},
        }
    });

    // Selects with ready channels don't block.
    test_block(Never, || {
        let ch = Chan::new(1);
        select! {
            case ch <- 7 => {},
            default => unreachable(),
        }
    });
    test_block(Never, || {
        let ch = Chan::new(1);
        csp! { ch <- 7; }
        select! {
            case <-ch => {},
            default => unreachable(),
        }
    });

    // Selects with closed channels behave like ordinary operations.
    let cl = closedch.clone();
    test_block(Never, move || {
        select! {
            case <-cl => {},
        }
    });
    let cl = closedch.clone();
    test_block(Never, move || {
        select! {
            case x = <-cl => assert_eq!(x, None),
        }
    });
    let cl = closedch.clone();
    test_panic(Always, move || {
        select! {
            case cl <- 7 => {},
        }
    });

    // A select does not get confused if it sees itself.
    test_block(Always, || {
        let c = Chan::new(0);
        select! {
            case c <- 1 => {},
            case <-c => {},
        }
    });
}
