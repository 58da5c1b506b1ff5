//! csp channels used from plain OS threads.

use super::threads::{Gone, OnThreads, ThreadChannel};
use crate::Select4;
use csp_core::{Chan, Select};

/// `csp_core::Chan::new(cap)`, used from OS threads.
#[derive(Debug)]
pub struct CspChannel;

impl ThreadChannel for CspChannel {
    const NAME: &'static str = "csp-threads";
    const CRATE: &'static str = "csp-core";
    type Tx = Chan<u64>;
    type Rx = Chan<u64>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        let c = Chan::new(cap);
        (c.clone(), c)
    }
    fn send(tx: &Self::Tx, v: u64) -> Result<(), Gone> {
        tx.send(v);
        Ok(())
    }
    fn recv(rx: &Self::Rx) -> Result<u64, Gone> {
        rx.recv().ok_or(Gone)
    }
}

/// csp channels with OS threads; select through the dynamic
/// `csp_core::Select` (the `select!` macro is for the goroutine adapter).
pub type CspThreads = OnThreads<CspChannel>;

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
