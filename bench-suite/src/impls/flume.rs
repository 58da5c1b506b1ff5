//! flume on OS threads.

use super::threads::{thread_channel, OnThreads};
use crate::Select4;
use flume::{bounded, Receiver, Selector, Sender};

thread_channel!(
    FlumeChannel,
    "flume",
    "flume",
    bounded,
    Sender<u64>,
    Receiver<u64>
);

/// flume's `bounded(cap)` with OS threads; select through `flume::Selector`.
pub type Flume = OnThreads<FlumeChannel>;

impl Select4 for Flume {
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64) {
        let (k, r) = Selector::new()
            .recv(&rxs[0], |r| (0, r))
            .recv(&rxs[1], |r| (1, r))
            .recv(&rxs[2], |r| (2, r))
            .recv(&rxs[3], |r| (3, r))
            .wait();
        (k, r.expect("flume: senders gone"))
    }
}
