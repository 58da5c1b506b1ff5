//! Go's `time` package, above channels and the runtime: [`sleep`], [`after`],
//! [`tick`], [`Timer`], [`Ticker`] and [`after_func`]. The runtime's timers
//! only call functions; sending the time on a channel happens here, as Go's
//! `sendTime` does in package time.
//!
//! # Go 1.23 semantics
//!
//! - **No stale values.** After [`Timer::stop`], [`Timer::reset`],
//!   [`Ticker::stop`] or [`Ticker::reset`] returns, no value sent for the old
//!   setting is received: a value already in the channel is taken out, and a
//!   firing that raced with the call sends nothing.
//! - **Expired timers are ready.** A non-blocking receive (`try_recv`) or
//!   a `select!` poll that finds a timer's channel empty first runs the
//!   timer if it is due (Go 1.23's `maybeRunChan`), so an expired timer is
//!   ready the moment it is polled, whether or not a worker has run the
//!   timer heap yet: `select! { case <-after(ZERO) => .., default => .. }`
//!   takes the case every time. (A blocking receive simply waits: the heap
//!   readies it.)
//! - **Dropped timers are freed.** A timer, ticker or `tick` channel whose
//!   handles ([`Timer`], [`Ticker`], every clone of the channel) are all
//!   dropped stops and frees its memory: at once for a `Timer`/`Ticker`
//!   dropped with no channel clone left, at its next firing otherwise.
//!
//! A timer's channel has a buffer of one value internally; Go 1.23 hides its
//! buffer the same way, but here `len()`/`cap()` of the channel show it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::runtime::park::WaitReason;
use crate::runtime::sched::current_g;
use crate::runtime::timer::{self, FuncTimer};
use crate::runtime::wait;
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

/// `now + d`, or `None` when it does not fit (the timer never fires; Go's
/// timers saturate the same way).
fn when(d: Duration) -> Option<Instant> {
    Instant::now().checked_add(d)
}

/// A single event (Go's `*time.Timer`): its channel [`c`](Timer::c) receives
/// the time once the duration has passed, unless the timer is stopped first.
///
/// ```
/// use std::time::Duration;
/// use csp_core::time::new_timer;
///
/// let t = new_timer(Duration::from_millis(1));
/// let fired_at = t.c().recv().unwrap();
/// assert!(!t.stop()); // already fired
/// # let _ = fired_at;
/// ```
pub struct Timer {
    c: Chan<Instant>,
    lock: Arc<Mutex<()>>,
    rt: Arc<FuncTimer>,
    /// `after_func` timers have no channel and are not stopped on drop.
    func: bool,
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer").field("c", &self.c).finish()
    }
}

/// A timer that sends the time on its channel after `d` (Go's `time.NewTimer`).
/// A zero `d` gives a timer that is ready at once.
pub fn new_timer(d: Duration) -> Timer {
    let c = Chan::new(1);
    let (lock, rt) = send_timer(&c);
    let t = Timer {
        c,
        lock,
        rt,
        func: false,
    };
    t.arm(d);
    t
}

/// The firing function of a channel timer, and the lock it shares with the
/// handle.
fn send_timer(ch: &Chan<Instant>) -> (Arc<Mutex<()>>, Arc<FuncTimer>) {
    let tx = ch.clone();
    let lock = Arc::new(Mutex::new(()));
    let l = lock.clone();
    let rt = timer::new(move |fire| {
        let _g = l.lock();
        if !fire.current() {
            return;
        }
        if tx.handle_count() == 1 {
            // Nobody can receive any more: stop, and free the timer.
            fire.stop();
            return;
        }
        // The clock is read under the lock, as Go's `sendTime` reads it under
        // the timer's send lock: two firings of a ticker run by two Ms (or one
        // run inline by a receiver) send in the order they take the lock, so
        // the times they send must come from that order too, not from when
        // each popped its firing.
        let now = Instant::now();
        debug_assert!(now >= fire.now);
        let _ = tx.try_send(now);
    });
    ch.set_timer(&rt);
    (lock, rt)
}

impl Timer {
    /// The channel on which the time is delivered (Go's `t.C`). It is the nil
    /// channel for a timer made by [`after_func`].
    pub fn c(&self) -> &Chan<Instant> {
        &self.c
    }

    /// Arms the timer `d` from now, with the lock held by the caller or
    /// before anyone else can see the timer. Returns whether it was pending.
    fn arm(&self, d: Duration) -> bool {
        if d.is_zero() && !self.func {
            // Expired at once: ready the moment it is polled.
            let was = self.rt.stop();
            let _ = self.c.try_send(Instant::now());
            return was;
        }
        match when(d) {
            Some(w) => self.rt.reset(w, None),
            None => self.rt.stop(),
        }
    }

