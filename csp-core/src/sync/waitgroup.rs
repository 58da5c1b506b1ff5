//! `WaitGroup` (Go's `sync.WaitGroup`): wait for a collection of goroutines.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::runtime::park::{WaitReason, Waiter};
use crate::runtime::wait::{ready_waiter, Wait};

struct State {
    count: usize,
    waiters: Vec<Waiter>,
}

/// Waits for a collection of goroutines (or threads) to finish.
///
/// Cloning gives another handle to the same group. `add` before starting the
/// work, `done` when a piece finishes, `wait` parks until the count is zero.
#[derive(Clone)]
pub struct WaitGroup {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitGroup")
            .field("count", &self.state.lock().count)
            .finish()
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup::new()
    }
}

impl WaitGroup {
    /// A group with a count of zero.
    pub fn new() -> Self {
        WaitGroup {
            state: Arc::new(Mutex::new(State {
                count: 0,
                waiters: Vec::new(),
            })),
        }
    }

    /// Adds `n` to the count.
    pub fn add(&self, n: usize) {
        let mut st = self.state.lock();
        st.count = st
            .count
            .checked_add(n)
            .expect("sync: WaitGroup counter overflow");
    }

    /// Subtracts one from the count; at zero, every waiter is released.
    ///
    /// Panics "sync: negative WaitGroup counter" if the count is already zero.
    pub fn done(&self) {
        let mut st = self.state.lock();
        if st.count == 0 {
            drop(st);
            panic!("sync: negative WaitGroup counter");
        }
        st.count -= 1;
        if st.count > 0 {
            return;
        }
        let ws = std::mem::take(&mut st.waiters);
        drop(st);
        for w in ws {
            // SAFETY: each waiter parked itself in the list under the lock we
            // took the list out under; only we ready it, with no lock held.
            unsafe { ready_waiter(w) };
        }
    }

    /// Starts `f` in a new goroutine and adds it to the group: `add(1)`, then
    /// `done()` when `f` returns or panics (Go 1.25's `WaitGroup.Go`).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// use csp_core::WaitGroup;
    ///
    /// let wg = WaitGroup::new();
    /// let n = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..10 {
    ///     let n = n.clone();
    ///     wg.go(move || { n.fetch_add(1, Ordering::Relaxed); });
    /// }
    /// wg.wait();
    /// assert_eq!(n.load(Ordering::Relaxed), 10);
    /// ```
    #[track_caller]
    pub fn go<F>(&self, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.add(1);
        let wg = self.clone();
        drop(crate::spawn(move || {
            /// `defer wg.Done()`.
            struct Done(WaitGroup);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.done();
                }
            }
            let _d = Done(wg);
            f();
        }));
    }

    /// Parks the calling goroutine (or blocks the thread) until the count is zero.
    pub fn wait(&self) {
        let mut st = self.state.lock();
        if st.count == 0 {
            return;
        }
        let wait = Wait::new(None);
        st.waiters.push(wait.waiter());
        let mut guard = Some(st);
        wait.park(WaitReason::WaitGroup, &mut || drop(guard.take()));
    }
}
