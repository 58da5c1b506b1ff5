//! The trait each implementation provides to the workloads.

/// What a workload run produced: how many values arrived and their sum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Check {
    /// Number of values received by the final consumer(s).
    pub count: u64,
    /// Wrapping sum of those values.
    pub sum: u64,
}

impl Check {
    /// Records one received value.
    pub fn add(&mut self, v: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(v);
    }

    /// Merges the check of another consumer into this one.
    pub fn merge(&mut self, other: Check) {
        self.count += other.count;
        self.sum = self.sum.wrapping_add(other.sum);
    }
}

/// One channel-and-task implementation, as the workloads see it.
///
/// Workloads never close or drop channels to signal the end: every receiver
/// knows how many values to expect, so the same code runs on libraries with
/// Go's `close` and on libraries that disconnect when senders drop.
pub trait Flavor: 'static {
    /// The name in reports (`crossbeam`, `csp-goroutines`, ...).
    const NAME: &'static str;
    /// The crate whose version the report records (`crossbeam-channel`, ...).
    const CRATE: &'static str;
    /// Whether tasks are green threads (goroutines, coroutines) rather than OS
    /// threads; the spawn workload starts far fewer OS threads.
    const GREEN: bool;
    /// Whether `chan(cap)` honours `cap`; `false` means every channel is unbounded.
    const BOUNDED: bool = true;
    /// The most tasks the spawn workload may start in one run, when the
    /// library cannot have as many alive as the workload asks for.
    const MAX_TASKS: u64 = u64::MAX;
    /// Why [`Flavor::MAX_TASKS`] is what it is, for the report.
    const LIMIT_WHY: &'static str = "more live stacks than vm.max_map_count allows";

    /// Whether [`Flavor::run`] honours [`workers`] (the worker-count sweep
    /// measures only such runtimes).
    const WORKERS: bool = false;

    /// The sending half of a channel of `u64`.
    type Tx: Clone + Send + 'static;
    /// The receiving half (Clone when the library allows several consumers).
    type Rx: Send + 'static;
    /// A started task, for [`Flavor::join`].
    type Handle: Send + 'static;

    /// A channel of capacity `cap`; 0 is unbuffered (a rendezvous).
    fn chan(cap: usize) -> (Self::Tx, Self::Rx);
    /// Sends `v`, blocking while the channel is full.
    fn send(tx: &Self::Tx, v: u64);
    /// Receives one value, blocking while the channel is empty.
    fn recv(rx: &Self::Rx) -> u64;
    /// Starts `f` as a new task (goroutine, coroutine or OS thread).
    fn spawn<F: FnOnce() + Send + 'static>(f: F) -> Self::Handle;
    /// Waits for a task started by [`Flavor::spawn`].
    fn join(h: Self::Handle);
    /// Runs `f` as the main task (inside the runtime for green threads).
    fn run<R: Send + 'static, F: FnOnce() -> R + Send + 'static>(f: F) -> R {
        f()
    }
}

/// The worker threads a runtime should use (Go's GOMAXPROCS), from
/// `CSP_BENCH_WORKERS`; None: the runtime's default (one per CPU).
pub fn workers() -> Option<usize> {
    std::env::var("CSP_BENCH_WORKERS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| *n > 0)
}

/// Implementations that can block on the first of four receives.
pub trait Select4: Flavor {
    /// Receives from whichever of the four channels is ready first and returns
    /// the index of that channel with the value.
    fn select4(rxs: &[Self::Rx; 4]) -> (usize, u64);
}