    /// Prevents the timer from firing (Go's `Timer.Stop`). Returns true if
    /// the call stopped it, false if it had already fired or been stopped.
    /// Afterwards no value is received from [`c`](Timer::c) (Go 1.23). For an
    /// [`after_func`] timer, `stop` does not wait for a started `f` to finish.
    pub fn stop(&self) -> bool {
        let _g = self.lock.lock();
        // Stop first: the drain below is a receive, which runs a due timer.
        let was = self.rt.stop();
        let _ = self.c.try_recv();
        was
    }

    /// Changes the timer to fire `d` from now (Go's `Timer.Reset`). Returns
    /// true if it was pending. No value from before the reset is received
    /// afterwards (Go 1.23).
    pub fn reset(&self, d: Duration) -> bool {
        let _g = self.lock.lock();
        // Stop before draining: the drain is a receive, which would run a
        // due timer (and its function takes the lock we hold).
        let was = self.rt.stop();
        let _ = self.c.try_recv();
        self.arm(d);
        was
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // Our handle and the timer's own are the only ones: nobody can ever
        // receive, so free the timer now rather than when it fires.
        if !self.func && self.c.handle_count() == 2 {
            self.rt.stop();
        }
    }
}

/// Waits `d`, then calls `f` in its own goroutine (Go's `time.AfterFunc`).
/// The returned timer's [`stop`](Timer::stop) cancels the call if it has not
/// started; [`reset`](Timer::reset) schedules another. Its channel is nil.
/// Dropping the timer does not cancel the call.
///
/// ```
/// use std::time::Duration;
/// use csp_core::{time::after_func, Chan};
///
/// let done = Chan::new(1);
/// let tx = done.clone();
/// let _t = after_func(Duration::from_millis(1), move || tx.send("fired"));
/// assert_eq!(done.recv(), Some("fired"));
/// ```
pub fn after_func<F>(d: Duration, f: F) -> Timer
where
    F: Fn() + Send + Sync + 'static,
{
    let f = Arc::new(f);
    let rt = timer::new(move |_fire| {
        let f = f.clone();
        drop(crate::spawn(move || f()));
    });
    let t = Timer {
        c: Chan::nil(),
        lock: Arc::new(Mutex::new(())),
        rt,
        func: true,
    };
    t.arm(d);
    t
}

/// Delivers the time on its channel every period (Go's `*time.Ticker`).
/// A tick that nobody has taken when the next one is due is dropped.
///
/// ```
/// use std::time::Duration;
/// use csp_core::time::new_ticker;
///
/// let t = new_ticker(Duration::from_millis(1));
/// for _ in 0..3 {
///     t.c().recv().unwrap();
/// }
/// t.stop();
/// ```
pub struct Ticker {
    c: Chan<Instant>,
    lock: Arc<Mutex<()>>,
    rt: Arc<FuncTimer>,
}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticker").field("c", &self.c).finish()
    }
}

/// A ticker with period `d` (Go's `time.NewTicker`).
///
/// # Panics
/// "non-positive interval for NewTicker" if `d` is zero.
pub fn new_ticker(d: Duration) -> Ticker {
    if d.is_zero() {
        panic!("non-positive interval for NewTicker");
    }
    let c = Chan::new(1);
    let (lock, rt) = send_timer(&c);
    if let Some(w) = when(d) {
        rt.reset(w, Some(d));
    }
    Ticker { c, lock, rt }
}

impl Ticker {
    /// The channel on which the ticks are delivered (Go's `t.C`).
    pub fn c(&self) -> &Chan<Instant> {
        &self.c
    }

    /// Turns the ticker off (Go's `Ticker.Stop`); no tick is received
    /// afterwards. It does not close the channel.
    pub fn stop(&self) {
        let _g = self.lock.lock();
        self.rt.stop();
        let _ = self.c.try_recv();
    }

    /// Stops the ticker and resets its period to `d`; the next tick arrives
    /// `d` from now (Go's `Ticker.Reset`). No earlier tick is received after.
    ///
    /// # Panics
    /// "non-positive interval for Ticker.Reset" if `d` is zero.
    pub fn reset(&self, d: Duration) {
        if d.is_zero() {
            panic!("non-positive interval for Ticker.Reset");
        }
        let _g = self.lock.lock();
        // Stop before draining (see `Timer::reset`).
        self.rt.stop();
        let _ = self.c.try_recv();
        if let Some(w) = when(d) {
            self.rt.reset(w, Some(d));
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if self.c.handle_count() == 2 {
            self.rt.stop();
        }
    }
}

/// A channel that receives the time once, `d` from now (Go's `time.After`).
/// A zero `d` gives a channel that is ready at once. If every handle is
/// dropped, the timer is freed when it fires.
pub fn after(d: Duration) -> Chan<Instant> {
    new_timer(d).c.clone()
}

/// A channel that receives the time every `d` (Go's `time.Tick`). A tick that
/// nobody has taken when the next one is due is dropped. A zero `d` gives a
/// nil channel, as Go's `time.Tick` does. Once every handle to the channel is
/// dropped, the ticker stops at its next tick and is freed.
pub fn tick(d: Duration) -> Chan<Instant> {
    if d.is_zero() {
        return Chan::nil();
    }
    new_ticker(d).c.clone()
}
