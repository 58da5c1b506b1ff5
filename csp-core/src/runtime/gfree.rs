//! The dead-goroutine cache (Go's `gFree` lists): a goroutine that returned
//! keeps its stack and is reused by the next spawn on the same P. Per-P lists
//! of at most [`GFREE_LOCAL_MAX`], balanced through a global list in batches
//! of [`GFREE_BATCH`]; sysmon trims the global list once spawning is quiet so
//! that the stack scavenger can give the memory back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use parking_lot::Mutex;

use crate::runtime::g::{DeadG, G};
use crate::runtime::sched::Sched;
use crate::runtime::stack;

/// Dead goroutines a P keeps at most, and how many move to or from the global
/// list at a time (Go's numbers).
const GFREE_LOCAL_MAX: usize = 64;
const GFREE_BATCH: usize = 32;
/// Global dead goroutines the trimmer leaves for the next spawn storm.
const GFREE_WARM: usize = 1024;

/// The global half of the cache (Go's `sched.gFree`).
pub(crate) struct GFree {
    list: Mutex<Vec<DeadG>>,
    /// Refills of a P's list from `list`, and when `trim` last saw the count
    /// change: the trimmer's sign that spawning has quietened down.
    refills: AtomicU64,
    quiet: Mutex<(u64, Option<Instant>)>,
}

impl GFree {
    pub(crate) fn new() -> Self {
        GFree {
            list: Mutex::new(Vec::new()),
            refills: AtomicU64::new(0),
            quiet: Mutex::new((u64::MAX, None)),
        }
    }
}

/// Frees dead goroutines and gives their stacks to the stack pool.
fn release(dead: Vec<DeadG>) {
    for d in dead {
        stack::free(d.stack);
        // SAFETY: a DeadG holds the goroutine's own count; released once.
        unsafe { G::release(d.g.0) };
    }
}

impl Sched {
    /// Keeps a dead goroutine on P `mid`; beyond 64, half go to the global
    /// list (Go's `gfput`).
    pub(crate) fn gfput(&self, mid: usize, dead: DeadG) {
        let mut local = self.ps[mid].gfree.lock();
        local.push(dead);
        if local.len() > GFREE_LOCAL_MAX {
            let at = local.len() - GFREE_BATCH;
            let spill: Vec<DeadG> = local.drain(at..).collect();
            drop(local);
            self.gfree.list.lock().extend(spill);
        }
    }

    /// Keeps a dead goroutine on the global list (its M holds no P).
    pub(crate) fn gfput_global(&self, dead: DeadG) {
        self.gfree.list.lock().push(dead);
    }

    /// A dead goroutine from P `mid`'s list, refilled from the global list
    /// (Go's `gfget`).
    pub(crate) fn gfget(&self, mid: usize) -> Option<DeadG> {
        let mut local = self.ps[mid].gfree.lock();
        if local.is_empty() {
            let mut global = self.gfree.list.lock();
            let n = global.len().min(GFREE_BATCH);
            if n == 0 {
                return None;
            }
            let at = global.len() - n;
            local.extend(global.drain(at..));
            drop(global);
            self.gfree.refills.fetch_add(1, Ordering::Relaxed);
        }
        local.pop()
    }

    /// Called by M `mid` as it exits at shutdown: its dead goroutines and the
    /// global ones are freed (each holds a count of the scheduler, which would
    /// otherwise never be freed).
    pub(crate) fn gfree_drain(&self, mid: usize) {
        release(std::mem::take(&mut *self.ps[mid].gfree.lock()));
        release(std::mem::take(&mut *self.gfree.list.lock()));
    }

    /// Called by sysmon: once no P has refilled from the global list for
    /// [`stack::SCAVENGE_AFTER`], frees global dead goroutines beyond
    /// [`GFREE_WARM`], a batch at a time, so that the stack scavenger can give
    /// their memory back.
    pub(crate) fn gfree_trim(&self) {
        let refills = self.gfree.refills.load(Ordering::Relaxed);
        let now = Instant::now();
        {
            let mut q = self.gfree.quiet.lock();
            match q.1 {
                Some(since) if q.0 == refills => {
                    if now.duration_since(since) < stack::SCAVENGE_AFTER {
                        return;
                    }
                }
                _ => {
                    *q = (refills, Some(now));
                    return;
                }
            }
        }
        let batch: Vec<DeadG> = {
            let mut global = self.gfree.list.lock();
            let n = global
                .len()
                .saturating_sub(GFREE_WARM)
                .min(stack::SCAVENGE_BATCH);
            global.drain(..n).collect()
        };
        release(batch);
    }
}
