//! `spawn` and `JoinHandle`: starting a goroutine and waiting for its result.

use std::panic::{catch_unwind, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

use crate::runtime::panic::{self, JoinLink};
use crate::runtime::park::{WaitReason, Waiter};
use crate::runtime::sched::{self, Sched};
use crate::runtime::stack;
use crate::runtime::wait::{ready_waiter, Wait};

struct State<T> {
    result: Option<std::thread::Result<T>>,
    done: bool,
    /// The handle was dropped: nobody will ever join.
    detached: bool,
    waiter: Option<Waiter>,
    /// The task awaiting the handle as a future.
    waker: Option<Waker>,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    sched: Arc<Sched>,
    /// Shared with the panic hook on the goroutine (`runtime/panic.rs`),
    /// which cannot take `state`'s lock.
    link: JoinLink,
}

/// An owned permission to join a goroutine (wait for it to finish).
///
/// Dropping the handle detaches the goroutine; if a detached goroutine panics
/// inside [`run`](crate::run), the panic ends `run`, as an unrecovered panic
/// ends a Go program.
pub struct JoinHandle<T> {
    inner: Option<Arc<Inner<T>>>,
    id: u64,
}

impl<T> std::fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinHandle")
            .field("goroutine", &self.id)
            .finish()
    }
}

/// Starts a goroutine running `f` (Go's `go f()`), on the current runtime: the
/// one of the calling goroutine, or a global one started on first use.
///
/// The goroutine gets a fixed stack of [`Builder::stack_size`](crate::Builder::stack_size)
/// bytes of address space (default [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE),
/// 8 MiB, committed only as it is touched) with a guard page under it: running
/// past it prints "goroutine stack overflow" and aborts. When a goroutine that
/// recursed deep ends, the pages below the top 64 KiB of its stack are given
/// back to the kernel.
///
/// # Thread-locals
///
/// A goroutine may resume on a different OS thread after anything that can park
/// it (a channel operation, `select`, [`sleep`](crate::sleep), `join`,
/// [`WaitGroup::wait`](crate::WaitGroup::wait), [`yield_now`](crate::yield_now),
/// and `spawn` itself when the runtime has just handed the goroutine's
/// processor to another thread). Do not hold a reference into a
/// `thread_local!` across such a call, and do not rely on the thread's
/// identity (or use [`lock_os_thread`](crate::lock_os_thread)). An optimised
/// build may also keep a thread-local's *address* from before such a call
/// to after it when both accesses end up in one function (the compiler
/// assumes a function stays on one thread): code that uses a thread-local on
/// both sides of a park is safest with that use in a function marked
/// `#[inline(never)]`, as [`block_on`](crate::block_on) does for each poll.
/// A goroutine that blocks its thread (a blocking system call, a std mutex,
/// `std::thread::sleep`) does not stall the others: wrap the call in
/// [`blocking`](crate::blocking), or the runtime hands its processor to
/// another thread after about a millisecond.
///
/// # Panics
///
/// Panics if the goroutine's stack cannot be mapped (see the message: it names
/// the kernel limit `vm.max_map_count` and the remedy).
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    spawn_on(&sched::current_sched(), Location::caller(), f)
}

pub(crate) fn spawn_on<F, T>(s: &Arc<Sched>, loc: &'static Location<'static>, f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let inner = Arc::new(Inner {
        state: Mutex::new(State {
            result: None,
            done: false,
            detached: false,
            waiter: None,
            waker: None,
        }),
        sched: s.clone(),
        link: JoinLink::new(0),
    });
    let i2 = inner.clone();
    let stack_size = s.stack_size;
    let id = s.newproc(loc, move || {
        let me = sched::current_g().expect("a goroutine runs on its M");
        // SAFETY: `me` is this goroutine, alive while it runs; only it touches
        // these cells. `i2` outlives the flag's publication: it is cleared
        // before `i2` is dropped.
        let g = unsafe { me.as_ref() };
        g.join_link.set(&i2.link);
        let r = catch_unwind(AssertUnwindSafe(f));
        // Before the joiner can see the result: a deep excursion's pages go
        // back now, not when (or if) the stack is reused.
        stack::release_deep_current(stack_size);
        // Record the panic before uncounting it: `main` waits for the count.
        i2.complete(r);
        // SAFETY: as above (we may be on another thread; `me` is still us).
        let g = unsafe { me.as_ref() };
        panic::unwound(g);
        g.join_link.set(std::ptr::null());
    });
    JoinHandle {
        inner: Some(inner),
        id,
    }
}

impl<T> Inner<T> {
    fn complete(&self, r: std::thread::Result<T>) {
        let mut st = self.state.lock();
        if st.detached {
            drop(st);
            if let Err(p) = r {
                self.sched.unjoined_panic(p);
            }
            return;
        }
        st.result = Some(r);
        st.done = true;
        let w = st.waiter.take();
        let waker = st.waker.take();
        drop(st);
        if let Some(w) = w {
            // SAFETY: the joiner parked itself in `waiter` under the lock we took
            // it out under; only we ready it, with no lock held.
            unsafe { ready_waiter(w) };
        }
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> JoinHandle<T> {
    /// Waits for the goroutine to finish: parks the calling goroutine, or blocks
    /// the calling thread. `Err` carries the goroutine's panic payload.
    pub fn join(mut self) -> std::thread::Result<T> {
        let inner = self.inner.take().expect("joined once");
        let st = inner.state.lock();
        let mut st = if st.done {
            st
        } else {
            let mut st = st;
            let wait = Wait::new(None);
            st.waiter = Some(wait.waiter());
            let mut guard = Some(st);
            wait.park(WaitReason::Join, &mut || drop(guard.take()));
            inner.state.lock()
        };
        st.result
            .take()
            .expect("a finished goroutine left its result")
    }

    /// The goroutine's id (as in the deadlock dump).
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// Awaiting a handle joins the goroutine without blocking the task: the
/// output is [`join`](JoinHandle::join)'s.
///
/// ```
/// let h = csp_core::spawn(|| 6 * 7);
/// assert_eq!(csp_core::block_on(h).unwrap(), 42);
/// ```
impl<T> std::future::Future for JoinHandle<T> {
    type Output = std::thread::Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self
            .inner
            .as_ref()
            .expect("JoinHandle polled after completion");
        let mut st = inner.state.lock();
        if !st.done {
            if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                st.waker = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
        let r = st
            .result
            .take()
            .expect("a finished goroutine left its result");
        drop(st);
        // Joined: dropping the handle now must not count as detaching it.
        self.inner = None;
        Poll::Ready(r)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            panic::handle_dropped(&inner.link, &inner.sched.panics);
            let mut st = inner.state.lock();
            st.detached = true;
            let r = st.result.take();
            drop(st);
            if let Some(Err(p)) = r {
                inner.sched.unjoined_panic(p);
            }
        }
    }
}
