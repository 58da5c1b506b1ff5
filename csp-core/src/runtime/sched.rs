//! The scheduler (Go's `schedt`): what one runtime holds, the thread-locals
//! that say where a thread is, `gopark` / `goready` for goroutines, and how a
//! `run` ends.
//!
//! The rest of the scheduler lives by concern beside this file: the global
//! queue (`runq.rs`), idle Ms and waking them (`idle.rs`), the schedule loop
//! (`m.rs`), goroutine creation (`proc.rs`), the dead-G cache (`gfree.rs`),
//! timers (`timer.rs`) and the deadlock rule (`deadlock.rs`).

use std::cell::Cell;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use crate::runtime::g::{GPtr, GRef, ParkReq, Yield, G, G_RUNNABLE, G_WAITING};
use crate::runtime::gfree::GFree;
use crate::runtime::handoff::{Ms, DEFAULT_MAX_THREADS, M, NO_P};
use crate::runtime::idle::MSlot;
use crate::runtime::netpoll::Netpoll;
use crate::runtime::p::P;
use crate::runtime::park::WaitReason;
use crate::runtime::runq::GlobalRunq;
use crate::runtime::stack;
use crate::runtime::timer::Timers;

/// How a `run` ends.
pub(crate) enum Outcome {
    /// The main goroutine returned.
    MainDone,
    /// A goroutine (main, or one nobody joins) panicked.
    Panic(Box<dyn std::any::Any + Send>),
    /// Every goroutine is asleep; the dump.
    Deadlock(String),
}

/// A scheduler: one per `run`, plus the lazily started global one.
pub(crate) struct Sched {
    pub(crate) ps: Box<[P]>,
    /// Per P: its current M and that M's idle flags.
    pub(crate) ms: Box<[MSlot]>,
    /// Every M, the spare ones, and the thread limit.
    pub(crate) threads: Ms,
    pub(crate) global: GlobalRunq,
    /// Idle Ms (indices into `ms`), and their count.
    pub(crate) idle: Mutex<Vec<usize>>,
    pub(crate) nidle: AtomicUsize,
    pub(crate) nmspinning: AtomicUsize,
    pub(crate) timers: Timers,
    /// The poller, made when the first descriptor is registered.
    pub(crate) netpoll: OnceLock<Netpoll>,
    /// Every live goroutine (for the deadlock check and its dump).
    pub(crate) allgs: Mutex<Vec<GPtr>>,
    /// Goroutines started from outside the workers; those started and ended
    /// on worker `i` are counted in `ps[i].gcount`, so that a spawn and an
    /// exit on different workers do not pass a shared counter back and forth.
    pub(crate) ngoroutines: AtomicUsize,
    /// Dead goroutines beyond what the Ps keep (Go's `sched.gFree`).
    pub(crate) gfree: GFree,
    pub(crate) next_gid: AtomicU64,
    pub(crate) stack_size: usize,
    pub(crate) deadlock_detection: bool,
    /// Belongs to a `run` (unjoined panics end it); false for the global runtime.
    pub(crate) in_run: bool,
    pub(crate) shutdown: AtomicBool,
    /// Goroutines readied from threads outside this scheduler (the deadlock
    /// rule's grace).
    pub(crate) outside_readies: AtomicU64,
    outcome: Mutex<Option<Outcome>>,
    outcome_cv: Condvar,
    /// Goroutines whose panic is under way (testing branch: runtime/panic.rs).
    pub(crate) panics: crate::runtime::panic::Panics,
}

std::thread_local! {
    static CUR_G: Cell<*const G> = const { Cell::new(ptr::null()) };
    static CUR_M: Cell<(*const Sched, *const M)> = const { Cell::new((ptr::null(), ptr::null())) };
}

