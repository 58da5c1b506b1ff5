//! [`Select`]: a select over a set of cases built at run time (Go's `reflect.Select`).

use std::mem::MaybeUninit;

use super::direction::{CanRecv, CanSend, Token};
use super::select::{selectgo, Case};
use super::slot::{RecvSlot, SendSlot};
use super::Chan;

/// A slot of any element type, boxed so that one select can mix them.
trait AnySlot {
    /// # Safety
    /// `ch` must be the channel this slot's case was registered with; its element
    /// type is the slot's.
    unsafe fn case<'a>(&'a mut self, ch: *const ()) -> Case<'a>;
}

struct RecvEntry<T>(RecvSlot<T>);
struct SendEntry<T>(SendSlot<T>);

impl<T> AnySlot for RecvEntry<T> {
    unsafe fn case<'a>(&'a mut self, ch: *const ()) -> Case<'a> {
        // SAFETY: `ch` is the `&Chan<T>` this entry was made for (caller's
        // contract), borrowed for the Select's lifetime, which outlives `'a`.
        let ch = unsafe { &*ch.cast::<Chan<T>>() };
        self.0.case(ch)
    }
}

impl<T> AnySlot for SendEntry<T> {
    unsafe fn case<'a>(&'a mut self, ch: *const ()) -> Case<'a> {
        // SAFETY: as for RecvEntry.
        let ch = unsafe { &*ch.cast::<Chan<T>>() };
        self.0.case(ch)
    }
}

struct Entry<'a> {
    /// The `&'a Chan<T>` of this case, erased.
    ch: *const (),
    /// The channel's identity (0 for nil), to check `Selected::recv`.
    id: usize,
    recv: bool,
    slot: Box<dyn AnySlot + 'a>,
}

/// A select whose cases are added at run time, like Go's `reflect.Select`.
///
/// Cases may have different element types; nil channels never fire; the same
/// channel may appear in several cases. The choice among ready cases is uniformly
/// random and atomic across all channels, exactly as in the `select!` macro.
///
/// ```
/// use csp_core::{Chan, Select};
///
/// let numbers = Chan::new(1);
/// let words: Chan<&str> = Chan::new(1);
/// numbers.send(7);
///
/// let mut sel = Select::new();
/// let n = sel.recv(&numbers);
/// let w = sel.send(&words, "hello");
/// let done = sel.select();
/// if done.index() == n {
///     assert_eq!(done.recv(&numbers), Some(7));
/// } else {
///     assert_eq!(done.index(), w);
///     assert_eq!(words.recv(), Some("hello"));
/// }
/// ```
pub struct Select<'a> {
    entries: Vec<Entry<'a>>,
}

impl std::fmt::Debug for Select<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("cases", &self.entries.len())
            .finish()
    }
}

impl Default for Select<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Select<'a> {
    /// A select with no cases yet.
    pub fn new() -> Self {
        Select {
            entries: Vec::new(),
        }
    }

    /// Adds a receive case on `ch` (a [`Chan`] or a [`Receiver`](crate::Receiver));
    /// returns its index.
    pub fn recv<T: 'a>(&mut self, ch: &'a (impl CanRecv<T> + ?Sized)) -> usize {
        let ch = ch.chan(Token);
        self.entries.push(Entry {
            ch: ch as *const Chan<T> as *const (),
            id: ch.id(),
            recv: true,
            slot: Box::new(RecvEntry(RecvSlot::<T>::new())),
        });
        self.entries.len() - 1
    }

    /// Adds a send case of `v` on `ch` (a [`Chan`] or a [`Sender`](crate::Sender));
    /// returns its index. If another case is
    /// chosen, `v` is dropped with the `Select`.
    pub fn send<T: 'a>(&mut self, ch: &'a (impl CanSend<T> + ?Sized), v: T) -> usize {
        let ch = ch.chan(Token);
        self.entries.push(Entry {
            ch: ch as *const Chan<T> as *const (),
            id: ch.id(),
            recv: false,
            slot: Box::new(SendEntry(SendSlot::new(v))),
        });
        self.entries.len() - 1
    }

    /// Blocks until one case can proceed, performs it, and returns it.
    /// With no cases (or only nil channels) it blocks forever, as Go's does.
    ///
    /// # Panics
    /// "send on closed channel" if a send case's channel is closed when polled.
    pub fn select(self) -> Selected<'a> {
        self.run(true).expect("a blocking select always chooses")
    }

    /// Performs a ready case if there is one at this instant (Go's select with a
    /// `default`); `None` when none is ready.
    pub fn try_select(self) -> Option<Selected<'a>> {
        self.run(false)
    }

    fn run(mut self, block: bool) -> Option<Selected<'a>> {
        let n = self.entries.len();
        let mut pollorder = vec![0u16; n];
        let mut lockorder = vec![0u16; n];
        let mut sudogs: Vec<MaybeUninit<_>> = (0..n).map(|_| MaybeUninit::uninit()).collect();
        let chosen = {
            let mut cases: Vec<Case<'_>> = self
                .entries
                .iter_mut()
                // SAFETY: `e.ch` is the channel `e.slot` was made for.
                .map(|e| unsafe { e.slot.case(e.ch) })
                .collect();
            selectgo(
                &mut cases,
                &mut pollorder,
                &mut lockorder,
                &mut sudogs,
                block,
            )
        };
        let index = chosen?;
        let entry = self.entries.swap_remove(index);
        Some(Selected { index, entry })
    }
}

