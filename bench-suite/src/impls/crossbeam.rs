//! crossbeam-channel on OS threads.

use crate::{Flavor, Select4};
use crossbeam_channel::{bounded, Receiver, Sender};

/// crossbeam-channel's `bounded(cap)` with OS threads.
#[derive(Debug)]
pub struct Crossbeam;

impl Flavor for Crossbeam {
    const NAME: &'static str = "crossbeam";
    const GREEN: bool = false;
    type Tx = Sender<u64>;
    type Rx = Receiver<u64>;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        bounded(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).expect("crossbeam: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("crossbeam: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        super::spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        super::join_thread(h)
    }
}

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
