//! Futures on channels: [`Chan::recv_async`], [`Chan::send_async`] and
//! [`Chan::stream`], so that async tasks, goroutines and OS threads share one
//! channel, in one FIFO queue per direction.
//!
//! A future tries its operation at its first poll, as a non-blocking
//! operation would; if it cannot complete, it queues a sudog naming its
//! [`TaskWaiter`] (`runtime/taskwait.rs`) and returns `Pending`. Wakers treat
//! that sudog as a parked goroutine's: a sender copies its value straight into
//! the receive future's slot, a receiver takes the value straight out of the
//! send future's slot, and either then wakes the task.
//!
//! Cancellation (dropping a pending future) loses nothing and delivers
//! nothing twice:
//! - a send future whose value was taken has sent it; otherwise its value is
//!   dropped with it, never sent;
//! - a receive future that was handed a value gives it back to the channel
//!   ahead of every later value (`giveback.rs`); otherwise it just leaves the
//!   queue.

use std::cell::UnsafeCell;
use std::future::Future;
use std::marker::PhantomPinned;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::ptr::{self, NonNull};
use std::task::{Context, Poll as TaskPoll, Waker};

use super::hchan::Hchan;
use super::ops::Poll;
use super::Chan;
use crate::runtime::deadlock::QueuedTask;
use crate::runtime::park::Waiter;
use crate::runtime::sudog::Sudog;
use crate::runtime::taskwait::TaskWaiter;
use crate::runtime::wait::ready;

/// Which queue an operation waits in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Dir {
    Send,
    Recv,
}

/// The state both kinds of future share: the task waiter, its sudog and the
/// value slot. Pinned: queued sudogs point into it.
pub(super) struct Op<T> {
    /// The sudog is queued, or was until a waker claimed it.
    pub(super) queued: bool,
    /// The slot holds a value the operation owns (a send's value not yet
    /// sent). A receive's value is read out as soon as it arrives.
    pub(super) has_value: bool,
    task: TaskWaiter,
    sg: UnsafeCell<MaybeUninit<Sudog>>,
    slot: UnsafeCell<MaybeUninit<T>>,
    _pin: PhantomPinned,
}

/// What a finished wait of an [`Op`] found.
pub(super) enum Outcome {
    /// The value moved (sent, or received into the slot).
    Moved,
    /// Woken by close.
    Closed,
}

impl<T> Op<T> {
    pub(super) fn new(val: Option<T>) -> Self {
        let has_value = val.is_some();
        Op {
            queued: false,
            has_value,
            task: TaskWaiter::new(),
            sg: UnsafeCell::new(MaybeUninit::uninit()),
            slot: UnsafeCell::new(match val {
                Some(v) => MaybeUninit::new(v),
                None => MaybeUninit::uninit(),
            }),
            _pin: PhantomPinned,
        }
    }

    fn slot(&self) -> *mut T {
        self.slot.get().cast::<T>()
    }

    fn sgp(&self) -> *mut Sudog {
        self.sg.get().cast::<Sudog>()
    }

    fn queue(dir: Dir, c: &Hchan<T>) -> &super::waitq::WaitQ {
        match dir {
            Dir::Send => &c.sendq,
            Dir::Recv => &c.recvq,
        }
    }

    /// Queues this operation's sudog on `c`, to wake `waker`, and returns
    /// `Pending`.
    ///
    /// # Safety
    /// `c`'s lock is held (and released here); the op is pinned and not queued.
    unsafe fn enqueue(&mut self, dir: Dir, c: &Hchan<T>, waker: Waker) -> TaskPoll<Outcome> {
        debug_assert!(!self.queued);
        // SAFETY: lock held, not queued: nobody else reaches the waiter.
        let old = unsafe { self.task.arm(waker) };
        let w = Waiter::Task(NonNull::from(&self.task));
        // SAFETY: the sudog lives in this pinned op until it is dequeued by a
        // waker (and released) or removed by `cancel`.
        unsafe {
            self.sgp()
                .write(Sudog::new(w, self.slot().cast::<u8>(), true, c.addr()));
            Self::queue(dir, c).enqueue(self.sgp());
            self.queued = true;
            c.unlock();
        }
        QueuedTask::begin();
        drop(old);
        TaskPoll::Pending
    }

