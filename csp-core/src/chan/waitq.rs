//! `WaitQ`: the intrusive FIFO of sudogs parked on a channel (Go's `waitq`).

use std::ptr;

use crate::runtime::sudog::Sudog;
use crate::shim::{AtomicPtr, LockedCell, Ordering};

/// A doubly-linked FIFO of sudogs, guarded by the channel lock.
///
/// `first` is atomic only so that the lock-free fast paths of the non-blocking
/// operations can ask "is anybody waiting?" without the lock, as Go's `full` and
/// `empty` do; it is only ever written with the lock held.
pub(crate) struct WaitQ {
    first: AtomicPtr<Sudog>,
    last: LockedCell<*mut Sudog>,
}

impl WaitQ {
    pub(crate) fn new() -> Self {
        WaitQ {
            first: AtomicPtr::new(ptr::null_mut()),
            last: LockedCell::new(ptr::null_mut()),
        }
    }

    /// Whether nobody waits, read without the lock (a hint for the fast paths).
    ///
    /// Acquire, paired with the Release stores of `first`: a fast path that sees
    /// the queue emptied also sees what happened before (a close, say), as Go's
    /// sequentially consistent loads do.
    #[inline]
    pub(crate) fn is_empty_hint(&self) -> bool {
        self.first.load(Ordering::Acquire).is_null()
    }

    /// Appends `sgp` at the tail.
    ///
    /// # Safety
    /// The channel lock is held; `sgp` is valid and in no queue.
    pub(crate) unsafe fn enqueue(&self, sgp: *mut Sudog) {
        // SAFETY: the lock is held and every linked sudog is alive (its owner
        // waits until it is dequeued or removed).
        unsafe {
            (*sgp).next = ptr::null_mut();
            let x = self.last.get();
            if x.is_null() {
                (*sgp).prev = ptr::null_mut();
                self.first.store(sgp, Ordering::Release);
                self.last.set(sgp);
                return;
            }
            (*sgp).prev = x;
            (*x).next = sgp;
            self.last.set(sgp);
        }
    }

    /// Puts `sgp` at the head, before every waiter (for a value given back by
    /// a dropped receive future: it is older than every queued sender's).
    ///
    /// # Safety
    /// The channel lock is held; `sgp` is valid and in no queue.
    pub(crate) unsafe fn enqueue_front(&self, sgp: *mut Sudog) {
        // SAFETY: the lock is held and every linked sudog is alive.
        unsafe {
            (*sgp).prev = ptr::null_mut();
            let y = self.first.load(Ordering::Relaxed);
            (*sgp).next = y;
            if y.is_null() {
                self.last.set(sgp);
            } else {
                (*y).prev = sgp;
            }
            self.first.store(sgp, Ordering::Release);
        }
    }

    /// Pops the first waiter that can still be woken. A select's sudog is skipped
    /// (and unlinked) when its select has already been won through another case.
    ///
    /// # Safety
    /// The channel lock is held.
    pub(crate) unsafe fn dequeue(&self) -> Option<*mut Sudog> {
        loop {
            let sgp = self.first.load(Ordering::Relaxed);
            if sgp.is_null() {
                return None;
            }
            // SAFETY: the lock is held and linked sudogs are alive.
            unsafe {
                let y = (*sgp).next;
                if y.is_null() {
                    self.first.store(ptr::null_mut(), Ordering::Release);
                    self.last.set(ptr::null_mut());
                } else {
                    (*y).prev = ptr::null_mut();
                    self.first.store(y, Ordering::Release);
                    (*sgp).next = ptr::null_mut(); // mark as removed
                }
                // A select (or timed wait) can be completed once: whoever wins
                // the claim completes it; everyone else skips its other sudogs.
                if !(*sgp).claim() {
                    continue;
                }
            }
            return Some(sgp);
        }
    }

    /// Unlinks `sgp` from wherever it is in O(1); a no-op when `dequeue` already
    /// took it out (Go's `dequeueSudoG`).
    ///
    /// # Safety
    /// The channel lock is held; `sgp` was enqueued on this queue.
    pub(crate) unsafe fn remove(&self, sgp: *mut Sudog) {
        // SAFETY: the lock is held and linked sudogs are alive.
        unsafe {
            let x = (*sgp).prev;
            let y = (*sgp).next;
            if !x.is_null() {
                if !y.is_null() {
                    (*x).next = y;
                    (*y).prev = x;
                    (*sgp).next = ptr::null_mut();
                    (*sgp).prev = ptr::null_mut();
                    return;
                }
                (*x).next = ptr::null_mut();
                self.last.set(x);
                (*sgp).prev = ptr::null_mut();
                return;
            }
            if !y.is_null() {
                (*y).prev = ptr::null_mut();
                self.first.store(y, Ordering::Release);
                (*sgp).next = ptr::null_mut();
                return;
            }
            // Both links null: either the only element, or already dequeued.
            if self.first.load(Ordering::Relaxed) == sgp {
                self.first.store(ptr::null_mut(), Ordering::Release);
                self.last.set(ptr::null_mut());
            }
        }
    }
}
