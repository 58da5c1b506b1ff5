//! Go's `time` package, above channels and the runtime: `sleep`, `after` and
//! `tick` (Go's `time.Sleep`, `time.After`, `time.Tick`). The runtime's timers
//! only call functions; sending the time on a channel happens here, as Go's
//! `sendTime` does in package time.

use std::time::{Duration, Instant};

use crate::runtime::park::WaitReason;
use crate::runtime::sched::current_g;
use crate::runtime::{timer, wait};
use crate::Chan;

/// Pauses the calling goroutine for at least `d` without blocking its thread;
/// outside a goroutine, sleeps the thread.
pub fn sleep(d: Duration) {
    if d.is_zero() {
        return;
    }
    if current_g().is_none() {
        return std::thread::sleep(d);
    }
    match Instant::now().checked_add(d) {
        Some(t) => wait::sleep_until(t, WaitReason::Sleep),
        None => crate::runtime::park::park_forever(WaitReason::Sleep),
    }
}

/// A channel of capacity 1 that a timer sends the time on, at `when` and
/// then every `period`; a tick nobody has taken when the next one is due is
/// dropped (Go's `sendTime` with its non-blocking send).
fn timer_chan(when: Instant, period: Option<Duration>) -> Chan<Instant> {
    let ch = Chan::new(1);
    let tx = ch.clone();
    timer::start(when, period, move |now| {
        let _ = tx.try_send(now);
    });
    ch
}

/// A channel that receives the time once, `d` from now (Go's `time.After`).
pub fn after(d: Duration) -> Chan<Instant> {
    match Instant::now().checked_add(d) {
        Some(when) => timer_chan(when, None),
        // Never fires: Go's timers saturate the same way.
        None => Chan::new(1),
    }
}

/// A channel that receives the time every `d` (Go's `time.Tick`). A tick that
/// nobody has taken when the next one is due is dropped. A zero `d` gives a
/// nil channel, as Go's `time.Tick` does. The ticker is never stopped.
pub fn tick(d: Duration) -> Chan<Instant> {
    if d.is_zero() {
        return Chan::nil();
    }
    match Instant::now().checked_add(d) {
        Some(when) => timer_chan(when, Some(d)),
        None => Chan::new(1),
    }
}
