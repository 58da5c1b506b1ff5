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
//! whose handle is dropped while it unwinds (before or after the panic
//! started) cannot be joined, so its panic is certain to end `run`: it is also
//! counted in [`Panics::fatal`], and while that is non-zero no other goroutine
//! of the `run` continues past a park ([`freeze`]): as in Go, no more of
//! `main` runs once such a panic has been reported. The count stays up once
//! the `run`'s outcome is decided ([`Panics::outcome_decided`]), so the
//! moment the payload reaches the frame opens no window either.
//!
//! Soundness of the counts: only the panicking goroutine itself marks and
//! unmarks itself (`G::unwinding`, touched only on its own stack), so each
//! increment of `unwinding` is matched by exactly one decrement: when its
//! frame has caught the panic ([`unwound`], in the goroutine's wrapper), or
//! when the goroutine parks again outside a panic, which means the user's own
//! `catch_unwind` caught it ([`caught_before_park`]). `fatal` counts the
//! goroutines whose [`JoinLink`] has both bits set: the panic hook and the
//! handle's drop each set theirs with one `fetch_or` on the same atomic, so
//! exactly one of them sees the other's bit and counts; the `fetch_and` of
//! [`unwound`] that clears the unwinding bit uncounts exactly when it was
//! counted.
//!
//! Limits: the hook is installed by the first `run` and wraps the hook set
//! before it; a program that replaces the hook afterwards (without calling
//! the previous one) loses this guarantee. A panic started by
//! `std::panic::resume_unwind` runs no hook and is seen only when it reaches
//! the goroutine's frame.

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use crate::runtime::g::G;
use crate::runtime::sched::{self, Sched};

/// How often a `main` waiting for a panicking goroutine, or a goroutine held
/// back by a fatal panic, looks again.
const PANIC_POLL: Duration = Duration::from_millis(1);

/// How long a fatal panic's report waits for the other goroutines to stop,
/// and how often it looks.
const FREEZE_BOUND: Duration = Duration::from_millis(100);
const FREEZE_POLL: Duration = Duration::from_micros(50);

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

    /// The `run`'s outcome is decided (called once, under the outcome's
    /// lock): from now on no goroutine continues past a park either.
    pub(crate) fn outcome_decided(&self) {
        self.fatal.fetch_add(1, Ordering::SeqCst);
    }
}

/// What a goroutine's `G::unwinding` holds.
pub(crate) const NOT_UNWINDING: u8 = 0;
const UNWINDING: u8 = 1;

/// [`JoinLink`]'s bits.
const LINK_DETACHED: u8 = 1;
const LINK_UNWINDING: u8 = 2;

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
    g.sched.panics.unwinding.fetch_add(1, Ordering::SeqCst);
    g.unwinding.set(UNWINDING);
    let link = g.join_link.get();
    if !link.is_null() {
        // SAFETY: the goroutine's wrapper set the link's address and keeps
        // what it points into alive until it clears it, after `unwound`.
        let prev = unsafe { (*link).fetch_or(LINK_UNWINDING, Ordering::SeqCst) };
        debug_assert_eq!(prev & LINK_UNWINDING, 0, "one counted panic at a time");
        if prev & LINK_DETACHED != 0 {
            g.sched.panics.fatal.fetch_add(1, Ordering::SeqCst);
            freeze_the_world(&g.sched);
        }
    }
}

/// Before a fatal panic is reported: waits (a bounded while, as Go's
/// best-effort `freezetheworld`) until no other M runs user code. A goroutine
/// running then reaches its next park and stops there ([`freeze`]), so none of
/// it runs after the report; one that does not park within the bound (a long
/// computation) is not waited for.
fn freeze_the_world(s: &Sched) {
    // Whoever resumes a goroutine after this barrier sees `fatal` (the
    // resume is a compiler fence on that side, as in `handoff.rs`).
    let _ = crate::runtime::fence::heavy();
    let me = sched::current_m().1;
    let until = Instant::now() + FREEZE_BOUND;
    while s.threads.others_in_user(me) == Some(true) && Instant::now() < until {
        // Not a park: the hook runs on the panicking goroutine, mid-panic.
        std::thread::sleep(FREEZE_POLL);
    }
}

/// The goroutine's `JoinHandle` is dropped: if the goroutine is unwinding, its
/// panic is now certain to end the `run` (see the module's note).
pub(crate) fn handle_dropped(link: &JoinLink, panics: &Panics) {
    let prev = link.fetch_or(LINK_DETACHED, Ordering::SeqCst);
    debug_assert_eq!(prev & LINK_DETACHED, 0, "a handle is dropped once");
    if prev & LINK_UNWINDING != 0 {
        panics.fatal.fetch_add(1, Ordering::SeqCst);
    }
}

/// The running goroutine's panic (if any was counted) has reached its frame,
/// or was caught: uncounts it. Called on the goroutine itself.
pub(crate) fn unwound(g: &G) {
    let was = g.unwinding.replace(NOT_UNWINDING);
    if was == NOT_UNWINDING {
        return;
    }
    let link = g.join_link.get();
    if !link.is_null() {
        // SAFETY: as in `panic_started`: the wrapper clears the address only
        // after this call.
        let prev = unsafe { (*link).fetch_and(!LINK_UNWINDING, Ordering::SeqCst) };
        if prev & LINK_DETACHED != 0 {
            g.sched.panics.fatal.fetch_sub(1, Ordering::SeqCst);
        }
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
/// its way, or once the `run`'s outcome is decided, the goroutine does not
/// continue (it sleeps in short timed parks, so the deadlock rule sees a
/// pending timer, not a deadlock).
#[inline]
pub(crate) fn must_freeze(g: &G) -> bool {
    // Acquire: pairs with the SeqCst increments, which follow (in their
    // thread) whatever woke this goroutine.
    g.unwinding.get() == NOT_UNWINDING && g.sched.panics.fatal.load(Ordering::Acquire) != 0
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

/// What a goroutine's wrapper publishes in `G::join_link`: shared by the
/// goroutine and its `JoinHandle`, with a bit for "the handle is dropped" and
/// one for "a counted panic is unwinding".
pub(crate) type JoinLink = AtomicU8;
