//! kanal on OS threads (kanal has no select).

use crate::Flavor;
use kanal::{bounded, Receiver, Sender};

/// kanal's sync `bounded(cap)` with OS threads.
#[derive(Debug)]
pub struct Kanal;

impl Flavor for Kanal {
    const NAME: &'static str = "kanal";
    const GREEN: bool = false;
    type Tx = Sender<u64>;
    type Rx = Receiver<u64>;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        bounded(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).expect("kanal: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("kanal: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        super::spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        super::join_thread(h)
    }
}
