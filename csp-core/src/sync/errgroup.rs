//! `Group` (x/sync's `errgroup.Group`): goroutines working on subtasks of a
//! common task, with the first error kept and, optionally, a context that is
//! cancelled at the first error.

use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::context::{self, CancelCauseFunc, Context};
use crate::sync::WaitGroup;
use crate::Chan;

/// The error type a [`Group`] collects by default (Go's `error`).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

type Cancel<E> = Box<dyn Fn(Option<&E>) + Send + Sync>;

struct Inner<E> {
    wg: WaitGroup,
    /// The first error (Go's `errOnce` + `err`): `.1` is set once one has
    /// been recorded, so later errors are dropped even after `wait` took it.
    err: Mutex<(Option<E>, bool)>,
    /// Tokens of the limit (Go's `sem chan token`): `None` for no limit.
    sem: Mutex<Option<Chan<()>>>,
    cancel: Option<Cancel<E>>,
}

/// A collection of goroutines working on subtasks of one task (x/sync's
/// `errgroup.Group`). [`go`](Group::go) starts one; [`wait`](Group::wait)
/// waits for all of them and returns the first error, if any.
///
/// Cloning gives another handle to the same group (so goroutines can start
/// more work in it).
///
/// ```
/// use csp_core::sync::errgroup::{BoxError, Group};
///
/// let g: Group = Group::new();
/// for i in 0..4 {
///     g.go(move || -> Result<(), BoxError> {
///         if i == 2 { Err("task 2 failed".into()) } else { Ok(()) }
///     });
/// }
/// assert_eq!(g.wait().unwrap_err().to_string(), "task 2 failed");
/// ```
pub struct Group<E = BoxError> {
    inner: Arc<Inner<E>>,
}

impl<E> Clone for Group<E> {
    fn clone(&self) -> Self {
        Group {
            inner: self.inner.clone(),
        }
    }
}

impl<E> fmt::Debug for Group<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Group").field("wg", &self.inner.wg).finish()
    }
}

impl<E: Send + 'static> Default for Group<E> {
    fn default() -> Self {
        Group::new()
    }
}

/// The first error of a [`Group`] made by [`Group::with_context`], as the
/// cause of its context's cancellation: it carries the error's message.
#[derive(Debug, Clone)]
pub struct GroupError(String);

impl fmt::Display for GroupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GroupError {}

impl<E: Send + 'static> Group<E> {
    /// A group with no limit and no context (Go's zero `errgroup.Group`).
    pub fn new() -> Self {
        Group::make(None)
    }

    fn make(cancel: Option<Cancel<E>>) -> Self {
        Group {
            inner: Arc::new(Inner {
                wg: WaitGroup::new(),
                err: Mutex::new((None, false)),
                sem: Mutex::new(None),
                cancel,
            }),
        }
    }

    /// A group and a context derived from `parent` that is cancelled the
    /// first time a function passed to [`go`](Group::go) returns an error, or
    /// when [`wait`](Group::wait) returns, whichever comes first (Go's
    /// `errgroup.WithContext`). The context's [`cause`](Context::cause) is a
    /// [`GroupError`] with the error's message.
    pub fn with_context(parent: &Context) -> (Group<E>, Context)
    where
        E: fmt::Display,
    {
        let (ctx, cancel) = context::with_cancel_cause(parent);
        let c: CancelCauseFunc = cancel;
        let f: Cancel<E> = Box::new(move |e: Option<&E>| {
            c.cancel(e.map(|e| Arc::new(GroupError(e.to_string())) as context::Cause));
        });
        (Group::make(Some(f)), ctx)
    }

    fn sem(&self) -> Option<Chan<()>> {
        self.inner.sem.lock().clone()
    }

    /// Starts `f` in a new goroutine. With a limit set, first waits until
    /// fewer than the limit are active. The first error returned is what
    /// [`wait`](Group::wait) returns (and cancels the group's context).
    #[track_caller]
    pub fn go<F>(&self, f: F)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        let sem = self.sem();
        if let Some(s) = &sem {
            s.send(());
        }
        self.start(sem, f);
    }

    /// Starts `f` in a new goroutine only if that keeps the active count
    /// within the limit; returns whether it started (Go's `TryGo`).
    #[track_caller]
    pub fn try_go<F>(&self, f: F) -> bool
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        let sem = self.sem();
        if let Some(s) = &sem {
            if s.try_send(()).is_err() {
                return false;
            }
        }
        self.start(sem, f);
        true
    }

    #[track_caller]
    fn start<F>(&self, sem: Option<Chan<()>>, f: F)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        self.inner.wg.add(1);
        let inner = self.inner.clone();
        drop(crate::spawn(move || {
            /// Go's `defer g.done()`: runs when `f` returns or panics.
            struct Done<E> {
                inner: Arc<Inner<E>>,
                sem: Option<Chan<()>>,
            }
            impl<E> Drop for Done<E> {
                fn drop(&mut self) {
                    if let Some(s) = &self.sem {
                        let _ = s.try_recv();
                    }
                    self.inner.wg.done();
                }
            }
            let d = Done { inner, sem };
            if let Err(e) = f() {
                let mut first = d.inner.err.lock();
                if !first.1 {
                    first.1 = true;
                    if let Some(c) = &d.inner.cancel {
                        c(Some(&e));
                    }
                    first.0 = Some(e);
                }
            }
        }));
    }

    /// Waits for every goroutine of the group, then returns the first error
    /// (Go's `Wait`); it cancels the group's context, if any. As in Go, only
    /// the first error is ever kept; unlike Go (whose `Wait` returns it every
    /// time), it is moved out, so later `wait`s return `Ok`.
    pub fn wait(&self) -> Result<(), E> {
        self.inner.wg.wait();
        let e = self.inner.err.lock().0.take();
        if let Some(c) = &self.inner.cancel {
            c(e.as_ref());
        }
        e.map_or(Ok(()), Err)
    }

    /// Limits the group to `n` active goroutines (`None`: no limit), Go's
    /// `SetLimit`. [`go`](Group::go) then waits for room; `Some(0)` lets
    /// nothing start.
    ///
    /// # Panics
    /// "errgroup: modify limit while N goroutines in the group are still
    /// active" if a limit is set and goroutines are active.
    pub fn set_limit(&self, n: Option<usize>) {
        let mut sem = self.inner.sem.lock();
        if let Some(s) = &*sem {
            if !s.is_empty() {
                let active = s.len();
                drop(sem);
                panic!("errgroup: modify limit while {active} goroutines in the group are still active");
            }
        }
        *sem = n.map(|n| {
            if n == 0 {
                // A capacity-0 channel would rendezvous; Go's limit 0 means
                // no goroutine may start: a nil channel never accepts.
                Chan::nil()
            } else {
                Chan::new(n)
            }
        });
    }
}
