//! std's `sync_channel` on OS threads (single consumer, no select).

use super::threads::{thread_channel, OnThreads};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

thread_channel!(
    StdChannel,
    "std-mpsc",
    "std",
    sync_channel,
    SyncSender<u64>,
    Receiver<u64>
);

/// `std::sync::mpsc::sync_channel(cap)` with OS threads.
pub type StdMpsc = OnThreads<StdChannel>;
