//! go-lib: a Rust port of Go's runtime (G/M/P scheduler, hchan channels,
//! selectgo), with its channels and goroutines.

use crate::{Flavor, Select4};
use go_lib::chan::{chan, Receiver, Sender};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// go-lib goroutines talking over `go_lib::chan::chan(cap)`.
#[derive(Debug)]
pub struct GoLib;

/// How a goroutine ended: go-lib's `go!` has no join handle, so each task
/// reports on a channel of its own.
type Outcome = std::thread::Result<()>;

impl Flavor for GoLib {
    const NAME: &'static str = "go-lib";
    const CRATE: &'static str = "go-lib";
    const GREEN: bool = true;
    const WORKERS: bool = true;
    /// Every go-lib stack is its own mapping with a guard page: at 100 000
    /// live goroutines the allocation fails ("mprotect guard page failed",
    /// vm.max_map_count), so spawn starts fewer, as for may.
    const MAX_TASKS: u64 = 20_000;
    const LIMIT_WHY: &'static str =
        "at 100 000 live goroutines go-lib's stack allocation fails (\"mprotect guard page failed\": one mapping and guard page per stack, vm.max_map_count)";
    type Tx = Sender<u64>;
    type Rx = Receiver<u64>;
    type Handle = Receiver<Outcome>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        chan(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v);
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("go-lib: channel closed")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        let (done_tx, done_rx) = chan::<Outcome>(1);
        go_lib::go!(move || done_tx.send(catch_unwind(AssertUnwindSafe(f))));
        done_rx
    }
    fn join(h: Self::Handle) {
        match h.recv() {
            Some(Ok(())) => {}
            Some(Err(e)) => resume_unwind(e),
            None => panic!("go-lib: a goroutine ended without reporting"),
        }
    }
    fn run<R: Send + 'static, F: FnOnce() -> R + Send + 'static>(f: F) -> R {
        // `#[go_lib::main]` is the public entry but wraps `fn main`; this is
        // the function it expands to, which runs `f` as the first goroutine.
        go_lib::__main_entry(move || {
            // GOMAXPROCS can only be read and set from inside the runtime.
            if let Some(n) = crate::workers().filter(|n| *n != go_lib::gomaxprocs()) {
                go_lib::set_gomaxprocs(n);
            }
            catch_unwind(AssertUnwindSafe(f))
        })
        .unwrap_or_else(|e| resume_unwind(e))
    }
}

impl Select4 for GoLib {
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64) {
        let [a, b, c, d] = rxs;
        let (k, v) = go_lib::select! {
            recv(a) -> v => { (0, v) }
            recv(b) -> v => { (1, v) }
            recv(c) -> v => { (2, v) }
            recv(d) -> v => { (3, v) }
        };
        (k, v.expect("go-lib: channel closed"))
    }
}
