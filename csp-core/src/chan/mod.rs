//! Channels: [`Chan<T>`], Go's `chan T`.

pub(crate) mod direction;
pub(crate) mod dynselect;
pub(crate) mod errors;
pub(crate) mod future;
pub(crate) mod giveback;
pub(crate) mod hchan;
pub(crate) mod ops;
pub(crate) mod select;
pub(crate) mod sink;
pub(crate) mod slot;
pub(crate) mod waitq;

use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use std::time::{Duration, Instant};

use errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use hchan::Hchan;
use ops::{Block, RecvResult, SendResult};

use crate::runtime::park::{self, WaitReason};
use crate::runtime::wait;

/// A channel: Go's `chan T`, with Go's semantics.
///
/// `Chan::new(0)` is unbuffered: a send completes only when a receiver takes the
/// value, which moves straight from the sender to the receiver. `Chan::new(n)`
/// buffers up to `n` values. A clone is another handle to the same channel (like
/// copying a Go channel value); the channel lives until its last handle is dropped,
/// and then drops the values still in its buffer. Any number of threads and
/// goroutines may send and receive on it at once, and [`close`](Chan::close) tells
/// every receiver that no more values will come.
///
/// ```
/// use csp_core::Chan;
/// use std::thread;
///
/// let ch = Chan::new(0);
/// let tx = ch.clone();
/// let producer = thread::spawn(move || {
///     for i in 1..=3 {
///         tx.send(i); // blocks until the receiver takes it
///     }
///     tx.close();
/// });
/// let got: Vec<i32> = ch.iter().collect(); // `for v := range ch`
/// assert_eq!(got, [1, 2, 3]);
/// producer.join().unwrap();
/// ```
pub struct Chan<T> {
    /// None for a nil channel.
    ptr: Option<NonNull<Hchan<T>>>,
    _owns: PhantomData<T>,
}

// SAFETY: the channel moves `T` values between threads (so `T: Send`) and all its
// shared state is behind its lock or atomics.
unsafe impl<T: Send> Send for Chan<T> {}
// SAFETY: every method takes `&self` and synchronises internally; values are
// moved, never shared, so `T: Send` suffices.
unsafe impl<T: Send> Sync for Chan<T> {}

// A panic never leaves a channel locked or half-updated (every panic is raised
// after the locks are released), so a channel stays usable across `catch_unwind`.
impl<T> std::panic::UnwindSafe for Chan<T> {}
impl<T> std::panic::RefUnwindSafe for Chan<T> {}

impl<T> Chan<T> {
    /// `make(chan T, cap)`: a channel with a buffer of `cap` values (0 = unbuffered).
    ///
    /// # Panics
    /// "makechan: size out of range" if the buffer would not fit in memory's
    /// address range.
    pub fn new(cap: usize) -> Self {
        Chan {
            ptr: Some(Hchan::makechan(cap)),
            _owns: PhantomData,
        }
    }

    /// A nil channel (Go's zero value for `chan T`): sends and receives block
    /// forever, the `try_` forms fail at once, its select cases never fire, and
    /// `close` panics.
    pub const fn nil() -> Self {
        Chan {
            ptr: None,
            _owns: PhantomData,
        }
    }

    #[inline]
    pub(crate) fn hchan(&self) -> Option<&Hchan<T>> {
        // SAFETY: our handle keeps the channel alive.
        self.ptr.map(|p| unsafe { &*p.as_ptr() })
    }

    /// The channel's identity; 0 for nil.
    pub(crate) fn id(&self) -> usize {
        self.ptr.map_or(0, |p| p.as_ptr() as usize)
    }

    /// `c <- v`: sends `v`, blocking until a receiver takes it (unbuffered) or
    /// there is room in the buffer.
    ///
    /// # Panics
    /// "send on closed channel" if the channel is closed, or is closed while the
    /// send waits.
    ///
    /// ```
    /// let ch = csp_core::Chan::new(1);
    /// ch.send("hi"); // room in the buffer: does not block
    /// assert_eq!(ch.recv(), Some("hi"));
    /// ```
    pub fn send(&self, v: T) {
        match self.send_wait(v, Block::Forever) {
            Ok(()) => {}
            Err((_, SendResult::Closed)) => panic!("send on closed channel"),
            Err(_) => unreachable!("a blocking send only fails on close"),
        }
    }

