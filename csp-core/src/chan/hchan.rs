//! `Hchan<T>`: the channel itself, and Go's `chansend`, `chanrecv`, `closechan`.
//!
//! Layout and protocol follow Go's `runtime/chan.go`: one lock guards the ring
//! buffer and both wait queues; a value moves straight from a sender's slot into a
//! parked receiver's slot (and back) without touching the buffer; nobody is readied
//! while the lock is held.

use std::alloc::{self, Layout};
use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};
use std::time::Instant;

use super::sudog::Sudog;
use super::waitq::WaitQ;
use crate::runtime::park::{self, WaitReason, Waiter};
use crate::shim::{AtomicBool, AtomicUsize, LockedCell, Ordering, RawLock};

/// How long an operation may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
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

/// The channel: Go's `hchan`, plus the reference count of its `Chan` handles.
pub(crate) struct Hchan<T> {
    refs: AtomicUsize,
    lock: RawLock,
    /// Values in the buffer; written under the lock, read without it by `len`.
    qcount: AtomicUsize,
    /// Capacity (immutable).
    dataqsiz: usize,
    /// Ring of `dataqsiz` slots, in the same allocation as the header (dangling
    /// when the buffer takes no memory).
    buf: *mut MaybeUninit<T>,
    sendx: LockedCell<usize>,
    recvx: LockedCell<usize>,
    closed: AtomicBool,
    /// Parked receivers.
    pub(crate) recvq: WaitQ,
    /// Parked senders.
    pub(crate) sendq: WaitQ,
}

/// The allocation of a channel: the header, followed by the buffer when it has a
/// size. Returns the layout and the buffer's offset.
fn hchan_layout<T>(cap: usize) -> (Layout, usize) {
    let header = Layout::new::<Hchan<T>>();
    let mem = std::mem::size_of::<T>().checked_mul(cap);
    match mem {
        Some(0) => (header, 0),
        Some(mem) if mem <= isize::MAX as usize - header.size() - header.align() => {
            let buf = Layout::array::<T>(cap).unwrap_or_else(|_| size_out_of_range());
            header.extend(buf).unwrap_or_else(|_| size_out_of_range())
        }
        _ => size_out_of_range(),
    }
}

#[cold]
fn size_out_of_range() -> ! {
    panic!("makechan: size out of range")
}

impl<T> Hchan<T> {
    /// Go's `makechan`: one allocation for header and buffer; none for the
    /// buffer when it would take no memory (unbuffered, or zero-sized `T`).
    pub(crate) fn makechan(cap: usize) -> NonNull<Hchan<T>> {
        let (layout, offset) = hchan_layout::<T>(cap);
        // SAFETY: the layout has a non-zero size (the header has fields).
        let base = unsafe { alloc::alloc(layout) };
        let Some(base) = NonNull::new(base) else {
            alloc::handle_alloc_error(layout)
        };
        let buf = if offset == 0 {
            NonNull::<MaybeUninit<T>>::dangling().as_ptr()
        } else {
            // SAFETY: `offset` is inside the allocation (Layout::extend).
            unsafe { base.as_ptr().add(offset).cast::<MaybeUninit<T>>() }
        };
        let c = base.cast::<Hchan<T>>();
        // SAFETY: `c` is freshly allocated with room and alignment for a header.
        unsafe {
            c.as_ptr().write(Hchan {
                refs: AtomicUsize::new(1),
                lock: RawLock::new(),
                qcount: AtomicUsize::new(0),
                dataqsiz: cap,
                buf,
                sendx: LockedCell::new(0),
                recvx: LockedCell::new(0),
                closed: AtomicBool::new(false),
                recvq: WaitQ::new(),
                sendq: WaitQ::new(),
            })
        };
        c
    }

