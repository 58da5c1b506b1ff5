//! `Sudog`: one waiter parked on one channel (Go's `runtime.sudog`).
//!
//! A sudog lives in the frame of the operation that waits (a blocking send or
//! receive has one; a select has one per case). Neither goroutine stacks nor thread
//! stacks move, so, unlike Go, no pool is needed: the frame outlives the wait.

use crate::runtime::park::Waiter;

/// A waiter record: who waits, where its value lives, and the queue links.
///
/// All fields but `g` are guarded by the lock of channel `c` while the sudog is
/// linked into one of its queues; after a waker dequeues it, the waker owns it
/// until it readies `g`.
pub(crate) struct Sudog {
    /// The parked goroutine or thread.
    pub(crate) g: Waiter,
    /// The waiter's value slot: the value to send, or where to put the received
    /// one (a `*mut T`, erased so that one select can mix element types).
    pub(crate) elem: *mut u8,
    /// Part of a select (or a timed wait): a waker must win `select_done` first.
    pub(crate) is_select: bool,
    /// Set by the waker: true when a value was transferred, false when woken by close.
    pub(crate) success: bool,
    pub(crate) next: *mut Sudog,
    pub(crate) prev: *mut Sudog,
    /// The channel this sudog waits on (its address; for select's pass 3).
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
}
