#![doc = include_str!("lib_docs.md")]
#![warn(missing_docs)]

mod chan;
#[cfg(not(loom))]
mod lock_futex;
mod runtime;
mod shim;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use chan::direction::{CanRecv, CanSend, Receiver, Sender};
pub use chan::dynselect::{Select, Selected};
pub use chan::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
pub use chan::{Chan, Iter};
pub use csp_macros::{csp, go, main, select, test};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

// >>> runtime exports
mod sync;
pub use runtime::{
    after, num_goroutine, run, scope, sleep, spawn, tick, yield_now, Builder, JoinHandle, Scope,
    ScopedJoinHandle, DEFAULT_STACK_SIZE,
};
pub use sync::WaitGroup;
// <<< runtime exports
