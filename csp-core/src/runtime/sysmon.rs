//! sysmon: a monitor thread per scheduler that rescues queued work stuck behind
//! a busy goroutine.
//!
//! `goready` on a worker does not wake an idle M (the waker's M runs the readied
//! goroutine as soon as the current one parks). If the current one keeps
//! computing instead, the readied goroutine would wait for it; sysmon notices a
//! P that has queued work and has not switched goroutines since its last look,
//! and wakes an idle M, which steals the work. It polls every 50 µs while it
//! finds something to do and backs off to 10 ms when it does not, as Go's
//! sysmon does. It also runs the stack scavenger, which gives the memory of
//! pooled stacks back to the kernel once spawning has quietened down.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::runtime::sched::Sched;

const MIN_DELAY: Duration = Duration::from_micros(50);
/// Go's time slice (`forcePreemptNS`): a P whose `schedtick` has not moved for
/// this long has run one `runnext` chain (goroutines readying each other)
/// for a whole slice, and is asked to let the rest of its queue run.
pub(crate) const SLICE: Duration = Duration::from_millis(10);
const MAX_DELAY: Duration = Duration::from_millis(10);

/// Starts the monitor thread of `s`; it ends when `s` shuts down.
pub(crate) fn start(s: &Arc<Sched>) {
    let s = s.clone();
    std::thread::Builder::new()
        .name("csp-sysmon".into())
        .spawn(move || sysmon(&s))
        .expect("csp: cannot start the sysmon thread");
}

fn sysmon(s: &Sched) {
    let mut last: Vec<u64> = vec![u64::MAX; s.ps.len()];
    let mut ticks: Vec<(u32, Instant)> = vec![(u32::MAX, Instant::now()); s.ps.len()];
    let mut delay = MIN_DELAY;
    let mut quiet = 0u32;
    while !s.shutdown.load(Ordering::Relaxed) {
        std::thread::sleep(delay);
        s.gfree_trim();
        crate::runtime::stack::scavenge();
        let now = Instant::now();
        let mut busy = false;
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
