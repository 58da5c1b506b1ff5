//! The goroutine runtime: G, P, M, the wait protocol, parking, timers,
//! deadlock detection. It imports nothing above it: channels, `time` and
//! `sync` are built on it.
//!
//! # Thread-locals and goroutines
//!
//! A goroutine may resume on a different OS thread after any operation that can
//! park it (a channel operation, `select`, `sleep`, `join`, `WaitGroup::wait`,
//! `yield_now`). Do not hold a reference into a thread-local across such an
//! operation, and do not rely on thread identity inside a goroutine. The runtime
//! itself reads its thread-locals through `#[inline(never)]` accessors so that
//! no address is cached across a switch.
//!
//! A goroutine that blocks its OS thread (a blocking system call, a std mutex,
//! `std::thread::sleep`) gives its processor (P) to another thread (M):
//! at once inside [`blocking`], or when sysmon notices (`handoff.rs`).

pub(crate) mod builder;
pub(crate) mod deadlock;
pub(crate) mod fence;
pub(crate) mod g;
pub(crate) mod gfree;
pub(crate) mod handoff;
pub(crate) mod idle;
pub(crate) mod join;
pub(crate) mod lockosthread;
pub(crate) mod m;
pub(crate) mod netpoll;
pub(crate) mod p;
pub(crate) mod panic;
pub(crate) mod park;
pub(crate) mod proc;
pub(crate) mod rand;
pub(crate) mod runq;
pub(crate) mod sched;
pub(crate) mod scope;
pub(crate) mod stack;
pub(crate) mod sudog;
pub(crate) mod syscall;
pub(crate) mod sysmon;
pub(crate) mod taskwait;
pub(crate) mod timer;
pub(crate) mod wait;

pub use builder::{run, Builder};
pub use join::{spawn, JoinHandle};
pub use lockosthread::{lock_os_thread, unlock_os_thread};
pub use scope::{scope, Scope, ScopedJoinHandle};
pub use stack::DEFAULT_STACK_SIZE;
pub use syscall::blocking;

/// Yields the processor so other goroutines can run (Go's `runtime.Gosched`):
/// the calling goroutine goes to the back of the global run queue. Outside a
/// goroutine, yields the thread.
pub fn yield_now() {
    sched::gosched();
}

/// The number of goroutines that exist in the current runtime (the calling
/// goroutine's, or the global one outside `run`), Go's `runtime.NumGoroutine`.
pub fn num_goroutine() -> usize {
    sched::current_sched_if_started().map_or(0, |s| s.num_goroutine())
}
