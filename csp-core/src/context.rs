//! Go's `context`: cancellation, deadlines and request-scoped values that
//! flow down a tree of [`Context`]s.
//!
//! A context is a cheap handle (`Clone` is one atomic increment) that is
//! `Send + Sync`. [`done`](Context::done) is a channel closed when the
//! context is cancelled, so it is a `select!` case; [`err`](Context::err)
//! then says why ([`Canceled`] or [`DeadlineExceeded`]) and
//! [`cause`](Context::cause) gives the cause passed to a
//! [`CancelCauseFunc`]. Cancelling a context cancels every context derived
//! from it. A context costs no goroutine: a deadline is a runtime function
//! timer, and cancellation walks the tree directly.
//!
//! ```
//! use std::time::Duration;
//! use csp_core::{context, go, select, Chan};
//!
//! let (ctx, cancel) = context::with_timeout(&context::background(), Duration::from_secs(60));
//! let results: Chan<i32> = Chan::new(0);
//! let (c, r) = (ctx.clone(), results.clone());
//! let worker = go! {
//!     select! {
//!         case <-c.done() => c.err(),
//!         case v = <-r => { let _ = v; None },
//!     }
//! };
//! cancel.cancel();
//! assert_eq!(worker.join().unwrap(), Some(context::Canceled));
//! assert_eq!(ctx.err().unwrap().to_string(), "context canceled");
//! ```

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::runtime::timer::{self, FuncTimer};
use crate::Chan;

/// Why a context was cancelled: what [`Context::err`] returns (Go's
/// `context.Canceled` and `context.DeadlineExceeded`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// Cancelled by a cancel function: "context canceled".
    Canceled,
    /// Its deadline passed: "context deadline exceeded".
    DeadlineExceeded,
}

pub use Error::{Canceled, DeadlineExceeded};

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Canceled => "context canceled",
            DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for Error {}

/// A cancellation cause (Go's `error` passed to `CancelCauseFunc`).
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// A context: carries a deadline, a cancellation signal and values across
/// API boundaries and between goroutines (Go's `context.Context`).
///
/// Made by [`background`] and the `with_*` functions of this module.
#[derive(Clone)]
pub struct Context {
    n: Arc<Node>,
}

struct Node {
    parent: Option<Context>,
    kind: Kind,
}

enum Kind {
    Background,
    Cancel(CancelCtx),
    Value {
        key: Box<dyn Any + Send + Sync>,
        val: Box<dyn Any + Send + Sync>,
    },
    WithoutCancel,
}

/// Go's `cancelCtx` (and `timerCtx` when `deadline` is set).
struct CancelCtx {
    done: Chan<()>,
    deadline: Option<Instant>,
    st: Mutex<CancelState>,
}

#[derive(Default)]
struct CancelState {
    err: Option<Error>,
    cause: Option<Cause>,
    children: HashMap<u64, Child>,
    next_id: u64,
    /// Where this context is registered in its parent, to leave on cancel.
    reg: Option<(Weak<Node>, u64)>,
    timer: Option<Arc<FuncTimer>>,
}

enum Child {
    Ctx(Weak<Node>),
    Func(Arc<AfterFn>),
}

