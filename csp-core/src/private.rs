//! What the macros of `csp-macros` lower onto. Not a public API: names and
//! signatures may change with the macros.

use crate::chan::direction::{CanRecv, CanSend, Token};
use crate::chan::select::select_array;
use crate::runtime::park::{self, WaitReason};
use crate::TrySendError;

pub use crate::chan::direction::SendElem;
pub use crate::chan::select::Case;
pub use crate::chan::slot::{RecvDir, RecvSlot, SendDir, SendSlot, Slot};

/// A select over a fixed set of cases, without heap allocation. `Some(i)`: case
/// `i` was performed; `None` (only when `!block`): nothing was ready (`default`).
#[inline]
pub fn select<const N: usize>(cases: [Case<'_>; N], block: bool) -> Option<usize> {
    select_array(cases, block)
}

/// `select {}`: parks forever.
pub fn block_forever() -> ! {
    park::park_forever(WaitReason::SelectNoCases)
}

/// A select with one send case and a `default`: whether the value was sent (if
/// not, it is dropped). Panics "send on closed channel", as Go's does.
pub fn select_nb_send<T>(ch: &(impl CanSend<T> + ?Sized), v: T) -> bool {
    match ch.chan(Token).try_send(v) {
        Ok(()) => true,
        Err(TrySendError::Full(_)) => false,
        Err(TrySendError::Closed(_)) => panic!("send on closed channel"),
    }
}

/// A select with one receive case and a `default`: `None` when nothing is ready,
/// `Some(None)` when the channel is closed and drained.
pub fn select_nb_recv<T>(ch: &(impl CanRecv<T> + ?Sized)) -> Option<Option<T>> {
    match ch.chan(Token).try_recv() {
        Ok(v) => Some(Some(v)),
        Err(crate::TryRecvError::Closed) => Some(None),
        Err(crate::TryRecvError::Empty) => None,
    }
}

/// `ch <- v`.
#[inline]
pub fn send<T>(ch: &(impl CanSend<T> + ?Sized), v: T) {
    ch.chan(Token).send(v)
}

/// `<-ch`.
#[inline]
pub fn recv<T>(ch: &(impl CanRecv<T> + ?Sized)) -> Option<T> {
    ch.chan(Token).recv()
}

/// loom models only: the seed of select's poll-order generator for model
/// threads (the main one included) created from now on.
#[cfg(loom)]
pub fn set_loom_select_seed(seed: u64) {
    crate::runtime::rand::set_loom_seed(seed)
}

/// loom models only: the channel lock of `lock_futex.rs` (channels use loom's
/// own lock under loom), so that `tests/loom.rs` can check its protocol.
#[cfg(loom)]
pub struct FutexLock(crate::lock_futex::FutexLock);

#[cfg(loom)]
impl std::fmt::Debug for FutexLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FutexLock")
    }
}

#[cfg(loom)]
impl Default for FutexLock {
    fn default() -> Self {
        FutexLock(crate::lock_futex::FutexLock::new())
    }
}

#[cfg(loom)]
impl FutexLock {
    /// Takes the lock.
    pub fn lock(&self) {
        self.0.lock()
    }

    /// Releases the lock.
    pub fn unlock(&self) {
        self.0.unlock()
    }
}
