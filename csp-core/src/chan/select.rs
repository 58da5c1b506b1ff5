//! `selectgo`: Go's select, shared by the `select!` macro (a fixed array of cases
//! on the stack, no allocation) and the dynamic [`Select`] builder.
//!
//! As in Go: cases on nil channels are dropped; the poll order is a random
//! permutation (inside-out Fisher–Yates); every channel is locked, in address
//! order and once even when it appears in several cases, so the whole poll
//! happens at one instant; pass 1 takes the first ready case in poll order; pass 2
//! enqueues one sudog per case and parks; pass 3, after the wake-up, finds the
//! winning sudog and unlinks all the others.

use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::ptr;

use super::direction::{CanRecv, CanSend, Token};
use super::hchan::{ready, Hchan, Poll};
use super::sudog::Sudog;
use crate::runtime::park::{self, WaitReason, Waiter};
use crate::shim::Ordering;

/// Direction of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Send,
    Recv,
}

/// The element-type-erased view of a channel that `selectgo` needs.
pub(crate) trait SelectChan {
    fn addr(&self) -> usize;
    fn lock(&self);
    /// A lock-free hint: a case in direction `dir` might proceed now (or
    /// panic, for a send on a closed channel). False positives are fine; a
    /// false negative only sends the select to the all-locks pass.
    fn may_be_ready(&self, dir: Dir) -> bool;
    /// # Safety
    /// The lock is held.
    unsafe fn unlock(&self);
    /// # Safety
    /// The lock is held; `ep` is this channel's `*mut T` (initialised for a send).
    unsafe fn poll(&self, dir: Dir, ep: *mut u8) -> Poll;
    /// # Safety
    /// The lock is held; `sg` stays valid while linked.
    unsafe fn enqueue(&self, dir: Dir, sg: *mut Sudog);
    /// # Safety
    /// The lock is held; `sg` was enqueued on this channel in direction `dir`.
    unsafe fn remove(&self, dir: Dir, sg: *mut Sudog);
}

impl<T> SelectChan for Hchan<T> {
    fn addr(&self) -> usize {
        Hchan::addr(self)
    }
    fn lock(&self) {
        Hchan::lock(self)
    }
    fn may_be_ready(&self, dir: Dir) -> bool {
        match dir {
            Dir::Send => self.send_may_proceed(),
            Dir::Recv => self.recv_may_proceed(),
        }
    }
    unsafe fn unlock(&self) {
        // SAFETY: forwarded contract.
        unsafe { Hchan::unlock(self) }
    }
    unsafe fn poll(&self, dir: Dir, ep: *mut u8) -> Poll {
        // SAFETY: forwarded contract.
        unsafe {
            match dir {
                Dir::Send => self.poll_send(ep.cast::<T>()),
                Dir::Recv => self.poll_recv(ep.cast::<T>()),
            }
        }
    }
    unsafe fn enqueue(&self, dir: Dir, sg: *mut Sudog) {
        // SAFETY: forwarded contract.
        unsafe {
            match dir {
                Dir::Send => self.sendq.enqueue(sg),
                Dir::Recv => self.recvq.enqueue(sg),
            }
        }
    }
    unsafe fn remove(&self, dir: Dir, sg: *mut Sudog) {
        // SAFETY: forwarded contract.
        unsafe {
            match dir {
                Dir::Send => self.sendq.remove(sg),
                Dir::Recv => self.recvq.remove(sg),
            }
        }
    }
}

/// What a chosen case did to its slot.
const SLOT_EMPTY: u8 = 0;
const SLOT_VALUE: u8 = 1;
const SLOT_CLOSED: u8 = 2;

/// One case of a select: a channel (none when nil), a direction and a value slot.
///
/// Built by [`RecvSlot::case`] and [`SendSlot::case`]; consumed by
/// [`select`](crate::__private::select).
pub struct Case<'a> {
    ch: Option<&'a dyn SelectChan>,
    dir: Dir,
    elem: *mut u8,
    /// The slot's state byte, set when this case is chosen.
    state: *mut u8,
    _slot: PhantomData<&'a mut ()>,
}

