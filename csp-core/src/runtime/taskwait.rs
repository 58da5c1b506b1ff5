//! `TaskWaiter`: an async task as a waiter in a sudog, beside goroutines and
//! OS threads, so that one channel queue serves all three in FIFO order.
//!
//! A future that must wait publishes a sudog naming its `TaskWaiter` (both
//! live in the pinned future) under the queue's lock and returns `Pending`;
//! nothing parks. A waker completes the wait as for any waiter: it dequeues
//! the sudog under the lock, wins the claim (a task's sudog always races, so
//! that the future can tell, under the lock, whether it is still queued),
//! moves the value, and after the lock is released readies the waiter — here,
//! by waking the task's `Waker`.
//!
//! The one difference from a parked goroutine: the future's owner may poll or
//! drop it at any moment, also while a waker is between the claim and the
//! end of `ready`. So the waiter is `busy` from the moment it is queued until
//! the waker's last touch, and the future waits that out
//! ([`TaskWaiter::wait_released`]) before it reads the outcome or goes away.
//! The wait is short: `ready` clones the `Waker`, clears `busy`, and only then
//! wakes the clone, so a waker that polls inline cannot deadlock on it; a
//! waker that readies several tasks (`closechan`) releases all of them before
//! it wakes any. Futures clone their `Waker` before they take a channel lock,
//! so that no `Waker::clone` runs under one.

use std::cell::UnsafeCell;
use std::ptr::NonNull;
use std::task::Waker;

use crate::runtime::wait::WaitState;
use crate::shim::{AtomicBool, Ordering};

/// The part of a pending future that wakers touch.
pub(crate) struct TaskWaiter {
    pub(crate) state: WaitState,
    /// The task to wake. Written by the future only under the queue lock while
    /// no waker has claimed the wait; read by the waker that claimed it.
    waker: UnsafeCell<Option<Waker>>,
    /// True from the moment the sudog is queued until the waker that claimed
    /// it is done with this waiter (or the future took the sudog out itself).
    busy: AtomicBool,
}

// SAFETY: `waker` is accessed under the protocol above (queue lock, then the
// claim), and the rest is atomics.
unsafe impl Send for TaskWaiter {}
// SAFETY: as above.
unsafe impl Sync for TaskWaiter {}

impl TaskWaiter {
    pub(crate) fn new() -> Self {
        TaskWaiter {
            state: WaitState::new(),
            waker: UnsafeCell::new(None),
            busy: AtomicBool::new(false),
        }
    }

    /// Arms a new wait that will wake `waker`.
    ///
    /// # Safety
    /// The caller holds the lock of the queue it is about to publish the
    /// sudog in, and no earlier wait of this waiter is in flight (it ended
    /// with [`wait_released`](Self::wait_released) or was cancelled).
    pub(crate) unsafe fn arm(&self, waker: Waker) -> Option<Waker> {
        debug_assert!(
            !self.busy.load(Ordering::Relaxed),
            "task waiter armed twice"
        );
        self.state.arm();
        self.busy.store(true, Ordering::Relaxed);
        // SAFETY: nobody else can reach the waiter before the sudog is queued.
        unsafe { (*self.waker.get()).replace(waker) }
    }

    /// Whether a waker has claimed the wait: then the sudog is out of every
    /// queue and the outcome comes once [`wait_released`](Self::wait_released)
    /// returns. Under the queue lock, false means the sudog is still queued.
    #[inline]
    pub(crate) fn claimed(&self) -> bool {
        self.state.is_done()
    }

    /// Points a queued wait at the task polling it now; returns the waker it
    /// replaced, to be dropped after the lock is released.
    ///
    /// # Safety
    /// The queue lock is held and [`claimed`](Self::claimed) is false.
    pub(crate) unsafe fn update_waker(&self, waker: Waker) -> Option<Waker> {
        debug_assert!(!self.claimed());
        // SAFETY: under the lock, unclaimed: no waker reads the field.
        unsafe { (*self.waker.get()).replace(waker) }
    }

    /// Whether the queued wait already wakes `waker`'s task.
    ///
    /// # Safety
    /// As [`update_waker`](Self::update_waker).
    pub(crate) unsafe fn wakes(&self, waker: &Waker) -> bool {
        // SAFETY: as in update_waker.
        unsafe { (*self.waker.get()).as_ref() }.is_some_and(|w| w.will_wake(waker))
    }

    /// The future took its unclaimed sudog out of the queue itself.
    ///
    /// # Safety
    /// The queue lock is held, [`claimed`](Self::claimed) is false, and the
    /// sudog has just been removed.
    pub(crate) unsafe fn cancelled(&self) {
        debug_assert!(!self.claimed());
        self.busy.store(false, Ordering::Relaxed);
    }

    /// Waits until the waker that claimed the wait is done with this waiter;
    /// afterwards the sudog's `success` and the value slot are the future's.
    pub(crate) fn wait_released(&self) {
        debug_assert!(self.claimed());
        let mut spins = 0u32;
        while self.busy.load(Ordering::Acquire) {
            // The waker is between its claim (under the lock) and the end of
            // `ready`: a few instructions unless it was preempted.
            if spins < 64 {
                spins += 1;
                std::hint::spin_loop();
            } else {
                crate::shim::thread::yield_now();
            }
        }
    }

    /// The waker's side of `goready`: wakes the task.
    ///
    /// # Safety
    /// As [`release`](Self::release).
    #[cold]
    #[inline(never)]
    pub(crate) unsafe fn ready(t: NonNull<TaskWaiter>) {
        // SAFETY: forwarded contract.
        if let Some(w) = unsafe { Self::release(t) } {
            w.wake();
        }
    }

    /// Lets the future go on and returns the waker to wake: the first half of
    /// [`ready`](Self::ready), for a waker that readies several tasks and
    /// must let all of them go before it runs any wake (`closechan`: a task
    /// whose waker polls inline may poll another of the futures readied).
    ///
    /// # Safety
    /// The caller claimed the wait (dequeued the sudog under the lock and won
    /// the claim) and holds no lock. `t` is alive until `busy` is cleared, and
    /// not one instruction after it.
    pub(crate) unsafe fn release(t: NonNull<TaskWaiter>) -> Option<Waker> {
        // SAFETY: the future waits for `busy` to clear before it reads or
        // drops anything, so `t` is alive up to the store.
        unsafe {
            let t = t.as_ref();
            let w = (*t.waker.get()).clone();
            t.busy.store(false, Ordering::Release);
            w
        }
    }
}

impl Drop for TaskWaiter {
    fn drop(&mut self) {
        debug_assert!(
            !self.busy.load(Ordering::Relaxed),
            "a task waiter dropped while queued"
        );
    }
}
