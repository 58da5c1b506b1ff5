//! Scoped goroutines: [`scope`], like `std::thread::scope`.
//!
//! # Why this is sound
//!
//! A scoped goroutine's closure may borrow from the caller's frame (`'env`),
//! yet it runs on the ordinary [`spawn_on`] machinery, which wants `'static`
//! closures; [`Scope::spawn`] erases the closure's lifetime to get there. That
//! is sound because nothing a goroutine borrows can be touched after
//! [`scope`] has returned or unwound past its frame:
//!
//! 1. Every goroutine spawned in the scope holds one count of the scope's
//!    `running` counter, taken in `Scope::spawn` *before* the goroutine
//!    exists, and given back only in `Packet::drop`, once the goroutine has
//!    finished: its closure has returned (or unwound) and been dropped, with
//!    everything it captured, and its result is either taken by `join` or
//!    dropped right there, before the count is given back. After that the
//!    goroutine touches only `'static` things (the `ScopeData`, kept alive
//!    by its own `Arc`, and the runtime's join state of a `()` result).
//! 2. [`scope`] runs the user's closure under `catch_unwind`, so that a panic
//!    in it cannot skip the wait, and then waits (`ScopeData::wait_all`)
//!    until the counter is zero, parking the calling goroutine or blocking
//!    the calling thread; only then does it return or re-raise a panic.
//! 3. If that wait is ever left by an unwind (nothing in the runtime unwinds a
//!    parked goroutine today: at the end of `run`, leftover goroutines are
//!    left parked, never resumed nor dropped, so their frames stay valid),
//!    a guard aborts the process rather than let the frame go while
//!    goroutines may still use it.
//! 4. `Scope` and `ScopedJoinHandle` are invariant in `'scope`, which is
//!    chosen by `scope` (higher-ranked) and outlived by `'env`, so a handle
//!    or a `&Scope` cannot escape the closure, and every closure spawned must
//!    outlive `'scope`, which ends before `scope` returns.
//!
//! Leaking a `ScopedJoinHandle` (`mem::forget`) leaks its `Packet` and so
//! its count: the scope then waits forever, which is safe.

use std::any::Any;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::runtime::join::{spawn_on, JoinHandle};
use crate::runtime::park::{WaitReason, Waiter};
use crate::runtime::sched::{self, Sched};
use crate::runtime::wait::{ready_waiter, Wait};

/// What the scope's owner waits on.
struct ScopeState {
    /// Goroutines spawned in the scope whose `Packet` is not dropped yet.
    running: usize,
    /// The scope's owner, parked until `running` is zero.
    waiter: Option<Waiter>,
    /// The first panic of a goroutine nobody joined.
    panic: Option<Box<dyn Any + Send + 'static>>,
}

struct ScopeData {
    state: Mutex<ScopeState>,
    sched: Arc<Sched>,
}

impl ScopeData {
    fn decrement(&self, panic: Option<Box<dyn Any + Send + 'static>>) {
        let mut st = self.state.lock();
        if let Some(p) = panic {
            st.panic.get_or_insert(p);
        }
        st.running -= 1;
        let w = if st.running == 0 {
            st.waiter.take()
        } else {
            None
        };
        drop(st);
        if let Some(w) = w {
            // SAFETY: the owner parked itself in `waiter` under the lock we
            // took it out under; only we ready it, with no lock held.
            unsafe { ready_waiter(w) };
        }
    }

    /// Waits until every goroutine of the scope has finished.
    fn wait_all(&self) {
        // Leaving this function by an unwind with goroutines running would
        // free what they borrow (point 3 of the module docs).
        let bomb = AbortOnUnwind;
        let mut st = self.state.lock();
        while st.running > 0 {
            let wait = Wait::new(None);
            st.waiter = Some(wait.waiter());
            let mut guard = Some(st);
            wait.park(WaitReason::Join, &mut || drop(guard.take()));
            st = self.state.lock();
        }
        drop(st);
        std::mem::forget(bomb);
    }
}

struct AbortOnUnwind;

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        eprintln!("fatal error: csp_core::scope unwound while its goroutines were running");
        std::process::abort();
    }
}

/// A scoped goroutine's result, shared by the goroutine and its handle; the
/// last one to drop it gives the scope's count back.
struct Packet<'scope, T> {
    result: Mutex<Option<std::thread::Result<T>>>,
    scope: Arc<ScopeData>,
    _scope: PhantomData<&'scope ()>,
}

impl<T> Drop for Packet<'_, T> {
    fn drop(&mut self) {
        // Drop an unclaimed result here, before the count goes back (point 1).
        let unclaimed = self.result.get_mut().take();
        let panic = match unclaimed {
            Some(Err(p)) => Some(p),
            Some(Ok(v)) => catch_unwind(AssertUnwindSafe(move || drop(v))).err(),
            None => None,
        };
        self.scope.decrement(panic);
    }
}

/// A scope to spawn goroutines that may borrow from outside it; see [`scope`].
pub struct Scope<'scope, 'env: 'scope> {
    data: Arc<ScopeData>,
    // Invariant in both, as std's: see point 4 of the soundness argument.
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