impl std::fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("dir", &self.dir)
            .field("nil", &self.ch.is_none())
            .finish()
    }
}

/// Where a receive case puts its value. Drops a received value it still holds.
pub struct RecvSlot<T> {
    val: MaybeUninit<T>,
    state: u8,
}

impl<T> RecvSlot<T> {
    /// An empty slot.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        RecvSlot {
            val: MaybeUninit::uninit(),
            state: SLOT_EMPTY,
        }
    }

    /// A receive case on `ch` into this slot.
    pub fn case<'a>(&'a mut self, ch: &'a (impl CanRecv<T> + ?Sized)) -> Case<'a> {
        let ch = ch.chan(Token);
        self.state = SLOT_EMPTY;
        Case {
            ch: ch.hchan().map(|c| c as &dyn SelectChan),
            dir: Dir::Recv,
            elem: self.val.as_mut_ptr().cast::<u8>(),
            state: &mut self.state,
            _slot: PhantomData,
        }
    }

    /// What the chosen case received: `Some(v)`, or `None` when the channel was
    /// closed. Also `None` if this case was not chosen.
    pub fn take(&mut self) -> Option<T> {
        let s = std::mem::replace(&mut self.state, SLOT_EMPTY);
        if s == SLOT_VALUE {
            // SAFETY: SLOT_VALUE means a sender wrote a T here, not yet taken.
            Some(unsafe { self.val.assume_init_read() })
        } else {
            None
        }
    }
}

impl<T> Drop for RecvSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

impl<T> std::fmt::Debug for RecvSlot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvSlot")
            .field("state", &self.state)
            .finish()
    }
}

/// The value of a send case. Drops the value if it was never sent.
pub struct SendSlot<T> {
    val: MaybeUninit<T>,
    /// SLOT_VALUE while the slot still owns its value.
    state: u8,
}

impl<T> SendSlot<T> {
    /// A slot holding `v`.
    pub fn new(v: T) -> Self {
        SendSlot {
            val: MaybeUninit::new(v),
            state: SLOT_VALUE,
        }
    }

    /// A send case of this slot's value on `ch`.
    ///
    /// # Panics
    /// If the value was already sent.
    pub fn case<'a>(&'a mut self, ch: &'a (impl CanSend<T> + ?Sized)) -> Case<'a> {
        let ch = ch.chan(Token);
        assert_eq!(
            self.state, SLOT_VALUE,
            "SendSlot reused after its value was sent"
        );
        Case {
            ch: ch.hchan().map(|c| c as &dyn SelectChan),
            dir: Dir::Send,
            elem: self.val.as_mut_ptr().cast::<u8>(),
            state: &mut self.state,
            _slot: PhantomData,
        }
    }

    /// Takes the value back if it was not sent.
    pub fn take(&mut self) -> Option<T> {
        let s = std::mem::replace(&mut self.state, SLOT_EMPTY);
        if s == SLOT_VALUE {
            // SAFETY: the slot still owns its initialised value.
            Some(unsafe { self.val.assume_init_read() })
        } else {
            None
        }
    }
}

impl<T> Drop for SendSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

impl<T> std::fmt::Debug for SendSlot<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendSlot")
            .field("state", &self.state)
            .finish()
    }
}

