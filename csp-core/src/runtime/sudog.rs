//! `Sudog`: one waiter parked in one wait queue (Go's `runtime.sudog`).
//!
//! Go keeps `sudog` next to `g` in the runtime (runtime2.go), and so do we: a
//! sudog names a [`Waiter`] and a value slot, and says whether its wait races
//! (a select, or a wait with a deadline). The queues that hold sudogs belong
//! to whoever waits on them: a channel's `sendq`/`recvq` today, the sync
//! primitives' queues tomorrow.
//!
//! A sudog lives in the frame of the operation that waits (a blocking send or
//! receive has one; a select has one per case). Neither goroutine stacks nor thread
//! stacks move, so, unlike Go, no pool is needed: the frame outlives the wait.
//!
//! Ownership: while a sudog is linked into a queue, every field but `g` is
//! guarded by that queue's lock. A waker that dequeues it (and, for a racing
//! sudog, wins [`Sudog::claim`]) owns it until it calls
//! [`ready`](crate::runtime::wait::ready); after that the waiter owns it again.

use crate::runtime::park::Waiter;

/// A waiter record: who waits, where its value lives, and the queue links.
pub(crate) struct Sudog {
    /// The parked goroutine or thread.
    pub(crate) g: Waiter,
    /// The waiter's value slot: the value to send, or where to put the received
    /// one (a `*mut T`, erased so that one select can mix element types).
    pub(crate) elem: *mut u8,
    /// The wait can be completed by someone else too (another case of a
    /// select, or the deadline): a waker must win [`Sudog::claim`] first.
    pub(crate) is_select: bool,
    /// Set by the waker: true when a value was transferred, false when woken by close.
    pub(crate) success: bool,
    pub(crate) next: *mut Sudog,
    pub(crate) prev: *mut Sudog,
    /// The queue owner this sudog waits on (a channel's address; for select's
    /// pass 3).
    pub(crate) c: usize,
}

impl Sudog {
    pub(crate) fn new(g: Waiter, elem: *mut u8, is_select: bool, c: usize) -> Self {
        Sudog {
            g,
            elem,
            is_select,
            success: false,
            next: std::ptr::null_mut(),
            prev: std::ptr::null_mut(),
            c,
        }
    }

    /// Whether this is a value given back by a dropped receive future, which
    /// waits in the send queue with nobody behind it (`chan/giveback.rs`).
    #[inline]
    pub(crate) fn is_given_back(&self) -> bool {
        matches!(self.g, Waiter::GivenBack(_))
    }

    /// Whether the waker that just dequeued this sudog may complete its wait:
    /// always for a plain wait; for a racing one, only if it wins the race
    /// (Go's `sgp.isSelect && !sgp.g.selectDone.CompareAndSwap(0, 1)`).
    #[inline]
    pub(crate) fn claim(&self) -> bool {
        !self.is_select || self.g.state().claim()
    }
}
