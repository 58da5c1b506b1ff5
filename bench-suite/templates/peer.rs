//! Template for a new peer: copy to `src/impls/<name>.rs`, replace every
//! `TODO`, then add the module to `src/impls/mod.rs` and one line to
//! `catalog::impls()` (see ../ADDING_A_PEER.md). As written it runs std's
//! `sync_channel` on OS threads so that it compiles and passes the workloads
//! (`tests/template.rs` checks that).

use bench_suite::Flavor;

/// TODO: one line on the library and how its tasks run.
#[derive(Debug)]
pub struct MyPeer;

impl Flavor for MyPeer {
    /// TODO: the name in ids and reports (lower case, `-` between words).
    const NAME: &'static str = "my-peer";
    /// TODO: the crate as named in Cargo.toml (its version goes in the report).
    const CRATE: &'static str = "std";
    /// TODO: true for goroutines, coroutines or async tasks; false for OS threads.
    const GREEN: bool = false;
    // TODO if needed: `const BOUNDED: bool = false;` when every channel is
    // unbounded, and `const MAX_TASKS: u64` with `const LIMIT_WHY: &str` when
    // the library cannot have 100 000 tasks alive at once.

    /// TODO: the library's sender of `u64`.
    type Tx = std::sync::mpsc::SyncSender<u64>;
    /// TODO: the library's receiver (Clone if it has several consumers).
    type Rx = std::sync::mpsc::Receiver<u64>;
    /// TODO: what starting a task gives back, to join it.
    type Handle = std::thread::JoinHandle<()>;

    fn chan(cap: usize) -> (Self::Tx, Self::Rx) {
        // TODO: a channel of capacity `cap`; 0 must be a rendezvous.
        std::sync::mpsc::sync_channel(cap)
    }
    fn send(tx: &Self::Tx, v: u64) {
        // TODO: a blocking send; panic if the receiver is gone.
        tx.send(v).expect("my-peer: receiver gone");
    }
    fn recv(rx: &Self::Rx) -> u64 {
        // TODO: a blocking receive; panic if the senders are gone.
        rx.recv().expect("my-peer: senders gone")
    }
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle {
        // TODO: start `f` as a task of the library.
        std::thread::spawn(f)
    }
    fn join(h: Self::Handle) {
        // TODO: wait for the task; re-raise its panic so a failure is loud.
        if let Err(e) = h.join() {
            std::panic::resume_unwind(e);
        }
    }
    // TODO for green threads: `fn run(f)` runs `f` as the main task inside
    // the library's runtime (the default just calls `f`).
}

// TODO if the library has a select: implement `bench_suite::Select4` (receive
// from whichever of four channels is ready first) and pass `select: yes` in
// the catalog line.
