//! `Mutex<T>` (Go's `sync.Mutex`, holding its data as Rust's does).
//!
//! The algorithm is Go's `sync/mutex.go`. The state word holds `LOCKED`,
//! `WOKEN` (a waiter is awake and competing, so `unlock` need not wake
//! another), `STARVING` and the number of waiters above them.
//!
//! - **Normal mode**: waiters queue FIFO, but a woken waiter competes with
//!   newly arriving goroutines, which have the advantage of already running
//!   and usually win; a waiter that loses is put back at the *front* of the
//!   queue. Arrivals spin briefly (4 rounds of 30 `PAUSE`s, only on a
//!   multi-core machine) while the lock is held and not starving.
//! - **Starvation mode**: a waiter that has waited more than 1 ms switches
//!   the mutex to it. Ownership is then handed from the unlocker straight to
//!   the first waiter; arrivals neither spin nor try to take it, they queue
//!   at the tail. The last waiter, or one that waited less than 1 ms, turns
//!   starvation mode off.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

use crate::runtime::park::WaitReason;
use crate::shim::{AtomicU32, Ordering};
use crate::sync::sema::Sema;

const LOCKED: u32 = 1;
const WOKEN: u32 = 2;
const STARVING: u32 = 4;
const WAITER_SHIFT: u32 = 3;
const WAITER: u32 = 1 << WAITER_SHIFT;
/// Go's `starvationThresholdNs`.
const STARVATION: Duration = Duration::from_millis(1);

/// The lock without data: Go's `sync.Mutex` itself. `RwLock`, `Once` and
/// `OnceCell` are built on it.
pub(crate) struct RawMutex {
    state: AtomicU32,
    sema: Sema,
}

/// Whether spinning can pay off: a few rounds, only with another core to
/// run the holder (Go also asks the scheduler for an idle P; we cannot
/// cheaply, so the round limit carries the weight). Never under loom.
#[inline]
fn can_spin(iter: u32) -> bool {
    #[cfg(loom)]
    {
        let _ = iter;
        false
    }
    #[cfg(not(loom))]
    {
        iter < 4 && ncpu() > 1
    }
}

#[cfg(not(loom))]
fn ncpu() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.load(Ordering::Relaxed);
    if n != 0 {
        return n;
    }
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    N.store(n, Ordering::Relaxed);
    n
}

#[inline]
fn do_spin() {
    for _ in 0..30 {
        std::hint::spin_loop();
    }
}

impl RawMutex {
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        RawMutex {
            state: AtomicU32::new(0),
            sema: Sema::new(),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        RawMutex {
            state: AtomicU32::new(0),
            sema: Sema::new(),
        }
    }

    #[inline]
    pub(crate) fn try_lock(&self) -> bool {
        let old = self.state.load(Ordering::Relaxed);
        if old & (LOCKED | STARVING) != 0 {
            return false;
        }
        self.state
            .compare_exchange(old, old | LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    #[inline]
    pub(crate) fn lock(&self, reason: WaitReason) {
        if self
            .state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        self.lock_slow(reason);
    }

    #[cold]
    fn lock_slow(&self, reason: WaitReason) {
        let mut wait_start: Option<Instant> = None;
        let mut starving = false;
        let mut awoke = false;
        let mut iter = 0;
        let mut old = self.state.load(Ordering::Relaxed);
        loop {
            // Spin while locked in normal mode: the holder may unlock soon.
            if old & (LOCKED | STARVING) == LOCKED && can_spin(iter) {
                // Tell unlock not to wake a waiter: we are awake and competing.
                if !awoke
                    && old & WOKEN == 0
                    && old >> WAITER_SHIFT != 0
                    && self
                        .state
                        .compare_exchange(old, old | WOKEN, Ordering::Relaxed, Ordering::Relaxed)
                        .is_ok()
                {
                    awoke = true;
                }
                do_spin();
                iter += 1;
                old = self.state.load(Ordering::Relaxed);
                continue;
            }
            let mut new = old;
            // Do not try to take a starving mutex: it is handed to a waiter.
            if old & STARVING == 0 {
                new |= LOCKED;
            }
            if old & (LOCKED | STARVING) != 0 {
                new += WAITER;
            }
            // Switch to starvation mode, unless the mutex has just been
            // unlocked (then unlock expects waiters, and there may be none).
            if starving && old & LOCKED != 0 {
                new |= STARVING;
            }
            if awoke {
                debug_assert!(new & WOKEN != 0, "sync: inconsistent mutex state");
                new &= !WOKEN;
            }
            match self
                .state
                .compare_exchange(old, new, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => {
                    if old & (LOCKED | STARVING) == 0 {
                        return; // locked with the CAS
                    }
                    // A waiter that waited before goes to the front.
                    let lifo = wait_start.is_some();
                    let start = *wait_start.get_or_insert_with(Instant::now);
                    self.sema.acquire(lifo, reason);
                    starving = starving || start.elapsed() > STARVATION;
                    old = self.state.load(Ordering::Relaxed);
                    if old & STARVING != 0 {
                        // Handed off to us: the mutex is ours, but LOCKED is
                        // not set yet and we still count as a waiter.
                        debug_assert!(
                            old & (LOCKED | WOKEN) == 0 && old >> WAITER_SHIFT != 0,
                            "sync: inconsistent mutex state"
                        );
                        let mut delta = LOCKED.wrapping_sub(WAITER);
                        if !starving || old >> WAITER_SHIFT == 1 {
                            // Leave starvation mode: we are the last waiter,
                            // or we did not wait long.
                            delta = delta.wrapping_sub(STARVING);
                        }
                        self.state.fetch_add(delta, Ordering::Acquire);
                        return;
                    }
                    awoke = true;
                    iter = 0;
                }
                Err(x) => old = x,
            }
        }
    }

    /// # Safety
    /// The mutex is locked (by anyone: as in Go, any goroutine may unlock).
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        let new = self.state.fetch_sub(LOCKED, Ordering::Release) - LOCKED;
        if new != 0 {
            self.unlock_slow(new);
        }
    }

    #[cold]
    fn unlock_slow(&self, new: u32) {
        if (new.wrapping_add(LOCKED)) & LOCKED == 0 {
            panic!("sync: unlock of unlocked mutex");
        }
        if new & STARVING == 0 {
            let mut old = new;
            loop {
                // Nobody to wake, or someone is already awake or has locked it,
                // or it is starving (then unlock hands it over below).
                if old >> WAITER_SHIFT == 0 || old & (LOCKED | WOKEN | STARVING) != 0 {
                    return;
                }
                let new = (old - WAITER) | WOKEN;
                match self
                    .state
                    .compare_exchange(old, new, Ordering::Release, Ordering::Relaxed)
                {
                    Ok(_) => {
                        self.sema.release(false);
                        return;
                    }
                    Err(x) => old = x,
                }
            }
        } else {
            // Starvation: hand the mutex to the first waiter. LOCKED stays
            // clear; the waiter sets it. Arrivals see STARVING and queue.
            self.sema.release(true);
        }
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) & LOCKED != 0
    }
}

