//! "all goroutines are asleep - deadlock!" and the goroutine dump.
//!
//! The rule (checked by the last worker to go idle, inside `run` only):
//! every goroutine is parked — on a channel, a select, a nil channel, a join or
//! a WaitGroup — no timer is pending (a sleeping goroutine, a timed receive, an
//! `after` or a `tick` will still wake something), no OS thread outside the
//! runtime is blocked in a channel operation, and this has stayed so for 20 ms
//! with no goroutine readied from outside meanwhile (an outside thread may
//! have taken a goroutine off a channel and not yet readied it). A program fed
//! from outside threads at arbitrary times should turn the check off with
//! `Builder::deadlock_detection(false)`.

use std::fmt::Write;
use std::panic::Location;

use crate::runtime::park::WaitReason;

/// The panic message of a deadlocked `run`: Go's words, then one block per
/// goroutine with its wait reason and where it was spawned.
pub(crate) fn format(gs: &[(u64, WaitReason, &'static Location<'static>)]) -> String {
    let mut s = String::from("all goroutines are asleep - deadlock!\n");
    for (id, reason, loc) in gs {
        let _ = write!(
            s,
            "\ngoroutine {id} [{}]:\n\tspawned at {}:{}:{}\n",
            reason.as_str(),
            loc.file(),
            loc.line(),
            loc.column()
        );
    }
    s
}
