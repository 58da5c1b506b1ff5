//! Idle Ms: the idle list, waking an M to spin (Go's `wakep`), and parking an
//! M that found no work (Go's `stopm`).
//!
//! Waking an M costs an OS round trip (10–20 µs on a VM), so an M is woken only
//! when queued work has nobody to run it: at most one M spins looking for work,
//! and `goready` on a worker puts the goroutine in that worker's `runnext`
//! without waking anyone, because the worker will run it as soon as the current
//! goroutine parks. Only when a second goroutine queues up behind it (the old
//! `runnext` is kicked to the ring) is an idle M woken to help.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::runtime::handoff::CurM;
use crate::runtime::sched::Sched;

/// Per-P state of the M that runs the P, which other threads touch. The M
/// changes when the P is handed off; the flags belong to whichever M is
/// current.
pub(crate) struct MSlot {
    /// The M running this P (see `handoff.rs`).
    pub(crate) cur: CurM,
    /// In the idle list (cleared by whoever takes it out).
    pub(crate) idle: AtomicBool,
    /// Woken by `wakep` to spin: `nmspinning` was counted on its behalf.
    pub(crate) spinning: AtomicBool,
    /// Woken to recompute its timer deadline.
    pub(crate) poke: AtomicBool,
}

impl MSlot {
    pub(crate) fn new() -> Self {
        MSlot {
            cur: CurM::new(std::ptr::null_mut()),
            idle: AtomicBool::new(false),
            spinning: AtomicBool::new(false),
            poke: AtomicBool::new(false),
        }
    }
}

impl Sched {
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
        if let Some(np) = self.netpoll.get() {
            np.interrupt(m);
        }
        let cur = self.ms[m].cur.load(Ordering::Acquire);
        // SAFETY: a published M stays alive in `Ms::all` as long as the
        // scheduler; before the first is published there is nobody to wake.
        if let Some(t) = unsafe { cur.as_ref() }.and_then(|m| m.thread.get()) {
            t.unpark();
        }
    }

    /// Puts M `id` on the idle list.
    fn add_idle(&self, id: usize) {
        let mut idle = self.idle.lock();
        idle.push(id);
        self.ms[id].idle.store(true, Ordering::SeqCst);
        self.nidle.fetch_add(1, Ordering::SeqCst);
    }

    /// Takes M `id` off the idle list if it is still there.
    fn remove_idle(&self, id: usize) {
        let mut idle = self.idle.lock();
        if self.ms[id].idle.load(Ordering::SeqCst) {
            idle.retain(|&m| m != id);
            self.ms[id].idle.store(false, Ordering::SeqCst);
            self.nidle.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Wakes M `m` (idle, sleeping until the next timer) to recompute its
    /// deadline.
    pub(crate) fn poke(&self, m: usize) {
        self.ms[m].poke.store(true, Ordering::SeqCst);
        self.unpark(m);
    }
}

/// Parks the M until there may be work (Go's `stopm`), running the deadlock
/// check when it is the last M to go idle.
pub(crate) fn stopm(s: &Sched, id: usize, spinning: &mut bool) {
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
    // Sleep until the next timer if nobody else watches the timers, and no
    // longer than the deadlock rule allows.
    let (suspect, deadline) = s.deadlock_watch(s.timers.become_sleeper(id));
    // With goroutines waiting on descriptors, one idle M sleeps in the poller
    // instead (woken through its waker: see `unpark`).
    let np = s.netpoll.get().filter(|np| np.waiters() > 0);
    let woken = || {
        !me.idle.load(Ordering::SeqCst)
            || s.shutdown.load(Ordering::SeqCst)
            || me.poke.load(Ordering::SeqCst)
    };
    loop {
        if np.is_some_and(|np| np.block(id, deadline, &woken)) {
            if s.has_queued_work() || deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        } else {
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
        }
        if !me.idle.load(Ordering::SeqCst) || s.shutdown.load(Ordering::SeqCst) {
            break;
        }
        if me.poke.swap(false, Ordering::SeqCst) {
            break;
        }
    }
    me.poke.store(false, Ordering::SeqCst);
    s.timers.stop_sleeping(id);
    if let Some(suspect) = suspect {
        s.deadlock_judge(me.idle.load(Ordering::SeqCst), suspect);
    }
    s.remove_idle(id);
    if me.spinning.swap(false, Ordering::SeqCst) {
        *spinning = true;
    }
}
