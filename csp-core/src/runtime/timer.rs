//! The timer heap. A runtime timer does one of two things when it fires:
//! readies a goroutine whose timed park it belongs to (sleep, `recv_timeout`,
//! ...), or calls a function (Go's `t.f`, e.g. `sendTime`). It knows nothing
//! of channels: `after` and `tick` live in [`crate::time`], above it.
//!
//! Every M checks for due timers in its scheduling loop; one idle M (the timer
//! sleeper) parks with a timeout until the earliest deadline. A timer is
//! cancelled lazily: cancelling bumps its sequence number, and a heap entry
//! whose sequence no longer matches is skipped when it comes up (the heap is
//! compacted when such entries pile up).
//!
//! A function timer can be stopped and reset (Go's `stopTimer`/`resetTimer`):
//! its `armed` flag, written under the heap lock, says whether an entry of the
//! current sequence number is in the heap. A function that fires gets a
//! [`Firing`], which tells it whether a stop or reset has overtaken it since
//! the entry was popped (the caller of `stop`/`reset` serialises with the
//! function through its own lock; see `crate::time`).

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::runtime::g::{GRef, G};
use crate::runtime::sched::{self, goready, Sched};

/// The function a [`FuncTimer`] calls.
type TimerFn = Box<dyn Fn(&Firing<'_>) + Send + Sync>;

/// A function timer: what [`crate::time`] builds `after`, `tick`, `Timer`,
/// `Ticker` and `after_func` on, and what `context` deadlines use.
pub(crate) struct FuncTimer {
    f: TimerFn,
    /// The period in nanoseconds; 0 for a one-shot timer. Heap lock.
    period: AtomicU64,
    /// Bumped (under the heap lock) when the timer is stopped or reset, which
    /// makes its heap entry stale.
    seq: AtomicU64,
    /// An entry with the current `seq` is in the heap. Heap lock.
    armed: AtomicBool,
    /// When that entry is due, in nanoseconds since the heap's epoch (for
    /// [`FuncTimer::run_if_due`]). Written under the heap lock.
    when: AtomicU64,
    /// The scheduler whose heap the timer goes into (weak: the heap holds the
    /// timer, so a strong reference would be a cycle).
    sched: Weak<Sched>,
}

/// One call of a timer's function.
pub(crate) struct Firing<'a> {
    /// When the timer was run (Go passes this to `sendTime`).
    pub(crate) now: Instant,
    t: &'a FuncTimer,
    seq: u64,
}

impl Firing<'_> {
    /// Whether no stop or reset has happened since this firing was taken
    /// from the heap. Meaningful under a lock that the stopper also holds.
    pub(crate) fn current(&self) -> bool {
        self.t.seq.load(Ordering::Relaxed) == self.seq
    }

    /// Stops the timer from inside its own function (a ticker nobody can
    /// receive from any more).
    pub(crate) fn stop(&self) {
        self.t.stop();
    }
}

impl FuncTimer {
    /// Stops the timer (Go's `Timer.Stop`): returns whether it was pending.
    /// The function may still be running for an earlier firing; see
    /// [`Firing::current`].
    pub(crate) fn stop(&self) -> bool {
        match self.sched.upgrade() {
            Some(s) => s.timers.stop(self),
            None => false,
        }
    }

    /// Re-arms the timer to fire at `when`, then every `period` if given
    /// (Go's `Timer.Reset`, `Ticker.Reset`): returns whether it was pending.
    pub(crate) fn reset(self: &Arc<Self>, when: Instant, period: Option<Duration>) -> bool {
        let Some(s) = self.sched.upgrade() else {
            return false;
        };
        let (was, earliest) = s.timers.reset(self, when, period);
        if earliest {
            s.timer_added();
        }
        was
    }
}

impl FuncTimer {
    /// Go 1.23's `maybeRunChan`: if the timer is due, runs it now, on the
    /// calling thread, instead of waiting for a worker to run the heap. A
    /// receive from a timer's channel calls this first, so an expired timer
    /// is ready the moment it is polled.
    pub(crate) fn run_if_due(self: &Arc<Self>) {
        if !self.armed.load(Ordering::Relaxed) {
            return;
        }
        let Some(s) = self.sched.upgrade() else {
            return;
        };
        let now = Instant::now();
        if self.when.load(Ordering::Relaxed) > s.timers.nanos(now) {
            return;
        }
        let Some((seq, earliest)) = s.timers.take_due(self, now) else {
            return;
        };
        if earliest {
            s.timer_added();
        }
        (self.f)(&Firing { now, t: self, seq });
    }
}

