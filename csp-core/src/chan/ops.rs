//! Go's `chansend`, `chanrecv` and `closechan` on an [`Hchan`].
//!
//! As in Go's `runtime/chan.go`: one lock guards the ring buffer and both wait
//! queues; a value moves straight from a sender's slot into a parked
//! receiver's slot (and back) without touching the buffer; nobody is readied
//! while the lock is held. Waiting goes through the runtime's wait protocol.

use std::ptr;
use std::time::Instant;

use super::hchan::Hchan;
use super::waitq::WaitQ;
use crate::runtime::park::WaitReason;
use crate::runtime::sudog::Sudog;
use crate::runtime::wait::{ready, ready_deferred, Wait, WaitOutcome};
use crate::shim::Ordering;

/// How long an operation may block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Block {
    /// The non-blocking form (`try_send`, `select` with `default`).
    Never,
    Forever,
    Until(Instant),
}

/// Outcome of [`Hchan::chansend`]. In every case but `Sent` the value is still in
/// the caller's slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SendResult {
    Sent,
    Full,
    Closed,
    TimedOut,
}

/// Outcome of [`Hchan::chanrecv`]. The caller's slot is initialised only after
/// `Received`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecvResult {
    Received,
    Empty,
    Closed,
    TimedOut,
}

/// What one poll of a case found, with the lock held (shared by the plain
/// operations and `selectgo`'s pass 1).
pub(crate) enum Poll {
    NotReady,
    /// Done; `wake` (null if none) must be readied after the lock is released.
    /// For a receive, `ok` is false when the channel was closed and drained.
    Ready {
        wake: *mut Sudog,
        ok: bool,
    },
    /// A send on a closed channel.
    Closed,
}

impl<T> Hchan<T> {
    /// Tries a send with the lock held (Go's `chansend` steps 3–5 and select's
    /// send case). `ep` holds the value; after `Ready` it has been moved out.
    ///
    /// # Safety
    /// The lock is held; `ep` points to an initialised `T`.
    pub(crate) unsafe fn poll_send(&self, ep: *mut T) -> Poll {
        if self.closed.load(Ordering::Relaxed) {
            return Poll::Closed;
        }
        // SAFETY: lock held; dequeued sudogs belong to parked waiters whose slots
        // stay valid until they are readied.
        unsafe {
            if let Some(sg) = self.recvq.dequeue() {
                // Direct handoff: the value goes into the receiver's own slot.
                ptr::copy_nonoverlapping(ep, (*sg).elem.cast::<T>(), 1);
                (*sg).success = true;
                return Poll::Ready { wake: sg, ok: true };
            }
            let q = self.qcount.load(Ordering::Relaxed);
            if q < self.dataqsiz {
                let sendx = self.sendx.get();
                ptr::copy_nonoverlapping(ep, self.slot(sendx), 1);
                self.sendx.set(if sendx + 1 == self.dataqsiz {
                    0
                } else {
                    sendx + 1
                });
                self.qcount.store(q + 1, Ordering::Release);
                return Poll::Ready {
                    wake: ptr::null_mut(),
                    ok: true,
                };
            }
        }
        Poll::NotReady
    }

