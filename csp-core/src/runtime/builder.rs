//! `run` and `Builder`: a program's main goroutine on its own scheduler.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::runtime::handoff::DEFAULT_MAX_THREADS;
use crate::runtime::panic;
use crate::runtime::sched::{Outcome, Sched};

/// Configures a runtime for [`Builder::run`].
///
/// ```
/// use csp_core::{go, Builder, Chan};
///
/// let v = Builder::new().workers(4).run(|| 42);
/// assert_eq!(v, 42);
///
/// // Every setting: two workers (GOMAXPROCS=2), 1 MiB stacks, and no deadlock
/// // check (a plain thread feeds this runtime's goroutines).
/// let ch = Chan::new(0);
/// let tx = ch.clone();
/// let feeder = std::thread::spawn(move || (1..=10).for_each(|i| tx.send(i)));
/// let sum = Builder::new()
///     .workers(2)
///     .stack_size(1 << 20)
///     .deadlock_detection(false)
///     .run(move || {
///         let out = Chan::new(0);
///         let o = out.clone();
///         go! { o.send(ch.iter().take(10).sum::<i32>()); };
///         out.recv().unwrap()
///     });
/// feeder.join().unwrap();
/// assert_eq!(sum, 55);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    workers: usize,
    stack_size: usize,
    deadlock_detection: bool,
    max_threads: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// One worker per available CPU, 32 MiB stacks ([`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE);
    /// the `CSP_STACK_SIZE` environment variable, in bytes, overrides it),
    /// deadlock detection on.
    pub fn new() -> Self {
        Builder {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            stack_size: crate::runtime::stack::default_stack_size(),
            deadlock_detection: true,
            max_threads: DEFAULT_MAX_THREADS,
        }
    }

    /// The number of worker threads (Go's `GOMAXPROCS`); at least 1.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Stack bytes per goroutine (rounded up to whole pages, at least 16 KiB;
    /// default [`DEFAULT_STACK_SIZE`](crate::DEFAULT_STACK_SIZE), 32 MiB). Address space only: pages are
    /// committed when touched, so a parked goroutine costs the few KiB it used,
    /// whatever the size. A stack never grows past this size (it cannot be
    /// moved); running past it prints "goroutine stack overflow" and aborts.
    ///
    /// The pages of a deep excursion are given back when the goroutine ends:
    /// all but the top 64 KiB, for stacks of 128 KiB or more. Each stack of
    /// 2 MiB or more also costs one page-table page (4 KiB) once touched;
    /// smaller stacks share them, so `stack_size(256 << 10)` makes each of a
    /// million parked goroutines about 3.7 KB lighter (in page tables, not in
    /// its resident set), and starting them on fresh stacks about twice as
    /// fast (the kernel zeroes fewer page-table pages), at the price of
    /// recursion depth.
    ///
    /// ```
    /// // A million calls deep need more than the default 32 MiB.
    /// fn depth(n: u64) -> u64 {
    ///     if n == 0 { 0 } else { depth(std::hint::black_box(n - 1)) + 1 }
    /// }
    /// let d = csp_core::Builder::new()
    ///     .stack_size(256 << 20)
    ///     .run(|| csp_core::spawn(|| depth(1_000_000)).join().unwrap());
    /// assert_eq!(d, 1_000_000);
    /// ```
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// The most OS threads the runtime may start (Go's
    /// `debug.SetMaxThreads`; default 10 000): the workers, plus the threads
    /// that take a P over while its thread is blocked (see
    /// [`blocking`](crate::blocking)). At least `workers`. When the limit is
    /// reached, a blocked thread keeps its P until it returns.
    pub fn max_threads(mut self, n: usize) -> Self {
        self.max_threads = n;
        self
    }

    /// Turns the "all goroutines are asleep - deadlock!" check on or off. Turn
    /// it off when goroutines are fed by OS threads outside the runtime.
    pub fn deadlock_detection(mut self, on: bool) -> Self {
        self.deadlock_detection = on;
        self
    }

    /// Runs `f` as the main goroutine and returns its value.
    ///
    /// Returns as soon as `f` does; goroutines still running or parked are
    /// abandoned (never resumed), as when Go's `main` returns. A panic in `f`,
    /// or in a goroutine nobody joins, is resumed in the caller. When every
    /// goroutine is asleep, panics with "all goroutines are asleep - deadlock!"
    /// and a dump of the goroutines.
    #[track_caller]
    pub fn run<F, T>(self, f: F) -> T
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let loc = Location::caller();
        let s = Sched::new(
            self.workers,
            self.stack_size,
            self.deadlock_detection,
            true,
            self.max_threads,
        );
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let slot2 = slot.clone();
        let s2 = s.clone();
        // A goroutine's panic always fails the run (runtime/panic.rs).
        panic::install_hook();
        s.newproc(loc, move || {
            let r = catch_unwind(AssertUnwindSafe(f));
            crate::runtime::stack::release_deep_current(s2.stack_size);
            match r {
                Ok(v) => {
                    *slot2.lock() = Some(v);
                    // Wait for goroutines whose panic is under way.
                    panic::main_returned(&s2);
                    s2.set_outcome(Outcome::MainDone);
                }
                Err(p) => s2.set_outcome(Outcome::Panic(p)),
            }
        });
        s.start_ms();
        let outcome = s.wait_outcome();
        match outcome {
            Outcome::MainDone => {
                let v = slot.lock().take();
                v.expect("the main goroutine stored its result")
            }
            Outcome::Panic(p) => resume_unwind(p),
            Outcome::Deadlock(msg) => panic!("{msg}"),
        }
    }
}

/// Runs `f` as the main goroutine of a new runtime with the default settings
/// and returns its value; see [`Builder::run`].
#[track_caller]
pub fn run<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new().run(f)
}
