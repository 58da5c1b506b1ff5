//! One adapter per implementation; each is a unit type implementing
//! [`Flavor`](crate::Flavor) (and [`Select4`](crate::Select4) where the library
//! has a select).

mod crossbeam;
#[cfg(feature = "csp-goroutines")]
mod csp_goroutines;
#[cfg(feature = "csp-threads")]
mod csp_threads;
mod flume;
mod kanal;
mod may;
mod std_mpsc;

pub use self::crossbeam::Crossbeam;
#[cfg(feature = "csp-goroutines")]
pub use self::csp_goroutines::CspGoroutines;
#[cfg(feature = "csp-threads")]
pub use self::csp_threads::CspThreads;
pub use self::flume::Flume;
pub use self::kanal::Kanal;
pub use self::may::May;
pub use self::std_mpsc::StdMpsc;

/// Joins an OS thread, re-raising its panic so a failed workload fails loudly.
pub(crate) fn join_thread(h: std::thread::JoinHandle<()>) {
    if let Err(e) = h.join() {
        std::panic::resume_unwind(e);
    }
}

/// Starts an OS thread with a small stack: the sieve and spawn workloads start
/// hundreds of them and need little stack.
pub(crate) fn spawn_thread<F: FnOnce() + Send + 'static>(f: F) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(f)
        .expect("spawn OS thread")
}
