//! csp channels used from plain OS threads.

use crate::{Flavor, Select4};
use csp_core::{Chan, Select};

/// `csp_core::Chan::new(cap)` with OS threads; select through the dynamic
/// `csp_core::Select` (the `select!` macro is for the goroutine adapter).
#[derive(Debug)]
pub struct CspThreads;

impl Flavor for CspThreads {
    const NAME: &'static str = "csp-threads";
    const GREEN: bool = false;
    type Tx = Chan<u64>;
    type Rx = Chan<u64>;
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        let c = Chan::new(cap);
        (c.clone(), c)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v);
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("csp-threads: channel closed")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        super::spawn_thread(f)
    }
    fn join(h: Self::Handle) {
        super::join_thread(h)
    }
}

impl Select4 for CspThreads {
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64) {
        let mut sel = Select::new();
        for rx in rxs {
            sel.recv(rx);
        }
        let chosen = sel.select();
        let k = chosen.index();
        let v = chosen.recv(&rxs[k]).expect("csp-threads: channel closed");
        (k, v)
    }
}