/// A function registered by [`after_func`]: run at most once, unless stopped.
struct AfterFn {
    claimed: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl AfterFn {
    /// Takes the function, if nobody has (run or stop).
    fn claim(&self) -> Option<Box<dyn FnOnce() + Send>> {
        self.claimed.lock().take()
    }
}

/// Cancels its context (Go's `context.CancelFunc`). Cloning gives another
/// handle; cancelling twice does nothing. Dropping it does not cancel (as in
/// Go, call [`cancel`](CancelFunc::cancel) when the work is done, so that the
/// context's resources are released).
#[derive(Clone)]
pub struct CancelFunc {
    n: Arc<Node>,
}

impl CancelFunc {
    /// Cancels the context and its descendants with [`Canceled`].
    pub fn cancel(&self) {
        cancel(&self.n, true, Canceled, None);
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelFunc")
    }
}

/// Cancels its context with a cause (Go's `context.CancelCauseFunc`).
#[derive(Clone)]
pub struct CancelCauseFunc {
    n: Arc<Node>,
}

impl CancelCauseFunc {
    /// Cancels the context and its descendants with [`Canceled`]; the
    /// context's [`cause`](Context::cause) becomes `cause` (or [`Canceled`]
    /// if `None`). Only the first cancellation counts.
    pub fn cancel(&self, cause: Option<Cause>) {
        cancel(&self.n, true, Canceled, cause);
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelCauseFunc")
    }
}

/// The root context: never cancelled, no values, no deadline (Go's
/// `context.Background()`). Its [`done`](Context::done) is the nil channel.
pub fn background() -> Context {
    static BG: OnceLock<Context> = OnceLock::new();
    BG.get_or_init(|| Context {
        n: Arc::new(Node {
            parent: None,
            kind: Kind::Background,
        }),
    })
    .clone()
}

/// Same as [`background`]; for code that has not decided on a context yet
/// (Go's `context.TODO()`).
pub fn todo() -> Context {
    background()
}

fn new_cancel(parent: &Context, deadline: Option<Instant>) -> Arc<Node> {
    let n = Arc::new(Node {
        parent: Some(parent.clone()),
        kind: Kind::Cancel(CancelCtx {
            done: Chan::new(0),
            deadline,
            st: Mutex::new(CancelState::default()),
        }),
    });
    propagate(parent, &n);
    n
}

/// The nearest ancestor-or-self that can be cancelled, through value
/// contexts only (Go's `parentCancelCtx`).
fn cancel_node(c: &Context) -> Option<&Arc<Node>> {
    let mut c = c;
    loop {
        match &c.n.kind {
            Kind::Cancel(_) => return Some(&c.n),
            Kind::Value { .. } => c = c.n.parent.as_ref().expect("value context has a parent"),
            Kind::Background | Kind::WithoutCancel => return None,
        }
    }
}

fn cc(n: &Node) -> &CancelCtx {
    match &n.kind {
        Kind::Cancel(c) => c,
        _ => unreachable!("not a cancel context"),
    }
}

/// Go's `propagateCancel`: registers `child` with its nearest cancellable
/// ancestor, or cancels it now if that ancestor is already cancelled.
fn propagate(parent: &Context, child: &Arc<Node>) {
    let Some(p) = cancel_node(parent) else {
        return; // never cancelled
    };
    let mut st = cc(p).st.lock();
    if let Some(err) = st.err {
        let cause = st.cause.clone();
        drop(st);
        cancel(child, false, err, cause);
        return;
    }
    let id = st.next_id;
    st.next_id += 1;
    st.children.insert(id, Child::Ctx(Arc::downgrade(child)));
    // Parent lock, then child lock: the only nesting of context locks.
    cc(child).st.lock().reg = Some((Arc::downgrade(p), id));
}

/// Go's `cancelCtx.cancel`.
fn cancel(n: &Arc<Node>, remove_from_parent: bool, err: Error, cause: Option<Cause>) {
    let c = cc(n);
    let mut st = c.st.lock();
    if st.err.is_some() {
        return; // already cancelled
    }
    let cause = cause.unwrap_or_else(|| Arc::new(err));
    st.err = Some(err);
    st.cause = Some(cause.clone());
    let children = std::mem::take(&mut st.children);
    let timer = st.timer.take();
    let reg = if remove_from_parent {
        st.reg.take()
    } else {
        None
    };
    drop(st);
    // `err` is set before `done` closes: whoever sees `done` closed sees it.
    c.done.close();
    if let Some(t) = timer {
        t.stop();
    }
    for (_, ch) in children {
        match ch {
            Child::Ctx(w) => {
                if let Some(child) = w.upgrade() {
                    cancel(&child, false, err, Some(cause.clone()));
                }
            }
            Child::Func(a) => {
                if let Some(f) = a.claim() {
                    drop(crate::spawn(f));
                }
            }
        }
    }
    if let Some((p, id)) = reg {
        remove_child(&p, id);
    }
}

fn remove_child(p: &Weak<Node>, id: u64) {
    if let Some(p) = p.upgrade() {
        cc(&p).st.lock().children.remove(&id);
    }
}

impl Drop for CancelCtx {
    fn drop(&mut self) {
        // Nobody can observe this context any more: leave the parent's
        // registry and free the timer.
        let st = self.st.get_mut();
        if let Some(t) = st.timer.take() {
            t.stop();
        }
        if let Some((p, id)) = st.reg.take() {
            remove_child(&p, id);
        }
    }
}

/// A context that is cancelled when `cancel` is called or when `parent` is
/// (Go's `context.WithCancel`).
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let n = new_cancel(parent, None);
    (Context { n: n.clone() }, CancelFunc { n })
}