fn period_nanos(p: Option<Duration>) -> u64 {
    p.map_or(0, |p| (p.as_nanos().min(u64::MAX as u128) as u64).max(1))
}

enum Kind {
    /// Ready goroutine `g` if it is still in the park the entry's `seq` names.
    Park { g: Arc<G> },
    /// Call a function.
    Func { t: Arc<FuncTimer> },
}

struct Entry {
    when: Instant,
    id: u64,
    /// The owner's sequence number when the entry was pushed.
    seq: u64,
    kind: Kind,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.when == o.when && self.id == o.id
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and we want the earliest on top.
    fn cmp(&self, o: &Self) -> CmpOrdering {
        (o.when, o.id).cmp(&(self.when, self.id))
    }
}

impl Entry {
    /// The owner has moved on since this entry was pushed.
    fn stale(&self) -> bool {
        let cur = match &self.kind {
            Kind::Park { g } => g.park_seq.load(Ordering::Relaxed),
            Kind::Func { t } => t.seq.load(Ordering::Relaxed),
        };
        cur != self.seq
    }
}

struct Heap {
    heap: BinaryHeap<Entry>,
    next_id: u64,
    stale: usize,
}

/// A scheduler's timers.
pub(crate) struct Timers {
    heap: Mutex<Heap>,
    /// Timers that will still do something (stale entries excluded).
    live: AtomicUsize,
    /// The earliest deadline as nanoseconds since `epoch`; `u64::MAX` if none.
    next_when: AtomicU64,
    epoch: Instant,
    /// The idle M parked until the next timer (index + 1), or 0.
    sleeper: AtomicUsize,
}

/// What a due timer asks the scheduler to do, outside the heap lock.
enum Fired {
    Ready(Arc<G>),
    Call(Arc<FuncTimer>, Instant, u64),
}

impl Timers {
    pub(crate) fn new() -> Self {
        Timers {
            heap: Mutex::new(Heap {
                heap: BinaryHeap::new(),
                next_id: 0,
                stale: 0,
            }),
            live: AtomicUsize::new(0),
            next_when: AtomicU64::new(u64::MAX),
            epoch: Instant::now(),
            sleeper: AtomicUsize::new(0),
        }
    }

