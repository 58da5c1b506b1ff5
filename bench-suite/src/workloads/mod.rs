//! The workloads, each written once for every [`Flavor`](crate::Flavor).
//!
//! A workload function must be called from the main task, i.e. inside
//! [`Flavor::run`](crate::Flavor::run). It returns a [`Check`](crate::Check) of what
//! the final consumer received, and `expected` gives the closed-form answer.

pub mod fan_in;
pub mod mpmc;
pub mod ping_pong;
pub mod pipeline;
pub mod select4;
pub mod sieve;
pub mod spawn;
pub mod spsc;

/// Sum of `0..n`, the payload most workloads send.
pub(crate) fn sum_below(n: u64) -> u64 {
    n.wrapping_mul(n.wrapping_sub(1)) / 2
}
