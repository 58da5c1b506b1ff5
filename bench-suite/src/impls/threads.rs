//! The OS-thread adapter shared by every channel library that runs on plain
//! threads: a library provides only its channel ([`ThreadChannel`]), and
//! [`OnThreads`] supplies the tasks (OS threads with a small stack).

use crate::Flavor;
use std::marker::PhantomData;

/// A send or receive failed: the other side of the channel is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

/// What differs between channel libraries used from OS threads: the channel
/// constructor and the blocking send and receive. `Err` means the other side
/// is gone ([`Gone`]; the workloads never let that happen, the adapter panics).
pub trait ThreadChannel: 'static {
    /// The name in reports (`crossbeam`, `flume`, ...).
    const NAME: &'static str;
    /// The crate whose version the report records.
    const CRATE: &'static str;
    /// The sending half of a channel of `u64`.
    type Tx: Clone + Send + 'static;
    /// The receiving half (Clone when the library allows several consumers).
    type Rx: Send + 'static;
    /// A channel of capacity `cap`; 0 is unbuffered (a rendezvous).
    fn chan(cap: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`, blocking while the channel is full.
    fn send(tx: &Self::Tx, v: u64) -> Result<(), Gone>;
    /// Receives one value, blocking while the channel is empty.
    fn recv(rx: &Self::Rx) -> Result<u64, Gone>;
}

/// A [`ThreadChannel`] as a [`Flavor`]: every task is an OS thread.
#[derive(Debug)]
pub struct OnThreads<C>(PhantomData<C>);

impl<C: ThreadChannel> Flavor for OnThreads<C> {
    const NAME: &'static str = C::NAME;
    const CRATE: &'static str = C::CRATE;
    const GREEN: bool = false;
    type Tx = C::Tx;
    type Rx = C::Rx;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        C::chan(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        C::send(tx, v).unwrap_or_else(|Gone| panic!("{}: receiver gone", C::NAME));
    }
    fn recv(rx: &Self::Rx) -> u64 {
        C::recv(rx).unwrap_or_else(|Gone| panic!("{}: senders gone", C::NAME))
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        join_thread(h)
    }
}

/// Implements [`ThreadChannel`] for a library whose constructor returns
/// `(Sender, Receiver)` with `send(v) -> Result` and `recv() -> Result`:
/// `thread_channel!(Marker, "name", "crate", constructor, Sender, Receiver)`.
macro_rules! thread_channel {
    ($marker:ident, $name:literal, $krate:literal, $new:path, $tx:ty, $rx:ty) => {
        #[doc = concat!("The channel of `", $krate, "`, used from OS threads.")]
        #[derive(Debug)]
        pub struct $marker;

        impl $crate::impls::threads::ThreadChannel for $marker {
            const NAME: &'static str = $name;
            const CRATE: &'static str = $krate;
            type Tx = $tx;
            type Rx = $rx;
            fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
                $new(cap)
            }
            fn send(tx: &Self::Tx, v: u64) -> Result<(), $crate::impls::threads::Gone> {
                tx.send(v).map_err(|_| $crate::impls::threads::Gone)
            }
            fn recv(rx: &Self::Rx) -> Result<u64, $crate::impls::threads::Gone> {
                rx.recv().map_err(|_| $crate::impls::threads::Gone)
            }
        }
    };
}
pub(crate) use thread_channel;

/// Joins an OS thread, re-raising its panic so a failed workload fails loudly.
pub(crate) fn join_thread(h: std::thread::JoinHandle<()>) {
    if let Err(e) = h.join() {
        std::panic::resume_unwind(e);
    }
}

/// Starts an OS thread with a small stack: the sieve and spawn workloads start
/// hundreds of them and need little stack.
pub(crate) fn spawn_thread<F: FnOnce() + Send + 'static>(f: F) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(f)
        .expect("spawn OS thread")
}
