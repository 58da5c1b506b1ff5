//! The wait protocol: how a goroutine or an OS thread waits, and how exactly one
//! party completes the wait.
//!
//! A wait goes through four steps, all in [`Wait`]:
//!
//! 1. **Arm** ([`Wait::new`]): the waiter's [`WaitState`] is reset. Nothing of
//!    an earlier wait can touch it any more: that wait unlinked its sudogs and
//!    cancelled its deadline before it returned.
//! 2. **Publish**: the caller links one or more sudogs ([`Wait::sudog`]) into
//!    wait queues while holding the queues' locks.
//! 3. **Park** ([`Wait::park`]): the waiter sleeps; `unlockf` releases the locks
//!    only after the waiter is committed to parking (Go's `chanparkcommit`), so
//!    a waker that takes a lock afterwards always finds a parked waiter.
//! 4. **Outcome**: [`WaitOutcome::Woken`] with the sudog that completed the wait
//!    and whether a value moved, or [`WaitOutcome::TimedOut`].
//!
//! When more than one party can complete a wait (the cases of a select, or a
//! waker and the deadline), they race for the 0 → 1 flip of `done` (Go's
//! `selectDone`); the loser leaves the wait alone. The winner records the sudog
//! that finished the wait (Go's `gp.param`; null for a deadline) and readies the
//! waiter. Plain waits (one sudog, no deadline) skip the race: dequeuing the
//! sudog under the queue's lock is enough.

use std::ptr::{self, NonNull};
use std::time::Instant;

use crate::runtime::panic;
use crate::runtime::park::{self, ThreadParker, WaitReason, Waiter};
use crate::runtime::sudog::Sudog;
use crate::runtime::taskwait::TaskWaiter;
use crate::shim::{AtomicPtr, AtomicU32, Ordering};

/// The fields a waker touches; Go keeps them in `g`. Only this module writes them.
pub(crate) struct WaitState {
    /// 0 → 1 by whoever completes a racing wait.
    done: AtomicU32,
    /// The sudog that completed the wait; null after a timeout.
    param: AtomicPtr<Sudog>,
}

