#![doc = include_str!("lib_docs.md")]
#![warn(missing_docs)]

// The layers import only downward: `time` and `sync` use `chan` and
// `runtime`; `chan` uses `runtime`; `runtime` uses neither.
mod chan;
mod lock_futex;
mod runtime;
mod shim;
mod sync;
pub mod testing;
mod time;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use chan::dynselect::{Select, Selected};
pub use chan::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
pub use chan::{Chan, Iter};
pub use csp_macros::{csp, go, main, select, test};
pub use runtime::{num_goroutine, run, spawn, yield_now, Builder, JoinHandle, DEFAULT_STACK_SIZE};
pub use sync::WaitGroup;
pub use time::{after, sleep, tick};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
