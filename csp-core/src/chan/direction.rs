//! Directional channel handles: Go's `chan<- T` ([`Sender`]) and `<-chan T`
//! ([`Receiver`]).
//!
//! A directional handle is a [`Chan`] handle that the type system lets only
//! send, or only receive, for APIs that want to say which way values flow. It
//! is another handle to the same channel (as a Go conversion from `chan T` to
//! `chan<- T` is), compares equal to the channel's other handles, and keeps
//! the channel alive like any handle.

use std::fmt;
use std::time::Duration;

use super::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
use super::{Chan, Iter};

mod sealed {
    /// Only this crate's handle types implement the direction traits.
    pub trait Sealed {}

    /// Proof of being inside this crate: nobody else can make one, so nobody
    /// else can call [`CanRecv::chan`](super::CanRecv::chan) and turn a
    /// directional handle back into a two-way one.
    #[derive(Debug, Clone, Copy)]
    pub struct Token;
}

pub(crate) use sealed::Token;

/// A handle that can receive: [`Chan`] and [`Receiver`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a channel to receive from",
    label = "not a `Chan<T>` or `Receiver<T>`",
    note = "`<-ch` and `case v = <-ch` receive from a `Chan<T>` or a `Receiver<T>` (a send-only `Sender<T>` cannot receive)"
)]
///
/// Accepted wherever a receive case is registered: the `select!` macro's
/// `case v = <-rx`, `<-rx` in `go!` and `csp!`, and [`Select::recv`](crate::Select::recv).
pub trait CanRecv<T>: sealed::Sealed {
    /// The channel behind the handle (callable only inside this crate).
    #[doc(hidden)]
    fn chan(&self, _: Token) -> &Chan<T>;
}

/// A handle that can send: [`Chan`] and [`Sender`]. Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a channel to send on",
    label = "not a `Chan<T>` or `Sender<T>`",
    note = "`ch <- v` sends on a `Chan<T>` or a `Sender<T>` (a receive-only `Receiver<T>` cannot send)"
)]
///
/// Accepted by `tx <- v` in `go!` and `csp!`, single-case `select!` sends and
/// [`Select::send`](crate::Select::send).
pub trait CanSend<T>: sealed::Sealed {
    /// The channel behind the handle (callable only inside this crate).
    #[doc(hidden)]
    fn chan(&self, _: Token) -> &Chan<T>;
}

/// The element type of a handle that can send: how the `select!` macro types
/// a send case's value from its channel, so that a value of the wrong type is
/// the error, at the value. Sealed; not part of the API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a channel to send on",
    label = "not a `Chan<T>` or `Sender<T>`",
    note = "`case ch <- v` sends on a `Chan<T>` or a `Sender<T>` (a receive-only `Receiver<T>` cannot send)"
)]
pub trait SendElem: sealed::Sealed {
    /// What the handle sends.
    type Elem;
}

impl<T> SendElem for Chan<T> {
    type Elem = T;
}

impl<T> SendElem for Sender<T> {
    type Elem = T;
}

impl<T> sealed::Sealed for Chan<T> {}
impl<T> sealed::Sealed for Sender<T> {}
impl<T> sealed::Sealed for Receiver<T> {}

// References and smart pointers to a handle are handles too (`&&Chan<T>`, as
// the macros pass, or `Arc<Chan<T>>`), as deref coercion made them when these
// sites took a `&Chan<T>`. Listed one by one rather than for every `Deref`,
// so that a non-channel is reported as "not a channel", not as "not Deref".
macro_rules! pointers {
    ($($p:ty),*) => {$(
        impl<C: sealed::Sealed + ?Sized> sealed::Sealed for $p {}
        impl<T, C: CanRecv<T> + ?Sized> CanRecv<T> for $p {
            fn chan(&self, t: Token) -> &Chan<T> {
                (**self).chan(t)
            }
        }
        impl<T, C: CanSend<T> + ?Sized> CanSend<T> for $p {
            fn chan(&self, t: Token) -> &Chan<T> {
                (**self).chan(t)
            }
        }
        impl<C: SendElem + ?Sized> SendElem for $p {
            type Elem = C::Elem;
        }
    )*};
}
pointers!(&C, &mut C, Box<C>, std::rc::Rc<C>, std::sync::Arc<C>);

impl<T> CanRecv<T> for Chan<T> {
    fn chan(&self, _: Token) -> &Chan<T> {
        self
    }
}

