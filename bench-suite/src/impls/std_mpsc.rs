//! std's `sync_channel` on OS threads (single consumer, no select).

use crate::Flavor;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// `std::sync::mpsc::sync_channel(cap)` with OS threads.
#[derive(Debug)]
pub struct StdMpsc;

impl Flavor for StdMpsc {
    const NAME: &'static str = "std-mpsc";
    const GREEN: bool = false;
    type Tx = SyncSender<u64>;
    type Rx = Receiver<u64>;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        sync_channel(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).expect("std-mpsc: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("std-mpsc: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        super::spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        super::join_thread(h)
    }
}