    /// `v, ok := <-c`: receives a value, blocking until one is available.
    /// `None` means the channel is closed and its buffer drained.
    ///
    /// ```
    /// let ch = csp_core::Chan::new(2);
    /// ch.send(1);
    /// ch.close();
    /// assert_eq!(ch.recv(), Some(1)); // buffered values survive close
    /// assert_eq!(ch.recv(), None);    // then: closed
    /// ```
    pub fn recv(&self) -> Option<T> {
        self.recv_wait(Block::Forever).ok()
    }

    /// Sends only if it can be done now (Go's `select` with one send case and a
    /// `default`); otherwise gives the value back.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        match self.send_wait(v, Block::Never) {
            Ok(()) => Ok(()),
            Err((v, SendResult::Closed)) => Err(TrySendError::Closed(v)),
            Err((v, _)) => Err(TrySendError::Full(v)),
        }
    }

    /// Receives only if a value (or the close) is there now.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.recv_wait(Block::Never).map_err(|r| match r {
            RecvResult::Closed => TryRecvError::Closed,
            _ => TryRecvError::Empty,
        })
    }

    /// Sends, waiting at most `d`; gives the value back on failure.
    pub fn send_timeout(&self, v: T, d: Duration) -> Result<(), SendTimeoutError<T>> {
        let wait = deadline(d);
        match self.send_wait(v, wait) {
            Ok(()) => Ok(()),
            Err((v, SendResult::Closed)) => Err(SendTimeoutError::Closed(v)),
            Err((v, _)) => Err(SendTimeoutError::Timeout(v)),
        }
    }

    /// Receives, waiting at most `d`.
    pub fn recv_timeout(&self, d: Duration) -> Result<T, RecvTimeoutError> {
        self.recv_wait(deadline(d)).map_err(|r| match r {
            RecvResult::Closed => RecvTimeoutError::Closed,
            _ => RecvTimeoutError::Timeout,
        })
    }

    fn send_wait(&self, v: T, block: Block) -> Result<(), (T, SendResult)> {
        let Some(c) = self.hchan() else {
            return match block {
                Block::Never => Err((v, SendResult::Full)),
                Block::Forever => park::park_forever(WaitReason::ChanSendNilChan),
                Block::Until(d) => {
                    wait::sleep_until(d, WaitReason::ChanSendNilChan);
                    Err((v, SendResult::TimedOut))
                }
            };
        };
        let mut slot = MaybeUninit::new(v);
        // SAFETY: the slot holds an initialised value; the channel moves it out
        // only when it reports `Sent`.
        match unsafe { c.chansend(slot.as_mut_ptr(), block) } {
            SendResult::Sent => Ok(()),
            // SAFETY: not sent, so the slot still owns the value.
            r => Err((unsafe { slot.assume_init_read() }, r)),
        }
    }

    fn recv_wait(&self, block: Block) -> Result<T, RecvResult> {
        let Some(c) = self.hchan() else {
            return match block {
                Block::Never => Err(RecvResult::Empty),
                Block::Forever => park::park_forever(WaitReason::ChanReceiveNilChan),
                Block::Until(d) => {
                    wait::sleep_until(d, WaitReason::ChanReceiveNilChan);
                    Err(RecvResult::TimedOut)
                }
            };
        };
        let mut slot = MaybeUninit::<T>::uninit();
        // SAFETY: the slot is valid for a write of T.
        match unsafe { c.chanrecv(slot.as_mut_ptr(), block) } {
            // SAFETY: `Received` means a value was written into the slot.
            RecvResult::Received => Ok(unsafe { slot.assume_init() }),
            r => Err(r),
        }
    }

    /// `close(c)`: no more values will be sent. Parked receivers get `None`,
    /// parked senders panic; values already buffered can still be received.
    ///
    /// # Panics
    /// "close of closed channel", or "close of nil channel".
    ///
    /// ```
    /// let ch: csp_core::Chan<i32> = csp_core::Chan::new(0);
    /// ch.close();
    /// assert_eq!(ch.recv(), None);
    /// assert!(ch.is_closed());
    /// ```
    pub fn close(&self) {
        let Some(c) = self.hchan() else {
            panic!("close of nil channel");
        };
        if !c.closechan() {
            panic!("close of closed channel");
        }
    }

    /// `len(c)`: values in the buffer now (0 for nil and unbuffered channels).
    pub fn len(&self) -> usize {
        self.hchan().map_or(0, Hchan::len)
    }

    /// `cap(c)`: the buffer's capacity (0 for nil and unbuffered channels).
    pub fn cap(&self) -> usize {
        self.hchan().map_or(0, Hchan::cap)
    }

    /// Whether the buffer is empty now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the channel has been closed (false for nil).
    pub fn is_closed(&self) -> bool {
        self.hchan().is_some_and(Hchan::is_closed)
    }

    /// Whether this is a nil channel.
    pub fn is_nil(&self) -> bool {
        self.ptr.is_none()
    }

    /// Go's `defer close(c)`: a guard that closes the channel when it is
    /// dropped, at the end of the scope or while a panic unwinds through it.
    ///
    /// The guard holds its own handle, so it may outlive `self`. Dropped
    /// normally, it panics as `close` does ("close of closed channel", "close
    /// of nil channel"); dropped during unwinding it never panics (a second
    /// panic would abort), so a channel already closed is left alone.
    ///
    /// ```
    /// use csp_core::{go, Chan};
    ///
    /// let out = Chan::new(0);
    /// let tx = out.clone();
    /// go! {
    ///     let _closer = tx.close_on_drop();
    ///     for i in 0..3 {
    ///         if i == 2 {
    ///             return; // an early return still closes `out`
    ///         }
    ///         tx.send(i);
    ///     }
    /// };
    /// assert_eq!(out.iter().collect::<Vec<_>>(), [0, 1]);
    /// ```
    pub fn close_on_drop(&self) -> CloseOnDrop<T> {
        CloseOnDrop { ch: self.clone() }
    }

    /// Makes this the channel of timer `t` (Go 1.23's `hchan.timer`): a
    /// receive or select on it runs `t` first if it is due.
    pub(crate) fn set_timer(&self, t: &std::sync::Arc<crate::runtime::timer::FuncTimer>) {
        if let Some(c) = self.hchan() {
            c.set_timer(t);
        }
    }

    /// How many handles to this channel exist (0 for nil).
    pub(crate) fn handle_count(&self) -> usize {
        self.hchan().map_or(0, Hchan::handles)
    }

    /// `for v := range c`: an iterator that receives until the channel is closed
    /// and drained.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { ch: self }
    }
}