/// A mutual exclusion lock protecting a `T` (Go's `sync.Mutex`), usable from
/// goroutines and from OS threads: a goroutine that waits parks (its thread
/// runs other goroutines); a thread that waits blocks.
///
/// Go's algorithm, exactly: brief spinning, then FIFO waiting, with
/// starvation mode after a waiter has waited 1 ms (the mutex is then handed
/// from the unlocker to the first waiter), so no waiter waits forever.
///
/// **No poisoning**: Go has none. A panic while a guard is held unlocks the
/// mutex as the guard drops, and the next locker sees the data as the
/// panicking code left it. [`lock`](Mutex::lock) returns the guard directly.
///
/// It is not reentrant: locking it twice from one goroutine deadlocks (and,
/// if every goroutine is stuck, the deadlock detector reports
/// "sync.Mutex.Lock").
///
/// ```
/// use std::sync::Arc;
/// use csp_core::{go, sync::{Mutex, WaitGroup}};
///
/// let count = Arc::new(Mutex::new(0));
/// let wg = WaitGroup::new();
/// for _ in 0..10 {
///     let count = count.clone();
///     wg.go(move || *count.lock() += 1);
/// }
/// wg.wait();
/// assert_eq!(*count.lock(), 10);
/// ```
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to `T` to one holder at a time, on any
// thread: `T: Send` suffices, as for std's Mutex.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `v`.
    pub fn new(v: T) -> Self {
        Mutex {
            raw: RawMutex::new(),
            data: UnsafeCell::new(v),
        }
    }

    /// The data, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks the mutex, parking the goroutine (or blocking the thread) until
    /// it is free (Go's `Lock`). The guard unlocks on drop (Go's `Unlock`).
    #[inline]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.raw.lock(WaitReason::SyncMutexLock);
        MutexGuard {
            m: self,
            _not_sync: PhantomData,
        }
    }

    /// Locks the mutex if it is free now (Go's `TryLock`).
    #[inline]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.raw.try_lock().then(|| MutexGuard {
            m: self,
            _not_sync: PhantomData,
        })
    }

    /// Whether some goroutine or thread holds the lock now (a hint).
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// The data, through a unique borrow (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(v: T) -> Self {
        Mutex::new(v)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Holds a [`Mutex`] locked; unlocks it when dropped (also on unwinding).
///
/// Unlike std's, the guard may be sent to another thread or goroutine and
/// dropped there (Go lets any goroutine unlock a mutex).
#[must_use = "the mutex unlocks as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    m: &'a Mutex<T>,
    /// `Sync` only if `T: Sync`.
    _not_sync: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds (for `Cond::wait`).
    pub(crate) fn mutex(&self) -> &'a Mutex<T> {
        self.m
    }

    pub(crate) fn raw(m: &Mutex<T>) -> &RawMutex {
        &m.raw
    }

    /// A guard for a mutex the caller has just locked.
    pub(crate) fn relocked(m: &'a Mutex<T>) -> Self {
        MutexGuard {
            m,
            _not_sync: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.m.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock; `&mut self` is unique.
        unsafe { &mut *self.m.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard holds the lock.
        unsafe { self.m.raw.unlock() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
