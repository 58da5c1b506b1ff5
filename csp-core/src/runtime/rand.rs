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
    static RAND: Cell<u64> = Cell::new(LOOM_SEED.with(Cell::get));
}

// loom: the seed each model thread's generator starts from, so that a model
// can be checked under several select poll orders; see [`set_loom_seed`]. A
// std thread-local of the test's OS thread (loom runs a model's threads on
// it), not a global: the test harness runs models on several threads at
// once, and a seed changed by another test mid-exploration made a model
// nondeterministic ("Reached unexpected exploration state").
#[cfg(loom)]
std::thread_local! {
    static LOOM_SEED: Cell<u64> = const { Cell::new(1) };
}

/// loom: sets the seed of the generators of model threads created from now
/// on by the calling test.
#[cfg(loom)]
pub(crate) fn set_loom_seed(seed: u64) {
    LOOM_SEED.with(|s| s.set(seed | 1));
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
