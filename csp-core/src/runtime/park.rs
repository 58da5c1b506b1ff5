//! `gopark` / `goready`: the one seam between channels and whoever waits on them.
//!
//! A channel operation that must wait publishes a [`Sudog`] naming a [`Waiter`]
//! while it holds the channel lock, then calls [`gopark`] with a function that
//! releases the lock. The waiter is either a goroutine (the scheduler switches away
//! and releases the lock only after the goroutine is marked waiting, Go's
//! `chanparkcommit`) or a plain OS thread (it blocks on a futex-backed parker).
//! Either way the lock is released only after the waiter is published, so a waker
//! that takes the lock afterwards can never miss it, and [`goready`] is never called
//! with a channel lock held.
//!
//! The protocol that decides who completes a wait, and the outcome, live in
//! [`wait`](crate::runtime::wait); this file only puts waiters to sleep and
//! wakes them. A thread's deadline is its own to watch (here); a goroutine's is
//! a timer armed by its M after the park commits (`m.rs`, `timer.rs`).

use std::ptr::NonNull;
use std::time::Instant;

use crate::runtime::deadlock::BLOCKED_THREADS;
use crate::runtime::g::GRef;
use crate::runtime::sched;
use crate::runtime::sudog::Sudog;
use crate::runtime::taskwait::TaskWaiter;
use crate::runtime::wait::WaitState;
use crate::shim::{thread, AtomicU32, Ordering};

/// Why a goroutine (or thread) is parked: the words of Go's goroutine dump.
/// The discriminant is what a G stores; [`WaitReason::from_u8`] reads it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum WaitReason {
    ChanReceive,
    ChanSend,
    ChanReceiveNilChan,
    ChanSendNilChan,
    Select,
    SelectNoCases,
    Sleep,
    Join,
    WaitGroup,
    IoWait,
    SyncMutexLock,
    SyncRWMutexRLock,
    SyncRWMutexLock,
    SyncCondWait,
    Semacquire,
    /// Held back while another goroutine's fatal panic is reported
    /// (`runtime/panic.rs`).
    PanicWait,
}

impl WaitReason {
    /// The last variant: every discriminant is in `0..=LAST as u8`.
    const LAST: WaitReason = WaitReason::PanicWait;

    /// The reason stored as `r as u8`.
    pub(crate) fn from_u8(x: u8) -> WaitReason {
        assert!(x <= WaitReason::LAST as u8, "bad wait reason {x}");
        // SAFETY: the enum is `repr(u8)` with implicit discriminants, so every
        // value in `0..=LAST` names a variant.
        unsafe { std::mem::transmute::<u8, WaitReason>(x) }
    }

    /// Go's wording (`runtime2.go` `waitReasonStrings`); our own for join.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WaitReason::ChanReceive => "chan receive",
            WaitReason::ChanSend => "chan send",
            WaitReason::ChanReceiveNilChan => "chan receive (nil chan)",
            WaitReason::ChanSendNilChan => "chan send (nil chan)",
            WaitReason::Select => "select",
            WaitReason::SelectNoCases => "select (no cases)",
            WaitReason::Sleep => "sleep",
            WaitReason::Join => "join",
            WaitReason::WaitGroup => "sync.WaitGroup.Wait",
            WaitReason::IoWait => "IO wait",
            WaitReason::SyncMutexLock => "sync.Mutex.Lock",
            WaitReason::SyncRWMutexRLock => "sync.RWMutex.RLock",
            WaitReason::SyncRWMutexLock => "sync.RWMutex.Lock",
            WaitReason::SyncCondWait => "sync.Cond.Wait",
            WaitReason::Semacquire => "semacquire",
            WaitReason::PanicWait => "panicwait",
        }
    }
}

/// Who waits in a sudog: a goroutine, an OS thread outside the runtime, or an
/// async task (a future's [`TaskWaiter`]); or nobody, for a value given back
/// to a channel by a dropped receive future (`chan/giveback.rs`), whose record
/// waits in the send queue like a parked sender.
#[derive(Clone, Copy)]
pub(crate) enum Waiter {
    Thread(NonNull<ThreadParker>),
    G(GRef),
    Task(NonNull<TaskWaiter>),
    /// Frees the given-back value's record (its value already taken).
    GivenBack(unsafe fn(*mut Sudog)),
}

// SAFETY: a Waiter is an address of a parker or a G that stays alive while the
// waiter is parked; wakers on other threads use it only under the channel
// protocol (dequeued under the lock, readied once).
unsafe impl Send for Waiter {}

impl Waiter {
    /// The calling goroutine, or the calling thread's parker.
    ///
    /// A thread whose `PARKER` thread-local is already destroyed (the caller
    /// is a thread-local's destructor running after it) gets a parker of its
    /// own in `fallback`, which the caller keeps alive for the whole wait.
    #[inline]
    pub(crate) fn current(fallback: &mut Option<Box<ThreadParker>>) -> Waiter {
        match sched::current_g() {
            Some(g) => Waiter::G(g),
            None => Waiter::Thread(ThreadParker::current(fallback)),
        }
    }

