//! "all goroutines are asleep - deadlock!": the whole rule, and the dump.
//!
//! The rule (checked inside `run` only, by the last M to go idle): every
//! goroutine is parked — on a channel, a select, a nil channel, a join or a
//! WaitGroup — no timer is pending (a sleeping goroutine, a timed receive, an
//! `after` or a `tick` will still wake something), no goroutine waits on the
//! netpoller (the network may still wake it, as in Go) or in `block_on` for a
//! future ([`EXTERNAL_WAITS`]), no async task's future is queued on a channel
//! ([`QUEUED_TASKS`]), no OS thread outside the
//! runtime is blocked in a channel operation ([`BLOCKED_THREADS`]), and this
//! has stayed so for [`DEADLOCK_GRACE`] with no goroutine readied from outside
//! meanwhile (an outside thread may have taken a goroutine off a channel and
//! not yet readied it; `Sched::outside_readies` counts those readies). A
//! program fed from outside threads at arbitrary times should turn the check
//! off with `Builder::deadlock_detection(false)`.
//!
//! The M that suspects a deadlock sleeps out the grace and judges again when
//! it wakes (`idle.rs`, `stopm`); an M that finds every M idle but the rule
//! not met (an outside thread was blocked for a moment) polls every
//! [`DEADLOCK_POLL`], because nobody else would wake it to look again.

use std::fmt::Write;
use std::panic::Location;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::runtime::g::{G_RUNNING, G_WAITING};
use crate::runtime::sched::{Outcome, Sched};

/// How long a deadlock must persist before it is reported.
const DEADLOCK_GRACE: Duration = Duration::from_millis(20);

/// How often the last idle M re-checks for a deadlock it could not confirm.
const DEADLOCK_POLL: Duration = Duration::from_millis(50);

/// OS threads outside the runtime that are blocked in a channel operation right
/// now; the detector stays quiet while this is non-zero.
pub(crate) static BLOCKED_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Goroutines waiting in [`block_on`](crate::block_on) for a waker that may
/// fire from outside the runtime; the detector stays quiet while non-zero.
static EXTERNAL_WAITS: AtomicUsize = AtomicUsize::new(0);

/// Counts the calling goroutine in [`EXTERNAL_WAITS`] while it lives.
pub(crate) struct ExternalWait(());

impl ExternalWait {
    pub(crate) fn begin() -> Self {
        EXTERNAL_WAITS.fetch_add(1, Ordering::SeqCst);
        ExternalWait(())
    }
}

impl Drop for ExternalWait {
    fn drop(&mut self) {
        EXTERNAL_WAITS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Futures queued on a channel (`chan/future.rs`): their tasks run outside
/// the runtime and may still send or receive, as an outside thread may.
static QUEUED_TASKS: AtomicUsize = AtomicUsize::new(0);

/// Counts the futures queued on channels, for the rule.
pub(crate) struct QueuedTask;

impl QueuedTask {
    pub(crate) fn begin() {
        QUEUED_TASKS.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn end() {
        QUEUED_TASKS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A deadlock seen by an M going idle, to be confirmed after the grace: the
/// count of outside readies at that moment.
pub(crate) struct Suspect(u64);

impl Sched {
    /// Whether every goroutine is parked for good: nothing queued, no timer,
    /// no blocked outside thread, every M idle.
    fn looks_dead(&self) -> bool {
        self.deadlock_detection
            && !self.shutdown.load(Ordering::SeqCst)
            && self.nidle.load(Ordering::SeqCst) == self.ps.len()
            && self.timers.live() == 0
            && self.netpoll.get().map_or(0, |np| np.waiters()) == 0
            && BLOCKED_THREADS.load(Ordering::SeqCst) == 0
            && EXTERNAL_WAITS.load(Ordering::SeqCst) == 0
            && QUEUED_TASKS.load(Ordering::SeqCst) == 0
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

    /// The rule's part in `stopm`, called by an M that has just gone idle and
    /// would otherwise sleep until `deadline`. Returns a suspicion to judge on
    /// waking, and the (possibly earlier) time to wake at.
    pub(crate) fn deadlock_watch(
        &self,
        deadline: Option<Instant>,
    ) -> (Option<Suspect>, Option<Instant>) {
        if self.looks_dead() {
            let s = Suspect(self.outside_readies.load(Ordering::SeqCst));
            return (Some(s), Some(Instant::now() + DEADLOCK_GRACE));
        }
        if deadline.is_none()
            && self.deadlock_detection
            && self.nidle.load(Ordering::SeqCst) == self.ps.len()
        {
            return (None, Some(Instant::now() + DEADLOCK_POLL));
        }
        (None, deadline)
    }

    /// Judges a suspicion once its grace has passed: if the M is still idle,
    /// the rule still holds and nothing was readied from outside meanwhile,
    /// `run` ends with the deadlock.
    pub(crate) fn deadlock_judge(&self, still_idle: bool, s: Suspect) {
        if still_idle && self.looks_dead() && self.outside_readies.load(Ordering::SeqCst) == s.0 {
            let msg = self.deadlock_dump();
            self.set_outcome(Outcome::Deadlock(msg));
        }
    }

    /// The goroutine dump of a deadlock.
    fn deadlock_dump(&self) -> String {
        let mut s = String::from("all goroutines are asleep - deadlock!\n");
        s.push_str(&format_goroutines(&self.goroutines()));
        s
    }

    /// Every live goroutine of this scheduler, by id: what the dump shows.
    pub(crate) fn goroutines(&self) -> Vec<GoroutineInfo> {
        let all = self.allgs.lock();
        let mut gs: Vec<GoroutineInfo> = all
            .iter()
            .map(|g| {
                // SAFETY: a listed G is alive.
                let g = unsafe { g.0.as_ref() };
                let state = match g.status.load(Ordering::SeqCst) {
                    G_WAITING => g.reason().as_str(),
                    G_RUNNING => "running",
                    _ => "runnable",
                };
                GoroutineInfo {
                    id: g.id,
                    state,
                    spawned_at: g.spawned_at,
                }
            })
            .collect();
        drop(all);
        gs.sort_by_key(|g| g.id);
        gs
    }
}

/// One goroutine as the dump shows it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GoroutineInfo {
    pub(crate) id: u64,
    /// The wait reason of a parked goroutine (`chan receive`, ..), else
    /// `running` or `runnable`.
    pub(crate) state: &'static str,
    pub(crate) spawned_at: &'static Location<'static>,
}

/// The goroutine dump (after the deadlock panic's first line, and in a leak
/// check's failure): one block per goroutine with its wait reason and where it
/// was spawned, as Go's traceback heads them.
pub(crate) fn format_goroutines(gs: &[GoroutineInfo]) -> String {
    let mut s = String::new();
    for g in gs {
        let loc = g.spawned_at;
        let _ = write!(
            s,
            "\ngoroutine {} [{}]:\n\tspawned at {}:{}:{}\n",
            g.id,
            g.state,
            loc.file(),
            loc.line(),
            loc.column()
        );
    }
    s
}