    /// Tries a receive with the lock held (Go's `chanrecv` steps 4–5 and select's
    /// receive case). After `Ready { ok: true }`, `*ep` holds the value.
    ///
    /// # Safety
    /// The lock is held; `ep` is valid for a write of `T`.
    pub(crate) unsafe fn poll_recv(&self, ep: *mut T) -> Poll {
        let q = self.qcount.load(Ordering::Relaxed);
        // Closed and drained; once closed, the send queue holds only values
        // given back by dropped receive futures, which are still to come.
        if self.closed.load(Ordering::Relaxed) && q == 0 && self.sendq.is_empty_hint() {
            return Poll::Ready {
                wake: ptr::null_mut(),
                ok: false,
            };
        }
        // SAFETY: lock held; see poll_send.
        unsafe {
            if let Some(sg) = self.sendq.dequeue() {
                if self.dataqsiz == 0 {
                    // Direct handoff out of the sender's slot.
                    ptr::copy_nonoverlapping((*sg).elem.cast::<T>(), ep, 1);
                } else {
                    // The buffer is full: take its head and put the sender's value
                    // in the freed slot, which becomes the tail (FIFO kept).
                    let recvx = self.recvx.get();
                    let slot = self.slot(recvx);
                    ptr::copy_nonoverlapping(slot, ep, 1);
                    ptr::copy_nonoverlapping((*sg).elem.cast::<T>(), slot, 1);
                    let next = if recvx + 1 == self.dataqsiz {
                        0
                    } else {
                        recvx + 1
                    };
                    self.recvx.set(next);
                    self.sendx.set(next);
                }
                (*sg).success = true;
                return Poll::Ready { wake: sg, ok: true };
            }
            if q > 0 {
                let recvx = self.recvx.get();
                ptr::copy_nonoverlapping(self.slot(recvx), ep, 1);
                self.recvx.set(if recvx + 1 == self.dataqsiz {
                    0
                } else {
                    recvx + 1
                });
                self.qcount.store(q - 1, Ordering::Release);
                return Poll::Ready {
                    wake: ptr::null_mut(),
                    ok: true,
                };
            }
        }
        Poll::NotReady
    }

    /// Go's `chansend`. `ep` holds the value to send.
    ///
    /// # Safety
    /// `ep` points to an initialised `T` that the channel may move out of (only
    /// when the result is `Sent`).
    pub(crate) unsafe fn chansend(&self, ep: *mut T, block: Block) -> SendResult {
        // Fast path: a non-blocking send on an open, full channel fails without
        // the lock. Reading `closed` first is fine: a closed channel never goes
        // back to "not ready for send".
        if block == Block::Never && !self.closed.load(Ordering::Relaxed) && self.full() {
            return SendResult::Full;
        }
        self.lock();
        // SAFETY: lock held; `ep` per our contract.
        match unsafe { self.poll_send(ep) } {
            Poll::Closed => {
                // SAFETY: we hold the lock.
                unsafe { self.unlock() };
                return SendResult::Closed;
            }
            Poll::Ready { wake, .. } => {
                // SAFETY: we hold the lock; `wake` was dequeued by us.
                unsafe {
                    self.unlock();
                    ready(wake);
                }
                return SendResult::Sent;
            }
            Poll::NotReady => {}
        }
        if block == Block::Never {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return SendResult::Full;
        }
        // SAFETY: lock held; the sudog outlives the wait (park returns first).
        match unsafe { self.park_on(&self.sendq, ep.cast::<u8>(), block, WaitReason::ChanSend) } {
            WaitOutcome::TimedOut => SendResult::TimedOut,
            WaitOutcome::Woken { ok: true, .. } => SendResult::Sent,
            // Woken by close (Go panics "send on closed channel" here).
            WaitOutcome::Woken { ok: false, .. } => SendResult::Closed,
        }
    }

    /// Go's `chanrecv`. On `Received`, `*ep` holds the value.
    ///
    /// # Safety
    /// `ep` is valid for a write of `T`.
    pub(crate) unsafe fn chanrecv(&self, ep: *mut T, block: Block) -> RecvResult {
        // Fast path: a non-blocking receive from an empty channel fails without
        // the lock; one that is closed and drained reports it without the lock.
        // The order of the loads matters: empty, then closed, then empty again.
        // A timer's channel first runs its timer if it is due (Go 1.23); a
        // blocking receive needs no such hook: the timer heap readies it.
        if block == Block::Never && self.empty() {
            if !self.closed.load(Ordering::Acquire) {
                if !self.maybe_run_timer() || self.empty() {
                    return RecvResult::Empty;
                }
            } else if self.empty() {
                return RecvResult::Closed;
            }
        }
        self.lock();
        // SAFETY: lock held; `ep` per our contract.
        match unsafe { self.poll_recv(ep) } {
            Poll::Ready { wake, ok } => {
                // SAFETY: we hold the lock; `wake` (if any) was dequeued by us.
                unsafe {
                    self.unlock();
                    ready(wake);
                }
                return if ok {
                    RecvResult::Received
                } else {
                    RecvResult::Closed
                };
            }
            Poll::Closed | Poll::NotReady => {}
        }
        if block == Block::Never {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return RecvResult::Empty;
        }
        // SAFETY: lock held; the sudog outlives the wait.
        match unsafe { self.park_on(&self.recvq, ep.cast::<u8>(), block, WaitReason::ChanReceive) }
        {
            WaitOutcome::TimedOut => RecvResult::TimedOut,
            WaitOutcome::Woken { ok: true, .. } => RecvResult::Received,
            WaitOutcome::Woken { ok: false, .. } => RecvResult::Closed,
        }
    }

