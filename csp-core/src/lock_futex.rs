//! The channel lock: Go's `lock_futex.go`, a futex mutex made for critical
//! sections of a few dozen instructions.
//!
//! A channel operation holds its lock for a handful of loads and stores, so a
//! thread that finds it taken almost always gets it by waiting a little on its
//! own core, and rarely needs the kernel. Like Go's `lock2`, a waiter spins
//! with `PAUSE` while the holder finishes, yields once, and only then sleeps
//! on a futex. parking_lot's mutex, used before, spins for only 14 `PAUSE`s
//! and then calls `sched_yield` up to seven times; on this 2-core VM that made
//! a fan-in of 2–8 producers 1.5× slower (the bench-suite `profile` example,
//! figures in issue 7's note).
//!
//! States, as in Go: 0 unlocked, 1 locked, 2 locked and a thread may be asleep
//! in the futex (so `unlock` must wake one).
//!
//! Under `--cfg loom` the channels use loom's lock instead (`shim.rs`); this
//! lock is then built on loom's atomics with the futex emulated by a loom
//! mutex and condvar (the kernel too checks the futex word and sleeps under
//! one lock), so that `tests/loom.rs` checks this protocol itself: mutual
//! exclusion and no lost wake-up.

#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, Ordering};

const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const SLEEPING: u32 = 2;

/// Go's `active_spin`, `active_spin_cnt` and `passive_spin`: four rounds of 30
/// `PAUSE`s (about 0.7 µs each here), then one `sched_yield`.
#[cfg(not(loom))]
const ACTIVE_SPIN: u32 = 4;
#[cfg(not(loom))]
const ACTIVE_SPIN_CNT: u32 = 30;
/// loom: one attempt per phase; every extra attempt only multiplies the
/// interleavings without adding a state of the protocol (the `PAUSE`s between
/// attempts are no states at all).
#[cfg(loom)]
const ACTIVE_SPIN: u32 = 1;
#[cfg(loom)]
const ACTIVE_SPIN_CNT: u32 = 1;
const PASSIVE_SPIN: u32 = 1;

/// A futex mutex with separate `lock` and `unlock` calls.
pub(crate) struct FutexLock {
    key: AtomicU32,
    /// loom: the futex's wait queue.
    #[cfg(loom)]
    futex: (loom::sync::Mutex<()>, loom::sync::Condvar),
}

impl FutexLock {
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        FutexLock {
            key: AtomicU32::new(UNLOCKED),
        }
    }

    /// loom: a lock with its emulated futex.
    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        FutexLock {
            key: AtomicU32::new(UNLOCKED),
            futex: (loom::sync::Mutex::new(()), loom::sync::Condvar::new()),
        }
    }

    #[inline]
    pub(crate) fn lock(&self) {
        if self
            .key
            .compare_exchange_weak(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_slow();
        }
    }

    /// Takes the lock if it is free, storing `wait`. A load first, so that
    /// waiters keep the cache line shared instead of bouncing it.
    #[inline]
    fn try_take(&self, wait: u32) -> bool {
        self.key.load(Ordering::Relaxed) == UNLOCKED
            && self
                .key
                .compare_exchange_weak(UNLOCKED, wait, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }

    #[cold]
    fn lock_slow(&self) {
        // What to store when we take the lock: once we have slept, others may
        // be asleep too, so the lock stays marked SLEEPING (Go's `wait`).
        let mut wait = LOCKED;
        loop {
            for _ in 0..ACTIVE_SPIN {
                if self.try_take(wait) {
                    return;
                }
                for _ in 0..ACTIVE_SPIN_CNT {
                    std::hint::spin_loop();
                }
            }
            for _ in 0..PASSIVE_SPIN {
                if self.try_take(wait) {
                    return;
                }
                yield_now();
            }
            if self.key.swap(SLEEPING, Ordering::Acquire) == UNLOCKED {
                return;
            }
            wait = SLEEPING;
            self.futex_wait(SLEEPING);
        }
    }

    /// Releases the lock, waking one sleeper if any may be waiting.
    #[inline]
    pub(crate) fn unlock(&self) {
        if self.key.swap(UNLOCKED, Ordering::Release) == SLEEPING {
            self.futex_wake();
        }
    }

    /// Sleeps while the lock word is `val`.
    #[cfg(not(loom))]
    fn futex_wait(&self, val: u32) {
        // SAFETY: FUTEX_WAIT reads the u32 at `key`, which is live for the call; a
        // spurious or interrupted return is handled by the caller's loop.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.key.as_ptr(),
                libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG,
                val,
                std::ptr::null::<libc::timespec>(),
            );
        }
    }

    /// Wakes one thread sleeping on the lock word.
    #[cfg(not(loom))]
    fn futex_wake(&self) {
        // SAFETY: FUTEX_WAKE only uses `key` as an address to look up waiters.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                self.key.as_ptr(),
                libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG,
                1,
            );
        }
    }

    /// loom: FUTEX_WAIT: compares and sleeps under the futex's lock.
    #[cfg(loom)]
    fn futex_wait(&self, val: u32) {
        let g = self.futex.0.lock().unwrap();
        if self.key.load(Ordering::SeqCst) == val {
            drop(self.futex.1.wait(g).unwrap());
        }
    }

    /// loom: FUTEX_WAKE of one sleeper, under the futex's lock.
    #[cfg(loom)]
    fn futex_wake(&self) {
        let _g = self.futex.0.lock().unwrap();
        self.futex.1.notify_one();
    }
}

#[cfg(not(loom))]
use std::thread::yield_now;

#[cfg(loom)]
use loom::thread::yield_now;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::FutexLock;
    use std::cell::UnsafeCell;
    use std::sync::Arc;

    struct Counter {
        lock: FutexLock,
        n: UnsafeCell<u64>,
    }
    // SAFETY: `n` is only touched with `lock` held.
    unsafe impl Sync for Counter {}

    /// Mutual exclusion under contention from more threads than cores, so
    /// that waiters go all the way to the futex sleep.
    #[test]
    fn excludes_under_contention() {
        let c = Arc::new(Counter {
            lock: FutexLock::new(),
            n: UnsafeCell::new(0),
        });
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for _ in 0..20_000 {
                        c.lock.lock();
                        // SAFETY: the lock is held.
                        unsafe { *c.n.get() += 1 };
                        c.lock.unlock();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // SAFETY: every thread has finished.
        assert_eq!(unsafe { *c.n.get() }, 8 * 20_000);
    }
}