impl<T> CanSend<T> for Chan<T> {
    fn chan(&self, _: Token) -> &Chan<T> {
        self
    }
}

impl<T> CanRecv<T> for Receiver<T> {
    fn chan(&self, _: Token) -> &Chan<T> {
        &self.ch
    }
}

impl<T> CanSend<T> for Sender<T> {
    fn chan(&self, _: Token) -> &Chan<T> {
        &self.ch
    }
}

/// The send-only view of a channel: Go's `chan<- T`.
///
/// Made by [`Chan::sender`] or `Sender::from(ch)`. It sends, and closes (Go
/// allows `close` on a send-only channel, not on a receive-only one: closing
/// is the sender's way of saying "no more values"). A clone is another handle
/// to the same channel; handles compare equal when they are the same channel,
/// whatever their direction.
///
/// ```
/// use csp_core::{Chan, Sender};
///
/// // The producer can only send and close.
/// fn produce(out: Sender<u32>) {
///     for i in 1..=3 {
///         out.send(i);
///     }
///     out.close();
/// }
///
/// let ch = Chan::new(3);
/// produce(ch.sender());
/// assert_eq!(ch.iter().collect::<Vec<_>>(), [1, 2, 3]);
/// ```
///
/// Receiving through a `Sender` does not compile:
///
/// ```compile_fail
/// let tx = csp_core::Chan::<i32>::new(1).sender();
/// tx.recv();
/// ```
pub struct Sender<T> {
    ch: Chan<T>,
}

/// The receive-only view of a channel: Go's `<-chan T`.
///
/// Made by [`Chan::receiver`] or `Receiver::from(ch)`. It receives, one value
/// at a time or as an iterator (`for v in &rx`, Go's `for v := range rx`), and
/// can be a receive case of `select!` and of [`Select`](crate::Select). It
/// cannot send or close. A clone is another handle to the same channel.
///
/// ```
/// use csp_core::{go, Chan, Receiver};
///
/// // Go's `func count(n int) <-chan int`.
/// fn count(n: u32) -> Receiver<u32> {
///     let ch = Chan::new(0);
///     let rx = ch.receiver();
///     go! {
///         for i in 0..n {
///             ch <- i;
///         }
///         ch.close();
///     };
///     rx
/// }
///
/// let mut sum = 0;
/// for v in &count(5) {
///     sum += v;
/// }
/// assert_eq!(sum, 10);
/// ```
///
/// Sending on a `Receiver` does not compile:
///
/// ```compile_fail
/// let rx = csp_core::Chan::<i32>::new(1).receiver();
/// rx.send(1);
/// ```
pub struct Receiver<T> {
    ch: Chan<T>,
}

impl<T> Chan<T> {
    /// A send-only handle to this channel (Go's conversion to `chan<- T`).
    ///
    /// ```
    /// let ch = csp_core::Chan::new(1);
    /// let tx = ch.sender();
    /// tx.send(5);
    /// assert!(tx == ch);
    /// assert_eq!(ch.recv(), Some(5));
    /// ```
    pub fn sender(&self) -> Sender<T> {
        Sender { ch: self.clone() }
    }

    /// A receive-only handle to this channel (Go's conversion to `<-chan T`).
    ///
    /// ```
    /// let ch = csp_core::Chan::new(1);
    /// let rx = ch.receiver();
    /// ch.send(5);
    /// assert!(rx == ch);
    /// assert_eq!(rx.recv(), Some(5));
    /// ```
    pub fn receiver(&self) -> Receiver<T> {
        Receiver { ch: self.clone() }
    }
}

impl<T> Sender<T> {
    /// `c <- v`; see [`Chan::send`].
    ///
    /// # Panics
    /// "send on closed channel", as [`Chan::send`].
    pub fn send(&self, v: T) {
        self.ch.send(v)
    }

