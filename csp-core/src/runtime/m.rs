//! M: a worker OS thread running the scheduling loop (Go's `schedule`,
//! `findRunnable`, `execute`, `park_m`, `stopm`).
//!
//! Each M owns one P for its whole life (no P hand-off: a goroutine that blocks
//! its thread in a system call blocks that P).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use corosensei::CoroutineResult;

use crate::runtime::g::{GPtr, GRef, Yield, G_RUNNABLE, G_RUNNING, G_WAITING};
use crate::runtime::sched::{set_current_m, Outcome, Sched};
use crate::runtime::{g::G, stack};

/// How long a deadlock must persist before it is reported: it covers an outside
/// thread that has dequeued a goroutine but not yet readied it.
const DEADLOCK_GRACE: Duration = Duration::from_millis(20);

/// How often the last idle M re-checks for a deadlock it could not confirm.
const DEADLOCK_POLL: Duration = Duration::from_millis(50);

/// Starts one worker thread per P.
pub(crate) fn start_ms(s: &Arc<Sched>) {
    for id in 0..s.ps.len() {
        let s2 = s.clone();
        let t = std::thread::Builder::new()
            .name(format!("csp-worker-{id}"))
            .spawn(move || mstart(s2, id))
            .expect("csp: cannot start a worker thread");
        let _ = s.ms[id].thread.set(t.thread().clone());
    }
    crate::runtime::sysmon::start(s);
}

fn mstart(s: Arc<Sched>, id: usize) {
    stack::init_worker_thread();
    // The handle may not be published yet when the first wake-up comes.
    let _ = s.ms[id].thread.set(std::thread::current());
    set_current_m(Arc::as_ptr(&s), id);
    let mut spinning = false;
    while let Some((g, inherit)) = find_runnable(&s, id, &mut spinning) {
        if spinning {
            spinning = false;
            // The last spinner found work: if more is queued, wake a helper.
            if s.nmspinning.fetch_sub(1, Ordering::SeqCst) == 1 && s.has_queued_work() {
                s.wakep();
            }
        }
        execute(&s, id, g, inherit);
    }
    s.gfree_drain(id);
    set_current_m(std::ptr::null(), 0);
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
        if p.schedtick.load(Ordering::Relaxed) % 61 == 0 && s.global_len() > 0 {
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
                s.global_put(&overflow);
            }
        }
        if let Some(x) = p.get() {
            return Some(x);
        }
        if s.global_len() > 0 {
            if let Some(g) = s.global_get(id, true) {
                return Some((g, false));
            }
        }
        if let Some(g) = steal(s, id) {
            return Some((g, false));
        }
        // Spin briefly: work often arrives within a microsecond or two.
        if s.ps.len() > 1 {
            for _ in 0..4 {
                for _ in 0..64 {
                    std::hint::spin_loop();
                }
                if let Some(x) = p.get() {
                    return Some(x);
                }
                if s.global_len() > 0 {
                    if let Some(g) = s.global_get(id, true) {
                        return Some((g, false));
                    }
                }
                if let Some(g) = steal(s, id) {
                    return Some((g, false));
                }
            }
        }
        stopm(s, id, spinning);
    }
}

/// Steals from the other Ps in a random order; the last pass may take a
/// victim's `runnext` (Go's `stealWork`).
fn steal(s: &Sched, id: usize) -> Option<GRef> {
    let n = s.ps.len();
    if n == 1 {
        return None;
    }
    let start = fastrand(n);
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

fn fastrand(n: usize) -> usize {
    use std::cell::Cell;
    std::thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0x9e37_79b9_7f4a_7c15) };
    }
    STATE.with(|st| {
        let mut x = st.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        st.set(x);
        (x % n as u64) as usize
    })
}

/// Parks the M until there may be work (Go's `stopm`), running the deadlock
/// check when it is the last M to go idle.
fn stopm(s: &Sched, id: usize, spinning: &mut bool) {
    if *spinning {
        *spinning = false;
        s.nmspinning.fetch_sub(1, Ordering::SeqCst);
    }
    s.add_idle(id);
    // Re-check after publishing idleness, so a concurrent goready either sees
    // us idle (and wakes us) or we see its work.
    let me = &s.ms[id];
    if s.shutdown.load(Ordering::SeqCst) || s.has_queued_work() || s.timers.due() {
        s.remove_idle(id);
        // A wakep may have taken us off the idle list in the meantime and
        // counted us as spinning: take that over, or nmspinning leaks and no M
        // is ever woken again.
        if me.spinning.swap(false, Ordering::SeqCst) {
            *spinning = true;
        }
        return;
    }
    let mut deadline = None;
    if s.timers.live() > 0
        && s.timer_sleeper
            .compare_exchange(0, id + 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    {
        deadline = s.timers.next_deadline();
    }
    let mut suspect = None;
    if s.looks_dead() {
        suspect = Some(s.outside_readies.load(Ordering::SeqCst));
        deadline = Some(Instant::now() + DEADLOCK_GRACE);
    } else if deadline.is_none()
        && s.deadlock_detection
        && s.nidle.load(Ordering::SeqCst) == s.ps.len()
    {
        // Every M is idle but the check failed, perhaps only for a moment (an
        // outside thread was blocked in a channel operation): nobody would wake
        // us to check again, so poll.
        deadline = Some(Instant::now() + DEADLOCK_POLL);
    }
    loop {
        match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    break;
                }
                std::thread::park_timeout(d - now);
            }
            None => std::thread::park(),
        }
        if !me.idle.load(Ordering::SeqCst) || s.shutdown.load(Ordering::SeqCst) {
            break;
        }
        if me.poke.swap(false, Ordering::SeqCst) {
            break;
        }
    }
    me.poke.store(false, Ordering::SeqCst);
    let _ = s
        .timer_sleeper
        .compare_exchange(id + 1, 0, Ordering::SeqCst, Ordering::SeqCst);
    if let Some(stamp) = suspect {
        if me.idle.load(Ordering::SeqCst)
            && s.looks_dead()
            && s.outside_readies.load(Ordering::SeqCst) == stamp
        {
            let msg = s.deadlock_dump();
            s.set_outcome(Outcome::Deadlock(msg));
        }
    }
    s.remove_idle(id);
    if me.spinning.swap(false, Ordering::SeqCst) {
        *spinning = true;
    }
}

/// Runs goroutine `g` until it parks, yields or returns.
fn execute(s: &Sched, id: usize, g: GRef, inherit: bool) {
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
    // SAFETY: a goroutine taken from a run queue is alive and owned by this M
    // until it switches back.
    let gr = unsafe { g.as_ref() };
    gr.status.store(G_RUNNING, Ordering::Relaxed);
    crate::runtime::sched::set_current_g(gr);
    stack::set_running(gr.guard_lo.get(), gr.id);
    // SAFETY: only the M running a goroutine touches its coroutine.
    let coro = unsafe { (*gr.coro.get()).as_mut() }.expect("runnable goroutine has a coroutine");
    let r = coro.resume(());
    stack::set_running(0, 0);
    crate::runtime::sched::set_current_g(std::ptr::null());
    match r {
        CoroutineResult::Yield(Yield::Park) => park_commit(s, g),
        CoroutineResult::Yield(Yield::Gosched) => {
            gr.status.store(G_RUNNABLE, Ordering::Relaxed);
            s.global_put(&[GPtr(g)]);
        }
        CoroutineResult::Return(()) => {
            // SAFETY: it returned; we ran it; once.
            unsafe { s.gdestroy(id, g) };
        }
    }
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
        if s.timers.add_park(ga, seq, d) {
            s.timer_added();
        }
    }
}
