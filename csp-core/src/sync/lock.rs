//! `Lock<T>`: the short internal lock that guards a primitive's wait list
//! (Go's `semaRoot.lock`, `notifyList.lock`). It is the runtime's `RawLock`,
//! so under `--cfg loom` it is loom's and the models check the real code.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

use crate::shim::RawLock;

/// Data guarded by a [`RawLock`]; held only for a few instructions, never
/// across a park (the park's `unlockf` drops the guard).
pub(crate) struct Lock<T> {
    raw: RawLock,
    data: UnsafeCell<T>,
}

// SAFETY: the data is reached only through a guard, which holds the lock.
unsafe impl<T: Send> Send for Lock<T> {}
// SAFETY: as above: one guard at a time.
unsafe impl<T: Send> Sync for Lock<T> {}

impl<T> Lock<T> {
    #[cfg(not(loom))]
    pub(crate) const fn new(v: T) -> Self {
        Lock {
            raw: RawLock::new(),
            data: UnsafeCell::new(v),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new(v: T) -> Self {
        Lock {
            raw: RawLock::new(),
            data: UnsafeCell::new(v),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) -> LockGuard<'_, T> {
        self.raw.lock();
        LockGuard { l: self }
    }
}

/// Holds a [`Lock`]; releases it on drop.
pub(crate) struct LockGuard<'a, T> {
    l: &'a Lock<T>,
}

impl<T> Deref for LockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.l.data.get() }
    }
}

impl<T> DerefMut for LockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` is unique.
        unsafe { &mut *self.l.data.get() }
    }
}

impl<T> Drop for LockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds the lock.
        unsafe { self.l.raw.unlock() }
    }
}