    /// Sends only if it can be done now; see [`Chan::try_send`].
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.ch.try_send(v)
    }

    /// Sends, waiting at most `d`; see [`Chan::send_timeout`].
    pub fn send_timeout(&self, v: T, d: Duration) -> Result<(), SendTimeoutError<T>> {
        self.ch.send_timeout(v, d)
    }

    /// `close(c)`: no more values will be sent; see [`Chan::close`].
    ///
    /// # Panics
    /// "close of closed channel", or "close of nil channel".
    pub fn close(&self) {
        self.ch.close()
    }

    /// `len(c)`: values in the buffer now.
    pub fn len(&self) -> usize {
        self.ch.len()
    }

    /// `cap(c)`: the buffer's capacity.
    pub fn cap(&self) -> usize {
        self.ch.cap()
    }

    /// Whether the buffer is empty now.
    pub fn is_empty(&self) -> bool {
        self.ch.is_empty()
    }

    /// Whether the channel has been closed (false for nil).
    pub fn is_closed(&self) -> bool {
        self.ch.is_closed()
    }

    /// Whether this is a nil channel.
    pub fn is_nil(&self) -> bool {
        self.ch.is_nil()
    }
}

impl<T> Receiver<T> {
    /// `v, ok := <-c`; see [`Chan::recv`]. `None`: closed and drained.
    pub fn recv(&self) -> Option<T> {
        self.ch.recv()
    }

    /// Receives only if a value is ready now; see [`Chan::try_recv`].
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        self.ch.try_recv()
    }

    /// Receives, waiting at most `d`; see [`Chan::recv_timeout`].
    pub fn recv_timeout(&self, d: Duration) -> Result<T, RecvTimeoutError> {
        self.ch.recv_timeout(d)
    }

    /// `for v := range c`: receives until the channel is closed and drained.
    pub fn iter(&self) -> Iter<'_, T> {
        self.ch.iter()
    }

    /// `len(c)`: values in the buffer now.
    pub fn len(&self) -> usize {
        self.ch.len()
    }

    /// `cap(c)`: the buffer's capacity.
    pub fn cap(&self) -> usize {
        self.ch.cap()
    }

    /// Whether the buffer is empty now.
    pub fn is_empty(&self) -> bool {
        self.ch.is_empty()
    }

    /// Whether the channel has been closed (false for nil). Values may still
    /// be buffered.
    pub fn is_closed(&self) -> bool {
        self.ch.is_closed()
    }

    /// Whether this is a nil channel.
    pub fn is_nil(&self) -> bool {
        self.ch.is_nil()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> From<Chan<T>> for Sender<T> {
    /// The send-only view of `ch`, without a new handle.
    fn from(ch: Chan<T>) -> Self {
        Sender { ch }
    }
}

impl<T> From<Chan<T>> for Receiver<T> {
    /// The receive-only view of `ch`, without a new handle.
    fn from(ch: Chan<T>) -> Self {
        Receiver { ch }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            ch: self.ch.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            ch: self.ch.clone(),
        }
    }
}

impl<T> Default for Sender<T> {
    /// A nil channel's send-only view.
    fn default() -> Self {
        Sender { ch: Chan::nil() }
    }
}

impl<T> Default for Receiver<T> {
    /// A nil channel's receive-only view.
    fn default() -> Self {
        Receiver { ch: Chan::nil() }
    }
}

/// Equality is identity, as Go's `==` on channels, across directions.
macro_rules! same_channel {
    ($($a:ident == $b:ident),*) => {$(
        impl<T> PartialEq<$b<T>> for $a<T> {
            /// Whether both are handles to the same channel (nil equals nil).
            fn eq(&self, other: &$b<T>) -> bool {
                let a: &Chan<T> = CanSendOrRecv::chan_of(self);
                let b: &Chan<T> = CanSendOrRecv::chan_of(other);
                a == b
            }
        }
    )*};
}

/// The channel behind any handle, for the equality impls.
trait CanSendOrRecv<T> {
    fn chan_of(&self) -> &Chan<T>;
}
impl<T> CanSendOrRecv<T> for Chan<T> {
    fn chan_of(&self) -> &Chan<T> {
        self
    }
}
impl<T> CanSendOrRecv<T> for Sender<T> {
    fn chan_of(&self) -> &Chan<T> {
        &self.ch
    }
}
impl<T> CanSendOrRecv<T> for Receiver<T> {
    fn chan_of(&self) -> &Chan<T> {
        &self.ch
    }
}

same_channel!(
    Sender == Sender,
    Receiver == Receiver,
    Sender == Chan,
    Chan == Sender,
    Receiver == Chan,
    Chan == Receiver
);

impl<T> Eq for Sender<T> {}
impl<T> Eq for Receiver<T> {}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Sender").field(&self.ch).finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Receiver").field(&self.ch).finish()
    }
}