    /// One more `Chan` handle.
    pub(crate) fn acquire(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops one handle; the last one frees the channel and every buffered value.
    ///
    /// # Safety
    /// `c` is a live channel and the caller gives up its handle.
    pub(crate) unsafe fn release(c: NonNull<Hchan<T>>) {
        // SAFETY: the caller's handle keeps the channel alive until here.
        let this = unsafe { c.as_ref() };
        if this.refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Synchronise with every other handle's release before freeing.
        this.refs.load(Ordering::Acquire);
        // SAFETY: we held the last handle, so nobody else can reach the channel,
        // no operation is in flight and both queues are empty.
        unsafe {
            let n = this.qcount.load(Ordering::Relaxed);
            let mut i = this.recvx.get();
            for _ in 0..n {
                ptr::drop_in_place((*this.buf.add(i)).as_mut_ptr());
                i += 1;
                if i == this.dataqsiz {
                    i = 0;
                }
            }
            let (layout, _) = hchan_layout::<T>(this.dataqsiz);
            ptr::drop_in_place(c.as_ptr());
            alloc::dealloc(c.as_ptr().cast::<u8>(), layout);
        }
    }

    /// Capacity.
    #[inline]
    pub(crate) fn cap(&self) -> usize {
        self.dataqsiz
    }

    /// Buffered values, read without the lock.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.qcount.load(Ordering::Relaxed)
    }

    #[inline]
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The channel's identity.
    #[inline]
    pub(crate) fn addr(&self) -> usize {
        self as *const Self as usize
    }

    #[inline]
    pub(crate) fn lock(&self) {
        self.lock.lock();
    }

    /// # Safety
    /// The caller holds the lock.
    #[inline]
    pub(crate) unsafe fn unlock(&self) {
        // SAFETY: forwarded contract.
        unsafe { self.lock.unlock() }
    }

    /// Go's `full`: a send would block. Lock-free; a hint that stays right for a
    /// closed channel, which never goes from "ready for send" to "not ready".
    #[inline]
    fn full(&self) -> bool {
        if self.dataqsiz == 0 {
            return self.recvq.is_empty_hint();
        }
        self.qcount.load(Ordering::Acquire) == self.dataqsiz
    }

    /// Go's `empty`: a receive would block (ignoring close). Lock-free hint.
    ///
    /// The loads are Acquire and the stores of `qcount` (and of the queues'
    /// heads) Release: a non-blocking receive that sees a drained buffer must also
    /// see a close that came before the drain (TestNonblockRecvRace; found by the
    /// loom model `nonblock_recv_races_close`).
    #[inline]
    fn empty(&self) -> bool {
        if self.dataqsiz == 0 {
            return self.sendq.is_empty_hint();
        }
        self.qcount.load(Ordering::Acquire) == 0
    }

    /// Lock-free hint for select: a send might not block (or would panic).
    #[inline]
    pub(crate) fn send_may_proceed(&self) -> bool {
        self.closed.load(Ordering::Relaxed) || !self.full()
    }

    /// Lock-free hint for select: a receive might not block.
    #[inline]
    pub(crate) fn recv_may_proceed(&self) -> bool {
        !self.empty() || self.closed.load(Ordering::Relaxed)
    }

