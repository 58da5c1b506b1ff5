//! csp: Go's channels, `select` and goroutines, rebuilt in Rust.
//!
//! (The crate's full introduction lands with the DSL; see [`Chan`] and [`Select`].)
#![warn(missing_docs)]

mod chan;
mod runtime;
mod shim;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use chan::dynselect::{Select, Selected};
pub use chan::errors::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};
pub use chan::{Chan, Iter};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

// >>> runtime exports
// <<< runtime exports
