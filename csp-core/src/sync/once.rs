//! `Once` and `OnceCell` (Go's `sync.Once`, `sync.OnceValue`), on a
//! goroutine-aware mutex: a caller that arrives while the function runs
//! parks (a goroutine) or blocks (a thread) until it has finished, and the
//! function itself may park.

use std::cell::UnsafeCell;
use std::fmt;
use std::mem::MaybeUninit;

use crate::runtime::park::WaitReason;
use crate::shim::{AtomicBool, Ordering};
use crate::sync::mutex::RawMutex;

/// Unlocks a [`RawMutex`] on drop (also when the function panics).
struct Unlock<'a>(&'a RawMutex);

impl Drop for Unlock<'_> {
    fn drop(&mut self) {
        // SAFETY: created right after locking.
        unsafe { self.0.unlock() }
    }
}

/// Performs one action exactly once (Go's `sync.Once`).
///
/// As in Go: `call_once` returns only after the action has finished (other
/// callers wait for it), and an action that panics counts as done: later
/// calls do nothing. Calling `call_once` from inside the action deadlocks.
///
/// ```
/// use csp_core::sync::Once;
///
/// let once = Once::new();
/// let mut n = 0;
/// for _ in 0..3 {
///     once.call_once(|| n += 1);
/// }
/// assert_eq!(n, 1);
/// ```
pub struct Once {
    done: AtomicBool,
    m: RawMutex,
}

impl Default for Once {
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once")
            .field("done", &self.is_completed())
            .finish()
    }
}

impl Once {
    /// A `Once` that has not run.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        Once {
            done: AtomicBool::new(false),
            m: RawMutex::new(),
        }
    }

    /// A `Once` that has not run.
    #[cfg(loom)]
    pub fn new() -> Self {
        Once {
            done: AtomicBool::new(false),
            m: RawMutex::new(),
        }
    }

    /// Runs `f` if no call has run it yet (Go's `Do`).
    #[inline]
    pub fn call_once(&self, f: impl FnOnce()) {
        if !self.done.load(Ordering::Acquire) {
            self.call_slow(f);
        }
    }

    #[cold]
    fn call_slow(&self, f: impl FnOnce()) {
        self.m.lock(WaitReason::SyncMutexLock);
        let _u = Unlock(&self.m);
        if !self.done.load(Ordering::Relaxed) {
            /// Go's `defer o.done.Store(1)`: done even if `f` panics.
            struct SetDone<'a>(&'a AtomicBool);
            impl Drop for SetDone<'_> {
                fn drop(&mut self) {
                    self.0.store(true, Ordering::Release);
                }
            }
            let _d = SetDone(&self.done);
            f();
        }
    }

    /// Whether the action has run.
    pub fn is_completed(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}

/// A value computed once, on first use (Go's `sync.OnceValue`, shaped like
/// std's `OnceLock`): [`get_or_init`](OnceCell::get_or_init) runs `init` in
/// the first caller; concurrent callers park until the value is there, and
/// `init` may itself park (receive from a channel, sleep, lock a mutex).
///
/// If `init` panics, the panic propagates to its caller and the cell stays
/// empty, so the next caller runs its own `init` (std's rule; Go's
/// `OnceValue` instead re-panics on every call).
///
/// ```
/// use csp_core::{sync::OnceCell, Chan};
///
/// static CONFIG: OnceCell<String> = OnceCell::new();
/// let ch = Chan::new(1);
/// ch.send("from a channel".to_string());
/// assert_eq!(CONFIG.get_or_init(|| ch.recv().unwrap()), "from a channel");
/// assert_eq!(CONFIG.get().map(String::as_str), Some("from a channel"));
/// ```
pub struct OnceCell<T> {
    done: AtomicBool,
    m: RawMutex,
    val: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the value is written once, under the mutex, before `done` is set
// (Release); readers see it after an Acquire load of `done`. Sharing `&T`
// across threads needs `T: Sync`, moving the cell's value needs `T: Send`.
unsafe impl<T: Send + Sync> Sync for OnceCell<T> {}
// SAFETY: the cell owns its value.
unsafe impl<T: Send> Send for OnceCell<T> {}

impl<T> Default for OnceCell<T> {
    fn default() -> Self {
        OnceCell::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceCell<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OnceCell").field(&self.get()).finish()
    }
}

impl<T> OnceCell<T> {
    /// An empty cell.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        OnceCell {
            done: AtomicBool::new(false),
            m: RawMutex::new(),
            val: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// An empty cell.
    #[cfg(loom)]
    pub fn new() -> Self {
        OnceCell {
            done: AtomicBool::new(false),
            m: RawMutex::new(),
            val: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// The value, if it has been set.
    #[inline]
    pub fn get(&self) -> Option<&T> {
        if self.done.load(Ordering::Acquire) {
            // SAFETY: `done` is set only after the value was written.
            Some(unsafe { (*self.val.get()).assume_init_ref() })
        } else {
            None
        }
    }

    /// The value, computing it with `init` if this is the first call.
    #[inline]
    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        if let Some(v) = self.get() {
            return v;
        }
        self.init_slow(init)
    }

    #[cold]
    fn init_slow(&self, init: impl FnOnce() -> T) -> &T {
        self.m.lock(WaitReason::SyncMutexLock);
        let _u = Unlock(&self.m);
        if !self.done.load(Ordering::Relaxed) {
            let v = init();
            // SAFETY: we hold the mutex and `done` is false: nobody reads or
            // writes the slot.
            unsafe { (*self.val.get()).write(v) };
            self.done.store(true, Ordering::Release);
        }
        // SAFETY: set above or by an earlier holder of the mutex.
        unsafe { (*self.val.get()).assume_init_ref() }
    }

    /// Sets the value if the cell is empty; otherwise gives `v` back.
    pub fn set(&self, v: T) -> Result<(), T> {
        let mut v = Some(v);
        self.get_or_init(|| v.take().expect("taken once"));
        match v {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// The value, consuming the cell.
    pub fn into_inner(self) -> Option<T> {
        if !self.done.load(Ordering::Acquire) {
            return None;
        }
        self.done.store(false, Ordering::Relaxed);
        // SAFETY: set, and `done` is now false so Drop will not drop it again.
        Some(unsafe { (*self.val.get()).assume_init_read() })
    }
}

impl<T> Drop for OnceCell<T> {
    fn drop(&mut self) {
        if self.done.load(Ordering::Acquire) {
            // SAFETY: the value was written; we are its last owner.
            unsafe { (*self.val.get()).assume_init_drop() }
        }
    }
}
