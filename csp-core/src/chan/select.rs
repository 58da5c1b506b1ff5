//! `selectgo`: Go's select, shared by the `select!` macro (a fixed array of cases
//! on the stack, no allocation) and the dynamic [`Select`] builder.
//!
//! As in Go: cases on nil channels are dropped; the poll order is a random
//! permutation (inside-out Fisher–Yates); every channel is locked, in address
//! order and once even when it appears in several cases, so the whole poll
//! happens at one instant; pass 1 takes the first ready case in poll order; pass 2
//! enqueues one sudog per case and parks; pass 3, after the wake-up, finds the
//! winning sudog and unlinks all the others.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::hchan::Hchan;
use super::ops::Poll;
use super::slot::{SLOT_CLOSED, SLOT_EMPTY, SLOT_VALUE};
use crate::runtime::park::{self, WaitReason};
use crate::runtime::rand::fastrandn;
use crate::runtime::sudog::Sudog;
use crate::runtime::wait::{ready, Wait, WaitOutcome};

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
            // Not ready: a timer's channel runs its timer if due (Go 1.23).
            Dir::Recv => {
                self.recv_may_proceed() || (self.maybe_run_timer() && self.recv_may_proceed())
            }
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

/// One case of a select: a channel (none when nil), a direction and a value slot.
///
/// Built by [`RecvSlot::case`](super::slot::RecvSlot::case) and
/// [`SendSlot::case`](super::slot::SendSlot::case); consumed by
/// [`select`](crate::__private::select).
pub struct Case<'a> {
    ch: Option<&'a dyn SelectChan>,
    dir: Dir,
    elem: *mut u8,
    /// The slot's state byte, set when this case is chosen.
    state: *mut u8,
    _slot: PhantomData<&'a mut ()>,
}

impl<'a> Case<'a> {
    /// A case on `ch` (none: a nil channel) with value slot `elem`; the slot's
    /// state byte `state` is set when the case is chosen.
    pub(super) fn new(
        ch: Option<&'a dyn SelectChan>,
        dir: Dir,
        elem: *mut u8,
        state: &'a mut u8,
    ) -> Self {
        Case {
            ch,
            dir,
            elem,
            state,
            _slot: PhantomData,
        }
    }
}

impl std::fmt::Debug for Case<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("dir", &self.dir)
            .field("nil", &self.ch.is_none())
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
    let wait = Wait::new(None);
    for &i in lockorder.iter() {
        let case = &cases[i as usize];
        let c = case.ch.expect("nil case");
        let sg = sudogs[i as usize].write(wait.sudog(case.elem, c.addr(), true));
        // SAFETY: the channel is locked; the sudog lives in our caller's frame
        // until pass 3 has unlinked it.
        unsafe { c.enqueue(case.dir, sg) };
    }
    let cases_ref: &[Case<'_>] = cases;
    let lockorder_ref: &[u16] = lockorder;
    let out = wait.park(WaitReason::Select, &mut || {
        selunlock(cases_ref, lockorder_ref)
    });
    let WaitOutcome::Woken { sg: won, .. } = out else {
        unreachable!("selectgo: a select without a deadline timed out");
    };
    let won = won.as_ptr();

    // Pass 3: find the winner, unlink every other sudog.
    sellock(cases, lockorder);
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
