//! flume on OS threads.

use crate::{Flavor, Select4};
use flume::{bounded, Receiver, Selector, Sender};

/// flume's `bounded(cap)` with OS threads; select through `flume::Selector`.
#[derive(Debug)]
pub struct Flume;

impl Flavor for Flume {
    const NAME: &'static str = "flume";
    const GREEN: bool = false;
    type Tx = Sender<u64>;
    type Rx = Receiver<u64>;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        bounded(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).expect("flume: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("flume: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        super::spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        super::join_thread(h)
    }
}

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
