//! [`Chan::sink`]: sending from async code through the `Sink` trait
//! (futures-sink), for code written against `SinkExt` (`send`, `send_all`,
//! `forward` from a stream).
//!
//! A sink holds at most one item: `start_send` puts it in the sink's own
//! send operation, and `poll_ready`, `poll_flush` and `poll_close` drive that
//! operation as [`SendFuture`](super::future::SendFuture) does, in the
//! channel's FIFO send queue. So after `poll_ready` the item may wait in the
//! sink until a receiver takes it (an unbuffered channel has nowhere else
//! to put it), and `poll_flush` completes when it has been taken.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::future::{cancel_send, Op};
use super::Chan;

/// The sink of [`Chan::sink`]: sends every item it is given, in order.
#[must_use = "sinks do nothing unless polled"]
pub struct SendSink<'a, T> {
    ch: &'a Chan<T>,
    /// The operation of the item in flight (none when it holds no value).
    /// Boxed, so that the sink itself is `Unpin` (`SinkExt` needs it).
    op: Pin<Box<Op<T>>>,
}

impl<T> SendSink<'_, T> {
    /// Drives the item in flight, if any, until it is sent.
    fn drive(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if !self.op.has_value {
            return Poll::Ready(Ok(()));
        }
        let Some(c) = self.ch.hchan() else {
            return Poll::Pending; // a nil channel: never ready
        };
        // SAFETY: the op stays in its box; nothing is moved out.
        let op = unsafe { self.op.as_mut().get_unchecked_mut() };
        op.poll_send(c, cx).map(Ok)
    }
}

impl<T> futures_sink::Sink<T> for SendSink<'_, T> {
    /// A sink never fails: a send on a closed channel panics, as in Go.
    type Error = Infallible;

    /// Ready once the previous item has been sent.
    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.get_mut().drive(cx)
    }

    /// Takes `item`; it is sent by the next `poll_ready`, `poll_flush` or
    /// `poll_close`.
    ///
    /// # Panics
    /// If the previous item has not been sent (`poll_ready` did not return
    /// `Ready` since it was given).
    fn start_send(self: Pin<&mut Self>, item: T) -> Result<(), Infallible> {
        let this = self.get_mut();
        assert!(
            !this.op.has_value,
            "SendSink::start_send called before poll_ready was Ready"
        );
        debug_assert!(!this.op.queued, "an op without a value is never queued");
        // The old op is idle (not queued, no value): replacing it drops nothing.
        this.op.set(Op::new(Some(item)));
        Ok(())
    }

    /// Ready once the item in flight has been sent.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.get_mut().drive(cx)
    }

    /// Flushes. The channel stays open: closing it is
    /// [`Chan::close`](super::Chan::close), the decision of whoever knows that
    /// every sender is done, as in Go.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.get_mut().drive(cx)
    }
}

impl<T> Drop for SendSink<'_, T> {
    fn drop(&mut self) {
        if let Some(c) = self.ch.hchan() {
            // SAFETY: as in `drive`.
            let op = unsafe { self.op.as_mut().get_unchecked_mut() };
            cancel_send(op, c);
        }
    }
}

impl<T> std::fmt::Debug for SendSink<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendSink")
            .field("in_flight", &self.op.has_value)
            .field("queued", &self.op.queued)
            .finish()
    }
}

// SAFETY: as for the channel futures: `T` moves between threads like the
// channel's values (`T: Send`); the task waiter and sudog follow the
// queue-lock protocol.
unsafe impl<T: Send> Send for SendSink<'_, T> {}
// SAFETY: as above; `&SendSink` gives access to nothing.
unsafe impl<T: Send> Sync for SendSink<'_, T> {}

impl<T> Chan<T> {
    /// `c <- v` for async code written against `Sink` (futures-sink): a sink
    /// that sends every item it is given, in order, waiting in the same FIFO
    /// queue as blocked goroutines, threads and send futures.
    ///
    /// The sink holds one item at a time: after `start_send`, `poll_ready`
    /// and `poll_flush` complete once a receiver has taken it (or it is in
    /// the buffer). `poll_close` flushes and leaves the channel open.
    ///
    /// **Cancel-safe** as [`send_async`](Chan::send_async): dropping the sink
    /// with an item in flight either has sent it or drops it unsent.
    ///
    /// # Panics
    /// When driven, "send on closed channel" if the channel is closed, as in
    /// Go.
    ///
    /// ```
    /// use csp_core::{block_on, go, Chan};
    /// use futures_sink::Sink;
    /// use std::pin::Pin;
    ///
    /// let ch = Chan::new(0);
    /// let rx = ch.clone();
    /// let g = go! { (rx.recv(), rx.recv()) };
    /// let mut sink = ch.sink();
    /// let mut items = [1, 2].into_iter().peekable();
    /// // What SinkExt::send_all does: an item goes in once the sink is ready.
    /// block_on(std::future::poll_fn(|cx| {
    ///     while let Some(&v) = items.peek() {
    ///         std::task::ready!(Pin::new(&mut sink).poll_ready(cx))?;
    ///         Pin::new(&mut sink).start_send(v)?;
    ///         items.next();
    ///     }
    ///     Pin::new(&mut sink).poll_flush(cx)
    /// }))
    /// .unwrap();
    /// assert_eq!(g.join().unwrap(), (Some(1), Some(2)));
    /// ```
    pub fn sink(&self) -> SendSink<'_, T> {
        SendSink {
            ch: self,
            op: Box::pin(Op::new(None)),
        }
    }
}