    /// The outcome of a queued wait, once a waker has claimed it; `Pending`
    /// (with the task's waker updated) while it is still queued.
    fn poll_queued(&mut self, c: &Hchan<T>, cx: &Context<'_>) -> TaskPoll<Outcome> {
        debug_assert!(self.queued);
        if !self.task.claimed() {
            c.lock();
            let unclaimed = !self.task.claimed();
            // SAFETY: lock held, and the wait is unclaimed.
            if unclaimed && unsafe { self.task.wakes(cx.waker()) } {
                // SAFETY: we hold the lock.
                unsafe { c.unlock() };
                return TaskPoll::Pending;
            }
            // SAFETY: we hold the lock.
            unsafe { c.unlock() };
            if !self.task.claimed() {
                // Another task polls us now: point the wait at it. The clone
                // (user code) runs with no lock held.
                let w = cx.waker().clone();
                c.lock();
                if !self.task.claimed() {
                    // SAFETY: lock held, unclaimed.
                    let old = unsafe { self.task.update_waker(w) };
                    // SAFETY: we hold the lock.
                    unsafe { c.unlock() };
                    drop(old);
                    return TaskPoll::Pending;
                }
                // SAFETY: we hold the lock.
                unsafe { c.unlock() };
            }
        }
        self.task.wait_released();
        self.queued = false;
        QueuedTask::end();
        // SAFETY: the waker is done with the sudog (released).
        let ok = unsafe { (*self.sgp()).success };
        TaskPoll::Ready(if ok { Outcome::Moved } else { Outcome::Closed })
    }

    /// Takes a queued operation out of its queue, or, if a waker got there
    /// first, waits for it and returns what it did.
    pub(super) fn cancel(&mut self, dir: Dir, c: &Hchan<T>) -> Option<Outcome> {
        if !self.queued {
            return None;
        }
        self.queued = false;
        QueuedTask::end();
        if !self.task.claimed() {
            c.lock();
            if !self.task.claimed() {
                // SAFETY: lock held; unclaimed means still queued on `dir`.
                unsafe {
                    Self::queue(dir, c).remove(self.sgp());
                    self.task.cancelled();
                    c.unlock();
                }
                return None;
            }
            // SAFETY: we hold the lock.
            unsafe { c.unlock() };
        }
        self.task.wait_released();
        // SAFETY: released: the sudog is ours.
        let ok = unsafe { (*self.sgp()).success };
        Some(if ok { Outcome::Moved } else { Outcome::Closed })
    }

    /// One poll of a receive.
    fn poll_recv(&mut self, c: &Hchan<T>, cx: &Context<'_>) -> TaskPoll<Option<T>> {
        let out = if self.queued {
            std::task::ready!(self.poll_queued(c, cx))
        } else {
            let mut waker = None;
            loop {
                c.lock();
                // SAFETY: lock held; the slot is valid for a write of `T`.
                match unsafe { c.poll_recv(self.slot()) } {
                    Poll::Ready { wake, ok } => {
                        // SAFETY: we hold the lock; `wake` was dequeued by us.
                        unsafe {
                            c.unlock();
                            ready(wake);
                        }
                        break if ok { Outcome::Moved } else { Outcome::Closed };
                    }
                    Poll::NotReady | Poll::Closed => match waker.take() {
                        // SAFETY: lock held; we are pinned and not queued.
                        Some(w) => return unsafe { self.enqueue(Dir::Recv, c, w) }.map(|_| None),
                        None => {
                            // Clone the waker (user code) with no lock held,
                            // then try again.
                            // SAFETY: we hold the lock.
                            unsafe { c.unlock() };
                            waker = Some(cx.waker().clone());
                        }
                    },
                }
            }
        };
        TaskPoll::Ready(match out {
            // SAFETY: the value was moved into the slot; we take it once.
            Outcome::Moved => Some(unsafe { ptr::read(self.slot()) }),
            Outcome::Closed => None,
        })
    }

