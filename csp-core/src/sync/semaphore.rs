//! `Semaphore`: x/sync/semaphore's `Weighted`, goroutine-aware. Waiters
//! queue FIFO with their weights; `release` grants requests from the front
//! while they fit and stops at the first that does not, so a large request
//! is never overtaken by small ones that arrive after it.

use std::fmt;

use crate::context::Context;
use crate::runtime::park::{park_forever, WaitReason};
use crate::runtime::wait::Wait;
use crate::sync::lock::Lock;
use crate::sync::waitlist::{ready_node, List, Node};
use crate::{Chan, Select};

struct State {
    size: usize,
    cur: usize,
    waiters: List,
}

/// A weighted semaphore (x/sync's `semaphore.Weighted`): `acquire(n)` waits
/// until `n` of `size` units are free and takes them, `release(n)` gives them
/// back. Usable from goroutines (which park) and OS threads (which block).
///
/// Waiters are served in FIFO order, and a request that does not fit holds
/// back every request behind it: a large request does not starve behind a
/// stream of small ones.
///
/// ```
/// use std::sync::Arc;
/// use csp_core::sync::{Semaphore, WaitGroup};
///
/// let sem = Arc::new(Semaphore::new(2)); // at most 2 workers at once
/// let wg = WaitGroup::new();
/// for _ in 0..8 {
///     sem.acquire(1);
///     let sem = sem.clone();
///     wg.go(move || {
///         // ... work ...
///         sem.release(1);
///     });
/// }
/// wg.wait();
/// assert!(sem.try_acquire(2));
/// ```
pub struct Semaphore {
    st: Lock<State>,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.st.lock();
        f.debug_struct("Semaphore")
            .field("size", &st.size)
            .field("cur", &st.cur)
            .finish()
    }
}

impl Semaphore {
    /// A semaphore with `size` units, all free (x/sync's `NewWeighted`).
    pub fn new(size: usize) -> Self {
        Semaphore {
            st: Lock::new(State {
                size,
                cur: 0,
                waiters: List::new(),
            }),
        }
    }

    /// Takes `n` units, waiting until they are free. A request larger than
    /// the semaphore's size can never succeed and waits forever (as x/sync's
    /// does without a context), without holding up the other waiters.
    pub fn acquire(&self, n: usize) {
        let mut st = self.st.lock();
        if st.size - st.cur >= n && st.waiters.is_empty() {
            st.cur += n;
            return;
        }
        if n > st.size {
            drop(st);
            park_forever(WaitReason::Semacquire);
        }
        let wait = Wait::new(None);
        let mut node = Node::new(&wait, self as *const Semaphore as usize);
        node.n = n;
        // SAFETY: the node lives in this frame until `release` has taken it
        // out (granting it) and readied us.
        unsafe { st.waiters.push_back(&mut node) };
        let mut g = Some(st);
        wait.park(WaitReason::Semacquire, &mut || drop(g.take()));
        debug_assert!(node.granted);
    }

    /// Takes `n` units, or gives up when `ctx` is done (x/sync's
    /// `Acquire(ctx, n)`): `Err` holds `ctx.err()`, and then nothing was
    /// taken. If `ctx` is already done, fails even when units are free.
    pub fn acquire_ctx(&self, ctx: &Context, n: usize) -> Result<(), crate::context::Error> {
        let done = ctx.done();
        let mut st = self.st.lock();
        if st.size - st.cur >= n && st.waiters.is_empty() {
            // Go checks the context first when it is already done.
            if let Some(e) = ctx.err() {
                return Err(e);
            }
            st.cur += n;
            return Ok(());
        }
        let ready = Chan::<()>::new(0);
        let wait = Wait::new(None);
        let mut node = Node::new(&wait, self as *const Semaphore as usize);
        node.n = n;
        node.chan = Some(ready.clone());
        let big = n > st.size;
        if !big {
            // SAFETY: the node stays in this frame until it is taken out of
            // the list: by `release` (which sets `granted`) or by us below,
            // always under the lock, before we return.
            unsafe { st.waiters.push_back(&mut node) };
        }
        drop(st);
        let mut sel = Select::new();
        sel.recv(&ready);
        sel.recv(&done);
        sel.select();
        let mut st = self.st.lock();
        if node.granted {
            drop(st);
            // Acquired; but a context that is done wins, and the units go
            // back (x/sync does the same).
            if let Some(e) = ctx.err() {
                self.release(n);
                return Err(e);
            }
            return Ok(());
        }
        // Cancelled while waiting: leave the queue. If we were at the front
        // and units are free, those behind us may fit now.
        let me: *mut Node = &mut node;
        let front = st.waiters.front() == me;
        if !big {
            // SAFETY: not granted, so still in the list.
            unsafe { st.waiters.remove(me) };
        }
        let wake = if front && st.size > st.cur {
            self.grant(&mut st)
        } else {
            Granted::default()
        };
        drop(st);
        wake.wake();
        Err(ctx.err().unwrap_or(crate::context::Canceled))
    }

    /// Takes `n` units if they are free now and nobody waits; never waits.
    pub fn try_acquire(&self, n: usize) -> bool {
        let mut st = self.st.lock();
        let ok = st.size - st.cur >= n && st.waiters.is_empty();
        if ok {
            st.cur += n;
        }
        ok
    }

    /// Gives back `n` units and wakes the waiters that now fit, in order.
    ///
    /// # Panics
    /// "semaphore: released more than held" if more units would be free
    /// than the semaphore has.
    pub fn release(&self, n: usize) {
        let mut st = self.st.lock();
        if n > st.cur {
            drop(st);
            panic!("semaphore: released more than held");
        }
        st.cur -= n;
        let wake = self.grant(&mut st);
        drop(st);
        wake.wake();
    }

    /// x/sync's `notifyWaiters`: grants requests from the front while they
    /// fit, stopping at the first that does not (so it cannot starve).
    fn grant(&self, st: &mut State) -> Granted {
        let mut out = Granted::default();
        loop {
            let n = st.waiters.front();
            if n.is_null() {
                break;
            }
            // SAFETY: linked nodes are alive; we hold the lock.
            let want = unsafe { (*n).n };
            if st.size - st.cur < want {
                break;
            }
            st.cur += want;
            // SAFETY: `n` is the front. A plain waiter stays parked until we
            // ready it; a context waiter may return as soon as we unlock, so
            // we keep only our own handle to its channel.
            unsafe {
                st.waiters.remove(n);
                (*n).granted = true;
                match &(*n).chan {
                    None => out.parked.push_back(n),
                    Some(c) => out.chans.push(c.clone()),
                }
            }
        }
        out
    }
}

/// The waiters granted under the lock, to wake once it is released.
#[derive(Default)]
struct Granted {
    parked: List,
    chans: Vec<Chan<()>>,
}

impl Granted {
    fn wake(mut self) {
        while let Some(n) = self.parked.pop_front() {
            // SAFETY: granted under the lock; the waiter is parked until we
            // ready it, and we do not touch the node after.
            unsafe { ready_node(n) };
        }
        for c in self.chans {
            c.close();
        }
    }
}
