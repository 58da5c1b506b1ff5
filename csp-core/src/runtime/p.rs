//! P: a processor's local run queue — a 256-slot ring plus `runnext` (Go's
//! `runqput` / `runqget` / `runqsteal`).
//!
//! Only the owning M puts into the ring (`tail` is written by the owner alone);
//! the owner and thieves take from the head with a CAS, so the ring is a
//! single-producer, multi-consumer queue without locks.

use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicPtr, AtomicU32, AtomicU64, Ordering};

use crate::runtime::g::{DeadG, GPtr, GRef, G};

const RING: usize = 256;

/// A processor: the right to run goroutines, with its own queue.
pub(crate) struct P {
    /// Who runs this P and how: see `handoff.rs`.
    pub(crate) status: AtomicU64,
    /// A goroutine readied by the running one runs next, inheriting its time slice.
    runnext: AtomicPtr<G>,
    head: AtomicU32,
    tail: AtomicU32,
    ring: [AtomicPtr<G>; RING],
    /// Goroutines started with a fresh time slice (Go's `schedtick`); owner only.
    pub(crate) schedtick: AtomicU32,
    /// Set by sysmon when the P has run one time slice (`schedtick` has not
    /// moved for `sysmon::SLICE`): the owner demotes its `runnext`.
    pub(crate) demote: AtomicBool,
    /// Goroutines run so far (written by the owner, read by sysmon).
    pub(crate) nexec: AtomicU64,
    /// Goroutines started on this P minus those that ended on it (see
    /// `Sched::num_goroutine`).
    pub(crate) gcount: AtomicIsize,
    /// Dead goroutines for reuse; only this P's M touches it, so the lock is
    /// never contended.
    pub(crate) gfree: parking_lot::Mutex<Vec<DeadG>>,
}

impl P {
    pub(crate) fn new() -> Self {
        P {
            status: AtomicU64::new(0),
            runnext: AtomicPtr::new(ptr::null_mut()),
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            ring: [const { AtomicPtr::new(ptr::null_mut()) }; RING],
            schedtick: AtomicU32::new(0),
            demote: AtomicBool::new(false),
            nexec: AtomicU64::new(0),
            gcount: AtomicIsize::new(0),
            gfree: parking_lot::Mutex::new(Vec::new()),
        }
    }

    /// Anyone: puts `g` in `runnext` if it is empty. A CAS, so it is safe
    /// from an M that may have just lost this P: the goroutine is queued on
    /// the P either way, for whoever runs it.
    #[inline]
    pub(crate) fn try_put_next(&self, g: GRef) -> bool {
        self.runnext
            .compare_exchange(
                ptr::null_mut(),
                g.as_ptr(),
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    /// Owner only. Puts `g` in `runnext` (kicking the old one to the tail) or at
    /// the tail. Returns what did not fit, which the caller must put on the
    /// global queue (half the ring plus `g`, Go's `runqputslow`).
    pub(crate) fn put(&self, g: GRef, next: bool, overflow: &mut Vec<GPtr>) {
        let mut g = g.as_ptr();
        if next {
            let old = self.runnext.swap(g, Ordering::AcqRel);
            if old.is_null() {
                return;
            }
            g = old;
        }
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Relaxed);
        if t.wrapping_sub(h) < RING as u32 {
            self.ring[t as usize % RING].store(g, Ordering::Relaxed);
            self.tail.store(t.wrapping_add(1), Ordering::Release);
            return;
        }
        // Full: move the first half to the global queue.
        let n = (RING / 2) as u32;
        for i in 0..n {
            let x = self.ring[h.wrapping_add(i) as usize % RING].load(Ordering::Relaxed);
            overflow.push(GPtr(nn(x)));
        }
        if self
            .head
            .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            // A thief took some meanwhile, so there is room now.
            overflow.clear();
            return self.put(nn(g), false, overflow);
        }
        overflow.push(GPtr(nn(g)));
    }

    /// Owner only. `runnext` first (second value true: it inherits the time
    /// slice), then the head of the ring.
    pub(crate) fn get(&self) -> Option<(GRef, bool)> {
        if !self.runnext.load(Ordering::Relaxed).is_null() {
            let next = self.runnext.swap(ptr::null_mut(), Ordering::AcqRel);
            if !next.is_null() {
                return Some((nn(next), true));
            }
        }
        self.get_ring().map(|g| (g, false))
    }

    /// Owner only: moves `runnext` to the tail of the ring (its time slice is used up).
    pub(crate) fn demote_runnext(&self, overflow: &mut Vec<GPtr>) {
        let next = self.runnext.swap(ptr::null_mut(), Ordering::AcqRel);
        if !next.is_null() {
            self.put(nn(next), false, overflow);
        }
    }

    fn get_ring(&self) -> Option<GRef> {
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t == h {
                return None;
            }
            let g = self.ring[h as usize % RING].load(Ordering::Relaxed);
            if self
                .head
                .compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                return Some(nn(g));
            }
        }
    }

    /// Whether the queue looks empty (racy, for idle checks).
    pub(crate) fn is_empty(&self) -> bool {
        self.head.load(Ordering::SeqCst) == self.tail.load(Ordering::SeqCst)
            && self.runnext.load(Ordering::SeqCst).is_null()
    }

    /// Number of goroutines in the ring (racy).
    pub(crate) fn ring_len(&self) -> u32 {
        let t = self.tail.load(Ordering::Acquire);
        let h = self.head.load(Ordering::Acquire);
        t.wrapping_sub(h)
    }

    /// Owner of `self` steals half of `victim`'s ring into its own ring and
    /// returns one goroutine to run. With `take_next`, a lone `runnext` may be
    /// stolen too.
    pub(crate) fn steal_from(&self, victim: &P, take_next: bool) -> Option<GRef> {
        let t = self.tail.load(Ordering::Relaxed);
        loop {
            let h = victim.head.load(Ordering::Acquire);
            let vt = victim.tail.load(Ordering::Acquire);
            let n = vt.wrapping_sub(h);
            let n = n - n / 2;
            if n == 0 {
                if take_next {
                    let next = victim.runnext.load(Ordering::Acquire);
                    if !next.is_null()
                        && victim
                            .runnext
                            .compare_exchange(
                                next,
                                ptr::null_mut(),
                                Ordering::AcqRel,
                                Ordering::Relaxed,
                            )
                            .is_ok()
                    {
                        return Some(nn(next));
                    }
                }
                return None;
            }
            if n > (RING / 2) as u32 {
                // Inconsistent snapshot (head moved under us): retry.
                continue;
            }
            for i in 0..n {
                let g = victim.ring[h.wrapping_add(i) as usize % RING].load(Ordering::Relaxed);
                self.ring[t.wrapping_add(i) as usize % RING].store(g, Ordering::Relaxed);
            }
            if victim
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // Keep the last stolen one to run; publish the rest.
                let n = n - 1;
                let g = self.ring[t.wrapping_add(n) as usize % RING].load(Ordering::Relaxed);
                if n > 0 {
                    self.tail.store(t.wrapping_add(n), Ordering::Release);
                }
                return Some(nn(g));
            }
        }
    }
}

fn nn(p: *mut G) -> GRef {
    GRef::new(p).expect("run queue slot holds a goroutine")
}
