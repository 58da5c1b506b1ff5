//! Synchronisation beyond channels (Go's `sync`).

pub(crate) mod waitgroup;

pub use waitgroup::WaitGroup;
