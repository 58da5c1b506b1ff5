//! Goroutine creation and destruction (Go's `newproc` and `gdestroy`), and the
//! count of live goroutines (`gcount`).

use std::panic::Location;
use std::ptr::NonNull;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::runtime::g::{Coro, DeadG, GPtr, GRef, G};
use crate::runtime::sched::Sched;
use crate::runtime::stack;

impl Sched {
    /// Live goroutines (Go's `gcount`): a sum of per-worker counts, each of
    /// which may be negative (a goroutine can end on another worker).
    pub(crate) fn num_goroutine(&self) -> usize {
        let mut n = self.ngoroutines.load(Ordering::SeqCst) as isize;
        for p in self.ps.iter() {
            n += p.gcount.load(Ordering::SeqCst);
        }
        n.max(0) as usize
    }

    /// Creates a goroutine running `f` and queues it (Go's `newproc`).
    pub(crate) fn newproc<F>(self: &Arc<Self>, loc: &'static Location<'static>, f: F) -> u64
    where
        F: FnOnce() + Send + 'static,
    {
        let id = self.next_gid.fetch_add(1, Ordering::Relaxed);
        // Held to the end: the P's queue and caches are ours meanwhile.
        let local = self.local_p();
        let (g, st) = match local.as_ref().and_then(|p| self.gfget(p.id)) {
            Some(dead) => {
                // SAFETY: a DeadG holds the goroutine's only count (see DeadG).
                let mut g = unsafe { Arc::from_raw(dead.g.0.as_ptr()) };
                let gm = Arc::get_mut(&mut g).expect("a dead goroutine has no other user");
                let sched = gm.sched.clone();
                *gm = G::new(id, sched, loc);
                (g, dead.stack)
            }
            None => (
                Arc::new(G::new(id, self.clone(), loc)),
                stack::alloc(self.stack_size, &|| self.num_goroutine()),
            ),
        };
        g.guard_lo.set(st.guard_lo());
        let gp = GPtr(NonNull::from(&*g));
        let coro = Coro::with_stack(st, move |y, ()| {
            let gp = gp;
            // SAFETY: the G outlives its coroutine; only this goroutine sets it.
            unsafe { gp.0.as_ref() }.yielder.set(y);
            f();
        });
        // SAFETY: the G is not published yet; we are its only user.
        unsafe { *g.coro.get() = Some(coro) };
        if let Some(p) = &local {
            self.ps[p.id].gcount.fetch_add(1, Ordering::Relaxed);
        } else {
            self.ngoroutines.fetch_add(1, Ordering::Relaxed);
        }
        let g = G::into_ref(g);
        {
            let mut all = self.allgs.lock();
            // SAFETY: allg_index is only touched under the allgs lock.
            unsafe { g.as_ref() }.allg_index.set(all.len());
            all.push(GPtr(g));
        }
        let lost = match &local {
            Some(p) => {
                self.runqput(p.id, g, true);
                false
            }
            None => {
                self.global.put(&[GPtr(g)]);
                true
            }
        };
        drop(local);
        self.wakep();
        if lost && self.lost_p() {
            // `go` is a safe point (as a call is in Go): a goroutine whose P
            // sysmon gave away goes to the global queue and its M parks, so
            // a spawning loop does not run on without a P, a third thread on
            // two cores, allocating a fresh stack for every spawn.
            crate::runtime::sched::gosched();
        }
        id
    }

    /// Forgets a goroutine that has returned and recycles its stack.
    ///
    /// # Safety
    /// `g` has returned and this is called once, by the M that ran it, which
    /// holds P `mid` (none: it lost its P meanwhile).
    pub(crate) unsafe fn gdestroy(&self, mid: Option<usize>, g: GRef) {
        // SAFETY: the goroutine has returned; this M is its only user.
        let gr = unsafe { g.as_ref() };
        // SAFETY: as above.
        let stack = unsafe { (*gr.coro.get()).take() }.map(|c| c.into_stack());
        {
            let mut all = self.allgs.lock();
            let i = gr.allg_index.get();
            all.swap_remove(i);
            if let Some(moved) = all.get(i) {
                // SAFETY: a listed G is alive; its index is guarded by this lock.
                unsafe { moved.0.as_ref() }.allg_index.set(i);
            }
        }
        match mid {
            Some(mid) => self.ps[mid].gcount.fetch_sub(1, Ordering::Relaxed),
            // The counts may go below zero each; only their sum means anything.
            None => self.ngoroutines.fetch_sub(1, Ordering::Relaxed) as isize,
        };
        let Some(stack) = stack else {
            // SAFETY: the goroutine's own count, released once (contract).
            unsafe { G::release(g) };
            return;
        };
        // A timer of an ended timed park may still hold a count; such a G is
        // not reused. Nobody else can take a new count on a returned G.
        // SAFETY: the goroutine's own count is still held (contract); the
        // ManuallyDrop keeps it.
        let counts = Arc::strong_count(&std::mem::ManuallyDrop::new(unsafe {
            Arc::from_raw(g.as_ptr())
        }));
        if counts == 1 && !self.shutdown.load(Ordering::Relaxed) {
            let dead = DeadG { g: GPtr(g), stack };
            match mid {
                Some(mid) => self.gfput(mid, dead),
                None => self.gfput_global(dead),
            }
        } else {
            stack::free(stack);
            // SAFETY: as above, released once.
            unsafe { G::release(g) };
        }
    }
}