    fn nanos(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.epoch).as_nanos() as u64
    }

    fn update_next(&self, h: &Heap) {
        let n = h.heap.peek().map_or(u64::MAX, |e| self.nanos(e.when));
        self.next_when.store(n, Ordering::SeqCst);
    }

    /// Timers pending (a pending timer keeps the deadlock detector quiet).
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// The earliest deadline, if any.
    fn next_deadline(&self) -> Option<Instant> {
        let n = self.next_when.load(Ordering::SeqCst);
        (n != u64::MAX).then(|| self.epoch + Duration::from_nanos(n))
    }

    /// Whether a timer (live or stale) is due now. Reads the clock only when
    /// the heap is not empty.
    pub(crate) fn due(&self) -> bool {
        let n = self.next_when.load(Ordering::SeqCst);
        n != u64::MAX && n <= self.nanos(Instant::now())
    }

    /// Whether an idle M sleeps until the next timer.
    pub(crate) fn has_sleeper(&self) -> bool {
        self.sleeper.load(Ordering::SeqCst) != 0
    }

    /// M `id` is going idle: if timers are pending and no other M watches
    /// them, it becomes the sleeper and gets the deadline to wake at.
    pub(crate) fn become_sleeper(&self, id: usize) -> Option<Instant> {
        if self.live() == 0 {
            return None;
        }
        self.sleeper
            .compare_exchange(0, id + 1, Ordering::SeqCst, Ordering::SeqCst)
            .ok()?;
        self.next_deadline()
    }

    /// M `id` woke up: it no longer watches the timers (if it did).
    pub(crate) fn stop_sleeping(&self, id: usize) {
        let _ = self
            .sleeper
            .compare_exchange(id + 1, 0, Ordering::SeqCst, Ordering::SeqCst);
    }

    fn push(&self, h: &mut Heap, when: Instant, seq: u64, kind: Kind) -> bool {
        let earliest = h.heap.peek().map_or(true, |e| when < e.when);
        h.next_id += 1;
        let id = h.next_id;
        h.heap.push(Entry {
            when,
            id,
            seq,
            kind,
        });
        self.update_next(h);
        earliest
    }

    /// One timer will do nothing after all; compacts the heap when stale
    /// entries make up most of it.
    fn forget(&self, h: &mut Heap) {
        self.live.fetch_sub(1, Ordering::SeqCst);
        h.stale += 1;
        self.maybe_compact(h);
    }

    /// Drops the stale entries when they make up most of the heap.
    fn maybe_compact(&self, h: &mut Heap) {
        if h.stale > 64 && h.stale > h.heap.len() / 2 {
            let old = std::mem::take(&mut h.heap);
            h.heap = old.into_iter().filter(|e| !e.stale()).collect();
            h.stale = 0;
            self.update_next(h);
        }
    }

    /// Arms the timer of `g`'s timed park number `seq`, unless that park has
    /// already ended. Returns whether it became the earliest timer.
    fn add_park(&self, g: Arc<G>, seq: u64, when: Instant) -> bool {
        let mut h = self.heap.lock();
        if g.park_seq.load(Ordering::Relaxed) != seq {
            return false;
        }
        g.timer_armed.store(true, Ordering::Relaxed);
        self.live.fetch_add(1, Ordering::SeqCst);
        self.push(&mut h, when, seq, Kind::Park { g })
    }

    /// Ends `g`'s timed park: its timer, if still armed, will do nothing.
    pub(crate) fn cancel_park(&self, g: &G) {
        let mut h = self.heap.lock();
        g.park_seq.fetch_add(1, Ordering::Relaxed);
        if g.timer_armed.swap(false, Ordering::Relaxed) {
            self.forget(&mut h);
        }
    }

    /// Stops function timer `t`: returns whether it was armed.
    fn stop(&self, t: &FuncTimer) -> bool {
        let mut h = self.heap.lock();
        if !t.armed.swap(false, Ordering::Relaxed) {
            return false;
        }
        t.seq.fetch_add(1, Ordering::Relaxed);
        self.forget(&mut h);
        true
    }

    /// Re-arms function timer `t` at `when` (with a new period): returns
    /// whether it was armed, and whether it became the earliest timer.
    fn reset(&self, t: &Arc<FuncTimer>, when: Instant, period: Option<Duration>) -> (bool, bool) {
        let mut h = self.heap.lock();
        let was = t.armed.swap(true, Ordering::Relaxed);
        let seq = t.seq.fetch_add(1, Ordering::Relaxed) + 1;
        t.period.store(period_nanos(period), Ordering::Relaxed);
        if was {
            // The old entry goes stale; the timer stays live.
            h.stale += 1;
            self.maybe_compact(&mut h);
        } else {
            self.live.fetch_add(1, Ordering::SeqCst);
        }
        t.when.store(self.nanos(when), Ordering::Relaxed);
        let earliest = self.push(&mut h, when, seq, Kind::Func { t: t.clone() });
        (was, earliest)
    }

    /// Takes function timer `t` out of the heap early because it is due at
    /// `now` (its heap entry goes stale; a periodic timer is re-armed for
    /// its next period). Returns the sequence number of this firing and
    /// whether the re-armed entry became the earliest, or `None` if the
    /// timer is not armed or not due.
    fn take_due(&self, t: &Arc<FuncTimer>, now: Instant) -> Option<(u64, bool)> {
        let mut h = self.heap.lock();
        let when = t.when.load(Ordering::Relaxed);
        if !t.armed.load(Ordering::Relaxed) || when > self.nanos(now) {
            return None;
        }
        let seq = t.seq.fetch_add(1, Ordering::Relaxed) + 1;
        h.stale += 1;
        let mut earliest = false;
        match t.period.load(Ordering::Relaxed) {
            0 => {
                t.armed.store(false, Ordering::Relaxed);
                self.live.fetch_sub(1, Ordering::SeqCst);
            }
            p => {
                // The next tick after now, on the period grid.
                let due = self.epoch + Duration::from_nanos(when);
                let behind = now.duration_since(due).as_nanos() / u128::from(p);
                let next = due + Duration::from_nanos(p) * (behind as u32 + 1);
                t.when.store(self.nanos(next), Ordering::Relaxed);
                earliest = self.push(&mut h, next, seq, Kind::Func { t: t.clone() });
            }
        }
        self.maybe_compact(&mut h);
        Some((seq, earliest))
    }

    /// Pops every timer due at `now` into `out`.
    fn run_due(&self, now: Instant, out: &mut Vec<Fired>) {
        let mut h = self.heap.lock();
        while h.heap.peek().is_some_and(|e| e.when <= now) {
            let e = h.heap.pop().expect("peeked");
            if e.stale() {
                h.stale = h.stale.saturating_sub(1);
                continue;
            }
            match e.kind {
                Kind::Park { g } => {
                    g.timer_armed.store(false, Ordering::Relaxed);
                    self.live.fetch_sub(1, Ordering::SeqCst);
                    // The deadline competes with the wakers for the wait.
                    if g.wait.claim_timeout() {
                        out.push(Fired::Ready(g));
                    }
                }
                Kind::Func { t } => {
                    out.push(Fired::Call(t.clone(), now, e.seq));
                    match t.period.load(Ordering::Relaxed) {
                        0 => {
                            t.armed.store(false, Ordering::Relaxed);
                            self.live.fetch_sub(1, Ordering::SeqCst);
                        }
                        p => {
                            let p = Duration::from_nanos(p);
                            // Go's ticker: the next tick after now, on the period grid.
                            let behind =
                                now.duration_since(e.when).as_nanos() / p.as_nanos().max(1);
                            let when = e.when + p * (behind as u32 + 1);
                            t.when.store(self.nanos(when), Ordering::Relaxed);
                            self.push(&mut h, when, e.seq, Kind::Func { t });
                        }
                    }
                }
            }
        }
        self.update_next(&h);
    }
}

