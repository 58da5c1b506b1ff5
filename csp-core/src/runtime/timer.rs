//! The timer heap: timed parks (sleep, `recv_timeout`, ...), `after` and `tick`.
//!
//! Every M checks for due timers in its scheduling loop; one idle M (the timer
//! sleeper) parks with a timeout until the earliest deadline. A timed park's
//! timer is cancelled lazily: the goroutine bumps its `park_seq` when the park
//! ends, and an entry whose sequence no longer matches is skipped when it comes
//! up (the heap is compacted when such entries pile up).

use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::runtime::g::{GRef, G};
use crate::Chan;

enum Kind {
    /// Ready goroutine `g` if it is still in park number `seq`.
    Park { g: Arc<G>, seq: u64 },
    /// `after` (no period) or `tick`.
    Send {
        ch: Chan<Instant>,
        period: Option<Duration>,
    },
}

struct Entry {
    when: Instant,
    id: u64,
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
    fn stale(&self) -> bool {
        match &self.kind {
            Kind::Park { g, seq } => g.park_seq.load(Ordering::Relaxed) != *seq,
            Kind::Send { .. } => false,
        }
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
}

/// What a due timer asks the scheduler to do, outside the heap lock.
pub(crate) enum Fired {
    Ready(Arc<G>),
    Send(Chan<Instant>, Instant),
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
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let n = self.next_when.load(Ordering::SeqCst);
        (n != u64::MAX).then(|| self.epoch + Duration::from_nanos(n))
    }

    /// Whether a timer (live or stale) is due now. Reads the clock only when
    /// the heap is not empty.
    pub(crate) fn due(&self) -> bool {
        let n = self.next_when.load(Ordering::SeqCst);
        n != u64::MAX && n <= self.nanos(Instant::now())
    }

    fn push(&self, h: &mut Heap, when: Instant, kind: Kind) -> bool {
        let earliest = h.heap.peek().map_or(true, |e| when < e.when);
        h.next_id += 1;
        let id = h.next_id;
        h.heap.push(Entry { when, id, kind });
        self.live.fetch_add(1, Ordering::SeqCst);
        self.update_next(h);
        earliest
    }

    /// Arms the timer of `g`'s timed park number `seq`, unless that park has
    /// already ended. Returns whether it became the earliest timer.
    pub(crate) fn add_park(&self, g: Arc<G>, seq: u64, when: Instant) -> bool {
        let mut h = self.heap.lock();
        if g.park_seq.load(Ordering::Relaxed) != seq {
            return false;
        }
        g.timer_armed.store(true, Ordering::Relaxed);
        self.push(&mut h, when, Kind::Park { g, seq })
    }

    /// Ends `g`'s timed park: its timer, if still armed, will do nothing.
    pub(crate) fn cancel_park(&self, g: &G) {
        let mut h = self.heap.lock();
        g.park_seq.fetch_add(1, Ordering::Relaxed);
        if g.timer_armed.swap(false, Ordering::Relaxed) {
            self.live.fetch_sub(1, Ordering::SeqCst);
            h.stale += 1;
            if h.stale > 64 && h.stale > h.heap.len() / 2 {
                let old = std::mem::take(&mut h.heap);
                h.heap = old.into_iter().filter(|e| !e.stale()).collect();
                h.stale = 0;
                self.update_next(&h);
            }
        }
    }

    /// Adds an `after` / `tick` timer. Returns whether it became the earliest.
    pub(crate) fn add_send(
        &self,
        ch: Chan<Instant>,
        when: Instant,
        period: Option<Duration>,
    ) -> bool {
        let mut h = self.heap.lock();
        self.push(&mut h, when, Kind::Send { ch, period })
    }

    /// Pops every timer due at `now` into `out`.
    pub(crate) fn run_due(&self, now: Instant, out: &mut Vec<Fired>) {
        let mut h = self.heap.lock();
        while h.heap.peek().is_some_and(|e| e.when <= now) {
            let e = h.heap.pop().expect("peeked");
            match e.kind {
                Kind::Park { g, seq } => {
                    if g.park_seq.load(Ordering::Relaxed) != seq {
                        h.stale = h.stale.saturating_sub(1);
                        continue;
                    }
                    g.timer_armed.store(false, Ordering::Relaxed);
                    self.live.fetch_sub(1, Ordering::SeqCst);
                    // The deadline competes with channel wakers for the wait.
                    if g.wait
                        .select_done
                        .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        g.wait.param.store(std::ptr::null_mut(), Ordering::Relaxed);
                        out.push(Fired::Ready(g));
                    }
                }
                Kind::Send { ch, period } => {
                    out.push(Fired::Send(ch.clone(), now));
                    match period {
                        Some(p) => {
                            // Go's ticker: the next tick after now, on the period grid.
                            let behind =
                                now.duration_since(e.when).as_nanos() / p.as_nanos().max(1);
                            let when = e.when + p * (behind as u32 + 1);
                            h.next_id += 1;
                            let id = h.next_id;
                            h.heap.push(Entry {
                                when,
                                id,
                                kind: Kind::Send { ch, period },
                            });
                        }
                        None => {
                            self.live.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                }
            }
        }
        self.update_next(&h);
    }
}

/// A G with a counted reference, readied by its timer.
pub(crate) fn gref(g: &Arc<G>) -> GRef {
    GRef::from(&**g)
}
