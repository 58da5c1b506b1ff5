//! The global run queue (Go's `sched.runq`) and how a goroutine gets onto a
//! queue: `runqput` into a P, overflowing into the global queue, and
//! `globrunqget` taking a fair share back.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;

use crate::runtime::g::{GPtr, GRef};
use crate::runtime::sched::Sched;

/// Runnable goroutines that belong to no P.
pub(crate) struct GlobalRunq {
    q: Mutex<VecDeque<GPtr>>,
    /// `q.len()`, readable without the lock (written under it).
    len: AtomicUsize,
}

impl GlobalRunq {
    pub(crate) fn new() -> Self {
        GlobalRunq {
            q: Mutex::new(VecDeque::new()),
            len: AtomicUsize::new(0),
        }
    }

    pub(crate) fn put(&self, gs: &[GPtr]) {
        let mut q = self.q.lock();
        q.extend(gs.iter().copied());
        self.len.store(q.len(), Ordering::SeqCst);
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::SeqCst)
    }
}

impl Sched {
    /// Puts `g` on P `id`'s queue (owner only). Returns whether a goroutine now
    /// waits in the ring, i.e. whether another M could help.
    pub(crate) fn runqput(&self, id: usize, g: GRef, next: bool) -> bool {
        let mut overflow = Vec::new();
        self.ps[id].put(g, next, &mut overflow);
        if !overflow.is_empty() {
            self.global.put(&overflow);
        }
        self.ps[id].ring_len() > 0 || !overflow.is_empty()
    }

    /// Takes one goroutine from the global queue and, with `batch`, moves a
    /// fair share of the rest into P `id`'s ring (Go's `globrunqget`).
    pub(crate) fn global_get(&self, id: usize, batch: bool) -> Option<GRef> {
        let mut q = self.global.q.lock();
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
        self.global.len.store(q.len(), Ordering::SeqCst);
        Some(g.0)
    }

    /// Whether any queue holds work (racy; for idle and deadlock checks).
    pub(crate) fn has_queued_work(&self) -> bool {
        self.global.len() > 0 || self.ps.iter().any(|p| !p.is_empty())
    }
}
