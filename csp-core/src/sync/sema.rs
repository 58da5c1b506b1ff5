//! `Sema`: a counting semaphore with a queue of parked waiters, Go's
//! `runtime/sema.go` (`semacquire1`, `semrelease1`) without the address
//! table: each primitive owns its `Sema`.
//!
//! `release(handoff = true)` gives the count straight to the first waiter
//! (Go's `ticket`), so nobody can barge in between: `Mutex` uses it in
//! starvation mode. `acquire(lifo = true)` queues at the head: a waiter that
//! has already waited once goes first again (Go's `queueLifo`).

use crate::runtime::park::WaitReason;
use crate::runtime::wait::{Wait, WaitOutcome};
use crate::shim::{AtomicU32, Ordering};
use crate::sync::lock::Lock;
use crate::sync::waitlist::{ready_node, List, Node};

pub(crate) struct Sema {
    count: AtomicU32,
    /// Waiters queued or about to be (Go's `semaRoot.nwait`), so that
    /// `release` can skip the lock when nobody waits.
    nwait: AtomicU32,
    q: Lock<List>,
}

impl Sema {
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        Sema {
            count: AtomicU32::new(0),
            nwait: AtomicU32::new(0),
            q: Lock::new(List::new()),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        Sema {
            count: AtomicU32::new(0),
            nwait: AtomicU32::new(0),
            q: Lock::new(List::new()),
        }
    }

    /// Go's `cansemacquire`.
    #[inline]
    fn try_take(&self) -> bool {
        self.take_from(self.count.load(Ordering::SeqCst))
    }

    /// `try_take` whose first read is a read-modify-write, so it sees the
    /// latest count. `acquire` (`nwait += 1`, then this) and `release`
    /// (`count += 1`, then an RMW read of `nwait`) are a Dekker pair: with
    /// plain loads both sides could read stale zeros (allowed for Acquire
    /// loads, and found by loom, which models SeqCst loads as Acquire), and
    /// the waiter would park with the count available and nobody to wake
    /// it. With RMWs on both sides one of them reads the other's write.
    #[inline]
    fn try_take_fresh(&self) -> bool {
        self.take_from(self.count.fetch_add(0, Ordering::SeqCst))
    }

    #[inline]
    fn take_from(&self, mut v: u32) -> bool {
        loop {
            if v == 0 {
                return false;
            }
            match self
                .count
                .compare_exchange_weak(v, v - 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return true,
                Err(x) => v = x,
            }
        }
    }

    /// Waits until the count is positive and decrements it (Go's
    /// `semacquire1`).
    pub(crate) fn acquire(&self, lifo: bool, reason: WaitReason) {
        if self.try_take() {
            return;
        }
        loop {
            let mut q = self.q.lock();
            // Announce ourselves before the last check, so a release that
            // bumps the count after it sees us and takes the lock.
            self.nwait.fetch_add(1, Ordering::SeqCst);
            if self.try_take_fresh() {
                self.nwait.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let wait = Wait::new(None);
            let mut node = Node::new(&wait, self as *const Sema as usize);
            // SAFETY: the node lives in this frame until we are readied, and a
            // releaser takes it out of the list before readying us.
            unsafe {
                if lifo {
                    q.push_front(&mut node);
                } else {
                    q.push_back(&mut node);
                }
            }
            let mut g = Some(q);
            let out = wait.park(reason, &mut || drop(g.take()));
            // The releaser took our node out and decremented `nwait`.
            if matches!(out, WaitOutcome::Woken { ok: true, .. }) {
                return; // handed the count directly
            }
            if self.try_take() {
                return;
            }
        }
    }

    /// Increments the count and wakes the first waiter (Go's `semrelease1`).
    /// With `handoff`, the count goes to that waiter directly.
    pub(crate) fn release(&self, handoff: bool) {
        self.count.fetch_add(1, Ordering::SeqCst);
        // An RMW read: see `try_take_fresh`.
        if self.nwait.fetch_add(0, Ordering::SeqCst) == 0 {
            return;
        }
        let mut q = self.q.lock();
        if self.nwait.load(Ordering::SeqCst) == 0 {
            return;
        }
        let Some(n) = q.pop_front() else {
            return;
        };
        self.nwait.fetch_sub(1, Ordering::SeqCst);
        drop(q);
        // SAFETY: we took `n` out under the lock; its waiter stays parked
        // until `ready_node`, and we touch it no more after that.
        unsafe {
            if handoff && self.try_take() {
                (*n).sg.success = true;
            }
            ready_node(n);
        }
    }
}