/// A select over a fixed number of cases, with no heap allocation: the poll and
/// lock orders and the sudogs live in this frame. Returns the chosen case's index,
/// or `None` when `block` is false and no case was ready.
pub(crate) fn select_array<const N: usize>(mut cases: [Case<'_>; N], block: bool) -> Option<usize> {
    let mut pollorder = [0u16; N];
    let mut lockorder = [0u16; N];
    let mut sudogs: [MaybeUninit<Sudog>; N] = [const { MaybeUninit::uninit() }; N];
    selectgo(
        &mut cases,
        &mut pollorder,
        &mut lockorder,
        &mut sudogs,
        block,
    )
}

/// The engine: Go's `selectgo`. Scratch slices have one entry per case.
pub(crate) fn selectgo(
    cases: &mut [Case<'_>],
    pollorder: &mut [u16],
    lockorder: &mut [u16],
    sudogs: &mut [MaybeUninit<Sudog>],
    block: bool,
) -> Option<usize> {
    let n = cases.len();
    assert!(n <= u16::MAX as usize + 1, "select: too many cases");
    debug_assert!(pollorder.len() >= n && lockorder.len() >= n && sudogs.len() >= n);

    // Poll order: a random permutation of the non-nil cases (inside-out
    // Fisher–Yates); nil cases are dropped for good.
    let mut norder = 0;
    for (i, case) in cases.iter().enumerate() {
        if case.ch.is_none() {
            continue;
        }
        let j = fastrandn(norder as u32 + 1) as usize;
        pollorder[norder] = pollorder[j];
        pollorder[j] = i as u16;
        norder += 1;
    }
    let pollorder = &pollorder[..norder];

    if norder == 0 {
        if !block {
            return None;
        }
        // Only nil channels: blocks forever, as Go's does.
        park::park_forever(WaitReason::Select);
    }

    // Pass 0 (not in Go): in poll order, take the first case that is ready,
    // locking only its channel. Choosing a case that is ready at the instant
    // its lock is held is a valid outcome of the select at that instant, and
    // the order is the same random permutation, so fairness is Go's. It spares
    // the common case - some case is ready - the other channels' locks, which
    // the goroutines sending on them are contending for. Only "nothing ready"
    // (default, or park) needs every lock at once: pass 1.
    for &i in pollorder {
        let case = &cases[i as usize];
        let c = case.ch.expect("nil case");
        if !c.may_be_ready(case.dir) {
            continue;
        }
        c.lock();
        // SAFETY: the channel is locked; the case's slot matches its channel.
        let p = unsafe { c.poll(case.dir, case.elem) };
        // SAFETY: we hold this channel's lock, and no other.
        if finish(case, p, || unsafe { c.unlock() }) {
            return Some(i as usize);
        }
        // SAFETY: not ready: `finish` kept the lock, which we hold.
        unsafe { c.unlock() };
    }

    // The lock order (by address) is needed only from here on.
    let lockorder = &mut lockorder[..norder];
    lockorder.copy_from_slice(pollorder);
    let chan_of = |i: u16| -> &dyn SelectChan { cases[i as usize].ch.expect("nil case") };
    lockorder.sort_unstable_by_key(|&i| chan_of(i).addr());

    sellock(cases, lockorder);

    // Pass 1: the first ready case in poll order wins.
    for &i in pollorder {
        let case = &cases[i as usize];
        let c = case.ch.expect("nil case");
        // SAFETY: every channel is locked; the case's slot matches its channel.
        let p = unsafe { c.poll(case.dir, case.elem) };
        if finish(case, p, || selunlock(cases, lockorder)) {
            return Some(i as usize);
        }
    }

    if !block {
        selunlock(cases, lockorder);
        return None;
    }

    // Pass 2: one sudog per case, enqueued in lock order, then park.
    let w = Waiter::current();
    let st = w.state();
    st.param.store(ptr::null_mut(), Ordering::Relaxed);
    for &i in lockorder.iter() {
        let case = &cases[i as usize];
        let c = case.ch.expect("nil case");
        let sg = sudogs[i as usize].write(Sudog::new(w, case.elem, true, c.addr()));
        // SAFETY: the channel is locked; the sudog lives in our caller's frame
        // until pass 3 has unlinked it.
        unsafe { c.enqueue(case.dir, sg) };
    }
    let cases_ref: &[Case<'_>] = cases;
    let lockorder_ref: &[u16] = lockorder;
    park::gopark(w, WaitReason::Select, None, &mut || {
        selunlock(cases_ref, lockorder_ref)
    });

    // Pass 3: find the winner, unlink every other sudog.
    sellock(cases, lockorder);
    st.select_done.store(0, Ordering::Relaxed);
    let won = st.param.load(Ordering::Relaxed);
    let mut chosen = None;
    for &i in lockorder.iter() {
        let case = &cases[i as usize];
        let sgp = sudogs[i as usize].as_mut_ptr();
        // SAFETY: pass 2 initialised this sudog; the lock keeps wakers off it.
        debug_assert_eq!(unsafe { (*sgp).c }, case.ch.map_or(0, |c| c.addr()));
        if sgp == won {
            // SAFETY: the waker finished with our sudog before readying us.
            chosen = Some((i as usize, unsafe { (*sgp).success }));
        } else {
            // SAFETY: the channel is locked and `sgp` was enqueued on it.
            unsafe { case.ch.expect("nil case").remove(case.dir, sgp) };
        }
    }
    selunlock(cases, lockorder);
    let Some((i, ok)) = chosen else {
        panic!("selectgo: bad wakeup");
    };
    let case = &cases[i];
    if case.dir == Dir::Send && !ok {
        // Closed while we waited.
        panic!("send on closed channel");
    }
    mark(case, ok);
    Some(i)
}

/// Acts on one poll of `case`, made under the locks that `unlock` releases:
/// not ready, keeps them and returns false; otherwise releases them, then
/// panics (a send on a closed channel) or readies the dequeued waiter, marks
/// the slot and returns true. Shared by pass 0 (one lock) and pass 1 (all).
fn finish(case: &Case<'_>, p: Poll, unlock: impl FnOnce()) -> bool {
    match p {
        Poll::NotReady => false,
        Poll::Closed => {
            unlock();
            panic!("send on closed channel");
        }
        Poll::Ready { wake, ok } => {
            unlock();
            // SAFETY: no lock is held; `wake` was dequeued by this poll.
            unsafe { ready(wake) };
            mark(case, ok);
            true
        }
    }
}

/// Records in the chosen case's slot what happened to it.
fn mark(case: &Case<'_>, ok: bool) {
    let s = match (case.dir, ok) {
        (Dir::Recv, true) => SLOT_VALUE,
        (Dir::Recv, false) => SLOT_CLOSED,
        (Dir::Send, _) => SLOT_EMPTY,
    };
    // SAFETY: `state` points into the case's slot, borrowed for the case's life.
    unsafe { *case.state = s };
}

/// Locks every channel once, in address order.
fn sellock(cases: &[Case<'_>], lockorder: &[u16]) {
    let mut last = 0usize;
    for &i in lockorder {
        let c = cases[i as usize].ch.expect("nil case");
        if c.addr() != last {
            last = c.addr();
            c.lock();
        }
    }
}

/// Unlocks every channel once, in reverse order. Nothing of the select is touched
/// after the final unlock: a waker may complete it (and free its frame) at once.
fn selunlock(cases: &[Case<'_>], lockorder: &[u16]) {
    for k in (0..lockorder.len()).rev() {
        let c = cases[lockorder[k] as usize].ch.expect("nil case");
        if k > 0
            && c.addr()
                == cases[lockorder[k - 1] as usize]
                    .ch
                    .expect("nil case")
                    .addr()
        {
            continue; // unlocked at its first occurrence
        }
        // SAFETY: sellock locked this channel exactly once.
        unsafe { c.unlock() };
    }
}

#[cfg(not(loom))]
std::thread_local! {
    /// Per-thread PRNG state (wyrand), seeded from the thread's address space.
    static RAND: Cell<u64> = Cell::new(seed());
}

#[cfg(loom)]
loom::thread_local! {
    static RAND: Cell<u64> = Cell::new(1);
}

#[cfg(not(loom))]
fn seed() -> u64 {
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (addr ^ t.rotate_left(17)) | 1
}

/// A uniform random number in `0..n` (Go's `cheaprandn`): wyrand, then Lemire's
/// multiply-shift reduction.
#[inline(never)]
pub(crate) fn fastrandn(n: u32) -> u32 {
    let r = RAND.with(|s| {
        let x = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(x);
        let t = (x as u128).wrapping_mul((x ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((t >> 64) ^ t) as u64
    });
    (((r as u32) as u64 * n as u64) >> 32) as u32
}
