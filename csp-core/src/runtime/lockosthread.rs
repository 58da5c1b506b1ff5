//! `lock_os_thread` / `unlock_os_thread` (Go's `runtime.LockOSThread`).

use std::sync::atomic::Ordering;

use crate::runtime::sched::{current_g, current_m};

/// Wires the calling goroutine to its current OS thread (Go's
/// `runtime.LockOSThread`): until as many [`unlock_os_thread`] calls, it runs
/// only on this thread, and the thread runs no other goroutine. For
/// thread-affine APIs (some GUI and graphics libraries, `setns`) and for
/// thread-locals kept across channel operations.
///
/// While the goroutine is parked, its thread holds no processor (another
/// thread runs the others). A goroutine that returns while locked unlocks
/// its thread. Outside a goroutine this does nothing: a thread is always
/// itself.
///
/// ```
/// let same = csp_core::run(|| {
///     csp_core::lock_os_thread();
///     let before = std::thread::current().id();
///     for _ in 0..100 {
///         csp_core::yield_now();
///         csp_core::sleep(std::time::Duration::from_micros(10));
///     }
///     let same = before == std::thread::current().id();
///     csp_core::unlock_os_thread();
///     same
/// });
/// assert!(same);
/// ```
pub fn lock_os_thread() {
    let Some(g) = current_g() else {
        return;
    };
    // SAFETY: the running goroutine is alive; only it touches its lock fields.
    let gr = unsafe { g.as_ref() };
    let (_, m) = current_m();
    let n = gr.lock_count.get();
    gr.lock_count
        .set(n.checked_add(1).expect("lock_os_thread: too many locks"));
    if n == 0 {
        // SAFETY: a goroutine runs on an M of its scheduler, alive as long as it.
        let mr = unsafe { &*m };
        mr.lockedg.store(g.as_ptr(), Ordering::Release);
        gr.locked_m.store(m.cast_mut(), Ordering::Release);
    }
}

/// Undoes one [`lock_os_thread`]; the last one lets the goroutine move
/// between threads again. Without a lock, or outside a goroutine, it does
/// nothing (as Go's).
pub fn unlock_os_thread() {
    let Some(g) = current_g() else {
        return;
    };
    // SAFETY: as in lock_os_thread.
    let gr = unsafe { g.as_ref() };
    match gr.lock_count.get() {
        0 => {}
        1 => {
            gr.lock_count.set(0);
            let m = gr.locked_m.swap(std::ptr::null_mut(), Ordering::AcqRel);
            // SAFETY: the M we are locked to is the one running us.
            unsafe { &*m }
                .lockedg
                .store(std::ptr::null_mut(), Ordering::Release);
        }
        n => gr.lock_count.set(n - 1),
    }
}