    #[inline]
    pub(crate) fn state(&self) -> &WaitState {
        match self {
            // SAFETY: the parker lives as long as its thread (or, for a fallback
            // parker, as long as the `Wait` that owns it), and a waiter is only
            // used while its thread is inside that channel operation.
            Waiter::Thread(p) => unsafe { &p.as_ref().state },
            // SAFETY: a G outlives every wait it takes part in.
            Waiter::G(g) => unsafe { &g.as_ref().wait },
            // SAFETY: the future that owns the task waiter is pinned and does
            // not go away while its sudog is queued or being readied
            // (`taskwait.rs`).
            Waiter::Task(t) => unsafe { &t.as_ref().state },
            Waiter::GivenBack(_) => not_a_waiter(),
        }
    }
}

/// The OS-thread half of parking: a flag and std's futex-backed park/unpark.
pub(crate) struct ThreadParker {
    state: WaitState,
    /// 1 once a waker has readied this thread for the current wait.
    ready: AtomicU32,
    #[cfg(not(loom))]
    thread: thread::Thread,
    /// Under loom the wait is a mutex and condvar: loom's `unpark` of a thread that
    /// is blocked on a loom mutex makes it runnable and fails the model, and a
    /// waker's `unpark` may come late, after the parker has moved on.
    #[cfg(loom)]
    m: loom::sync::Mutex<()>,
    #[cfg(loom)]
    cv: loom::sync::Condvar,
}

#[cfg(not(loom))]
std::thread_local! {
    static PARKER: Box<ThreadParker> = Box::new(ThreadParker::new());
}

#[cfg(loom)]
loom::thread_local! {
    static PARKER: Box<ThreadParker> = Box::new(ThreadParker::new());
}

impl ThreadParker {
    fn new() -> Self {
        ThreadParker {
            state: WaitState::new(),
            ready: AtomicU32::new(0),
            #[cfg(not(loom))]
            thread: thread::current(),
            #[cfg(loom)]
            m: loom::sync::Mutex::new(()),
            #[cfg(loom)]
            cv: loom::sync::Condvar::new(),
        }
    }

    /// The thread's parker: its thread-local one, or, once that has been
    /// destroyed (a thread-local destructor that runs after `PARKER`'s is
    /// using a channel), a fresh one stored in `fallback`.
    ///
    /// The fallback lives on the heap, owned by the waiting frame's [`Wait`]
    /// (crate::runtime::wait::Wait), so the address published in sudogs stays
    /// put until the wait is over; wakers touch the parker only up to the
    /// `ready` store (`ready_thread`), before the waiter can return and drop it.
    #[cfg(not(loom))]
    fn current(fallback: &mut Option<Box<ThreadParker>>) -> NonNull<ThreadParker> {
        match PARKER.try_with(|p| NonNull::from(&**p)) {
            Ok(p) => p,
            Err(_) => NonNull::from(&**fallback.insert(Box::new(ThreadParker::new()))),
        }
    }

    /// loom: thread-locals live as long as the model's threads.
    #[cfg(loom)]
    fn current(_fallback: &mut Option<Box<ThreadParker>>) -> NonNull<ThreadParker> {
        PARKER.with(|p| NonNull::from(&**p))
    }
}

/// Parks the caller, which must be `w` (`Waiter::current()`), until [`goready`].
///
/// `unlockf` runs exactly once, after the waiter is committed to parking; it
/// releases the channel lock(s). With a `deadline`, the deadline may instead
/// claim the wait ([`WaitState::claim_timeout`]). Called only by
/// [`Wait::park`](crate::runtime::wait::Wait::park).
#[inline(always)]
pub(crate) fn gopark(
    w: Waiter,
    reason: WaitReason,
    deadline: Option<Instant>,
    unlockf: &mut dyn FnMut(),
) {
    match w {
        Waiter::G(g) => sched::gopark(g, reason, deadline, unlockf),
        Waiter::Thread(p) => {
            // SAFETY: `p` is the calling thread's own parker.
            let p = unsafe { p.as_ref() };
            park_thread(p, deadline, unlockf)
        }
        Waiter::Task(_) | Waiter::GivenBack(_) => {
            unreachable!("futures never park: they return Pending")
        }
    }
}

/// Rounds of spinning with `PAUSE` (1, 2, 4, .. 32 of them: 63 `PAUSE`s,
/// about 1.5 µs here), then of `sched_yield`, before a thread really parks.
///
/// Longer `PAUSE` phases made fan-in from OS threads twice as slow: with more
/// threads than cores, a spinning waiter holds the core the thread it waits
/// for needs, while `sched_yield` hands it over. The bench-suite `profile`
/// example, csp-threads, min of 3 interleaved runs: 10 rounds (up to 64
/// `PAUSE`s each) and 10 yields gave fan-in P=1/4/8 97/99/81 ns and MPMC 63;
/// 6 rounds and 20 yields give 47/53/57 and 50 (crossbeam: 62/52/41 and 53).
#[cfg(not(loom))]
const SPIN_ROUNDS: u32 = 6;
#[cfg(not(loom))]
const YIELD_ROUNDS: u32 = 20;

