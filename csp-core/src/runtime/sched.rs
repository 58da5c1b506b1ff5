//! The scheduler (Go's `schedt`): Ps, idle Ms, the global queue, `gopark`,
//! `goready`, `newproc` and waking Ms.
//!
//! Waking an M costs an OS round trip (10–20 µs on a VM), so an M is woken only
//! when queued work has nobody to run it: at most one M spins looking for work,
//! and `goready` on a worker puts the goroutine in that worker's `runnext`
//! without waking anyone, because the worker will run it as soon as the current
//! goroutine parks. Only when a second goroutine queues up behind it (the old
//! `runnext` is kicked to the ring) is an idle M woken to help.

use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::Location;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::runtime::g::{Coro, DeadG, GPtr, GRef, ParkReq, Yield, G, G_RUNNABLE, G_WAITING};
use crate::runtime::p::P;
use crate::runtime::park::WaitReason;
use crate::runtime::stack;
use crate::runtime::timer::{self, Fired, Timers};

/// How a `run` ends.
pub(crate) enum Outcome {
    /// The main goroutine returned.
    MainDone,
    /// A goroutine (main, or one nobody joins) panicked.
    Panic(Box<dyn std::any::Any + Send>),
    /// Every goroutine is asleep; the dump.
    Deadlock(String),
}

/// Dead goroutines a P keeps at most, and how many move to or from the global
/// list at a time (Go's numbers).
const GFREE_LOCAL_MAX: usize = 64;
const GFREE_BATCH: usize = 32;
/// Global dead goroutines the trimmer leaves for the next spawn storm.
const GFREE_WARM: usize = 1024;

/// Per-M state other threads touch.
pub(crate) struct MSlot {
    pub(crate) thread: OnceLock<Thread>,
    /// In the idle list (cleared by whoever takes it out).
    pub(crate) idle: AtomicBool,
    /// Woken by `wakep` to spin: `nmspinning` was counted on its behalf.
    pub(crate) spinning: AtomicBool,
    /// Woken to recompute its timer deadline.
    pub(crate) poke: AtomicBool,
}

/// A scheduler: one per `run`, plus the lazily started global one.
pub(crate) struct Sched {
    pub(crate) ps: Box<[P]>,
    pub(crate) ms: Box<[MSlot]>,
    global: Mutex<VecDeque<GPtr>>,
    global_len: AtomicUsize,
    idle: Mutex<Vec<usize>>,
    pub(crate) nidle: AtomicUsize,
    pub(crate) nmspinning: AtomicUsize,
    pub(crate) timers: Timers,
    /// The idle M parked until the next timer (index + 1), or 0.
    pub(crate) timer_sleeper: AtomicUsize,
    allgs: Mutex<Vec<GPtr>>,
    /// Goroutines started from outside the workers; those started and ended
    /// on worker `i` are counted in `ps[i].gcount`, so that a spawn and an
    /// exit on different workers do not pass a shared counter back and forth.
    ngoroutines: AtomicUsize,
    /// Dead goroutines beyond what the Ps keep (Go's `sched.gFree`).
    gfree: Mutex<Vec<DeadG>>,
    /// Refills of a P's list from `gfree`, and when `gfree_trim` last saw the
    /// count change: the trimmer's sign that spawning has quietened down.
    gfree_refills: AtomicU64,
    gfree_quiet: Mutex<(u64, Option<Instant>)>,
    next_gid: AtomicU64,
    pub(crate) stack_size: usize,
    pub(crate) deadlock_detection: bool,
    /// Belongs to a `run` (unjoined panics end it); false for the global runtime.
    pub(crate) in_run: bool,
    pub(crate) shutdown: AtomicBool,
    /// Goroutines readied from threads outside this scheduler (deadlock check).
    pub(crate) outside_readies: AtomicU64,
    outcome: Mutex<Option<Outcome>>,
    outcome_cv: Condvar,
}

