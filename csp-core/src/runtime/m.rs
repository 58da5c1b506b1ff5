//! M: a worker OS thread running the scheduling loop (Go's `schedule`,
//! `findRunnable`, `execute`, `park_m`, `stopm`).
//!
//! An M runs the P it holds until the P is handed to another M (`handoff.rs`);
//! idle Ms and `stopm` are in `idle.rs`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use corosensei::CoroutineResult;

use crate::runtime::g::{GPtr, GRef, Yield, G_RUNNABLE, G_RUNNING, G_WAITING};
use crate::runtime::handoff::{running, M, NO_P};
use crate::runtime::idle::stopm;
use crate::runtime::p::P;
use crate::runtime::rand::fastrandn;
use crate::runtime::sched::{set_current_m, Sched};
use crate::runtime::{g::G, stack};

/// The body of every M's thread: run the schedule loop on the P it holds;
/// when the P is taken away (see `handoff.rs`), wait as a spare for another.
pub(crate) fn mstart(s: Arc<Sched>, m: Arc<M>) {
    // A panic in the scheduler's own code would end this thread with its P
    // and leave the `run` hanging: end the process loudly instead.
    let fatal = AbortOnUnwind;
    stack::init_worker_thread();
    // The handle may not be published yet when the first wake-up comes.
    let _ = m.thread.set(std::thread::current());
    set_current_m(Arc::as_ptr(&s), Arc::as_ptr(&m));
    loop {
        let pid = m.p.load(Ordering::Acquire);
        if pid != NO_P {
            // Our locked goroutine, handed over with the P: it runs first.
            let owned = match GRef::new(m.nextg.swap(std::ptr::null_mut(), Ordering::AcqRel)) {
                Some(g) => execute(&s, &m, pid, g, false),
                None => true,
            };
            if owned && schedule(&s, &m, pid) {
                // Shutdown, with our P: free its dead goroutines.
                s.gfree_drain(pid);
                break;
            }
            continue;
        }
        if s.shutdown.load(Ordering::SeqCst) {
            break;
        }
        // Without a P: wait for our locked goroutine, or as a spare.
        let again = if m.lockedg.load(Ordering::Acquire).is_null() {
            s.spare_park(&m)
        } else {
            s.wait_locked(&m)
        };
        if !again {
            break;
        }
    }
    set_current_m(std::ptr::null(), std::ptr::null());
    std::mem::forget(fatal);
}

/// Dropped only when a panic unwinds out of [`mstart`].
struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        eprintln!("csp: fatal error: a worker thread panicked in the scheduler (a csp bug; the message is above)");
        std::process::abort();
    }
}

/// Runs goroutines on P `pid` until the scheduler shuts down (true) or the P
/// is handed to another M while this one ran a goroutine (false).
fn schedule(s: &Arc<Sched>, m: &M, pid: usize) -> bool {
    let mut spinning = false;
    while let Some((g, inherit)) = find_runnable(s, pid, &mut spinning) {
        if spinning {
            spinning = false;
            // The last spinner found work: if more is queued, wake a helper.
            if s.nmspinning.fetch_sub(1, Ordering::SeqCst) == 1 && s.has_queued_work() {
                s.wakep();
            }
        }
        if !execute(s, m, pid, g, inherit) {
            return false;
        }
    }
    true
}

/// Finds a goroutine to run, parking the M when there is none. `None` once the
/// scheduler shuts down.
fn find_runnable(s: &Sched, id: usize, spinning: &mut bool) -> Option<(GRef, bool)> {
    let p = &s.ps[id];
    loop {
        if s.shutdown.load(Ordering::Relaxed) {
            return None;
        }
        if s.timers.due() {
            s.run_timers(Instant::now());
        }
        // Fairness: now and then the global queue goes first.
        if p.schedtick.load(Ordering::Relaxed) % 61 == 0 && s.global.len() > 0 {
            if let Some(g) = s.global_get(id, false) {
                return Some((g, false));
            }
        }
        // A runnext chain that used up its time slice goes behind the others:
        // sysmon asks for it (Go's `retake`), so that the hot path reads no clock.
        if p.demote.load(Ordering::Relaxed) {
            p.demote.store(false, Ordering::Relaxed);
            let mut overflow = Vec::new();
            p.demote_runnext(&mut overflow);
            if !overflow.is_empty() {
                s.global.put(&overflow);
            }
        }
        if let Some(x) = probe(s, id, p) {
            return Some(x);
        }
        // Goroutines waiting on descriptors: collect what is ready, without
        // blocking (Go's `netpoll(0)` in findRunnable).
        if let Some(np) = s.netpoll.get() {
            if np.waiters() > 0 && np.poll(Some(Duration::ZERO)) > 0 {
                if let Some(x) = probe(s, id, p) {
                    return Some(x);
                }
            }
        }
        // Spin briefly: work often arrives within a microsecond or two.
        if s.ps.len() > 1 {
            for _ in 0..4 {
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
                if let Some(x) = probe(s, id, p) {
                    return Some(x);
                }
            }
        }
        stopm(s, id, spinning);
    }
}

