//! Go's time/sleep_test.go and tick_test.go (Timer Stop/Reset, no stale
//! value after Stop or Reset, AfterFunc, Ticker Reset/Stop) and Go 1.23's
//! synchronous timer channels, from goroutines and OS threads.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::time::{after_func, new_ticker, new_timer};
use csp_core::{after, select, sleep, tick, Builder, Chan};

const MS: Duration = Duration::from_millis(1);

fn both(body: fn()) {
    body();
    Builder::new().workers(2).run(body);
}

fn ready<T>(c: &Chan<T>) -> bool {
    select! {
        case <-c => true,
        default => false,
    }
}

/// Go 1.23: `select { case <-time.After(0): default: }` takes the case
/// 1000 times in 1000.
fn after_zero_is_ready_when_polled() {
    let mut n = 0;
    for _ in 0..1000 {
        select! {
            case <-after(Duration::ZERO) => n += 1,
            default => {},
        }
    }
    assert_eq!(n, 1000);
    let t = new_timer(Duration::from_secs(3600));
    t.reset(Duration::ZERO);
    assert!(ready(t.c()), "a timer reset to 0 is ready at once");
}

#[test]
fn after_zero_is_ready_when_polled_both() {
    both(after_zero_is_ready_when_polled);
}

/// TestAfterFunc: a chain of 10 after_func(0) calls, each from the last.
fn after_func_chain() {
    struct Chain {
        i: AtomicI32,
        c: Chan<bool>,
    }
    fn step(s: Arc<Chain>) {
        if s.i.fetch_sub(1, Ordering::SeqCst) > 0 {
            let s2 = s.clone();
            after_func(Duration::ZERO, move || step(s2.clone()));
        } else {
            s.c.send(true);
        }
    }
    let s = Arc::new(Chain {
        i: AtomicI32::new(10),
        c: Chan::new(0),
    });
    let s2 = s.clone();
    after_func(Duration::ZERO, move || step(s2.clone()));
    s.c.recv();
}

#[test]
fn after_func_chain_both() {
    both(after_func_chain);
}

/// TestAfterStop.
fn after_stop() {
    after_func(100 * MS, || {});
    let t0 = new_timer(50 * MS);
    let c1 = Chan::new(1);
    let tx = c1.clone();
    let t1 = after_func(150 * MS, move || tx.send(true));
    let c2 = after(200 * MS);
    assert!(t0.stop(), "failed to stop event 0");
    assert!(t1.stop(), "failed to stop event 1");
    c2.recv();
    select! {
        case <-t0.c() => panic!("event 0 was not stopped"),
        case <-c1 => panic!("event 1 was not stopped"),
        default => {},
    }
    assert!(!t1.stop(), "Stop returned true twice");
    // Stopping a timer that has already fired is fine.
    t1.reset(MS);
    c1.recv();
    assert!(!t1.stop(), "Stop returned true after timer fired");
}

#[test]
fn after_stop_both() {
    both(after_stop);
}

/// Go's testReset(d); Go retries with larger `d` when the machine is slow.
fn try_reset(d: Duration) -> Result<(), String> {
    let t0 = new_timer(2 * d);
    sleep(d);
    if !t0.reset(3 * d) {
        return Err("resetting unfired timer returned false".into());
    }
    sleep(2 * d);
    if ready(t0.c()) {
        return Err("timer fired early".into());
    }
    sleep(2 * d);
    if !ready(t0.c()) {
        return Err("reset timer did not fire".into());
    }
    if t0.reset(50 * MS) {
        return Err("resetting expired timer returned true".into());
    }
    Ok(())
}

/// TestReset.
fn reset() {
    let mut errs = vec![];
    for d in [25, 50, 100, 200, 400, 800] {
        match try_reset(d * MS) {
            Ok(()) => return,
            Err(e) => errs.push(format!("{d}ms: {e}")),
        }
    }
    panic!("{errs:?}");
}

#[test]
fn reset_both() {
    both(reset);
}

/// Go 1.23: after Stop or Reset, no stale value is received, even when the
/// timer had already fired into its channel.
fn no_stale_value() {
    let t = new_timer(MS);
    sleep(20 * MS); // fired: its value waits in the channel
    assert!(!t.stop(), "Stop of a fired timer returned true");
    assert!(!ready(t.c()), "stale value after Stop");

    let t = new_timer(MS);
    sleep(20 * MS);
    assert!(!t.reset(Duration::from_secs(3600)));
    assert!(!ready(t.c()), "stale value after Reset");
    assert!(t.stop());

    let t = new_timer(MS);
    sleep(20 * MS);
    t.reset(MS);
    let v = t.c().recv().unwrap();
    assert!(!ready(t.c()), "two values from one reset");
    let _ = v;
}

#[test]
fn no_stale_value_both() {
    both(no_stale_value);
}

/// Stop racing with fire: whatever wins, after stop there is no value, and
/// stop says whether it prevented the firing.
fn stop_races_fire() {
    for i in 0..200 {
        let t = new_timer(Duration::from_micros(i % 50));
        if i % 2 == 0 {
            csp_core::yield_now();
        }
        let stopped = t.stop();
        assert!(!ready(t.c()), "value after stop (stopped={stopped})");
    }
}

#[test]
fn stop_races_fire_both() {
    both(stop_races_fire);
}