    /// One poll of a send. Panics as Go does on a closed channel.
    pub(super) fn poll_send(&mut self, c: &Hchan<T>, cx: &Context<'_>) -> TaskPoll<()> {
        let out = if self.queued {
            std::task::ready!(self.poll_queued(c, cx))
        } else {
            assert!(self.has_value, "SendFuture polled after completion");
            let mut waker = None;
            loop {
                c.lock();
                // SAFETY: lock held; the slot holds our value.
                match unsafe { c.poll_send(self.slot()) } {
                    Poll::Ready { wake, .. } => {
                        // SAFETY: we hold the lock; `wake` was dequeued by us.
                        unsafe {
                            c.unlock();
                            ready(wake);
                        }
                        break Outcome::Moved;
                    }
                    Poll::Closed => {
                        // SAFETY: we hold the lock.
                        unsafe { c.unlock() };
                        break Outcome::Closed;
                    }
                    Poll::NotReady => match waker.take() {
                        // SAFETY: lock held; we are pinned and not queued.
                        Some(w) => return unsafe { self.enqueue(Dir::Send, c, w) }.map(|_| ()),
                        None => {
                            // As in poll_recv: clone with no lock held.
                            // SAFETY: we hold the lock.
                            unsafe { c.unlock() };
                            waker = Some(cx.waker().clone());
                        }
                    },
                }
            }
        };
        self.has_value = false;
        match out {
            Outcome::Moved => TaskPoll::Ready(()),
            Outcome::Closed => {
                // SAFETY: the value was not sent: it is still ours.
                drop(unsafe { ptr::read(self.slot()) });
                panic!("send on closed channel")
            }
        }
    }
}

impl<T> Drop for Op<T> {
    fn drop(&mut self) {
        debug_assert!(!self.queued, "a channel future dropped while queued");
        if self.has_value {
            // SAFETY: `has_value` says the slot holds our value.
            unsafe { ptr::drop_in_place(self.slot()) };
        }
    }
}

/// The future of [`Chan::recv_async`]: `Some(v)`, or `None` once the channel
/// is closed and drained.
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, T> {
    ch: &'a Chan<T>,
    op: Op<T>,
    done: bool,
}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> TaskPoll<Option<T>> {
        // SAFETY: nothing is moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        assert!(!this.done, "RecvFuture polled after completion");
        let Some(c) = this.ch.hchan() else {
            return TaskPoll::Pending; // a nil channel: never ready
        };
        let r = this.op.poll_recv(c, cx);
        this.done = r.is_ready();
        r
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(c) = self.ch.hchan() {
            cancel_recv(&mut self.op, c);
        }
    }
}

/// Cancels a receive; a value it was handed goes back to the channel.
fn cancel_recv<T>(op: &mut Op<T>, c: &Hchan<T>) {
    if let Some(Outcome::Moved) = op.cancel(Dir::Recv, c) {
        // SAFETY: the slot holds the value we were handed and never returned.
        unsafe { c.giveback(op.slot()) };
    }
}

/// The future of [`Chan::send_async`]: completes when the value is sent.
#[must_use = "futures do nothing unless polled"]
pub struct SendFuture<'a, T> {
    ch: &'a Chan<T>,
    op: Op<T>,
}

impl<T> Future for SendFuture<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> TaskPoll<()> {
        // SAFETY: nothing is moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        let Some(c) = this.ch.hchan() else {
            return TaskPoll::Pending; // a nil channel: never ready
        };
        this.op.poll_send(c, cx)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        if let Some(c) = self.ch.hchan() {
            cancel_send(&mut self.op, c);
        }
    }
}

/// Cancels a send: a value taken was sent; otherwise it stays in the slot,
/// to be dropped with the op.
pub(super) fn cancel_send<T>(op: &mut Op<T>, c: &Hchan<T>) {
    if let Some(out) = op.cancel(Dir::Send, c) {
        // Taken: sent. Woken by close: the value is ours to drop.
        op.has_value = matches!(out, Outcome::Closed);
    }
}

/// The stream of [`Chan::stream`]: every value until the channel is closed
/// and drained.
#[must_use = "streams do nothing unless polled"]
pub struct RecvStream<'a, T> {
    ch: &'a Chan<T>,
    /// Boxed, so that the stream itself is `Unpin` (`StreamExt::next` needs it).
    op: Pin<Box<Op<T>>>,
}

impl<T> futures_core::Stream for RecvStream<'_, T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> TaskPoll<Option<T>> {
        let Some(c) = self.ch.hchan() else {
            return TaskPoll::Pending;
        };
        // SAFETY: the op stays in its box; nothing is moved out.
        let op = unsafe { self.op.as_mut().get_unchecked_mut() };
        op.poll_recv(c, cx)
    }
}

impl<T> Drop for RecvStream<'_, T> {
    fn drop(&mut self) {
        if let Some(c) = self.ch.hchan() {
            // SAFETY: as in poll_next.
            let op = unsafe { self.op.as_mut().get_unchecked_mut() };
            cancel_recv(op, c);
        }
    }
}

impl<T> std::fmt::Debug for RecvFuture<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvFuture")
            .field("queued", &self.op.queued)
            .finish()
    }
}

