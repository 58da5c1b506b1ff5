//! [`blocking`]: Go's `entersyscall` / `exitsyscall` for code that blocks its
//! OS thread.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::runtime::handoff::{running, word, P_SYSCALL};
use crate::runtime::sched::{current_g, current_m, gosched, Sched};

/// Runs `f`, which may block its OS thread (a blocking system call, file I/O,
/// DNS, FFI, `std::thread::sleep`, a std lock), without stalling the other
/// goroutines: the calling goroutine's processor is released for the call
/// (Go's `entersyscall`), so another thread can run the goroutines queued
/// behind it. Afterwards the goroutine takes its processor back if nobody
/// took it (Go's `exitsyscallfast`); otherwise it is queued and continues on
/// whichever processor picks it up.
///
/// A panic in `f` propagates to the caller. Calls may nest. Outside a
/// goroutine, `blocking` just calls `f`.
///
/// Code that nobody wrapped in `blocking` is covered too, more slowly: the
/// runtime's monitor hands the processor of a thread that has run one
/// goroutine for a while, with others waiting, to another thread.
///
/// ```
/// use std::time::Duration;
///
/// let total = csp_core::Builder::new().workers(1).run(|| {
///     let hs: Vec<_> = (0..4)
///         .map(|i| {
///             csp_core::spawn(move || {
///                 csp_core::blocking(|| std::thread::sleep(Duration::from_millis(10)));
///                 i
///             })
///         })
///         .collect();
///     hs.into_iter().map(|h| h.join().unwrap()).sum::<i32>()
/// });
/// assert_eq!(total, 6);
/// ```
pub fn blocking<F, R>(f: F) -> R
where
    F: FnOnce() -> R,
{
    let Some(g) = current_g() else {
        return f();
    };
    // SAFETY: the running goroutine is alive; its scheduler outlives it.
    let s: Arc<Sched> = unsafe { g.as_ref() }.sched.clone();
    let held = s.entersyscall();
    let r = catch_unwind(AssertUnwindSafe(f));
    s.exitsyscall(held);
    match r {
        Ok(v) => v,
        Err(p) => resume_unwind(p),
    }
}

impl Sched {
    /// Marks the calling M's P as in a system call: anyone may take it now.
    /// Hands it off at once if work waits behind us. Returns the P, if the M
    /// had one.
    fn entersyscall(self: &Arc<Self>) -> Option<usize> {
        let (_, m) = current_m();
        // SAFETY: a goroutine runs on an M of its own scheduler; `Ms::all`
        // keeps that M alive.
        let m = unsafe { &*m };
        let p = self.local_p()?;
        let pid = p.id;
        // While `p` is held we are out of user code, so sysmon does not take
        // the P (it may mark it `RETAKE` for a moment, which the swap waits
        // out) and this cannot fail.
        let ok = self.own_status_swap(pid, m.id, word(m.id, P_SYSCALL));
        debug_assert!(ok, "entersyscall: the P changed hands");
        m.syscalltick.fetch_add(1, Ordering::Relaxed);
        // Leave the P's "in runtime" state but not for user mode: in the
        // call, the M does not touch the P at all.
        std::mem::forget(p);
        if !self.ps[pid].is_empty() || self.global.len() > 0 {
            self.handoffp(pid, word(m.id, P_SYSCALL));
        }
        Some(pid)
    }

    /// Takes the P back after the call (Go's `exitsyscallfast`), or, if it is
    /// gone, queues the goroutine for another M (Go's `exitsyscall0`).
    fn exitsyscall(self: &Arc<Self>, held: Option<usize>) {
        let (_, m) = current_m();
        // SAFETY: as in entersyscall.
        let m = unsafe { &*m };
        if let Some(pid) = held {
            if self.ps[pid]
                .status
                .compare_exchange(
                    word(m.id, P_SYSCALL),
                    running(m.id),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
            {
                m.enter_user();
                return;
            }
        }
        // No P: switch back to the M, which queues us on the global queue and
        // parks as a spare (`execute` sees the P gone); we continue wherever a
        // P picks us up.
        m.enter_user();
        gosched();
    }
}