std::thread_local! {
    static CUR_G: Cell<*const G> = const { Cell::new(ptr::null()) };
    static CUR_M: Cell<(*const Sched, usize)> = const { Cell::new((ptr::null(), 0)) };
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

/// The scheduler and P index of the worker this thread is, if it is one.
#[inline(never)]
pub(crate) fn current_m() -> (*const Sched, usize) {
    CUR_M.with(|c| c.get())
}

#[inline(never)]
pub(crate) fn set_current_m(s: *const Sched, id: usize) {
    CUR_M.with(|c| c.set((s, id)));
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
        let s = Sched::new(n, stack::DEFAULT_STACK_SIZE, false, false);
        crate::runtime::m::start_ms(&s);
        s
    })
}

/// Parks goroutine `g` (the current one); see [`crate::runtime::park::gopark`].
///
/// The goroutine switches to its M, which marks it waiting, then calls
/// `unlockf` (Go's `chanparkcommit`), then arms the deadline's timer.
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
        // Re-read through the pointer: we may be on another thread now, but `g`
        // is still this goroutine.
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
    let (ms, id) = current_m();
    if ptr::eq(ms, s) {
        // On one of our workers: runnext, which this M reaches as soon as the
        // running goroutine parks. Wake help only if work now queues behind it.
        if s.runqput(id, g, true) {
            s.wakep();
        }
    } else {
        s.outside_readies.fetch_add(1, Ordering::SeqCst);
        s.global_put(&[GPtr(g)]);
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
    ) -> Arc<Sched> {
        let n = workers.max(1);
        Arc::new(Sched {
            ps: (0..n).map(|_| P::new()).collect(),
            ms: (0..n)
                .map(|_| MSlot {
                    thread: OnceLock::new(),
                    idle: AtomicBool::new(false),
                    spinning: AtomicBool::new(false),
                    poke: AtomicBool::new(false),
                })
                .collect(),
            global: Mutex::new(VecDeque::new()),
            global_len: AtomicUsize::new(0),
            idle: Mutex::new(Vec::new()),
            nidle: AtomicUsize::new(0),
            nmspinning: AtomicUsize::new(0),
            timers: Timers::new(),
            timer_sleeper: AtomicUsize::new(0),
            allgs: Mutex::new(Vec::new()),
            ngoroutines: AtomicUsize::new(0),
            gfree: Mutex::new(Vec::new()),
            gfree_refills: AtomicU64::new(0),
            gfree_quiet: Mutex::new((u64::MAX, None)),
            next_gid: AtomicU64::new(1),
            stack_size: stack::round_size(stack_size),
            deadlock_detection: deadlock,
            in_run,
            shutdown: AtomicBool::new(false),
            outside_readies: AtomicU64::new(0),
            outcome: Mutex::new(None),
            outcome_cv: Condvar::new(),
        })
    }

    /// Puts `g` on P `id`'s queue (owner only). Returns whether a goroutine now
    /// waits in the ring, i.e. whether another M could help.
    pub(crate) fn runqput(&self, id: usize, g: GRef, next: bool) -> bool {
        let mut overflow = Vec::new();
        self.ps[id].put(g, next, &mut overflow);
        if !overflow.is_empty() {
            self.global_put(&overflow);
        }
        self.ps[id].ring_len() > 0 || !overflow.is_empty()
    }

    pub(crate) fn global_put(&self, gs: &[GPtr]) {
        let mut q = self.global.lock();
        q.extend(gs.iter().copied());
        self.global_len.store(q.len(), Ordering::SeqCst);
    }

    pub(crate) fn global_len(&self) -> usize {
        self.global_len.load(Ordering::SeqCst)
    }

    /// Takes one goroutine from the global queue and moves a fair share of the
    /// rest into P `id`'s ring (Go's `globrunqget`).
    pub(crate) fn global_get(&self, id: usize, batch: bool) -> Option<GRef> {
        let mut q = self.global.lock();
        let g = q.pop_front()?;
        if batch {
            let n = (q.len() / self.ps.len()).min(128);
            let mut overflow = Vec::new();
            for _ in 0..n {
                let x = q.pop_front().expect("counted");
                self.ps[id].put(x.0, false, &mut overflow);
            }
            q.extend(overflow);
        }
        self.global_len.store(q.len(), Ordering::SeqCst);
        Some(g.0)
    }

    /// Whether any queue holds work (racy; for idle and deadlock checks).
    pub(crate) fn has_queued_work(&self) -> bool {
        self.global_len() > 0 || self.ps.iter().any(|p| !p.is_empty())
    }

    /// Wakes an idle M to spin, unless one is already spinning (Go's `wakep`).
    pub(crate) fn wakep(&self) {
        if self.nidle.load(Ordering::SeqCst) == 0 || self.nmspinning.load(Ordering::SeqCst) != 0 {
            return;
        }
        if self
            .nmspinning
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return;
        }
        match self.take_idle() {
            Some(m) => self.unpark(m),
            None => {
                self.nmspinning.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    /// Takes an idle M to spin (`nmspinning` already counts it).
    fn take_idle(&self) -> Option<usize> {
        let mut idle = self.idle.lock();
        let m = idle.pop()?;
        // Before `idle` is cleared: the M may wake spuriously, see itself off
        // the list and read `spinning` at once; it must not miss the flag, or
        // nmspinning stays counted for an M that does not spin.
        self.ms[m].spinning.store(true, Ordering::SeqCst);
        self.ms[m].idle.store(false, Ordering::SeqCst);
        self.nidle.fetch_sub(1, Ordering::SeqCst);
        Some(m)
    }

    pub(crate) fn unpark(&self, m: usize) {
        if let Some(t) = self.ms[m].thread.get() {
            t.unpark();
        }
    }

    /// Puts M `id` on the idle list.
    pub(crate) fn add_idle(&self, id: usize) {
        let mut idle = self.idle.lock();
        idle.push(id);
        self.ms[id].idle.store(true, Ordering::SeqCst);
        self.nidle.fetch_add(1, Ordering::SeqCst);
    }

    /// Takes M `id` off the idle list if it is still there.
    pub(crate) fn remove_idle(&self, id: usize) {
        let mut idle = self.idle.lock();
        if self.ms[id].idle.load(Ordering::SeqCst) {
            idle.retain(|&m| m != id);
            self.ms[id].idle.store(false, Ordering::SeqCst);
            self.nidle.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// A new timer became the earliest: make sure an M will wake for it.
    pub(crate) fn timer_added(&self) {
        let ts = self.timer_sleeper.load(Ordering::SeqCst);
        if ts != 0 {
            self.ms[ts - 1].poke.store(true, Ordering::SeqCst);
            self.unpark(ts - 1);
        } else if !ptr::eq(current_m().0, self) {
            // A worker that adds a timer passes through its scheduling loop soon;
            // from outside, wake somebody to become the timer sleeper.
            self.wakep();
        }
    }

    /// Runs due timers (on a worker, in scheduler context).
    pub(crate) fn run_timers(&self, now: Instant) {
        let mut fired = Vec::new();
        self.timers.run_due(now, &mut fired);
        for f in fired {
            match f {
                Fired::Ready(g) => goready(timer::gref(&g)),
                Fired::Send(ch, t) => {
                    // time.After / time.Tick drop a tick nobody has taken yet.
                    let _ = ch.try_send(t);
                }
            }
        }
    }

    /// Live goroutines (Go's `gcount`): a sum of per-worker counts, each of
    /// which may be negative (a goroutine can end on another worker).
    pub(crate) fn num_goroutine(&self) -> usize {
        let mut n = self.ngoroutines.load(Ordering::SeqCst) as isize;
        for p in self.ps.iter() {
            n += p.gcount.load(Ordering::SeqCst);
        }
        n.max(0) as usize
    }

    /// Creates a goroutine running `f` and queues it (Go's `newproc`).
    pub(crate) fn newproc<F>(self: &Arc<Self>, loc: &'static Location<'static>, f: F) -> u64
    where
        F: FnOnce() + Send + 'static,
    {
        let id = self.next_gid.fetch_add(1, Ordering::Relaxed);
        let (ms, mid) = current_m();
        let on_worker = ptr::eq(ms, &**self);
        let (g, st) = match on_worker.then(|| self.gfget(mid)).flatten() {
            Some(dead) => {
                // SAFETY: a DeadG holds the goroutine's only count (see DeadG).
                let mut g = unsafe { Arc::from_raw(dead.g.0.as_ptr()) };
                let gm = Arc::get_mut(&mut g).expect("a dead goroutine has no other user");
                let sched = gm.sched.clone();
                *gm = G::new(id, sched, loc);
                (g, dead.stack)
            }
            None => (
                Arc::new(G::new(id, self.clone(), loc)),
                stack::alloc(self.stack_size, &|| self.num_goroutine()),
            ),
        };
        g.guard_lo.set(st.guard_lo());
        let gp = GPtr(NonNull::from(&*g));
        let coro = Coro::with_stack(st, move |y, ()| {
            let gp = gp;
            // SAFETY: the G outlives its coroutine; only this goroutine sets it.
            unsafe { gp.0.as_ref() }.yielder.set(y);
            f();
        });
        // SAFETY: the G is not published yet; we are its only user.
        unsafe { *g.coro.get() = Some(coro) };
        if on_worker {
            self.ps[mid].gcount.fetch_add(1, Ordering::Relaxed);
        } else {
            self.ngoroutines.fetch_add(1, Ordering::Relaxed);
        }
        let g = G::into_ref(g);
        {
            let mut all = self.allgs.lock();
            // SAFETY: allg_index is only touched under the allgs lock.
            unsafe { g.as_ref() }.allg_index.set(all.len());
            all.push(GPtr(g));
        }
        if on_worker {
            self.runqput(mid, g, true);
        } else {
            self.global_put(&[GPtr(g)]);
        }
        self.wakep();
        id
    }

    /// Forgets a goroutine that has returned and recycles its stack.
    ///
    /// # Safety
    /// `g` has returned and this is called once, by the M that ran it (`mid`).
    pub(crate) unsafe fn gdestroy(&self, mid: usize, g: GRef) {
        // SAFETY: the goroutine has returned; this M is its only user.
        let gr = unsafe { g.as_ref() };
        // SAFETY: as above.
        let stack = unsafe { (*gr.coro.get()).take() }.map(|c| c.into_stack());
        {
            let mut all = self.allgs.lock();
            let i = gr.allg_index.get();
            all.swap_remove(i);
            if let Some(moved) = all.get(i) {
                // SAFETY: a listed G is alive; its index is guarded by this lock.
                unsafe { moved.0.as_ref() }.allg_index.set(i);
            }
        }
        self.ps[mid].gcount.fetch_sub(1, Ordering::Relaxed);
        let Some(stack) = stack else {
            // SAFETY: the goroutine's own count, released once (contract).
            unsafe { G::release(g) };
            return;
        };
        // A timer of an ended timed park may still hold a count; such a G is
        // not reused. Nobody else can take a new count on a returned G.
        // SAFETY: the goroutine's own count is still held (contract); the
        // ManuallyDrop keeps it.
        let counts = Arc::strong_count(&std::mem::ManuallyDrop::new(unsafe {
            Arc::from_raw(g.as_ptr())
        }));
        if counts == 1 && !self.shutdown.load(Ordering::Relaxed) {
            self.gfput(mid, DeadG { g: GPtr(g), stack });
        } else {
            stack::free(stack);
            // SAFETY: as above, released once.
            unsafe { G::release(g) };
        }
    }

    /// Keeps a dead goroutine on P `mid`; beyond 64, half go to the global
    /// list (Go's `gfput`).
    fn gfput(&self, mid: usize, dead: DeadG) {
        let mut local = self.ps[mid].gfree.lock();
        local.push(dead);
        if local.len() > GFREE_LOCAL_MAX {
            let at = local.len() - GFREE_BATCH;
            let spill: Vec<DeadG> = local.drain(at..).collect();
            drop(local);
            self.gfree.lock().extend(spill);
        }
    }

    /// A dead goroutine from P `mid`'s list, refilled from the global list
    /// (Go's `gfget`).
    fn gfget(&self, mid: usize) -> Option<DeadG> {
        let mut local = self.ps[mid].gfree.lock();
        if local.is_empty() {
            let mut global = self.gfree.lock();
            let n = global.len().min(GFREE_BATCH);
            if n == 0 {
                return None;
            }
            let at = global.len() - n;
            local.extend(global.drain(at..));
            drop(global);
            self.gfree_refills.fetch_add(1, Ordering::Relaxed);
        }
        local.pop()
    }

    /// Frees dead goroutines and gives their stacks to the stack pool.
    fn gfree_release(dead: Vec<DeadG>) {
        for d in dead {
            stack::free(d.stack);
            // SAFETY: a DeadG holds the goroutine's own count; released once.
            unsafe { G::release(d.g.0) };
        }
    }

    /// Called by M `mid` as it exits at shutdown: its dead goroutines and the
    /// global ones are freed (each holds a count of the scheduler, which would
    /// otherwise never be freed).
    pub(crate) fn gfree_drain(&self, mid: usize) {
        let local = std::mem::take(&mut *self.ps[mid].gfree.lock());
        Self::gfree_release(local);
        let global = std::mem::take(&mut *self.gfree.lock());
        Self::gfree_release(global);
    }

    /// Called by sysmon: once no P has refilled from the global list for
    /// [`stack::SCAVENGE_AFTER`], frees global dead goroutines beyond
    /// [`GFREE_WARM`], a batch at a time, so that the stack scavenger can give
    /// their memory back.
    pub(crate) fn gfree_trim(&self) {
        let refills = self.gfree_refills.load(Ordering::Relaxed);
        let now = Instant::now();
        {
            let mut q = self.gfree_quiet.lock();
            match q.1 {
                Some(since) if q.0 == refills => {
                    if now.duration_since(since) < stack::SCAVENGE_AFTER {
                        return;
                    }
                }
                _ => {
                    *q = (refills, Some(now));
                    return;
                }
            }
        }
        let batch: Vec<DeadG> = {
            let mut global = self.gfree.lock();
            let n = global
                .len()
                .saturating_sub(GFREE_WARM)
                .min(stack::SCAVENGE_BATCH);
            global.drain(..n).collect()
        };
        Self::gfree_release(batch);
    }

    /// Whether every goroutine is parked for good: nothing queued, no timer,
    /// no blocked outside thread, every M idle.
    pub(crate) fn looks_dead(&self) -> bool {
        self.deadlock_detection
            && !self.shutdown.load(Ordering::SeqCst)
            && self.nidle.load(Ordering::SeqCst) == self.ps.len()
            && self.timers.live() == 0
            && crate::runtime::park::BLOCKED_THREADS.load(Ordering::SeqCst) == 0
            && !self.has_queued_work()
            && {
                let all = self.allgs.lock();
                !all.is_empty()
                    && all.iter().all(|g| {
                        // SAFETY: a listed G is alive.
                        unsafe { g.0.as_ref() }.status.load(Ordering::SeqCst) == G_WAITING
                    })
            }
    }

    /// The goroutine dump of a deadlock.
    pub(crate) fn deadlock_dump(&self) -> String {
        let all = self.allgs.lock();
        let mut gs: Vec<(u64, WaitReason, &'static Location<'static>)> = all
            .iter()
            .map(|g| {
                // SAFETY: a listed G is alive.
                let g = unsafe { g.0.as_ref() };
                (g.id, g.reason(), g.spawned_at)
            })
            .collect();
        drop(all);
        gs.sort_by_key(|g| g.0);
        crate::runtime::deadlock::format(&gs)
    }

    /// Ends a `run` (the first outcome wins) and stops the workers.
    pub(crate) fn set_outcome(&self, o: Outcome) {
        {
            let mut cur = self.outcome.lock();
            if cur.is_none() {
                *cur = Some(o);
            }
            self.shutdown.store(true, Ordering::SeqCst);
            self.outcome_cv.notify_all();
        }
        for m in 0..self.ms.len() {
            self.unpark(m);
        }
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

    /// Sleeps the running goroutine (`time.Sleep`).
    pub(crate) fn sleep(g: GRef, d: Duration) {
        // SAFETY: `g` is the running goroutine.
        let gr = unsafe { g.as_ref() };
        gr.wait.select_done.store(0, Ordering::Relaxed);
        gopark(g, WaitReason::Sleep, Some(Instant::now() + d), &mut || {});
        // Only the timer readies a sleeper, and it won select_done.
        // SAFETY: still the running goroutine.
        unsafe { g.as_ref() }
            .wait
            .select_done
            .store(0, Ordering::Relaxed);
    }
}