/// Like [`with_cancel`], with a cancel function that records a cause (Go's
/// `context.WithCancelCause`).
///
/// ```
/// use std::sync::Arc;
/// use csp_core::context;
///
/// let (ctx, cancel) = context::with_cancel_cause(&context::background());
/// cancel.cancel(Some(Arc::new(std::io::Error::other("shutting down"))));
/// assert_eq!(ctx.err(), Some(context::Canceled));
/// assert_eq!(ctx.cause().unwrap().to_string(), "shutting down");
/// ```
pub fn with_cancel_cause(parent: &Context) -> (Context, CancelCauseFunc) {
    let n = new_cancel(parent, None);
    (Context { n: n.clone() }, CancelCauseFunc { n })
}

/// A context that is cancelled with [`DeadlineExceeded`] at `deadline`, or
/// earlier by `cancel` or its parent (Go's `context.WithDeadline`). If the
/// parent's deadline is earlier, this is [`with_cancel`].
pub fn with_deadline(parent: &Context, deadline: Instant) -> (Context, CancelFunc) {
    with_deadline_cause(parent, deadline, None)
}

/// Like [`with_deadline`]; when the deadline passes, the context's cause is
/// `cause` (Go's `context.WithDeadlineCause`).
pub fn with_deadline_cause(
    parent: &Context,
    deadline: Instant,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|d| d < deadline) {
        // The current deadline is already sooner than the new one.
        return with_cancel(parent);
    }
    let n = new_cancel(parent, Some(deadline));
    if deadline <= Instant::now() {
        cancel(&n, true, DeadlineExceeded, cause);
        return (Context { n: n.clone() }, CancelFunc { n });
    }
    let mut st = cc(&n).st.lock();
    if st.err.is_none() {
        let w = Arc::downgrade(&n);
        st.timer = Some(timer::start(deadline, None, move |_| {
            if let Some(n) = w.upgrade() {
                cancel(&n, true, DeadlineExceeded, cause.clone());
            }
        }));
    }
    drop(st);
    (Context { n: n.clone() }, CancelFunc { n })
}

/// [`with_deadline`] at `now + timeout` (Go's `context.WithTimeout`).
///
/// ```
/// use std::time::Duration;
/// use csp_core::context;
///
/// let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::from_millis(1));
/// ctx.done().recv(); // closed when the deadline passes
/// assert_eq!(ctx.err(), Some(context::DeadlineExceeded));
/// ```
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    match Instant::now().checked_add(timeout) {
        Some(d) => with_deadline(parent, d),
        None => with_cancel(parent),
    }
}

/// [`with_deadline_cause`] at `now + timeout` (Go's `context.WithTimeoutCause`).
pub fn with_timeout_cause(
    parent: &Context,
    timeout: Duration,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    match Instant::now().checked_add(timeout) {
        Some(d) => with_deadline_cause(parent, d, cause),
        None => with_cancel(parent),
    }
}

/// A context carrying `val` for `key`, otherwise like `parent` (Go's
/// `context.WithValue`). Look it up with [`Context::value`]; keys match when
/// they have the same type and are equal, so a private key type keeps
/// packages from colliding.
///
/// ```
/// use csp_core::context;
///
/// #[derive(PartialEq)]
/// struct UserKey;
/// let ctx = context::with_value(&context::background(), UserKey, "gopher".to_string());
/// assert_eq!(ctx.value::<_, String>(&UserKey).map(String::as_str), Some("gopher"));
/// ```
pub fn with_value<K, V>(parent: &Context, key: K, val: V) -> Context
where
    K: Any + PartialEq + Send + Sync,
    V: Any + Send + Sync,
{
    Context {
        n: Arc::new(Node {
            parent: Some(parent.clone()),
            kind: Kind::Value {
                key: Box::new(key),
                val: Box::new(val),
            },
        }),
    }
}

/// A context with `parent`'s values that is never cancelled and has no
/// deadline, even when `parent` is (Go's `context.WithoutCancel`).
pub fn without_cancel(parent: &Context) -> Context {
    Context {
        n: Arc::new(Node {
            parent: Some(parent.clone()),
            kind: Kind::WithoutCancel,
        }),
    }
}

/// Stops an [`after_func`] registration (Go's `stop func() bool`).
#[derive(Clone)]
pub struct AfterFuncStop {
    f: Arc<AfterFn>,
    reg: Option<(Weak<Node>, u64)>,
}

