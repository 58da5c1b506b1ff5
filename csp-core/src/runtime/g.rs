//! G: a goroutine — a stackful coroutine plus what the scheduler and wakers need.
//!
//! A G is reference counted: the goroutine itself holds one count from `spawn`
//! until it returns, and a timer armed for a timed park holds another, so a timer
//! that fires late never touches freed memory. Run queues and sudogs hold plain
//! [`GRef`]s: a G in a run queue or a wait queue has not returned yet.

use std::cell::{Cell, UnsafeCell};
use std::panic::Location;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Instant;

use corosensei::{Coroutine, Yielder};

use crate::runtime::handoff::M;
use crate::runtime::panic::{JoinLink, NOT_UNWINDING};
use crate::runtime::park::WaitReason;
use crate::runtime::sched::Sched;
use crate::runtime::stack::GStack;
use crate::runtime::wait::WaitState;

/// What a goroutine tells its M when it switches away.
pub(crate) enum Yield {
    /// `gopark`: the request is in [`G::park`].
    Park,
    /// `Gosched`: put me on the global queue.
    Gosched,
}

/// The coroutine type of every goroutine.
pub(crate) type Coro = Coroutine<(), Yield, (), GStack>;

/// Goroutine states (Go's `_Grunnable`, `_Grunning`, `_Gwaiting`).
pub(crate) const G_RUNNABLE: u32 = 0;
pub(crate) const G_RUNNING: u32 = 1;
pub(crate) const G_WAITING: u32 = 2;

/// A park request, written by the goroutine just before it switches to its M.
pub(crate) struct ParkReq {
    /// The caller's unlock function; it lives on the parked goroutine's stack.
    pub(crate) unlockf: Option<NonNull<dyn FnMut()>>,
    pub(crate) deadline: Option<Instant>,
}

/// A goroutine.
pub(crate) struct G {
    /// What wakers touch (the wait protocol, `wait.rs`).
    pub(crate) wait: WaitState,
    /// Go's goroutine id; the main goroutine of `run` is 1.
    pub(crate) id: u64,
    pub(crate) status: AtomicU32,
    reason: AtomicU8,
    /// Where `spawn` was called, for the deadlock dump.
    pub(crate) spawned_at: &'static Location<'static>,
    /// The scheduler this goroutine belongs to.
    pub(crate) sched: Arc<Sched>,
    /// Only touched by the M that runs the goroutine (status guards it).
    pub(crate) coro: UnsafeCell<Option<Coro>>,
    pub(crate) yielder: Cell<*const Yielder<(), Yield>>,
    pub(crate) park: UnsafeCell<ParkReq>,
    /// Lowest address of this goroutine's guard page, for the overflow handler.
    pub(crate) guard_lo: Cell<usize>,
    /// Bumped (under the timer lock) each time a timed park ends, so a stale
    /// timer can tell that it no longer owns the wait.
    pub(crate) park_seq: AtomicU64,
    /// A timer is armed for the current timed park (under the timer lock).
    pub(crate) timer_armed: AtomicBool,
    /// Index in the scheduler's list of all goroutines (under its lock).
    pub(crate) allg_index: Cell<usize>,
    /// The M this goroutine is locked to (`lock_os_thread`), or null; and
    /// how many locks it holds. Written by the goroutine itself.
    pub(crate) locked_m: AtomicPtr<M>,
    pub(crate) lock_count: Cell<u32>,
    /// Whether a panic of this goroutine is counted as unwinding
    /// (`runtime/panic.rs`); only the goroutine itself touches it.
    pub(crate) unwinding: Cell<u8>,
    /// Set by `spawn`'s wrapper: the link shared with the goroutine's
    /// `JoinHandle` (`runtime/panic.rs`). Null outside the wrapper; only the
    /// goroutine itself reads the cell.
    pub(crate) join_link: Cell<*const JoinLink>,
}

// SAFETY: a G moves between worker threads, but only one thread at a time runs
// it or touches its cells: the M that took it from a run queue (status
// RUNNING), or the allg lock holder for `allg_index`. The coroutine is not Send
// only because code on it may hold thread-locals across a switch; the runtime
// never does, and the docs tell users not to.
unsafe impl Send for G {}
// SAFETY: as above; the fields other threads read are atomics.
unsafe impl Sync for G {}

/// A pointer to a live goroutine.
pub(crate) type GRef = NonNull<G>;

/// A goroutine that has returned, kept with its stack for the next spawn (Go's
/// `gFree` lists): reusing it spares an allocation, a free on another thread
/// and the stack pool. It holds the goroutine's own count, and nothing else
/// refers to it.
pub(crate) struct DeadG {
    pub(crate) g: GPtr,
    pub(crate) stack: GStack,
}

/// A `GRef` that may be moved between threads (in run queues).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct GPtr(pub(crate) GRef);

// SAFETY: see the Send impl of G: the pointee is Send + Sync.
unsafe impl Send for GPtr {}

impl G {
    pub(crate) fn new(id: u64, sched: Arc<Sched>, spawned_at: &'static Location<'static>) -> Self {
        G {
            wait: WaitState::new(),
            id,
            status: AtomicU32::new(G_RUNNABLE),
            reason: AtomicU8::new(0),
            spawned_at,
            sched,
            coro: UnsafeCell::new(None),
            yielder: Cell::new(std::ptr::null()),
            park: UnsafeCell::new(ParkReq {
                unlockf: None,
                deadline: None,
            }),
            guard_lo: Cell::new(0),
            park_seq: AtomicU64::new(0),
            timer_armed: AtomicBool::new(false),
            allg_index: Cell::new(0),
            locked_m: AtomicPtr::new(std::ptr::null_mut()),
            lock_count: Cell::new(0),
            unwinding: Cell::new(NOT_UNWINDING),
            join_link: Cell::new(std::ptr::null()),
        }
    }

    pub(crate) fn set_reason(&self, r: WaitReason) {
        self.reason.store(r as u8, Ordering::Relaxed);
    }

    pub(crate) fn reason(&self) -> WaitReason {
        WaitReason::from_u8(self.reason.load(Ordering::Relaxed))
    }

    /// Takes a counted reference (for a timer) to the goroutine behind `g`.
    ///
    /// # Safety
    /// `g` must come from [`G::into_ref`] and the goroutine must not have returned.
    pub(crate) unsafe fn arc(g: GRef) -> Arc<G> {
        // SAFETY: `g` came from Arc::into_raw and its count is held (contract).
        unsafe {
            Arc::increment_strong_count(g.as_ptr());
            Arc::from_raw(g.as_ptr())
        }
    }

    /// Gives the goroutine's own count up as a raw reference.
    pub(crate) fn into_ref(g: Arc<G>) -> GRef {
        // SAFETY: Arc::into_raw never returns null.
        unsafe { NonNull::new_unchecked(Arc::into_raw(g) as *mut G) }
    }

    /// Drops the goroutine's own count, once it has returned.
    ///
    /// # Safety
    /// `g` came from [`G::into_ref`], and this is called once.
    pub(crate) unsafe fn release(g: GRef) {
        // SAFETY: the contract gives back the count that into_ref leaked.
        drop(unsafe { Arc::from_raw(g.as_ptr()) });
    }
}