    /// Parks the caller on `q` with a sudog for `elem`; releases the lock once the
    /// waiter is published.
    ///
    /// Never inlined: it is the slow path, and inlined into `chansend` and
    /// `chanrecv` it makes their fast paths save more registers.
    ///
    /// # Safety
    /// The lock is held; `elem` stays valid until this returns.
    #[inline(never)]
    unsafe fn park_on(
        &self,
        q: &WaitQ,
        elem: *mut u8,
        block: Block,
        reason: WaitReason,
    ) -> WaitOutcome {
        let deadline = match block {
            Block::Until(d) => Some(d),
            _ => None,
        };
        let wait = Wait::new(deadline);
        let mut sg = wait.sudog(elem, self.addr(), false);
        let sgp: *mut Sudog = &mut sg;
        // SAFETY: lock held; `sg` lives in this frame until we return, and we
        // return only after it is dequeued (by a waker) or removed (by us).
        unsafe { q.enqueue(sgp) };
        let out = wait.park(reason, &mut || {
            // SAFETY: the lock is held until this runs (chanparkcommit).
            unsafe { self.unlock() }
        });
        if matches!(out, WaitOutcome::TimedOut) {
            // The deadline won the wait: nobody will touch the sudog, but it
            // may still be linked.
            self.lock();
            // SAFETY: lock held; `sgp` was enqueued on `q`.
            unsafe {
                q.remove(sgp);
                self.unlock();
            }
        }
        out
    }

    /// Go's `closechan`: every receiver gets "closed", every sender will panic,
    /// and all of them are readied only after the lock is dropped.
    ///
    /// Returns false if the channel was already closed.
    pub(crate) fn closechan(&self) -> bool {
        self.lock();
        if self.closed.load(Ordering::Relaxed) {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return false;
        }
        self.closed.store(true, Ordering::Release);
        // Collect the waiters in a list threaded through their (now unlinked)
        // `next` fields; Go's gList is LIFO, and so is this.
        let mut list: *mut Sudog = ptr::null_mut();
        // SAFETY: lock held; dequeued sudogs are ours until readied.
        unsafe {
            while let Some(sg) = self.recvq.dequeue() {
                (*sg).success = false;
                (*sg).next = list;
                list = sg;
            }
            // Given-back values stay: they were sent before the close.
            let mut kept: Vec<*mut Sudog> = Vec::new();
            while let Some(sg) = self.sendq.dequeue() {
                if (*sg).is_given_back() {
                    kept.push(sg);
                    continue;
                }
                (*sg).success = false;
                (*sg).next = list;
                list = sg;
            }
            for sg in kept {
                self.sendq.enqueue(sg);
            }
            self.unlock();
            // Async tasks are all let go first, then woken: a waker that
            // polls inline may poll another future readied here.
            let mut wakers = Vec::new();
            while !list.is_null() {
                let sg = list;
                list = (*sg).next;
                (*sg).next = ptr::null_mut();
                wakers.extend(ready_deferred(sg));
            }
            for w in wakers {
                w.wake();
            }
        }
        true
    }
}
