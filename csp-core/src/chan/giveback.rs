//! Giving back a value that a dropped receive future was handed.
//!
//! A sender hands a value straight to a queued receive future, as to a parked
//! goroutine. If the future's owner drops it before polling it again (a
//! `select!` of tokio, a timeout), the value must not be lost and must still
//! come out of the channel before every value sent after it. So the future
//! gives it back ([`Hchan::giveback`]):
//!
//! 1. to the next queued receiver, if there is one (then the buffer is empty
//!    and no sender waits, so this value is the oldest in the channel);
//! 2. else to the head of the buffer, if it has room;
//! 3. else (unbuffered, or the buffer is full again) as a *given-back record*
//!    at the head of the send queue: a sudog whose "sender" is nobody
//!    ([`Waiter::GivenBack`]). A receiver takes it as it takes a parked
//!    sender's value. With a full buffer the newest buffered value becomes the
//!    record and the given-back one takes its slot at the head, so that the
//!    order is the given-back value, the buffer, then the queued senders.
//!
//! A closed channel keeps its records (they were sent before the close), and
//! its last handle drops their values.

use std::mem::MaybeUninit;
use std::ptr;

use super::hchan::Hchan;
use crate::runtime::park::Waiter;
use crate::runtime::sudog::Sudog;
use crate::runtime::wait::ready;
use crate::shim::Ordering;

/// A given-back value waiting in the send queue. `sg` comes first, so that a
/// `*mut Sudog` of the record is a `*mut GivenBack<T>`.
#[repr(C)]
struct GivenBack<T> {
    sg: Sudog,
    val: MaybeUninit<T>,
}

/// Frees a record whose value was taken (`wait::ready` calls it).
///
/// # Safety
/// `sg` came from [`GivenBack::boxed`] for this `T` and is in no queue.
unsafe fn free<T>(sg: *mut Sudog) {
    // SAFETY: per the contract; `val` was moved out, and `MaybeUninit`
    // drops nothing.
    drop(unsafe { Box::from_raw(sg.cast::<GivenBack<T>>()) });
}

impl<T> GivenBack<T> {
    /// A record owning the value at `v` (moved out of it).
    ///
    /// # Safety
    /// `v` holds an initialised `T` that the caller gives up.
    unsafe fn boxed(v: *const T, c: usize) -> *mut Sudog {
        let b = Box::into_raw(Box::new(GivenBack::<T> {
            sg: Sudog::new(Waiter::GivenBack(free::<T>), ptr::null_mut(), false, c),
            val: MaybeUninit::uninit(),
        }));
        // SAFETY: `b` is a fresh allocation; the value moves in and the
        // sudog's slot points at it (the box never moves).
        unsafe {
            (*b).val.as_mut_ptr().write(ptr::read(v));
            (*b).sg.elem = (*b).val.as_mut_ptr().cast::<u8>();
        }
        b.cast::<Sudog>()
    }
}

impl<T> Hchan<T> {
    /// Gives back the value at `v`, which a receive future was handed and
    /// will never return: see the module's rules.
    ///
    /// # Safety
    /// `v` holds an initialised `T` that the caller gives up; no lock held.
    pub(crate) unsafe fn giveback(&self, v: *mut T) {
        self.lock();
        // SAFETY: lock held; dequeued sudogs belong to parked waiters whose
        // slots stay valid until they are readied.
        unsafe {
            if let Some(sg) = self.recvq.dequeue() {
                debug_assert!(self.qcount.load(Ordering::Relaxed) == 0);
                ptr::copy_nonoverlapping(v, (*sg).elem.cast::<T>(), 1);
                (*sg).success = true;
                self.unlock();
                ready(sg);
                return;
            }
            if self.dataqsiz > 0 {
                let q = self.qcount.load(Ordering::Relaxed);
                let head = self.recvx.get().checked_sub(1).unwrap_or(self.dataqsiz - 1);
                if q < self.dataqsiz {
                    ptr::copy_nonoverlapping(v, self.slot(head), 1);
                    self.recvx.set(head);
                    self.qcount.store(q + 1, Ordering::Release);
                } else {
                    // Full: `head` is the newest value's slot (sendx ==
                    // recvx). It becomes the record; ours goes first.
                    debug_assert_eq!(self.sendx.get(), self.recvx.get());
                    let newest = self.slot(head);
                    let rec = GivenBack::<T>::boxed(newest, self.addr());
                    ptr::copy_nonoverlapping(v, newest, 1);
                    self.recvx.set(head);
                    self.sendx.set(head);
                    self.sendq.enqueue_front(rec);
                }
                self.unlock();
                return;
            }
            let rec = GivenBack::<T>::boxed(v, self.addr());
            self.sendq.enqueue_front(rec);
            self.unlock();
        }
    }

    /// Drops the given-back values still queued when the channel is freed.
    ///
    /// # Safety
    /// The caller holds the last handle: nobody else can reach the channel.
    pub(crate) unsafe fn drop_given_back(&self) {
        // SAFETY: no other party exists, so taking the lock cannot block and
        // every queued record is ours. The values are dropped (user code)
        // after the lock is released.
        unsafe {
            self.lock();
            let mut records = Vec::new();
            while let Some(sg) = self.sendq.dequeue() {
                debug_assert!((*sg).is_given_back(), "hchan: freed with a sender waiting");
                records.push(sg);
            }
            self.unlock();
            for sg in records {
                ptr::drop_in_place((*sg).elem.cast::<T>());
                free::<T>(sg);
            }
        }
    }
}
