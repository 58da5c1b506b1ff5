//! Benchmark workloads for csp and its peers.
//!
//! Each workload in [`workloads`] is written once, generically over [`Flavor`]: a
//! small trait that every implementation in [`impls`] provides (make a channel,
//! send, receive, start a task, join it). Capabilities that only some peers have
//! are extra traits ([`Select4`]) or bounds (`Rx: Clone` for several consumers),
//! so a missing feature is a compile-time fact that [`catalog`] reports as
//! "unsupported" with a reason instead of a number.
//!
//! The async peers (futures on tokio tasks) are in [`tasks`]; the
//! async-to-goroutine ping-pong (a tokio task and a csp goroutine on one
//! channel pair) in `async_goroutine`.
//!
//! Messages are `u64`; every workload returns a [`Check`] (count and sum) that
//! the tests compare with the closed-form answer.
//!
//! Mutex contention and context cancellation are not channel workloads: they
//! live in [`sync_bench`], with their cases in the same [`catalog`]; loopback
//! TCP echo and the cost of `csp_core::blocking` in [`net_bench`].

#[cfg(feature = "csp-goroutines")]
pub mod async_goroutine;
pub mod catalog;
pub mod flavor;
pub mod impls;
pub mod latency;
pub mod net_bench;
pub mod park_memory;
pub mod sync_bench;
pub mod tasks;
pub mod workloads;

pub use catalog::{Mode, Sizes};
pub use flavor::{workers, Check, Flavor, Select4};