/// A deadline `d` from now (saturating: a huge `d` waits forever).
fn deadline(d: Duration) -> Block {
    match Instant::now().checked_add(d) {
        Some(t) => Block::Until(t),
        None => Block::Forever,
    }
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        if let Some(c) = self.hchan() {
            c.acquire();
        }
        Chan {
            ptr: self.ptr,
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for Chan<T> {
    fn drop(&mut self) {
        if let Some(p) = self.ptr {
            // SAFETY: we give up our handle.
            unsafe { Hchan::release(p) };
        }
    }
}

impl<T> Default for Chan<T> {
    /// The nil channel, as Go's zero value.
    fn default() -> Self {
        Chan::nil()
    }
}

impl<T> PartialEq for Chan<T> {
    /// Same channel (Go's `==` on channels); nil equals nil.
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

impl<T> Eq for Chan<T> {}

impl<T> std::hash::Hash for Chan<T> {
    /// The channel's identity, consistent with `==`: handles to the same
    /// channel hash alike, so `HashMap<Chan<T>, V>` ports Go's `map[chan T]V`.
    ///
    /// ```
    /// use std::collections::HashSet;
    /// let a: csp_core::Chan<i32> = csp_core::Chan::new(0);
    /// let set: HashSet<_> = [a.clone(), a.clone(), csp_core::Chan::new(0)].into_iter().collect();
    /// assert_eq!(set.len(), 2);
    /// assert!(set.contains(&a));
    /// ```
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

/// Closes its channel when dropped: Go's `defer close(c)`. Made by
/// [`Chan::close_on_drop`].
#[must_use = "the channel is closed when the guard is dropped; bind it: `let _closer = ..`"]
pub struct CloseOnDrop<T> {
    ch: Chan<T>,
}

impl<T> Drop for CloseOnDrop<T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(c) = self.ch.hchan() {
                let _ = c.closechan();
            }
            return;
        }
        self.ch.close();
    }
}

impl<T> fmt::Debug for CloseOnDrop<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CloseOnDrop").field(&self.ch).finish()
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.hchan() {
            None => f.write_str("Chan(nil)"),
            Some(c) => f
                .debug_struct("Chan")
                .field("addr", &(c.addr() as *const ()))
                .field("len", &c.len())
                .field("cap", &c.cap())
                .field("closed", &c.is_closed())
                .finish(),
        }
    }
}

/// Receives until the channel is closed and drained: `for v := range c`.
pub struct Iter<'a, T> {
    ch: &'a Chan<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.ch.recv()
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iter").field(self.ch).finish()
    }
}

impl<'a, T> IntoIterator for &'a Chan<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