/// One look for work, in Go's order: the local queue (`runnext` first), the
/// global queue, then the other Ps. The flag says whether the goroutine
/// inherits the current time slice (it came from `runnext`).
#[inline(always)]
fn probe(s: &Sched, id: usize, p: &P) -> Option<(GRef, bool)> {
    if let Some(x) = p.get() {
        return Some(x);
    }
    if s.global.len() > 0 {
        if let Some(g) = s.global_get(id, true) {
            return Some((g, false));
        }
    }
    steal(s, id).map(|g| (g, false))
}

/// Steals from the other Ps in a random order; the last pass may take a
/// victim's `runnext` (Go's `stealWork`).
fn steal(s: &Sched, id: usize) -> Option<GRef> {
    let n = s.ps.len();
    if n == 1 {
        return None;
    }
    let start = fastrandn(n as u32) as usize;
    for pass in 0..4 {
        for k in 0..n {
            let v = (start + k) % n;
            if v == id {
                continue;
            }
            if let Some(g) = s.ps[id].steal_from(&s.ps[v], pass == 3) {
                return Some(g);
            }
        }
    }
    None
}

/// Runs goroutine `g` until it parks, yields or returns. Returns whether the
/// M still holds P `id` afterwards. Inlined into the schedule loop: a call
/// here would save and restore every callee-saved register around a switch
/// that saves them anyway.
#[inline(always)]
fn execute(s: &Arc<Sched>, m: &M, id: usize, g: GRef, inherit: bool) -> bool {
    // SAFETY: a goroutine taken from a run queue is alive and owned by this M
    // until it switches back.
    let gr = unsafe { g.as_ref() };
    let lm = gr.locked_m.load(Ordering::Acquire);
    if !lm.is_null() && !std::ptr::eq(lm, m) {
        // Locked to another M: our P goes there with it (Go's `startlockedm`).
        // SAFETY: a locked M stays alive (in `Ms::all`) while parked for its G.
        s.startlockedm(m, id, unsafe { &*lm }, g.as_ptr());
        return false;
    }
    let p = &s.ps[id];
    p.nexec.store(
        p.nexec.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
    if !inherit {
        p.schedtick.store(
            p.schedtick.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
    }
    gr.status.store(G_RUNNING, Ordering::Relaxed);
    crate::runtime::sched::set_current_g(gr);
    stack::set_running(gr.guard_lo.get(), gr.id);
    // SAFETY: only the M running a goroutine touches its coroutine.
    let coro = unsafe { (*gr.coro.get()).as_mut() }.expect("runnable goroutine has a coroutine");
    m.enter_user();
    let r = coro.resume(());
    m.leave_user();
    stack::set_running(0, 0);
    crate::runtime::sched::set_current_g(std::ptr::null());
    let mut owned = s.owns(m, id);
    if !owned {
        // The P went to another M while the goroutine ran (sysmon, or
        // `blocking`): pass the goroutine on and stop.
        m.p.store(NO_P, Ordering::Release);
    }
    let returned = matches!(r, CoroutineResult::Return(()));
    if returned && std::ptr::eq(m.lockedg.load(Ordering::Relaxed), g.as_ptr()) {
        // A goroutine that ends locked unlocks its M (the thread is reused).
        m.lockedg.store(std::ptr::null_mut(), Ordering::Release);
    } else if owned && std::ptr::eq(gr.locked_m.load(Ordering::Relaxed), m) {
        // Our locked goroutine stops running: the P goes to another M before
        // the goroutine can be readied, and this M waits for it (Go's
        // `stoplockedm`). Without an M to be had, the P stays and waits too.
        if s.handoff_own_p(id, running(m.id)) {
            m.p.store(NO_P, Ordering::Release);
            owned = false;
        }
    }
    match r {
        CoroutineResult::Yield(Yield::Park) => park_commit(s, g),
        CoroutineResult::Yield(Yield::Gosched) => {
            gr.status.store(G_RUNNABLE, Ordering::Relaxed);
            s.global.put(&[GPtr(g)]);
            if !owned {
                s.wakep();
            }
        }
        CoroutineResult::Return(()) => {
            // SAFETY: it returned; we ran it; once.
            unsafe { s.gdestroy(owned.then_some(id), g) };
        }
    }
    owned
}

/// Go's `park_m` + `chanparkcommit`: the goroutine is off its stack; mark it
/// waiting, release the caller's locks, then arm its deadline.
fn park_commit(s: &Sched, g: GRef) {
    // SAFETY: the goroutine just switched to us and nobody can ready it before
    // `unlockf` runs.
    let gr = unsafe { g.as_ref() };
    // SAFETY: as above: the park request is ours to read.
    let req = unsafe { &mut *gr.park.get() };
    let unlockf = req.unlockf.take();
    let deadline = req.deadline.take();
    // Keep the G alive for the timer: it may be readied, run and return on
    // another M as soon as the locks are released.
    let timer = deadline.map(|d| {
        // SAFETY: the goroutine has not returned.
        (unsafe { G::arc(g) }, gr.park_seq.load(Ordering::Relaxed), d)
    });
    gr.status.store(G_WAITING, Ordering::SeqCst);
    if let Some(f) = unlockf {
        // SAFETY: the closure lives on the parked goroutine's stack, which nobody
        // runs until this call has released the locks that publish it.
        unsafe { (*f.as_ptr())() };
    }
    if let Some((ga, seq, d)) = timer {
        s.arm_park_timer(ga, seq, d);
    }
}
