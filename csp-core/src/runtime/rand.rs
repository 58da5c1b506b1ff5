//! The runtime's one random number generator (Go's `cheaprand`): select's
//! poll order and the order in which an idle M looks at its victims.

use std::cell::Cell;

#[cfg(not(loom))]
std::thread_local! {
    /// Per-thread PRNG state (wyrand), seeded from the thread's address space.
    static RAND: Cell<u64> = Cell::new(seed());
}

#[cfg(loom)]
loom::thread_local! {
    static RAND: Cell<u64> = Cell::new(LOOM_SEED.load(std::sync::atomic::Ordering::Relaxed));
}

/// loom: the seed each model thread's generator starts from (a plain std
/// atomic, outside the model), so that a model can be checked under several
/// select poll orders; see [`set_loom_seed`].
#[cfg(loom)]
static LOOM_SEED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// loom: sets the seed of the generators of threads created from now on.
#[cfg(loom)]
pub(crate) fn set_loom_seed(seed: u64) {
    LOOM_SEED.store(seed | 1, std::sync::atomic::Ordering::Relaxed);
}

#[cfg(not(loom))]
fn seed() -> u64 {
    let local = 0u8;
    let addr = &local as *const u8 as u64;
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (addr ^ t.rotate_left(17)) | 1
}

/// A uniform random number in `0..n` (Go's `cheaprandn`): wyrand, then Lemire's
/// multiply-shift reduction.
#[inline(never)]
pub(crate) fn fastrandn(n: u32) -> u32 {
    let r = RAND.with(|s| {
        let x = s.get().wrapping_add(0xa076_1d64_78bd_642f);
        s.set(x);
        let t = (x as u128).wrapping_mul((x ^ 0xe703_7ed1_a0b4_28db) as u128);
        ((t >> 64) ^ t) as u64
    });
    (((r as u32) as u64 * n as u64) >> 32) as u32
}
