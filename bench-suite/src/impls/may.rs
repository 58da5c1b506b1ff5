//! may's coroutines and its (always unbounded) MPMC channel.

use crate::Flavor;
use may::sync::mpmc::{channel, Receiver, Sender};

/// may coroutines with `may::sync::mpmc::channel()`. may has no bounded or
/// unbuffered channel, so every capacity becomes unbounded.
#[derive(Debug)]
pub struct May;

impl Flavor for May {
    const NAME: &'static str = "may";
    const CRATE: &'static str = "may";
    const GREEN: bool = true;
    const WORKERS: bool = true;
    const BOUNDED: bool = false;
    /// Each may stack is its own mapping plus a guard page: 100 000 live
    /// coroutines exceed Linux's default `vm.max_map_count` (65 530) and the
    /// stack allocation fails with ENOMEM.
    const MAX_TASKS: u64 = 20_000;
    const LIMIT_WHY: &'static str =
        "each may stack is its own mapping plus a guard page: 100 000 live coroutines exceed vm.max_map_count";
    type Tx = Sender<u64>;
    type Rx = Receiver<u64>;
    type Handle = may::coroutine::JoinHandle<()>;

    fn chan(_cap: usize) -> (Self::Tx, Self::Rx) {
        channel()
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).expect("may: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        rx.recv().expect("may: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        // SAFETY: may marks spawn unsafe because a coroutine may migrate between
        // worker threads (thread-locals) and has a fixed stack. The workload
        // closures touch no thread-local state and use a few hundred bytes of
        // stack, far below may's default 32 KiB.
        unsafe { may::coroutine::spawn(f) }
    }
    fn join(h: Self::Handle) {
        if let Err(e) = h.join() {
            std::panic::resume_unwind(e);
        }
    }
    fn run<R: Send + 'static, F: FnOnce() -> R + Send + 'static>(f: F) -> R {
        // may reads its worker count once, when its scheduler starts.
        static CONFIGURED: std::sync::Once = std::sync::Once::new();
        CONFIGURED.call_once(|| {
            if let Some(n) = crate::workers() {
                may::config().set_workers(n);
            }
        });
        // The main task is a coroutine too, as in Go.
        // SAFETY: as in `spawn`; `f` is workload code with the same properties.
        let h = unsafe { may::coroutine::spawn(f) };
        match h.join() {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e),
        }
    }
}
