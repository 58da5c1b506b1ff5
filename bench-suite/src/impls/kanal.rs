//! kanal on OS threads (kanal has no select).

use super::threads::{thread_channel, OnThreads};
use kanal::{bounded, Receiver, Sender};

thread_channel!(
    KanalChannel,
    "kanal",
    "kanal",
    bounded,
    Sender<u64>,
    Receiver<u64>
);

/// kanal's sync `bounded(cap)` with OS threads.
pub type Kanal = OnThreads<KanalChannel>;
