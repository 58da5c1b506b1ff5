//! A select case's value slot ([`RecvSlot`], [`SendSlot`]): it lives in the
//! selecting frame, a receive's value lands in it, a send's value waits in it,
//! and whatever it still owns is dropped with it.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::direction::{CanRecv, CanSend, Token};
use super::select::{Case, Dir, SelectChan};
use super::Chan;

/// What a chosen case did to its slot.
pub(super) const SLOT_EMPTY: u8 = 0;
pub(super) const SLOT_VALUE: u8 = 1;
pub(super) const SLOT_CLOSED: u8 = 2;

/// A case's value slot: where a receive puts its value, or the value a send
/// offers. Drops a value it still holds. `D` is [`RecvDir`] or [`SendDir`].
pub struct Slot<T, D> {
    val: MaybeUninit<T>,
    /// `SLOT_VALUE` while the slot owns a value: a received one not yet
    /// taken, or a value to send not yet sent.
    state: u8,
    _dir: PhantomData<D>,
}

/// Marks a receive case's [`Slot`].
#[derive(Debug)]
pub enum RecvDir {}

/// Marks a send case's [`Slot`].
#[derive(Debug)]
pub enum SendDir {}

/// Where a receive case puts its value.
pub type RecvSlot<T> = Slot<T, RecvDir>;

/// The value of a send case.
pub type SendSlot<T> = Slot<T, SendDir>;

impl<T, D> Slot<T, D> {
    /// Takes the value the slot owns: for a receive case, `Some(v)` if it was
    /// chosen and received a value (`None` when the channel was closed, or
    /// when it was not chosen); for a send case, the value if it was not sent.
    pub fn take(&mut self) -> Option<T> {
        let s = std::mem::replace(&mut self.state, SLOT_EMPTY);
        if s == SLOT_VALUE {
            // SAFETY: SLOT_VALUE means the slot owns an initialised value.
            Some(unsafe { self.val.assume_init_read() })
        } else {
            None
        }
    }

    fn case_of<'a>(&'a mut self, ch: &'a Chan<T>, dir: Dir) -> Case<'a> {
        let elem = self.val.as_mut_ptr().cast::<u8>();
        Case::new(
            ch.hchan().map(|c| c as &dyn SelectChan),
            dir,
            elem,
            &mut self.state,
        )
    }
}

impl<T> Slot<T, RecvDir> {
    /// An empty slot.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Slot {
            val: MaybeUninit::uninit(),
            state: SLOT_EMPTY,
            _dir: PhantomData,
        }
    }

    /// A receive case on `ch` into this slot.
    pub fn case<'a>(&'a mut self, ch: &'a (impl CanRecv<T> + ?Sized)) -> Case<'a> {
        let ch = ch.chan(Token);
        drop(self.take());
        self.case_of(ch, Dir::Recv)
    }
}

impl<T> Slot<T, SendDir> {
    /// A slot holding `v`.
    pub fn new(v: T) -> Self {
        Slot {
            val: MaybeUninit::new(v),
            state: SLOT_VALUE,
            _dir: PhantomData,
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
        self.case_of(ch, Dir::Send)
    }
}

impl<T, D> Drop for Slot<T, D> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

impl<T, D> std::fmt::Debug for Slot<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").field("state", &self.state).finish()
    }
}
