//! runtime
pub(crate) mod g;
pub(crate) mod park;
pub(crate) mod sched;