impl Sched {
    /// A new timer became the earliest: make sure an M will wake for it.
    fn timer_added(&self) {
        let ts = self.timers.sleeper.load(Ordering::SeqCst);
        if ts != 0 {
            self.poke(ts - 1);
        } else if self.local_p().is_none() {
            // A worker with a P passes through its scheduling loop soon; from
            // outside (or an M without a P), wake somebody to become the
            // timer sleeper.
            self.wakep();
        }
    }

    /// Arms the deadline of the timed park that goroutine `g` (number `seq`)
    /// has just committed to (from the M, after `unlockf`).
    pub(crate) fn arm_park_timer(&self, g: Arc<G>, seq: u64, when: Instant) {
        if self.timers.add_park(g, seq, when) {
            self.timer_added();
        }
    }

    /// Runs due timers (on a worker, in scheduler context): readies the
    /// goroutines whose deadlines won, calls the functions.
    pub(crate) fn run_timers(&self, now: Instant) {
        let mut fired = Vec::new();
        self.timers.run_due(now, &mut fired);
        for f in fired {
            match f {
                Fired::Ready(g) => goready(GRef::from(&*g)),
                Fired::Call(t, now, seq) => (t.f)(&Firing { now, t: &t, seq }),
            }
        }
    }
}

/// A function timer on the current runtime, not yet armed: `f` is called
/// from a worker's scheduler context (it must not block) each time the timer
/// fires, once [`FuncTimer::reset`] has armed it. While armed, the timer
/// keeps `f` (and what it holds) alive.
pub(crate) fn new(f: impl Fn(&Firing<'_>) + Send + Sync + 'static) -> Arc<FuncTimer> {
    let s = sched::current_sched();
    Arc::new(FuncTimer {
        f: Box::new(f),
        period: AtomicU64::new(0),
        seq: AtomicU64::new(0),
        armed: AtomicBool::new(false),
        when: AtomicU64::new(0),
        sched: Arc::downgrade(&s),
    })
}

/// Starts a function timer on the current runtime: `f` is called at `when`,
/// then every `period` if there is one (see [`new`]).
pub(crate) fn start(
    when: Instant,
    period: Option<Duration>,
    f: impl Fn(&Firing<'_>) + Send + Sync + 'static,
) -> Arc<FuncTimer> {
    let t = new(f);
    t.reset(when, period);
    t
}