impl WaitState {
    pub(crate) fn new() -> Self {
        WaitState {
            done: AtomicU32::new(0),
            param: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Step 1. Relaxed: the sudogs are published afterwards under a lock,
    /// whose release orders these stores before any waker's claim.
    #[inline]
    pub(crate) fn arm(&self) {
        self.param.store(ptr::null_mut(), Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
    }

    /// Tries to become the one party that completes a racing wait.
    #[inline]
    pub(crate) fn claim(&self) -> bool {
        self.done
            .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Whether some party has completed this wait ([`claim`](Self::claim)
    /// succeeded). Acquire: pairs with the claim's AcqRel.
    #[inline]
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire) != 0
    }

    /// The deadline's attempt to complete the wait: on success the wait ends
    /// [`WaitOutcome::TimedOut`] and the caller must ready the waiter (a thread
    /// readies itself).
    pub(crate) fn claim_timeout(&self) -> bool {
        if !self.claim() {
            return false;
        }
        self.param.store(ptr::null_mut(), Ordering::Relaxed);
        true
    }

    /// What ended the wait; read by the waiter once it runs again.
    #[inline]
    fn outcome(&self) -> WaitOutcome {
        let Some(sg) = NonNull::new(self.param.load(Ordering::Relaxed)) else {
            return WaitOutcome::TimedOut;
        };
        // SAFETY: the waker finished with the sudog before readying us, and it
        // lives in our frame.
        let ok = unsafe { sg.as_ref().success };
        WaitOutcome::Woken { sg, ok }
    }
}

/// How a wait ended. Two words (the null niche of `sg` is `TimedOut`), so it
/// comes back in registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitOutcome {
    /// A waker completed the wait through `sg`; `ok` is false when it was woken
    /// by `close` (no value moved).
    Woken { sg: NonNull<Sudog>, ok: bool },
    /// The deadline passed first. Sudogs of the wait may still be linked: the
    /// waiter must unlink them itself.
    TimedOut,
}

/// One wait of the calling goroutine or thread, from arming to its outcome.
pub(crate) struct Wait {
    w: Waiter,
    deadline: Option<Instant>,
    /// The thread's parker when its thread-local one is already destroyed
    /// ([`Waiter::current`]); `w` points into it, so it lives as long as the wait.
    _fallback: Option<Box<ThreadParker>>,
}

impl Wait {
    /// Step 1: arms a wait of the caller. With a deadline, every sudog of the
    /// wait races with it.
    #[inline]
    pub(crate) fn new(deadline: Option<Instant>) -> Wait {
        let mut fallback = None;
        let w = Waiter::current(&mut fallback);
        w.state().arm();
        Wait {
            w,
            deadline,
            _fallback: fallback,
        }
    }

    /// Who waits (for queues that keep waiters without sudogs: join, WaitGroup).
    #[inline]
    pub(crate) fn waiter(&self) -> Waiter {
        self.w
    }

    /// Step 2: a sudog of this wait for the queue of `owner`, with value slot
    /// `elem`. `races` says that other sudogs of this wait exist (a select).
    #[inline]
    pub(crate) fn sudog(&self, elem: *mut u8, owner: usize, races: bool) -> Sudog {
        Sudog::new(self.w, elem, races || self.deadline.is_some(), owner)
    }

    /// Step 3 and 4: parks until a waker or the deadline completes the wait.
    /// `unlockf` runs once, after the waiter is committed to parking; it must
    /// release every lock under which this wait's sudogs were published.
    #[inline(always)]
    pub(crate) fn park(&self, reason: WaitReason, unlockf: &mut dyn FnMut()) -> WaitOutcome {
        if let Waiter::G(g) = self.w {
            // SAFETY: `g` is the calling goroutine (`Waiter::current`).
            panic::caught_before_park(unsafe { g.as_ref() });
        }
        park::gopark(self.w, reason, self.deadline, unlockf);
        let out = self.w.state().outcome();
        if let Waiter::G(g) = self.w {
            // SAFETY: as above; the outcome is read, so the wait state is free.
            let g = unsafe { g.as_ref() };
            if panic::must_freeze(g) {
                panic::freeze(g);
            }
        }
        out
    }
}

/// A timed park of the calling goroutine that [`panic::freeze`] uses to hold it
/// back: like [`sleep_until`] without the freeze check after the park.
pub(crate) fn sleep_unfrozen(deadline: Instant) {
    let w = Wait::new(Some(deadline));
    park::gopark(w.w, WaitReason::PanicWait, w.deadline, &mut || {});
    debug_assert_eq!(w.w.state().outcome(), WaitOutcome::TimedOut);
}

/// Parks the caller until `deadline` with nothing else that can end the wait
/// (`sleep`, a timed operation on a nil channel).
pub(crate) fn sleep_until(deadline: Instant, reason: WaitReason) {
    let w = Wait::new(Some(deadline));
    let out = w.park(reason, &mut || {});
    debug_assert_eq!(out, WaitOutcome::TimedOut, "only the deadline ends a sleep");
}

/// Completes the wait that `sg` belongs to: records `sg` as what finished it,
/// then readies the waiter (Go: `gp.param = sg; goready(gp)`). A null `sg` is
/// a no-op.
///
/// # Safety
/// No queue lock is held; the caller dequeued `sg` under its queue's lock and
/// won [`Sudog::claim`].
pub(crate) unsafe fn ready(sg: *mut Sudog) {
    if sg.is_null() {
        return;
    }
    // SAFETY: the waiter stays parked (and its sudog alive) until goready.
    unsafe {
        let w = (*sg).g;
        if let Waiter::GivenBack(free) = w {
            // Nobody waits: the value was taken; only the record is left.
            free(sg);
            return;
        }
        w.state().param.store(sg, Ordering::Relaxed);
        park::goready(w);
    }
}

/// [`ready`], except that an async task's waker is returned instead of
/// woken, for a caller that readies several waiters and must let every task
/// go on before it runs any waker (`closechan`).
///
/// # Safety
/// As [`ready`].
pub(crate) unsafe fn ready_deferred(sg: *mut Sudog) -> Option<std::task::Waker> {
    // SAFETY: forwarded contract.
    unsafe {
        if let Waiter::Task(t) = (*sg).g {
            t.as_ref().state.param.store(sg, Ordering::Relaxed);
            return TaskWaiter::release(t);
        }
        ready(sg);
    }
    None
}

/// Readies a waiter that waits without a sudog (join, WaitGroup).
///
/// # Safety
/// `w` parked through a [`Wait`] and published itself in a list under a lock;
/// the caller took it out of that list under the same lock and holds no lock now.
pub(crate) unsafe fn ready_waiter(w: Waiter) {
    // SAFETY: forwarded contract.
    unsafe { park::goready(w) }
}