impl std::fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.data.state.lock();
        f.debug_struct("Scope")
            .field("running", &st.running)
            .finish()
    }
}

/// An owned permission to join a scoped goroutine; see [`Scope::spawn`].
///
/// Dropping it without joining is fine: the scope still waits for the
/// goroutine, and re-raises its panic at the end.
pub struct ScopedJoinHandle<'scope, T> {
    inner: JoinHandle<()>,
    packet: Arc<Packet<'scope, T>>,
}

impl<T> std::fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopedJoinHandle")
            .field("goroutine", &self.inner.id())
            .finish()
    }
}

/// Runs `f` with a [`Scope`] in which goroutines may borrow from the caller's
/// frame, and waits for all of them before returning (Rust's
/// `std::thread::scope`, for goroutines).
///
/// Called from a goroutine, the wait parks only that goroutine; from a plain
/// thread, it blocks the thread (the goroutines run on the global runtime). If
/// `f` panics, or a scoped goroutine that nobody joined panicked, the panic
/// is raised again once every goroutine has finished (`f`'s own first).
///
/// ```
/// let mut data = vec![1, 2, 3];
/// let total = std::sync::atomic::AtomicI32::new(0);
/// csp_core::scope(|s| {
///     for x in &data {
///         let total = &total;
///         s.spawn(move || {
///             total.fetch_add(*x, std::sync::atomic::Ordering::Relaxed);
///         });
///     }
/// });
/// // Every goroutine has finished: `data` can be changed again.
/// data.push(4);
/// assert_eq!(total.into_inner(), 6);
/// ```
///
/// A value computed in a goroutine is had by joining it:
///
/// ```
/// let words = ["go", "rust", "csp"];
/// let longest = csp_core::scope(|s| {
///     let h = s.spawn(|| words.iter().map(|w| w.len()).max());
///     h.join().unwrap()
/// });
/// assert_eq!(longest, Some(4));
/// ```
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        data: Arc::new(ScopeData {
            state: Mutex::new(ScopeState {
                running: 0,
                waiter: None,
                panic: None,
            }),
            sched: sched::current_sched(),
        }),
        _scope: PhantomData,
        _env: PhantomData,
    };
    // Point 2: a panic in `f` must not skip the wait.
    let r = catch_unwind(AssertUnwindSafe(|| f(&scope)));
    scope.data.wait_all();
    let unjoined = scope.data.state.lock().panic.take();
    match (r, unjoined) {
        (Err(p), _) => resume_unwind(p),
        (Ok(_), Some(p)) => resume_unwind(p),
        (Ok(v), None) => v,
    }
}

impl<'scope> Scope<'scope, '_> {
    /// Starts a goroutine running `f`, which may borrow anything that outlives
    /// the scope; the scope waits for it. Returns a handle to join it (and get
    /// its result, or its panic as `Err`).
    ///
    /// Goroutines spawned here may spawn more in the same scope (a `&Scope` can
    /// be moved into them).
    ///
    /// # Panics
    ///
    /// As [`spawn`](crate::spawn), if no stack can be mapped.
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let loc = Location::caller();
        let packet: Arc<Packet<'scope, T>> = Arc::new(Packet {
            result: Mutex::new(None),
            scope: self.data.clone(),
            _scope: PhantomData,
        });
        // Point 1: the count is taken before the goroutine can exist.
        self.data.state.lock().running += 1;
        let theirs = packet.clone();
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(move || {
            let r = catch_unwind(AssertUnwindSafe(f));
            *theirs.result.lock() = Some(r);
            // Gives the count back if the handle is gone already.
            drop(theirs);
        });
        // SAFETY: only the lifetime changes (the layout of a boxed trait
        // object does not depend on it). The closure borrows only what
        // outlives 'scope, and `scope` does not return or unwind before the
        // count taken above is given back, which happens after the closure
        // and its captures are gone (see the module docs).
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe {
            std::mem::transmute::<Box<dyn FnOnce() + Send + 'scope>, Box<dyn FnOnce() + Send>>(body)
        };
        let inner = spawn_on(&self.data.sched, loc, body);
        ScopedJoinHandle { inner, packet }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the goroutine to finish (parking the calling goroutine, or
    /// blocking the calling thread) and returns its result; `Err` carries its
    /// panic, which the scope then does not raise again.
    ///
    /// ```
    /// let r = csp_core::scope(|s| s.spawn(|| panic!("boom")).join());
    /// assert!(r.is_err());
    /// ```
    pub fn join(self) -> std::thread::Result<T> {
        let ScopedJoinHandle { inner, packet } = self;
        // The goroutine's own closure catches every panic, so this is Ok.
        let _ = inner.join();
        let r = packet.result.lock().take();
        r.expect("a finished scoped goroutine left its result")
    }

    /// The goroutine's id (as in the deadlock dump).
    pub fn id(&self) -> u64 {
        self.inner.id()
    }
}