/// TestTicker's behaviour (not its timing): ticks arrive, Reset changes the
/// period, and no tick is received after Stop.
fn ticker() {
    let count = 10;
    let delta = 20 * MS;
    let ticker = new_ticker(delta);
    for _ in 0..count / 2 {
        ticker.c().recv();
    }
    ticker.reset(delta * 2);
    for _ in 0..count - count / 2 {
        ticker.c().recv();
    }
    ticker.stop();
    sleep(2 * delta);
    assert!(!ready(ticker.c()), "Ticker did not shut down");
}

#[test]
fn ticker_both() {
    both(ticker);
}

/// TestTeardown.
fn teardown() {
    for d in [MS, 2 * MS, 5 * MS] {
        let t = new_ticker(d);
        t.c().recv();
        t.stop();
    }
}

#[test]
fn teardown_both() {
    both(teardown);
}

/// No stale tick after Reset.
fn ticker_reset_no_stale() {
    let t = new_ticker(MS);
    sleep(20 * MS);
    t.reset(Duration::from_secs(3600));
    assert!(!ready(t.c()), "stale tick after Reset");
}

#[test]
fn ticker_reset_no_stale_both() {
    both(ticker_reset_no_stale);
}

fn panic_message(r: std::thread::Result<()>) -> String {
    let p = r.expect_err("should have panicked");
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap()
}

/// TestNewTickerLtZeroDuration, TestTickerResetLtZeroDuration.
#[test]
fn ticker_zero_duration_panics() {
    let r = catch_unwind(|| {
        new_ticker(Duration::ZERO);
    });
    assert_eq!(panic_message(r), "non-positive interval for NewTicker");
    let t = new_ticker(Duration::from_secs(1));
    let r = catch_unwind(AssertUnwindSafe(|| t.reset(Duration::ZERO)));
    assert_eq!(panic_message(r), "non-positive interval for Ticker.Reset");
}

/// TestTick: Tick(0) is nil.
#[test]
fn tick_zero_is_nil() {
    assert!(tick(Duration::ZERO).is_nil());
}

/// tick keeps working; a stopped after_func does not run.
fn tick_and_after_func_stop() {
    let c = tick(MS);
    for _ in 0..3 {
        c.recv().unwrap();
    }
    let hit = Chan::new(1);
    let h = hit.clone();
    let t = after_func(10 * MS, move || h.send(()));
    assert!(t.stop());
    sleep(30 * MS);
    assert!(!ready(&hit));
}

#[test]
fn tick_and_after_func_stop_both() {
    both(tick_and_after_func_stop);
}

/// Go 1.23's `maybeRunChan`: an expired timer is ready when polled even if
/// no worker has run the timer heap since it expired. Here the only worker
/// is blocked in a std sleep, so nothing but the poll can run the timer.
#[test]
fn expired_timer_ready_when_polled_without_scheduler() {
    Builder::new().workers(1).run(|| {
        for _ in 0..20 {
            let t = new_timer(MS);
            let a = after(MS);
            let tk = new_ticker(MS);
            std::thread::sleep(3 * MS); // blocks the only worker
            assert!(ready(t.c()), "expired timer not ready when polled");
            assert!(ready(&a), "expired after() not ready when polled");
            assert!(ready(tk.c()), "due ticker not ready when polled");
            assert!(!ready(t.c()), "a one-shot timer delivered twice");
            tk.stop();
        }
    });
}

/// The same from an OS thread, through a blocking receive and `recv_timeout`.
#[test]
fn expired_timer_ready_when_polled_threads() {
    for _ in 0..20 {
        let t = new_timer(MS);
        std::thread::sleep(3 * MS);
        assert!(
            t.c().try_recv().is_ok(),
            "expired timer not ready when polled"
        );
        assert!(!t.stop(), "stop of a fired timer returned true");
    }
}

/// A ticker run early by a poll stays on its period grid and keeps ticking.
fn ticker_polled_early_keeps_ticking() {
    let tk = new_ticker(2 * MS);
    for _ in 0..5 {
        std::thread::sleep(3 * MS);
        select! {
            case <-tk.c() => {},
            default => panic!("due ticker not ready"),
        }
    }
    for _ in 0..3 {
        tk.c().recv().unwrap();
    }
    tk.stop();
    assert!(!ready(tk.c()));
}

#[test]
fn ticker_polled_early_keeps_ticking_both() {
    both(ticker_polled_early_keeps_ticking);
}

/// The times a ticker sends never go backwards, however its firings are
/// shared out: a 20 µs ticker, read by one goroutine while four others keep
/// both Ms busy (each M runs due timers between goroutines, and a receiver
/// runs a due firing inline), so that two firings are often in flight at
/// once. A send ordered by lock but stamped before it showed up as a later
/// tick carrying an earlier time.
fn ticker_times_in_order() {
    let t = new_ticker(Duration::from_micros(20));
    let stop: Chan<()> = Chan::new(0);
    let busy: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            csp_core::spawn(move || loop {
                select! {
                    case <-stop => return,
                    default => csp_core::yield_now(),
                }
            })
        })
        .collect();
    let mut last = t.c().recv().expect("a tick");
    for i in 0..5_000 {
        let x = t.c().recv().expect("a tick");
        assert!(
            x >= last,
            "tick {i} carries {x:?}, before the previous {last:?}"
        );
        last = x;
    }
    t.stop();
    stop.close();
    for b in busy {
        b.join().unwrap();
    }
}

#[test]
fn ticker_times_in_order_both() {
    both(ticker_times_in_order);
}
