//! csp goroutines, written with the DSL: `go!` to start, `select!` to choose,
//! `csp!` for the arrows.

use crate::{Flavor, Select4};
use csp_core::{csp, go, select, Chan, JoinHandle};

/// csp goroutines on csp's M:N runtime, talking over `csp_core::Chan`.
#[derive(Debug)]
pub struct CspGoroutines;

impl Flavor for CspGoroutines {
    const NAME: &'static str = "csp-goroutines";
    const CRATE: &'static str = "csp-core";
    const GREEN: bool = true;
    const WORKERS: bool = true;
    type Tx = Chan<u64>;
    type Rx = Chan<u64>;
    type Handle = JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        let c = Chan::new(cap);
        (c.clone(), c)
    }
    fn send(tx: &Self::Tx, v: u64) {
        csp! { tx <- v; }
    }
    fn recv(rx: &Self::Rx) -> u64 {
        let v = csp! { <-rx };
        v.expect("csp-goroutines: channel closed")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        go!(f())
    }
    fn join(h: Self::Handle) {
        if let Err(e) = h.join() {
            std::panic::resume_unwind(e);
        }
    }
    fn run<R: Send + 'static, F: FnOnce() -> R + Send + 'static>(f: F) -> R {
        match crate::workers() {
            Some(n) => csp_core::Builder::new().workers(n).run(f),
            None => csp_core::run(f),
        }
    }
}

impl Select4 for CspGoroutines {
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64) {
        let [a, b, c, d] = rxs;
        let (k, v) = select! {
            case v = <-a => (0, v),
            case v = <-b => (1, v),
            case v = <-c => (2, v),
            case v = <-d => (3, v),
        };
        (k, v.expect("csp-goroutines: channel closed"))
    }
}
