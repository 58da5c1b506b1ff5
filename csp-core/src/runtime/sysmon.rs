//! sysmon: a monitor thread per scheduler that rescues queued work stuck behind
//! a busy goroutine, and takes Ps from Ms that block (Go's `retake`).
//!
//! `goready` on a worker does not wake an idle M (the waker's M runs the readied
//! goroutine as soon as the current one parks). If the current one keeps
//! computing instead, the readied goroutine would wait for it; sysmon notices a
//! P that has queued work and has not switched goroutines since its last look,
//! and wakes an idle M, which steals the work. It polls every 50 µs while it
//! finds something to do and backs off to 10 ms when it does not, as Go's
//! sysmon does. It also runs the stack scavenger, which gives the memory of
//! pooled stacks back to the kernel once spawning has quietened down.
//!
//! Retake: a P whose M sits in [`blocking`](crate::blocking) across two looks
//! is handed to another M if work waits (or after [`SYSCALL_MAX`] anyway), as
//! Go's sysmon does for system calls. A P whose M has run one goroutine for
//! [`RETAKE_AFTER`] while work waits for the P is handed off too: a std lock,
//! `thread::sleep`, a blocking read or a CPU hog nobody wrapped in `blocking`
//! cannot starve the rest. The OS then shares the CPUs between the old thread
//! and the new one, which is our answer to Go's asynchronous preemption (a
//! signal-based one cannot be done soundly in Rust).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::runtime::handoff::{word, P_SYSCALL};
use crate::runtime::sched::Sched;

const MIN_DELAY: Duration = Duration::from_micros(50);
/// Go's time slice (`forcePreemptNS`): a P whose `schedtick` has not moved for
/// this long has run one `runnext` chain (goroutines readying each other)
/// for a whole slice, and is asked to let the rest of its queue run.
pub(crate) const SLICE: Duration = Duration::from_millis(10);
const MAX_DELAY: Duration = Duration::from_millis(10);
/// A P in a system call this long is handed off even when no work waits, so
/// that work arriving later finds an M at once (Go: 10 ms).
pub(crate) const SYSCALL_MAX: Duration = Duration::from_millis(10);
/// How long an M may run one goroutine while work waits for its P before the
/// P is handed to another M.
pub(crate) const RETAKE_AFTER: Duration = Duration::from_millis(1);

/// Starts the monitor thread of `s`; it ends when `s` shuts down.
pub(crate) fn start(s: &Arc<Sched>) {
    let s = s.clone();
    std::thread::Builder::new()
        .name("csp-sysmon".into())
        .spawn(move || sysmon(&s))
        .expect("csp: cannot start the sysmon thread");
}

/// What sysmon saw of one P at its last look that changed.
#[derive(Clone, Copy)]
struct Seen {
    /// The status word and the owner's `syscalltick`.
    status: (u64, u64),
    /// `nexec`.
    nexec: u64,
    /// When either last changed.
    since: Instant,
}

fn sysmon(s: &Arc<Sched>) {
    let mut seen: Vec<Option<Seen>> = vec![None; s.ps.len()];
    let mut last: Vec<u64> = vec![u64::MAX; s.ps.len()];
    let mut ticks: Vec<(u32, Instant)> = vec![(u32::MAX, Instant::now()); s.ps.len()];
    let mut delay = MIN_DELAY;
    let mut quiet = 0u32;
    while !s.shutdown.load(Ordering::Relaxed) {
        std::thread::sleep(delay);
        s.gfree_trim();
        crate::runtime::stack::scavenge();
        let now = Instant::now();
        let mut busy = retake(s, &mut seen, now);
        for (i, p) in s.ps.iter().enumerate() {
            let t = p.schedtick.load(Ordering::Relaxed);
            if t != ticks[i].0 {
                ticks[i] = (t, now);
            } else if now.duration_since(ticks[i].1) >= SLICE && !p.is_empty() {
                p.demote.store(true, Ordering::Relaxed);
                ticks[i].1 = now;
                busy = true;
            }
        }
        if s.ps.len() < 2 {
            // With one P there is nobody to hand work to.
            delay = if busy { MIN_DELAY } else { SLICE };
            continue;
        }
        let mut stuck = false;
        for (i, p) in s.ps.iter().enumerate() {
            let n = p.nexec.load(Ordering::Relaxed);
            if n == last[i] && !p.is_empty() {
                stuck = true;
            }
            last[i] = n;
        }
        // A due timer with no M asleep on the timer heap: every M is busy.
        if s.timers.due() && !s.timers.has_sleeper() {
            stuck = true;
        }
        if stuck && s.nidle.load(Ordering::SeqCst) > 0 {
            s.wakep();
            delay = MIN_DELAY;
            quiet = 0;
        } else {
            quiet += 1;
            if quiet > 50 {
                delay = (delay * 2).min(MAX_DELAY);
            }
        }
    }
}

/// Hands off the Ps of blocked Ms (see the module docs). Returns whether it
/// did anything.
fn retake(s: &Arc<Sched>, seen: &mut [Option<Seen>], now: Instant) -> bool {
    let mut acted = false;
    for (pid, p) in s.ps.iter().enumerate() {
        let w = p.status.load(Ordering::Acquire);
        let cur = s.ms[pid].cur.load(Ordering::Acquire);
        // SAFETY: a published M stays alive in `Ms::all` as long as `s`.
        let Some(m) = (unsafe { cur.as_ref() }) else {
            continue;
        };
        let status = (w, m.syscalltick.load(Ordering::Relaxed));
        let nexec = p.nexec.load(Ordering::Relaxed);
        let prev = seen[pid];
        match prev {
            Some(x) if x.status == status && x.nexec == nexec => {}
            _ => {
                seen[pid] = Some(Seen {
                    status,
                    nexec,
                    since: now,
                });
                continue;
            }
        }
        let held = now.duration_since(prev.map_or(now, |x| x.since));
        let work = !p.is_empty();
        // Work waits for this P, or for any M while none is free: queued
        // goroutines, or due timers that no idle M watches.
        let starving = work
            || (s.nidle.load(Ordering::SeqCst) == 0
                && (s.global.len() > 0 || (s.timers.due() && !s.timers.has_sleeper())));
        let take = if w & 3 == P_SYSCALL && w == word(m.id, P_SYSCALL) {
            // In `blocking` across two looks.
            starving || held >= SYSCALL_MAX
        } else {
            // One goroutine for a while (nexec has not moved), work waiting;
            // the M must be in user code, which `handoffp` checks.
            starving && held >= RETAKE_AFTER
        };
        if take && s.handoffp(pid, w) {
            seen[pid] = None;
            acted = true;
        }
    }
    acted
}
