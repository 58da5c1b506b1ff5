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
