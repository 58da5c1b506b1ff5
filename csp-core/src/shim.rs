//! The synchronisation primitives the channel runtime is built from.
//!
//! Normally these are std's atomics, std's thread parking and the futex lock of
//! `lock_futex.rs`. Under `RUSTFLAGS="--cfg loom"` they are loom's, so that the loom models in
//! `tests/loom.rs` check the real channel code, not a copy of it.

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

/// Thread handles and parking.
pub(crate) mod thread {
    #[cfg(not(loom))]
    pub(crate) use std::thread::{current, park, Thread};

    #[cfg(loom)]
    pub(crate) use loom::thread::park;

    #[cfg(not(loom))]
    pub(crate) use std::thread::yield_now;

    #[cfg(loom)]
    pub(crate) use loom::thread::yield_now;

    /// Parks until unparked, spuriously, or until `timeout` has passed.
    #[cfg(not(loom))]
    pub(crate) fn park_timeout(timeout: std::time::Duration) {
        std::thread::park_timeout(timeout)
    }

    // loom has no clock: the models use no timeouts, and under loom a thread
    // waits for `ready` on a condvar (runtime/park.rs), not with a timed park.
}

/// A lock with separate `lock` and `unlock` calls, as Go's runtime mutex has:
/// `selectgo` takes several channel locks and the parking goroutine releases
/// them from the scheduler after it has been marked waiting.
pub(crate) struct RawLock {
    #[cfg(not(loom))]
    inner: crate::lock_futex::FutexLock,
    #[cfg(loom)]
    locked: loom::sync::Mutex<bool>,
    #[cfg(loom)]
    cv: loom::sync::Condvar,
}

impl RawLock {
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        RawLock {
            inner: crate::lock_futex::FutexLock::new(),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        RawLock {
            locked: loom::sync::Mutex::new(false),
            cv: loom::sync::Condvar::new(),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) {
        #[cfg(not(loom))]
        self.inner.lock();
        #[cfg(loom)]
        {
            let mut g = self.locked.lock().unwrap();
            while *g {
                g = self.cv.wait(g).unwrap();
            }
            *g = true;
        }
    }

    /// # Safety
    /// The lock must be held by the caller's operation.
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        #[cfg(not(loom))]
        self.inner.unlock();
        #[cfg(loom)]
        {
            *self.locked.lock().unwrap() = false;
            self.cv.notify_one();
        }
    }
}

/// A cell for data that is only touched while a [`RawLock`] is held.
///
/// Under loom it is loom's `UnsafeCell`, so the models also check that the
/// lock really protects it.
pub(crate) struct LockedCell<T> {
    #[cfg(not(loom))]
    inner: core::cell::UnsafeCell<T>,
    #[cfg(loom)]
    inner: loom::cell::UnsafeCell<T>,
}

impl<T: Copy> LockedCell<T> {
    pub(crate) fn new(v: T) -> Self {
        LockedCell {
            #[cfg(not(loom))]
            inner: core::cell::UnsafeCell::new(v),
            #[cfg(loom)]
            inner: loom::cell::UnsafeCell::new(v),
        }
    }

    /// # Safety
    /// The lock that guards this cell must be held.
    #[inline]
    pub(crate) unsafe fn get(&self) -> T {
        #[cfg(not(loom))]
        // SAFETY: the guarding lock is held, so nobody writes concurrently.
        return unsafe { *self.inner.get() };
        #[cfg(loom)]
        // SAFETY: as above.
        return self.inner.with(|p| unsafe { *p });
    }

    /// # Safety
    /// The lock that guards this cell must be held.
    #[inline]
    pub(crate) unsafe fn set(&self, v: T) {
        #[cfg(not(loom))]
        // SAFETY: the guarding lock is held, so access is exclusive.
        unsafe {
            *self.inner.get() = v
        };
        #[cfg(loom)]
        // SAFETY: as above.
        self.inner.with_mut(|p| unsafe { *p = v });
    }
}
