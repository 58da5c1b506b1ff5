//! `sleep`, `after` and `tick` (Go's `time.Sleep`, `time.After`, `time.Tick`).

use std::time::{Duration, Instant};

use crate::runtime::sched::{self, current_g, Sched};
use crate::Chan;

/// Pauses the calling goroutine for at least `d` without blocking its thread;
/// outside a goroutine, sleeps the thread.
pub fn sleep(d: Duration) {
    if d.is_zero() {
        return;
    }
    match current_g() {
        Some(g) => Sched::sleep(g, d),
        None => std::thread::sleep(d),
    }
}

/// A channel that receives the time once, `d` from now (Go's `time.After`).
pub fn after(d: Duration) -> Chan<Instant> {
    let ch = Chan::new(1);
    let s = sched::current_sched();
    if s.timers.add_send(ch.clone(), Instant::now() + d, None) {
        s.timer_added();
    }
    ch
}

/// A channel that receives the time every `d` (Go's `time.Tick`). A tick that
/// nobody has taken when the next one is due is dropped. A zero `d` gives a
/// nil channel, as Go's `time.Tick` does. The ticker is never stopped.
pub fn tick(d: Duration) -> Chan<Instant> {
    if d.is_zero() {
        return Chan::nil();
    }
    let ch = Chan::new(1);
    let s = sched::current_sched();
    if s.timers.add_send(ch.clone(), Instant::now() + d, Some(d)) {
        s.timer_added();
    }
    ch
}
