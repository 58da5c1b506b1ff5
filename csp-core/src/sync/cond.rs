//! `Cond` (Go's `sync.Cond`), on Go's `notifyList` (runtime/sema.go): each
//! `wait` takes a ticket before it unlocks the mutex; `signal` wakes the
//! holder of the oldest ticket not yet notified, `broadcast` every one. A
//! ticket taken before a signal is woken by it even if its waiter has not
//! parked yet (it will not park), so no wake-up is lost and none goes to a
//! waiter that arrived after the signal.

use std::fmt;

use crate::runtime::park::WaitReason;
use crate::runtime::wait::Wait;
use crate::shim::{AtomicU32, Ordering};
use crate::sync::lock::Lock;
use crate::sync::mutex::MutexGuard;
use crate::sync::waitlist::{ready_all, ready_node, List, Node};

/// A condition variable (Go's `sync.Cond`) used with a csp
/// [`Mutex`](crate::sync::Mutex): [`wait`](Cond::wait) atomically unlocks
/// the mutex and parks the goroutine (or blocks the thread), and locks the
/// mutex again before returning.
///
/// As in Go, a woken waiter must re-check its condition in a loop (another
/// locker may change it first), or use [`wait_while`](Cond::wait_while).
///
/// ```
/// use std::sync::Arc;
/// use csp_core::{go, sync::{Cond, Mutex}};
///
/// let state = Arc::new((Mutex::new(false), Cond::new()));
/// let s = state.clone();
/// go! {
///     *s.0.lock() = true;
///     s.1.signal();
/// };
/// let (m, c) = &*state;
/// let ready = c.wait_while(m.lock(), |ready| !*ready);
/// assert!(*ready);
/// ```
pub struct Cond {
    /// The next ticket.
    wait: AtomicU32,
    /// The next ticket to notify; written under `list`'s lock.
    notify: AtomicU32,
    list: Lock<List>,
}

/// Go's `less`: `a` comes before `b`, in wrapping ticket order.
fn less(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl Default for Cond {
    fn default() -> Self {
        Cond::new()
    }
}

impl fmt::Debug for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cond").finish_non_exhaustive()
    }
}

impl Cond {
    /// A condition variable with no waiters.
    pub fn new() -> Self {
        Cond {
            wait: AtomicU32::new(0),
            notify: AtomicU32::new(0),
            list: Lock::new(List::new()),
        }
    }

    /// Unlocks the guard's mutex, waits for a [`signal`](Cond::signal) or
    /// [`broadcast`](Cond::broadcast), locks the mutex again and returns its
    /// guard (Go's `c.Wait()`).
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let m = guard.mutex();
        let t = self.wait.fetch_add(1, Ordering::SeqCst);
        drop(guard);
        self.wait_ticket(t);
        MutexGuard::raw(m).lock(WaitReason::SyncMutexLock);
        MutexGuard::relocked(m)
    }

    /// Waits while `cond` holds (the loop around [`wait`](Cond::wait) that
    /// Go code writes by hand).
    pub fn wait_while<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut cond: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while cond(&mut *guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Go's `notifyListWait`.
    fn wait_ticket(&self, t: u32) {
        let mut l = self.list.lock();
        if less(t, self.notify.load(Ordering::SeqCst)) {
            return; // already notified
        }
        let wait = Wait::new(None);
        let mut node = Node::new(&wait, self as *const Cond as usize);
        node.ticket = t;
        // SAFETY: the node stays in this frame until a notifier has taken it
        // out and readied us.
        unsafe { l.push_back(&mut node) };
        let mut g = Some(l);
        wait.park(WaitReason::SyncCondWait, &mut || drop(g.take()));
    }

    /// Wakes one waiting goroutine or thread, the one waiting longest, if
    /// any (Go's `Signal`). Holding the mutex is allowed, not required.
    pub fn signal(&self) {
        // Fast path: no new waiters since the last notification.
        if self.wait.load(Ordering::SeqCst) == self.notify.load(Ordering::SeqCst) {
            return;
        }
        let mut l = self.list.lock();
        let t = self.notify.load(Ordering::SeqCst);
        if t == self.wait.load(Ordering::SeqCst) {
            return;
        }
        self.notify.store(t.wrapping_add(1), Ordering::SeqCst);
        // The holder of ticket t may not have queued yet: then it sees
        // `notify` past its ticket and does not park.
        if let Some(n) = l.find_ticket(t) {
            // SAFETY: `n` is in the list.
            unsafe { l.remove(n) };
            drop(l);
            // SAFETY: taken out under the lock; its waiter is parked.
            unsafe { ready_node(n) };
        }
    }

    /// Wakes every waiting goroutine and thread (Go's `Broadcast`).
    pub fn broadcast(&self) {
        if self.wait.load(Ordering::SeqCst) == self.notify.load(Ordering::SeqCst) {
            return;
        }
        let mut l = self.list.lock();
        let all = l.take();
        self.notify
            .store(self.wait.load(Ordering::SeqCst), Ordering::SeqCst);
        drop(l);
        // SAFETY: taken out under the lock; each waiter is parked.
        unsafe { ready_all(all) };
    }
}
