//! A goroutine's panic always fails its `run`, even when `main` is about to
//! return while the panic is still being reported.
//!
//! The hole this closes: the panic hook (which prints the message and, with
//! `RUST_BACKTRACE`, a backtrace that can take tens of milliseconds) runs
//! before the stack unwinds to the goroutine's `catch_unwind`, and only there
//! does the payload reach [`Sched::unjoined_panic`]. A `main` that returned
//! meanwhile ended `run` normally: the panic was printed, and the process
//! exited 0.
//!
//! The rule, as Go's `main` has it (`runningPanicDefers`, `panicking` in
//! `proc.go`): from the moment a goroutine's panic starts — our panic hook,
//! which runs first, on the panicking goroutine — until its unwinding reaches
//! the goroutine's frame, the goroutine is counted in [`Panics::unwinding`].
//! `main` does not end `run` while that count is non-zero ([`main_returned`]);
//! by then the payload has been recorded, so `run` re-raises it. A goroutine
//! whose handle was already dropped when it panicked cannot be joined, so its
//! panic is certain to end `run`: it is also counted in [`Panics::fatal`],
//! and while that is non-zero no other goroutine of the `run` continues past
//! a park ([`freeze`]): as in Go, no more of `main` runs once such a panic has
//! been reported.
//!
//! Soundness of the count: only the panicking goroutine itself marks and
//! unmarks itself (`G::unwinding`, touched only on its own stack), so each
//! increment is matched by exactly one decrement: when its frame has caught
//! the panic ([`unwound`], in the goroutine's wrapper), or when the goroutine
//! parks again outside a panic, which means the user's own `catch_unwind`
//! caught it ([`caught_before_park`]).
//!
//! Limits: the hook is installed by the first `run` and wraps the hook set
//! before it; a program that replaces the hook afterwards (without calling
//! the previous one) loses this guarantee. A panic started by
//! `std::panic::resume_unwind` runs no hook and is seen only when it reaches
//! the goroutine's frame.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use crate::runtime::g::G;
use crate::runtime::sched::{self, Sched};

/// How often a `main` waiting for a panicking goroutine, or a goroutine held
/// back by a fatal panic, looks again.
const PANIC_POLL: Duration = Duration::from_millis(1);

/// A `run`'s goroutines that are between the start of a panic and its arrival
/// at their frame.
pub(crate) struct Panics {
    /// Goroutines whose panic has started and not yet reached their frame.
    unwinding: AtomicUsize,
    /// Those of them that nobody can join: their panic will end the `run`.
    fatal: AtomicUsize,
}

impl Panics {
    pub(crate) const fn new() -> Self {
        Panics {
            unwinding: AtomicUsize::new(0),
            fatal: AtomicUsize::new(0),
        }
    }
}

/// What a goroutine's `G::unwinding` holds.
pub(crate) const NOT_UNWINDING: u8 = 0;
const UNWINDING: u8 = 1;
const UNWINDING_FATAL: u8 = 2;

/// Installs the panic hook (once per process), wrapping the one in place.
pub(crate) fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            panic_started();
            prev(info);
        }));
    });
}

/// The hook's part: counts the running goroutine, before anything is printed.
fn panic_started() {
    let Some(g) = sched::current_g() else {
        return;
    };
    // SAFETY: the hook runs on the panicking goroutine, which is alive and is
    // the only one to touch its `unwinding` and `detach_flag`.
    let g = unsafe { g.as_ref() };
    if !g.sched.in_run || g.unwinding.get() != NOT_UNWINDING {
        return;
    }
    let flag = g.detach_flag.get();
    // SAFETY: the goroutine's wrapper set the flag's address and keeps what it
    // points into alive until it clears it, after the panic has been caught.
    let fatal = !flag.is_null() && unsafe { (*flag).load(Ordering::SeqCst) };
    g.sched.panics.unwinding.fetch_add(1, Ordering::SeqCst);
    if fatal {
        g.sched.panics.fatal.fetch_add(1, Ordering::SeqCst);
        g.unwinding.set(UNWINDING_FATAL);
    } else {
        g.unwinding.set(UNWINDING);
    }
}

/// The running goroutine's panic (if any was counted) has reached its frame,
/// or was caught: uncounts it. Called on the goroutine itself.
pub(crate) fn unwound(g: &G) {
    let was = g.unwinding.replace(NOT_UNWINDING);
    if was == NOT_UNWINDING {
        return;
    }
    if was == UNWINDING_FATAL {
        g.sched.panics.fatal.fetch_sub(1, Ordering::SeqCst);
    }
    g.sched.panics.unwinding.fetch_sub(1, Ordering::SeqCst);
}

/// Before a goroutine parks: a counted panic that is no longer unwinding was
/// caught by the user's own `catch_unwind`.
#[inline]
pub(crate) fn caught_before_park(g: &G) {
    if g.unwinding.get() != NOT_UNWINDING && !std::thread::panicking() {
        unwound(g);
    }
}

/// After a goroutine's park: while a fatal panic of another goroutine is on
/// its way, the goroutine does not continue (it sleeps in short timed parks,
/// so the deadlock rule sees a pending timer, not a deadlock).
#[inline]
pub(crate) fn must_freeze(g: &G) -> bool {
    g.unwinding.get() == NOT_UNWINDING && g.sched.panics.fatal.load(Ordering::Relaxed) != 0
}

/// Holds the calling goroutine back while [`must_freeze`] says so.
pub(crate) fn freeze(g: &G) {
    while must_freeze(g) {
        // Not `sleep_until`: its park would come back here.
        crate::runtime::wait::sleep_unfrozen(Instant::now() + PANIC_POLL);
    }
}

/// `main` has returned: waits until no goroutine of the `run` is between the
/// start of its panic and its frame. A panic recorded meanwhile has already
/// decided how `run` ends.
pub(crate) fn main_returned(s: &Sched) {
    if let Some(me) = sched::current_g() {
        // SAFETY: the running (main) goroutine; a panic of its own that it
        // caught and did not park after is over.
        unwound(unsafe { me.as_ref() });
    }
    while s.panics.unwinding.load(Ordering::SeqCst) != 0 {
        crate::runtime::wait::sleep_until(
            Instant::now() + PANIC_POLL,
            crate::runtime::park::WaitReason::PanicWait,
        );
    }
}

/// The address a goroutine's wrapper publishes in `G::detach_flag`: true once
/// nobody can join the goroutine any more.
pub(crate) type DetachFlag = AtomicBool;
