//! `run` and `Builder`: a program's main goroutine on its own scheduler.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe, Location};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::runtime::panic;
use crate::runtime::sched::{Outcome, Sched};
use crate::runtime::stack::DEFAULT_STACK_SIZE;

/// Configures a runtime for [`Builder::run`].
///
/// ```ignore
/// let v = csp_core::Builder::new().workers(4).run(|| 42);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    workers: usize,
    stack_size: usize,
    deadlock_detection: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// One worker per available CPU, 256 KiB stacks, deadlock detection on.
    pub fn new() -> Self {
        Builder {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            stack_size: DEFAULT_STACK_SIZE,
            deadlock_detection: true,
        }
    }

    /// The number of worker threads (Go's `GOMAXPROCS`); at least 1.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n.max(1);
        self
    }

    /// Usable stack bytes per goroutine (rounded up to whole pages, at least
    /// 16 KiB). Address space only: pages are committed when touched.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
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
        let s = Sched::new(self.workers, self.stack_size, self.deadlock_detection, true);
        let slot: Arc<Mutex<Option<T>>> = Arc::new(Mutex::new(None));
        let slot2 = slot.clone();
        let s2 = s.clone();
        // testing branch: a goroutine's panic always fails the run (runtime/panic.rs).
        panic::install_hook();
        s.newproc(loc, move || match catch_unwind(AssertUnwindSafe(f)) {
            Ok(v) => {
                *slot2.lock() = Some(v);
                // testing branch: wait for goroutines whose panic is under way.
                panic::main_returned(&s2);
                s2.set_outcome(Outcome::MainDone);
            }
            Err(p) => s2.set_outcome(Outcome::Panic(p)),
        });
        crate::runtime::m::start_ms(&s);
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