impl AfterFuncStop {
    /// Stops `f` from being run. Returns true if this call stopped it, false
    /// if it has already been started or stopped.
    pub fn stop(&self) -> bool {
        if self.f.claim().is_none() {
            return false;
        }
        if let Some((p, id)) = &self.reg {
            remove_child(p, *id);
        }
        true
    }
}

impl fmt::Debug for AfterFuncStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AfterFuncStop")
    }
}

/// Arranges for `f` to run in its own goroutine once `ctx` is cancelled
/// (at once if it already is), Go's `context.AfterFunc`.
///
/// ```
/// use csp_core::{context, Chan};
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// let ran = Chan::new(1);
/// let r = ran.clone();
/// let _stop = context::after_func(&ctx, move || r.send(()));
/// cancel.cancel();
/// assert_eq!(ran.recv(), Some(()));
/// ```
pub fn after_func<F>(ctx: &Context, f: F) -> AfterFuncStop
where
    F: FnOnce() + Send + 'static,
{
    let a = Arc::new(AfterFn {
        claimed: Mutex::new(Some(Box::new(f))),
    });
    let mut stop = AfterFuncStop {
        f: a.clone(),
        reg: None,
    };
    let Some(p) = cancel_node(ctx) else {
        return stop; // never cancelled: f never runs
    };
    let mut st = cc(p).st.lock();
    if st.err.is_some() {
        drop(st);
        if let Some(f) = a.claim() {
            drop(crate::spawn(f));
        }
        return stop;
    }
    let id = st.next_id;
    st.next_id += 1;
    st.children.insert(id, Child::Func(a));
    stop.reg = Some((Arc::downgrade(p), id));
    stop
}

impl Context {
    /// A channel that is closed when the context is cancelled (Go's
    /// `Done()`); the nil channel for a context that can never be, so that
    /// its `select!` case never fires.
    pub fn done(&self) -> Chan<()> {
        match cancel_node(self) {
            Some(n) => cc(n).done.clone(),
            None => Chan::nil(),
        }
    }

    /// `None` while the context is not cancelled; afterwards why (Go's
    /// `Err()`).
    pub fn err(&self) -> Option<Error> {
        cancel_node(self).and_then(|n| cc(n).st.lock().err)
    }

    /// The cause of the cancellation (Go's `context.Cause(ctx)`): the cause
    /// given to a [`CancelCauseFunc`] or `*_cause` deadline, else the same
    /// error as [`err`](Context::err); `None` while not cancelled.
    pub fn cause(&self) -> Option<Cause> {
        cancel_node(self).and_then(|n| cc(n).st.lock().cause.clone())
    }

    /// When the context will be cancelled by a deadline, if it has one (Go's
    /// `Deadline()`).
    pub fn deadline(&self) -> Option<Instant> {
        let mut c = self;
        loop {
            match &c.n.kind {
                Kind::Cancel(cc) if cc.deadline.is_some() => return cc.deadline,
                Kind::Cancel(_) | Kind::Value { .. } => {
                    c = c.n.parent.as_ref().expect("derived context has a parent")
                }
                Kind::Background | Kind::WithoutCancel => return None,
            }
        }
    }

    /// The value stored for `key` by the nearest [`with_value`] (Go's
    /// `Value(key)` followed by a type assertion to `V`): `None` if no
    /// context on the way up has the key, or its value is not a `V`.
    pub fn value<K, V>(&self, key: &K) -> Option<&V>
    where
        K: Any + PartialEq,
        V: Any,
    {
        let mut c = self;
        loop {
            if let Kind::Value { key: k, val } = &c.n.kind {
                if k.downcast_ref::<K>() == Some(key) {
                    return val.downcast_ref::<V>();
                }
            }
            c = c.n.parent.as_ref()?;
        }
    }
}

impl Default for Context {
    /// [`background`].
    fn default() -> Self {
        background()
    }
}

impl fmt::Debug for Context {
    /// Go's `String()`: the chain of constructors, e.g.
    /// `context.Background.WithCancel.WithValue`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.n.parent {
            fmt::Debug::fmt(p, f)?;
        }
        f.write_str(match &self.n.kind {
            Kind::Background => "context.Background",
            Kind::Cancel(c) if c.deadline.is_some() => ".WithDeadline",
            Kind::Cancel(_) => ".WithCancel",
            Kind::Value { .. } => ".WithValue",
            Kind::WithoutCancel => ".WithoutCancel",
        })
    }
}
