//! `RwLock<T>` (Go's `sync.RWMutex`, holding its data), Go's
//! `sync/rwmutex.go`: writers take an inner [`RawMutex`], then announce
//! themselves by subtracting `MAX_READERS` from the reader count, which
//! makes every later reader wait: **a waiting writer blocks new readers**
//! (writer preference), so a stream of readers cannot starve a writer.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::runtime::park::WaitReason;
use crate::shim::{AtomicU32, Ordering};
use crate::sync::mutex::RawMutex;
use crate::sync::sema::Sema;

/// Go's `rwmutexMaxReaders`.
const MAX_READERS: i32 = 1 << 30;

/// A signed counter on the shim's `AtomicU32` (loom has no `AtomicI32` in
/// our shim): two's complement arithmetic, read back as `i32`.
struct AtomicI32(AtomicU32);

impl AtomicI32 {
    fn new(v: i32) -> Self {
        AtomicI32(AtomicU32::new(v as u32))
    }
    fn add(&self, d: i32) -> i32 {
        (self.0.fetch_add(d as u32, Ordering::SeqCst) as i32).wrapping_add(d)
    }
    fn load(&self) -> i32 {
        self.0.load(Ordering::SeqCst) as i32
    }
    fn cas(&self, old: i32, new: i32) -> bool {
        self.0
            .compare_exchange(old as u32, new as u32, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

pub(crate) struct RawRwLock {
    w: RawMutex,
    writer_sem: Sema,
    reader_sem: Sema,
    /// Readers holding or waiting, minus `MAX_READERS` while a writer is in.
    reader_count: AtomicI32,
    /// Readers the waiting writer still waits for.
    reader_wait: AtomicI32,
}

impl RawRwLock {
    fn new() -> Self {
        RawRwLock {
            w: RawMutex::new(),
            writer_sem: Sema::new(),
            reader_sem: Sema::new(),
            reader_count: AtomicI32::new(0),
            reader_wait: AtomicI32::new(0),
        }
    }

    fn read(&self) {
        if self.reader_count.add(1) < 0 {
            // A writer is pending: wait for it.
            self.reader_sem.acquire(false, WaitReason::SyncRWMutexRLock);
        }
    }

    fn try_read(&self) -> bool {
        loop {
            let c = self.reader_count.load();
            if c < 0 {
                return false;
            }
            if self.reader_count.cas(c, c + 1) {
                return true;
            }
        }
    }

    fn read_unlock(&self) {
        let r = self.reader_count.add(-1);
        if r < 0 {
            if r + 1 == 0 || r + 1 == -MAX_READERS {
                panic!("sync: RUnlock of unlocked RWMutex");
            }
            // A writer is pending; the last reader it waits for lets it in.
            if self.reader_wait.add(-1) == 0 {
                self.writer_sem.release(false);
            }
        }
    }

    fn write(&self) {
        // First, resolve competition with other writers.
        self.w.lock(WaitReason::SyncRWMutexLock);
        // Announce to readers there is a pending writer.
        let r = self.reader_count.add(-MAX_READERS) + MAX_READERS;
        // Wait for active readers.
        if r != 0 && self.reader_wait.add(r) != 0 {
            self.writer_sem.acquire(false, WaitReason::SyncRWMutexLock);
        }
    }

    fn try_write(&self) -> bool {
        if !self.w.try_lock() {
            return false;
        }
        if !self.reader_count.cas(0, -MAX_READERS) {
            // SAFETY: we locked `w` just above.
            unsafe { self.w.unlock() };
            return false;
        }
        true
    }

    fn write_unlock(&self) {
        // Announce to readers there is no active writer.
        let r = self.reader_count.add(MAX_READERS);
        if r >= MAX_READERS {
            panic!("sync: Unlock of unlocked RWMutex");
        }
        // Unblock the readers that arrived meanwhile.
        for _ in 0..r {
            self.reader_sem.release(false);
        }
        // SAFETY: `write` locked `w`.
        unsafe { self.w.unlock() };
    }
}

/// A reader-writer lock protecting a `T` (Go's `sync.RWMutex`): any number
/// of readers or one writer. Usable from goroutines (which park) and OS
/// threads (which block).
///
/// Go's writer preference: once a writer waits, new readers wait behind it,
/// so readers cannot starve writers. As in Go, a reader must not take the
/// read lock again while it holds it (a waiting writer in between
/// deadlocks both). **No poisoning**, as in Go.
///
/// ```
/// use csp_core::sync::RwLock;
///
/// let l = RwLock::new(vec![1]);
/// {
///     let a = l.read();
///     let b = l.read(); // readers share
///     assert_eq!(a.len() + b.len(), 2);
/// }
/// l.write().push(2);
/// assert_eq!(*l.read(), [1, 2]);
/// ```
pub struct RwLock<T: ?Sized> {
    raw: RawRwLock,
    data: UnsafeCell<T>,
}

// SAFETY: as std's RwLock: a writer gets `&mut T` (T: Send), readers share
// `&T` across threads (T: Sync).
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// An unlocked lock holding `v`.
    pub fn new(v: T) -> Self {
        RwLock {
            raw: RawRwLock::new(),
            data: UnsafeCell::new(v),
        }
    }

    /// The data, consuming the lock.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Locks for reading (Go's `RLock`); the guard is Go's `RUnlock`.
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        self.raw.read();
        RwLockReadGuard {
            l: self,
            _p: PhantomData,
        }
    }

    /// Locks for reading if that is possible now (Go's `TryRLock`).
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.raw.try_read().then(|| RwLockReadGuard {
            l: self,
            _p: PhantomData,
        })
    }

    /// Locks for writing (Go's `Lock`); the guard is Go's `Unlock`.
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.raw.write();
        RwLockWriteGuard {
            l: self,
            _p: PhantomData,
        }
    }

    /// Locks for writing if it is free now (Go's `TryLock`).
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.raw.try_write().then(|| RwLockWriteGuard {
            l: self,
            _p: PhantomData,
        })
    }

    /// The data, through a unique borrow.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared access to an [`RwLock`]'s data; releases the read lock on drop.
#[must_use = "the read lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    l: &'a RwLock<T>,
    _p: PhantomData<&'a T>,
}

/// Exclusive access to an [`RwLock`]'s data; releases the lock on drop.
#[must_use = "the write lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    l: &'a RwLock<T>,
    _p: PhantomData<&'a mut T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the read lock is held: no writer exists.
        unsafe { &*self.l.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.l.raw.read_unlock();
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write lock is held: access is exclusive.
        unsafe { &*self.l.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write lock is held; `&mut self` is unique.
        unsafe { &mut *self.l.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.l.raw.write_unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