/// The case a [`Select`] performed.
///
/// # Borrows
///
/// A `Selected` borrows the channels of its `Select` for as long as it lives:
/// it may hold the value the chosen receive took, whose type may itself borrow
/// (`Chan<&str>`), and that value is dropped with it. Reading the chosen case
/// consumes it and so ends the borrow: [`recv`](Selected::recv) for a receive,
/// [`into_index`](Selected::into_index) for a send (or when the received value
/// is not wanted). After either, the channels may be changed:
///
/// ```
/// use csp_core::{Chan, Select};
///
/// // A set of channels that shrinks as they close, like a fan-in over a
/// // changing set.
/// let mut inputs: Vec<Chan<i32>> = (0..3).map(|_| Chan::new(1)).collect();
/// inputs[1].send(5);
/// inputs[1].close();
/// let mut got = Vec::new();
/// while !inputs.is_empty() {
///     let mut sel = Select::new();
///     for c in &inputs {
///         sel.recv(c);
///     }
///     let Some(chosen) = sel.try_select() else { break };
///     let i = chosen.index();
///     match chosen.recv(&inputs[i]) { // consumes `chosen`: `inputs` is free again
///         Some(v) => got.push(v),
///         None => drop(inputs.swap_remove(i)), // closed: forget it
///     }
/// }
/// assert_eq!(got, [5]);
/// assert_eq!(inputs.len(), 2);
///
/// // For a send, `into_index` (or using the result in one expression).
/// let mut outputs: Vec<Chan<&str>> = vec![Chan::new(0), Chan::new(1)];
/// let mut sel = Select::new();
/// for c in &outputs {
///     sel.send(c, "hi");
/// }
/// let i = sel.select().into_index();
/// let ready = outputs.remove(i);
/// assert_eq!(ready.recv(), Some("hi"));
/// ```
///
/// Keeping the `Selected` alive while changing the channels is the borrow
/// error (E0502) this avoids:
///
/// ```compile_fail,E0502
/// use csp_core::{Chan, Select};
///
/// let mut outputs: Vec<Chan<i32>> = vec![Chan::new(1)];
/// let mut sel = Select::new();
/// sel.send(&outputs[0], 1);
/// let chosen = sel.select();
/// let i = chosen.index();
/// outputs.remove(i); // `chosen` still borrows `outputs` until it is dropped
/// ```
pub struct Selected<'a> {
    index: usize,
    entry: Entry<'a>,
}

impl std::fmt::Debug for Selected<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selected")
            .field("index", &self.index)
            .finish()
    }
}

impl<'a> Selected<'a> {
    /// The index of the chosen case, as returned by [`Select::recv`] or
    /// [`Select::send`].
    pub fn index(&self) -> usize {
        self.index
    }

    /// The index of the chosen case, consuming the `Selected` (and dropping a
    /// received value), which ends its borrow of the channels: for a send
    /// case, or a receive whose value is not wanted.
    pub fn into_index(self) -> usize {
        self.index
    }

    /// The result of the chosen receive case: `Some(v)`, or `None` if the channel
    /// was closed (Go's `v, ok := <-c` with `ok == false`).
    ///
    /// # Panics
    /// If the chosen case is not a receive on `ch`.
    pub fn recv<T>(self, ch: &(impl CanRecv<T> + ?Sized)) -> Option<T> {
        let ch = ch.chan(Token);
        assert!(
            self.entry.recv && self.entry.id == ch.id(),
            "Selected::recv: case {} is not a receive on this channel",
            self.index
        );
        let mut slot = self.entry.slot;
        // SAFETY: the entry is a receive registered with a channel whose identity
        // is `ch`'s, so it was made as a RecvEntry<T> for this very T.
        let slot = unsafe { &mut *(&mut *slot as *mut dyn AnySlot as *mut RecvEntry<T>) };
        slot.0.take()
    }
}