/// The goroutine running on this thread, if any.
///
/// Never inlined: a goroutine may resume on another thread, so no caller may
/// keep a thread-local address computed before a switch.
#[inline(never)]
pub(crate) fn current_g() -> Option<GRef> {
    NonNull::new(CUR_G.with(|c| c.get()) as *mut G)
}

#[inline(never)]
pub(crate) fn set_current_g(g: *const G) {
    CUR_G.with(|c| c.set(g));
}

/// The scheduler and the M of the worker this thread is, if it is one (null
/// pointers otherwise).
#[inline(never)]
pub(crate) fn current_m() -> (*const Sched, *const M) {
    CUR_M.with(|c| c.get())
}

#[inline(never)]
pub(crate) fn set_current_m(s: *const Sched, m: *const M) {
    CUR_M.with(|c| c.set((s, m)));
}

/// The scheduler of the calling worker, or the global one.
pub(crate) fn current_sched() -> Arc<Sched> {
    let (s, _) = current_m();
    if s.is_null() {
        return global().clone();
    }
    // SAFETY: a worker's TLS points at the Sched its thread holds an Arc of.
    unsafe {
        Arc::increment_strong_count(s);
        Arc::from_raw(s)
    }
}

/// Like [`current_sched`], but without starting the global runtime.
pub(crate) fn current_sched_if_started() -> Option<Arc<Sched>> {
    if current_m().0.is_null() && GLOBAL.get().is_none() {
        return None;
    }
    Some(current_sched())
}

static GLOBAL: OnceLock<Arc<Sched>> = OnceLock::new();

/// The global runtime, used by `spawn` outside `run`; started on first use.
pub(crate) fn global() -> &'static Arc<Sched> {
    GLOBAL.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        let s = Sched::new(
            n,
            stack::default_stack_size(),
            false,
            false,
            DEFAULT_MAX_THREADS,
        );
        s.start_ms();
        s
    })
}

