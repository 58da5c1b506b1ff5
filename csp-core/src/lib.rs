#![doc = include_str!("lib_docs.md")]
#![warn(missing_docs)]

// The layers import only downward: `time`, `sync`, `context` and `net` use
// `chan` and `runtime` (`net` its netpoller); `chan` uses `runtime`;
// `runtime` uses neither.
mod block_on;
mod chan;
pub mod context;
mod lock_futex;
pub mod net;
mod runtime;
mod shim;
pub mod sync;
pub mod testing;
pub mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use block_on::block_on;
pub use chan::direction::{CanRecv, CanSend, Receiver, Sender};
pub use chan::dynselect::{Select, Selected};
pub use chan::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
pub use chan::future::{RecvFuture, RecvStream, SendFuture};
pub use chan::sink::SendSink;
pub use chan::{Chan, CloseOnDrop, Iter};
pub use csp_macros::{csp, go, main, select, test};
pub use runtime::{
    blocking, lock_os_thread, num_goroutine, run, scope, spawn, unlock_os_thread, yield_now,
    Builder, JoinHandle, Scope, ScopedJoinHandle, DEFAULT_STACK_SIZE,
};
pub use sync::WaitGroup;
pub use time::{after, sleep, tick};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