    /// # Safety
    /// Lock held; `i < dataqsiz`.
    #[inline]
    unsafe fn slot(&self, i: usize) -> *mut T {
        // SAFETY: `i` is in bounds of the buffer (caller's contract).
        unsafe { (*self.buf.add(i)).as_mut_ptr() }
    }

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
        if self.closed.load(Ordering::Relaxed) && q == 0 {
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
    pub(crate) unsafe fn chansend(&self, ep: *mut T, wait: Wait) -> SendResult {
        // Fast path: a non-blocking send on an open, full channel fails without
        // the lock. Reading `closed` first is fine: a closed channel never goes
        // back to "not ready for send".
        if wait == Wait::Never && !self.closed.load(Ordering::Relaxed) && self.full() {
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
        if wait == Wait::Never {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return SendResult::Full;
        }
        // SAFETY: lock held; the sudog outlives the wait (park returns first).
        let (success, timed_out) =
            unsafe { self.park_on(&self.sendq, ep.cast::<u8>(), wait, WaitReason::ChanSend) };
        if timed_out {
            SendResult::TimedOut
        } else if success {
            SendResult::Sent
        } else {
            // Woken by close (Go panics "send on closed channel" here).
            SendResult::Closed
        }
    }

    /// Go's `chanrecv`. On `Received`, `*ep` holds the value.
    ///
    /// # Safety
    /// `ep` is valid for a write of `T`.
    pub(crate) unsafe fn chanrecv(&self, ep: *mut T, wait: Wait) -> RecvResult {
        // Fast path: a non-blocking receive from an empty channel fails without
        // the lock; one that is closed and drained reports it without the lock.
        // The order of the loads matters: empty, then closed, then empty again.
        if wait == Wait::Never && self.empty() {
            if !self.closed.load(Ordering::Acquire) {
                return RecvResult::Empty;
            }
            if self.empty() {
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
        if wait == Wait::Never {
            // SAFETY: we hold the lock.
            unsafe { self.unlock() };
            return RecvResult::Empty;
        }
        // SAFETY: lock held; the sudog outlives the wait.
        let (success, timed_out) =
            unsafe { self.park_on(&self.recvq, ep.cast::<u8>(), wait, WaitReason::ChanReceive) };
        if timed_out {
            RecvResult::TimedOut
        } else if success {
            RecvResult::Received
        } else {
            RecvResult::Closed
        }
    }

    /// Parks the caller on `q` with a sudog for `elem`; releases the lock once the
    /// waiter is published. Returns `(success, timed_out)`.
    ///
    /// # Safety
    /// The lock is held; `elem` stays valid until this returns.
    unsafe fn park_on(
        &self,
        q: &WaitQ,
        elem: *mut u8,
        wait: Wait,
        reason: WaitReason,
    ) -> (bool, bool) {
        let w = Waiter::current();
        let deadline = match wait {
            Wait::Until(d) => Some(d),
            _ => None,
        };
        // A timed wait is won like a select: by a waker or by the deadline.
        let mut sg = Sudog::new(w, elem, deadline.is_some(), self.addr());
        let sgp: *mut Sudog = &mut sg;
        let st = w.state();
        st.param.store(ptr::null_mut(), Ordering::Relaxed);
        // SAFETY: lock held; `sg` lives in this frame until we return, and we
        // return only after it is dequeued (by a waker) or removed (by us).
        unsafe { q.enqueue(sgp) };
        park::gopark(w, reason, deadline, &mut || {
            // SAFETY: the lock is held until this runs (chanparkcommit).
            unsafe { self.unlock() }
        });
        if st.param.load(Ordering::Relaxed).is_null() {
            // The deadline won select_done: nobody will touch the sudog, but it
            // may still be linked.
            self.lock();
            // SAFETY: lock held; `sgp` was enqueued on `q`.
            unsafe {
                q.remove(sgp);
                st.select_done.store(0, Ordering::Relaxed);
                self.unlock();
            }
            return (false, true);
        }
        if deadline.is_some() {
            // The waker won select_done and dequeued our only sudog.
            st.select_done.store(0, Ordering::Relaxed);
        }
        // SAFETY: the waker finished with the sudog before readying us.
        (unsafe { (*sgp).success }, false)
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
            while let Some(sg) = self.sendq.dequeue() {
                (*sg).success = false;
                (*sg).next = list;
                list = sg;
            }
            self.unlock();
            while !list.is_null() {
                let sg = list;
                list = (*sg).next;
                (*sg).next = ptr::null_mut();
                ready(sg);
            }
        }
        true
    }
}

/// Completes a wait: tells the waiter which sudog finished it, then readies it
/// (Go: `gp.param = sg; goready(gp)`). A null `sg` is a no-op.
///
/// # Safety
/// No channel lock is held; `sg` was dequeued by the caller, who won it.
pub(crate) unsafe fn ready(sg: *mut Sudog) {
    if sg.is_null() {
        return;
    }
    // SAFETY: the waiter stays parked (and its sudog alive) until goready.
    unsafe {
        let w = (*sg).g;
        w.state().param.store(sg, Ordering::Relaxed);
        park::goready(w);
    }
}