fn park_thread(p: &ThreadParker, deadline: Option<Instant>, unlockf: &mut dyn FnMut()) {
    // Reset before the lock is released: a waker can only see our sudog after.
    p.ready.store(0, Ordering::Relaxed);
    unlockf();
    // An OS wake-up costs 10–20 µs on a VM that halts idle CPUs, far more than a
    // typical hand-off takes: spin briefly first, as kanal and Go's Ms do.
    #[cfg(not(loom))]
    {
        for i in 0..SPIN_ROUNDS {
            if p.ready.load(Ordering::Acquire) != 0 {
                return;
            }
            for _ in 0..(1u32 << i) {
                std::hint::spin_loop();
            }
        }
        for _ in 0..YIELD_ROUNDS {
            if p.ready.load(Ordering::Acquire) != 0 {
                return;
            }
            std::thread::yield_now();
        }
    }
    wait_ready(p, deadline);
}

/// Blocks until a waker sets `ready`, or until the deadline wins the wait.
#[cfg(not(loom))]
fn wait_ready(p: &ThreadParker, deadline: Option<Instant>) {
    BLOCKED_THREADS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let mut deadline = deadline;
    while p.ready.load(Ordering::Acquire) == 0 {
        match deadline {
            None => thread::park(),
            Some(d) => {
                let now = Instant::now();
                if now < d {
                    thread::park_timeout(d - now);
                    continue;
                }
                // The deadline competes with the channel's wakers for this wait.
                if p.state.claim_timeout() {
                    break;
                }
                // A waker won: it will ready us shortly.
                deadline = None;
            }
        }
    }
    BLOCKED_THREADS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
}

/// loom: waits on the parker's condvar (the models use no deadlines).
#[cfg(loom)]
fn wait_ready(p: &ThreadParker, _deadline: Option<Instant>) {
    let mut g = p.m.lock().unwrap();
    while p.ready.load(Ordering::Acquire) == 0 {
        g = p.cv.wait(g).unwrap();
    }
}

/// Makes a parked waiter runnable again. Never called with a channel lock held.
///
/// # Safety
/// `w` must be parked (or about to park) in [`gopark`] for a wait that the caller
/// has won: it dequeued the waiter's sudog under the channel lock (and won the
/// claim where the sudog races), or it is the waiter's timer.
///
/// Inlined: it is on every hand-off's path, and the async arms stay out of
/// line (`TaskWaiter::ready` is cold) so that goroutines pay one compare.
#[inline(always)]
pub(crate) unsafe fn goready(w: Waiter) {
    match w {
        Waiter::G(g) => sched::goready(g),
        // SAFETY: forwarded contract.
        Waiter::Thread(p) => unsafe { ready_thread(p) },
        // SAFETY: forwarded contract.
        Waiter::Task(t) => unsafe { TaskWaiter::ready(t) },
        Waiter::GivenBack(_) => not_a_waiter(),
    }
}

#[cold]
#[inline(never)]
fn not_a_waiter() -> ! {
    unreachable!("given-back values are freed in wait::ready, never readied")
}

/// Readies a parked OS thread.
///
/// # Safety
/// As [`goready`].
#[cfg(not(loom))]
unsafe fn ready_thread(p: NonNull<ThreadParker>) {
    // SAFETY: the thread is parked in `park_thread` until `ready` is set, so
    // its parker is alive up to the store below; we touch only our clone of
    // the thread handle after it.
    let t = unsafe { p.as_ref().thread.clone() };
    // SAFETY: as above.
    unsafe { p.as_ref().ready.store(1, Ordering::Release) };
    t.unpark();
}

/// loom: sets `ready` and signals the parker's condvar under its mutex.
///
/// # Safety
/// As [`goready`].
#[cfg(loom)]
unsafe fn ready_thread(p: NonNull<ThreadParker>) {
    // SAFETY: the parker waits on its mutex until we release it, so it is alive.
    let p = unsafe { p.as_ref() };
    let _g = p.m.lock().unwrap();
    p.ready.store(1, Ordering::Release);
    p.cv.notify_one();
}

/// Parks the caller forever: a blocking operation on a nil channel, or `select {}`.
pub(crate) fn park_forever(reason: WaitReason) -> ! {
    loop {
        match sched::current_g() {
            Some(g) => sched::gopark(g, reason, None, &mut || {}),
            None => {
                BLOCKED_THREADS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                loop {
                    thread::park();
                }
            }
        }
    }
}