/// Parks goroutine `g` (the current one); see [`crate::runtime::park::gopark`].
///
/// The goroutine switches to its M, which marks it waiting, then calls
/// `unlockf` (Go's `chanparkcommit`), then arms the deadline's timer.
#[inline(always)]
pub(crate) fn gopark(
    g: GRef,
    reason: WaitReason,
    deadline: Option<Instant>,
    unlockf: &mut dyn FnMut(),
) {
    // SAFETY: `g` is the running goroutine: it is alive and only this thread
    // touches its park request until the M has read it.
    let gr = unsafe { g.as_ref() };
    gr.set_reason(reason);
    let f: *mut (dyn FnMut() + '_) = unlockf;
    // SAFETY: erasing the lifetime: the closure lives on this goroutine's stack,
    // which stays put while the goroutine is suspended; the M calls it before
    // anybody can resume us.
    let f: *mut (dyn FnMut() + 'static) = unsafe { std::mem::transmute(f) };
    // SAFETY: as above (only this goroutine and then its M touch `park`).
    unsafe {
        *gr.park.get() = ParkReq {
            unlockf: NonNull::new(f),
            deadline,
        };
    }
    let y = gr.yielder.get();
    // SAFETY: the yielder belongs to this goroutine's coroutine, which is running.
    unsafe { (*y).suspend(Yield::Park) };
    if deadline.is_some() {
        // The park is over: its timer, if it has not fired, must not. Re-read
        // through the pointer: we may be on another thread now, but `g` is
        // still this goroutine.
        // SAFETY: as at the top.
        let gr = unsafe { g.as_ref() };
        gr.sched.timers.cancel_park(gr);
    }
}

/// Makes goroutine `g` runnable.
pub(crate) fn goready(g: GRef) {
    // SAFETY: the caller won the right to ready `g`, which is parked and alive.
    let gr = unsafe { g.as_ref() };
    debug_assert_eq!(
        gr.status.load(Ordering::Relaxed),
        G_WAITING,
        "bad g->status in ready"
    );
    gr.status.store(G_RUNNABLE, Ordering::Relaxed);
    let s = &*gr.sched;
    let (cs, m) = current_m();
    if ptr::eq(cs, s) {
        // The hot path: an empty `runnext` of the P this M runs (or ran a
        // moment ago: `try_put_next` is safe for a non-owner) takes `g`
        // without the ownership protocol.
        // SAFETY: a worker's TLS points at its own M, alive as long as `s`.
        let pid = unsafe { &*m }.p.load(Ordering::Relaxed);
        if pid != NO_P && s.ps[pid].try_put_next(g) {
            if s.ps[pid].ring_len() > 0 {
                s.wakep();
            }
            return;
        }
    }
    if let Some(p) = s.local_p() {
        // On one of our workers: runnext, which this M reaches as soon as the
        // running goroutine parks. Wake help only if work now queues behind it.
        if s.runqput(p.id, g, true) {
            s.wakep();
        }
    } else {
        s.outside_readies.fetch_add(1, Ordering::SeqCst);
        s.global.put(&[GPtr(g)]);
        s.wakep();
    }
}

/// `Gosched`: the running goroutine goes to the back of the global queue.
pub(crate) fn gosched() {
    match current_g() {
        Some(g) => {
            // SAFETY: `g` is the running goroutine.
            let y = unsafe { g.as_ref() }.yielder.get();
            // SAFETY: its yielder belongs to the running coroutine.
            unsafe { (*y).suspend(Yield::Gosched) };
        }
        None => std::thread::yield_now(),
    }
}

impl Sched {
    pub(crate) fn new(
        workers: usize,
        stack_size: usize,
        deadlock: bool,
        in_run: bool,
        max_threads: usize,
    ) -> Arc<Sched> {
        let n = workers.max(1);
        Arc::new(Sched {
            ps: (0..n).map(|_| P::new()).collect(),
            ms: (0..n).map(|_| MSlot::new()).collect(),
            threads: Ms::new(max_threads.max(n)),
            global: GlobalRunq::new(),
            idle: Mutex::new(Vec::new()),
            nidle: AtomicUsize::new(0),
            nmspinning: AtomicUsize::new(0),
            timers: Timers::new(),
            netpoll: OnceLock::new(),
            allgs: Mutex::new(Vec::new()),
            ngoroutines: AtomicUsize::new(0),
            gfree: GFree::new(),
            next_gid: AtomicU64::new(1),
            stack_size: stack::round_size(stack_size),
            deadlock_detection: deadlock,
            in_run,
            shutdown: AtomicBool::new(false),
            outside_readies: AtomicU64::new(0),
            outcome: Mutex::new(None),
            outcome_cv: Condvar::new(),
            panics: crate::runtime::panic::Panics::new(),
        })
    }

    /// Ends a `run` (the first outcome wins) and stops the workers.
    pub(crate) fn set_outcome(&self, o: Outcome) {
        {
            let mut cur = self.outcome.lock();
            if cur.is_none() && !self.shutdown.load(Ordering::SeqCst) {
                *cur = Some(o);
                self.panics.outcome_decided();
            }
            self.shutdown.store(true, Ordering::SeqCst);
            self.outcome_cv.notify_all();
        }
        for m in 0..self.ms.len() {
            self.unpark(m);
        }
        self.threads.unpark_all();
    }

    /// Blocks the calling thread until the `run` ends.
    pub(crate) fn wait_outcome(&self) -> Outcome {
        let mut cur = self.outcome.lock();
        loop {
            if let Some(o) = cur.take() {
                return o;
            }
            self.outcome_cv.wait(&mut cur);
        }
    }

    /// A goroutine nobody will join panicked.
    pub(crate) fn unjoined_panic(&self, payload: Box<dyn std::any::Any + Send>) {
        if self.in_run {
            self.set_outcome(Outcome::Panic(payload));
        }
        // The global runtime behaves like std::thread: the panic hook has
        // already reported it.
    }
}
