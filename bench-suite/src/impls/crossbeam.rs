//! crossbeam-channel on OS threads.

use super::threads::{thread_channel, OnThreads};
use crate::Select4;
use crossbeam_channel::{bounded, Receiver, Sender};

thread_channel!(
    CrossbeamChannel,
    "crossbeam",
    "crossbeam-channel",
    bounded,
    Sender<u64>,
    Receiver<u64>
);

/// crossbeam-channel's `bounded(cap)` with OS threads.
pub type Crossbeam = OnThreads<CrossbeamChannel>;

impl Select4 for Crossbeam {
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64) {
        let [a, b, c, d] = rxs;
        let (k, r) = crossbeam_channel::select! {
            recv(a) -> r => (0, r),
            recv(b) -> r => (1, r),
            recv(c) -> r => (2, r),
            recv(d) -> r => (3, r),
        };
        (k, r.expect("crossbeam: senders gone"))
    }
}