impl<T> std::fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendFuture")
            .field("queued", &self.op.queued)
            .finish()
    }
}

impl<T> std::fmt::Debug for RecvStream<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvStream")
            .field("queued", &self.op.queued)
            .finish()
    }
}

// SAFETY: the futures move `T` between threads like the channel (`T: Send`);
// their shared parts (task waiter, sudog) follow the queue-lock protocol.
unsafe impl<T: Send> Send for RecvFuture<'_, T> {}
// SAFETY: as above; `&RecvFuture` gives access to nothing.
unsafe impl<T: Send> Sync for RecvFuture<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for SendFuture<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for SendFuture<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for RecvStream<'_, T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for RecvStream<'_, T> {}

impl<T> Chan<T> {
    /// `<-c` for async code: a future that receives a value, `None` once the
    /// channel is closed and drained. A nil channel's future never completes.
    ///
    /// The future waits in the same FIFO queue as blocked goroutines and
    /// threads, and wakes its task when a sender hands it a value.
    ///
    /// **Cancel-safe**: dropping the future before it completes loses no
    /// value. If a sender had already handed it one, the value goes back to
    /// the channel, ahead of every value sent after it (to the next waiting
    /// receiver, or the head of the buffer). Values given back by several
    /// futures dropped at once come out in the reverse order of the drops.
    ///
    /// Known limits of giving back: until it is received, a given-back value
    /// can sit in the channel beyond its capacity (`len` does not count it);
    /// and on a closed channel a receive that found it drained *before* the
    /// value came back has already reported "closed", while later receives
    /// get the value (Go never lets a value follow "closed": a receiver that
    /// cancels futures on a channel that may close should drain it after it
    /// stops cancelling).
    ///
    /// ```
    /// use csp_core::{block_on, go, Chan};
    ///
    /// let ch = Chan::new(0);
    /// let tx = ch.clone();
    /// let g = go! { tx.send(42) }; // a goroutine sends...
    /// assert_eq!(block_on(ch.recv_async()), Some(42)); // ...a future receives
    /// g.join().unwrap();
    /// ```
    pub fn recv_async(&self) -> RecvFuture<'_, T> {
        RecvFuture {
            ch: self,
            op: Op::new(None),
            done: false,
        }
    }

    /// `c <- v` for async code: a future that completes once `v` is sent
    /// (taken by a receiver, or put in the buffer). A nil channel's future
    /// never completes.
    ///
    /// **Cancel-safe**: dropping the future before it completes either has
    /// sent the value (a receiver took it) or drops it unsent; it is never
    /// lost in between, never sent twice.
    ///
    /// # Panics
    /// When polled, "send on closed channel" if the channel is closed (also
    /// when it is closed while the future waits), as in Go.
    ///
    /// ```
    /// use csp_core::{block_on, Chan};
    ///
    /// let ch = Chan::new(1);
    /// block_on(ch.send_async("hi")); // room in the buffer: ready at once
    /// assert_eq!(ch.recv(), Some("hi"));
    /// ```
    pub fn send_async(&self, v: T) -> SendFuture<'_, T> {
        SendFuture {
            ch: self,
            op: Op::new(Some(v)),
        }
    }

    /// `for v := range c` for async code: a [`Stream`](futures_core::Stream)
    /// of every value until the channel is closed and drained. Cancel-safe
    /// as [`recv_async`](Chan::recv_async): dropping the stream while it
    /// waits gives back a value it was handed.
    ///
    /// ```
    /// use csp_core::{block_on, Chan};
    /// use futures_core::Stream;
    /// use std::pin::Pin;
    /// use std::task::Poll;
    ///
    /// let ch = Chan::new(3);
    /// for i in 1..=3 {
    ///     ch.send(i);
    /// }
    /// ch.close();
    /// let mut s = ch.stream();
    /// let mut got = vec![];
    /// block_on(std::future::poll_fn(|cx| loop {
    ///     match Pin::new(&mut s).poll_next(cx) {
    ///         Poll::Ready(Some(v)) => got.push(v),
    ///         Poll::Ready(None) => return Poll::Ready(()),
    ///         Poll::Pending => return Poll::Pending,
    ///     }
    /// }));
    /// assert_eq!(got, [1, 2, 3]);
    /// ```
    pub fn stream(&self) -> RecvStream<'_, T> {
        RecvStream {
            ch: self,
            op: Box::pin(Op::new(None)),
        }
    }
}
