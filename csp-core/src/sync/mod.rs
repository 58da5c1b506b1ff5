//! Go's `sync` (and x/sync's `errgroup` and `semaphore`), goroutine-aware:
//! [`Mutex`], [`RwLock`], [`Cond`], [`Once`], [`OnceCell`], [`Semaphore`],
//! [`WaitGroup`] and [`errgroup::Group`].
//!
//! Every primitive works from goroutines and from OS threads alike, in the
//! same program: a goroutine that must wait parks (its worker thread runs
//! other goroutines, and a lock holder that parks does not hang the
//! program), an OS thread blocks. A std `Mutex` held across a channel
//! operation blocks the worker; these do not.
//!
//! **No poisoning.** Go has none: a panic while a guard is held releases the
//! lock as the guard drops, and the next holder sees the data as it was
//! left. The lock methods return guards directly, not `Result`s.
//!
//! Wait reasons in the deadlock dump use Go's words: "sync.Mutex.Lock",
//! "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.Cond.Wait",
//! "semacquire", "sync.WaitGroup.Wait".

mod cond;
pub mod errgroup;
mod lock;
mod mutex;
mod once;
mod rwlock;
mod sema;
mod semaphore;
pub(crate) mod waitgroup;
mod waitlist;

pub use cond::Cond;
pub use mutex::{Mutex, MutexGuard};
pub use once::{Once, OnceCell};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::Semaphore;
pub use waitgroup::WaitGroup;
