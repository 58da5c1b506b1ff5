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
//! Timed waits (`recv_timeout`, `send_timeout`) reuse Go's select protocol: the sudog
//! is marked `is_select`, and the deadline competes with the channel's wakers for the
//! waiter's `select_done` flag. Whoever wins the 0 → 1 CAS readies the waiter; a
//! waiter readied with a null `param` timed out.

use std::ptr::NonNull;
use std::time::Instant;

use crate::chan::sudog::Sudog;
use crate::runtime::g::GRef;
use crate::runtime::sched;
use crate::shim::{thread, AtomicPtr, AtomicU32, Ordering};

/// Why a goroutine (or thread) is parked: the words of Go's goroutine dump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
}

impl WaitReason {
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
        }
    }
}

/// The fields a waker touches; Go keeps them in `g`.
pub(crate) struct WaitState {
    /// 0 → 1 by whoever completes the select (or timed wait) this waiter is in.
    pub(crate) select_done: AtomicU32,
    /// The sudog that completed the wait (Go's `gp.param`); null after a timeout.
    pub(crate) param: AtomicPtr<Sudog>,
}

impl WaitState {
    pub(crate) fn new() -> Self {
        WaitState {
            select_done: AtomicU32::new(0),
            param: AtomicPtr::new(std::ptr::null_mut()),
        }
    }
}

/// Who waits in a sudog: a goroutine, or an OS thread outside the runtime.
#[derive(Clone, Copy)]
pub(crate) enum Waiter {
    Thread(NonNull<ThreadParker>),
    G(GRef),
}

// SAFETY: a Waiter is an address of a parker or a G that stays alive while the
// waiter is parked; wakers on other threads use it only under the channel
// protocol (dequeued under the lock, readied once).
unsafe impl Send for Waiter {}

impl Waiter {
    /// The calling goroutine, or the calling thread's parker.
    #[inline]
    pub(crate) fn current() -> Waiter {
        match sched::current_g() {
            Some(g) => Waiter::G(g),
            None => Waiter::Thread(ThreadParker::current()),
        }
    }

    #[inline]
    pub(crate) fn state(&self) -> &WaitState {
        match self {
            // SAFETY: the parker lives as long as its thread, and a waiter is only
            // used while its thread is inside a channel operation.
            Waiter::Thread(p) => unsafe { &p.as_ref().state },
            // SAFETY: a G outlives every wait it takes part in.
            Waiter::G(g) => unsafe { &g.as_ref().wait },
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

    fn current() -> NonNull<ThreadParker> {
        PARKER.with(|p| NonNull::from(&**p))
    }
}

/// OS threads outside the runtime that are blocked in a channel operation right now;
/// the deadlock detector stays quiet while this is non-zero.
pub(crate) static BLOCKED_THREADS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Parks the caller, which must be `w` (`Waiter::current()`), until [`goready`].
///
/// `unlockf` runs exactly once, after the waiter is committed to parking; it
/// releases the channel lock(s). With a `deadline`, the waiter may instead win its
/// own `select_done` when the deadline passes: it then returns with a null `param`
/// and must take its sudogs out of their queues itself.
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
                if p.state
                    .select_done
                    .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    p.state.param.store(std::ptr::null_mut(), Ordering::Relaxed);
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
/// `select_done` CAS where the sudog is a select's), or it is the waiter's timer.
pub(crate) unsafe fn goready(w: Waiter) {
    match w {
        Waiter::G(g) => sched::goready(g),
        // SAFETY: forwarded contract.
        Waiter::Thread(p) => unsafe { ready_thread(p) },
    }
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
