//! Asymmetric fences: a fast side that runs on every goroutine switch and
//! pays only a compiler fence, and a slow side (sysmon taking a P away) that
//! pays for both with `membarrier(2)`.
//!
//! The pattern is Dekker's: the fast side stores its flag, fences, loads the
//! other's; the slow side stores, fences, loads. `membarrier` with
//! `MEMBARRIER_CMD_PRIVATE_EXPEDITED` makes every running thread of the
//! process execute a full memory barrier before it returns, so a compiler
//! fence on the fast side is enough: whatever point of the fast side's program
//! order the barrier lands at, either the slow side sees the fast side's store,
//! or the fast side's load comes after the barrier and sees the slow side's.
//! Where the kernel (or valgrind) lacks it, both sides use `fence(SeqCst)`.

use std::sync::atomic::{compiler_fence, fence, AtomicU8, Ordering};

const UNKNOWN: u8 = 0;
const ASYMMETRIC: u8 = 1;
const SYMMETRIC: u8 = 2;

static MODE: AtomicU8 = AtomicU8::new(UNKNOWN);

// From linux/membarrier.h.
const MEMBARRIER_CMD_PRIVATE_EXPEDITED: libc::c_int = 1 << 3;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_int = 1 << 4;

fn membarrier(cmd: libc::c_int) -> bool {
    // SAFETY: membarrier takes two integers and touches no memory of ours.
    unsafe { libc::syscall(libc::SYS_membarrier, cmd, 0 as libc::c_int) == 0 }
}

/// Chooses the mode once, before any M runs a goroutine: registration must
/// precede the first expedited barrier.
pub(crate) fn init() {
    if MODE.load(Ordering::Acquire) != UNKNOWN {
        return;
    }
    let mode = if membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) {
        ASYMMETRIC
    } else {
        SYMMETRIC
    };
    // Two schedulers may race here; both compute the same answer.
    MODE.store(mode, Ordering::Release);
}

/// The fast side: a compiler fence, or a full fence without `membarrier`.
#[inline]
pub(crate) fn light() {
    if MODE.load(Ordering::Relaxed) == ASYMMETRIC {
        compiler_fence(Ordering::SeqCst);
    } else {
        fence(Ordering::SeqCst);
    }
}

/// The slow side: a barrier on every thread of the process. False if the
/// barrier could not be made (the caller must then not rely on it).
#[must_use]
pub(crate) fn heavy() -> bool {
    match MODE.load(Ordering::Relaxed) {
        ASYMMETRIC => membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED),
        SYMMETRIC => {
            fence(Ordering::SeqCst);
            true
        }
        _ => false,
    }
}
