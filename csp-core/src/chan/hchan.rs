//! `Hchan<T>`: the channel itself (Go's `hchan`): one allocation holding the
//! header and the ring buffer, its reference count, its lock, Go's invariants
//! and the lock-free readiness hints. The operations are in `ops.rs`.

use std::alloc::{self, Layout};
use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};

use super::waitq::WaitQ;
use crate::runtime::timer::FuncTimer;
use crate::shim::{AtomicBool, AtomicPtr, AtomicUsize, LockedCell, Ordering, RawLock};

/// The channel: Go's `hchan`, plus the reference count of its `Chan` handles.
pub(crate) struct Hchan<T> {
    refs: AtomicUsize,
    lock: RawLock,
    /// Values in the buffer; written under the lock, read without it by `len`.
    pub(super) qcount: AtomicUsize,
    /// Capacity (immutable).
    pub(super) dataqsiz: usize,
    /// Ring of `dataqsiz` slots, in the same allocation as the header (dangling
    /// when the buffer takes no memory).
    buf: *mut MaybeUninit<T>,
    pub(super) sendx: LockedCell<usize>,
    pub(super) recvx: LockedCell<usize>,
    pub(super) closed: AtomicBool,
    /// Parked receivers.
    pub(crate) recvq: WaitQ,
    /// Parked senders.
    pub(crate) sendq: WaitQ,
    /// Go 1.23's `hchan.timer`: the timer that sends on this channel (a
    /// `Weak::into_raw`), or null for every other channel. A receive runs
    /// a due timer first ([`Hchan::maybe_run_timer`]).
    timer: AtomicPtr<FuncTimer>,
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
                timer: AtomicPtr::new(ptr::null_mut()),
            })
        };
        c
    }

    /// One more `Chan` handle.
    pub(crate) fn acquire(&self) {
        self.refs.fetch_add(1, Ordering::Relaxed);
    }

    /// Makes this a timer's channel (once, before it is shared).
    pub(crate) fn set_timer(&self, t: &std::sync::Arc<FuncTimer>) {
        let raw = std::sync::Weak::into_raw(std::sync::Arc::downgrade(t)).cast_mut();
        let old = self.timer.swap(raw, Ordering::AcqRel);
        assert!(old.is_null(), "hchan: timer set twice");
    }

    /// Go 1.23's `maybeRunChan`: on a timer's channel, runs the timer if it
    /// is due, so that an expired timer is ready when polled; returns
    /// whether this is a timer's channel (so it may have become ready).
    /// Called only where a receive found the channel not ready (the hot
    /// path, a ready channel, never reads the field); other channels pay
    /// one load and a branch there.
    #[inline]
    pub(crate) fn maybe_run_timer(&self) -> bool {
        let p = self.timer.load(Ordering::Acquire);
        if p.is_null() {
            return false;
        }
        Self::run_timer(p);
        true
    }

    #[cold]
    #[inline(never)]
    fn run_timer(p: *mut FuncTimer) {
        // SAFETY: `p` came from `Weak::into_raw` in `set_timer`, and the
        // channel owns that weak reference until `release` frees it; we
        // borrow it without taking it over.
        let w = std::mem::ManuallyDrop::new(unsafe { std::sync::Weak::from_raw(p) });
        if let Some(t) = w.upgrade() {
            t.run_if_due();
        }
    }

    /// How many `Chan` handles exist now (for `time`: a timer whose channel
    /// has no handle but its own stops).
    #[inline]
    pub(crate) fn handles(&self) -> usize {
        self.refs.load(Ordering::Acquire)
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
        if !this.sendq.is_empty_hint() {
            // SAFETY: we hold the last handle: nobody else touches the queues.
            unsafe { this.drop_given_back() };
        }
        // Every waiter holds a handle, so the last handle's release sees none.
        debug_assert!(
            this.recvq.is_empty_hint() && this.sendq.is_empty_hint(),
            "hchan: freed with waiters"
        );
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
            let t = this.timer.load(Ordering::Relaxed);
            if !t.is_null() {
                // The weak reference that `set_timer` stored.
                drop(std::sync::Weak::from_raw(t));
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
        #[cfg(debug_assertions)]
        self.check_invariants();
        // SAFETY: forwarded contract.
        unsafe { self.lock.unlock() }
    }

    /// Go's invariants of `hchan` (chan.go), checked whenever the lock is
    /// released in a debug build:
    /// - buffered values exist only if no receiver waits
    ///   (`c.qcount > 0` implies `c.recvq` is empty);
    /// - a sender waits only on a full buffer (`c.qcount < c.dataqsiz` implies
    ///   `c.sendq` is empty);
    /// - `qcount <= dataqsiz`.
    ///
    /// Go's third rule, "at least one of sendq and recvq is empty", has an
    /// exception it states itself: one goroutine blocked on an unbuffered
    /// channel in a select with both a send and a receive case on it. It
    /// follows from the first two for a buffered channel, so it is not
    /// checked separately.
    #[cfg(debug_assertions)]
    fn check_invariants(&self) {
        let q = self.qcount.load(Ordering::Relaxed);
        debug_assert!(q <= self.dataqsiz, "hchan: qcount {q} > cap");
        if self.dataqsiz > 0 {
            debug_assert!(
                q == 0 || self.recvq.is_empty_hint(),
                "hchan: buffered values with receivers waiting"
            );
            debug_assert!(
                q == self.dataqsiz || self.sendq.is_empty_hint(),
                "hchan: senders waiting on a buffer with room"
            );
        }
    }

    /// Go's `full`: a send would block. Lock-free; a hint that stays right for a
    /// closed channel, which never goes from "ready for send" to "not ready".
    #[inline]
    pub(super) fn full(&self) -> bool {
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
    pub(super) fn empty(&self) -> bool {
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
    pub(super) unsafe fn slot(&self, i: usize) -> *mut T {
        // SAFETY: `i` is in bounds of the buffer (caller's contract).
        unsafe { (*self.buf.add(i)).as_mut_ptr() }
    }
}
