//! `#[csp_core::main]` and `#[csp_core::test]` arguments: each `Builder`
//! setting reaches the runtime, alone and combined.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::{go, Chan};

/// Starts `n` goroutines that each wait, without parking or yielding to the
/// scheduler, until all `n` are running at once; returns how many were seen
/// running together. That is `n` only if there are `n` workers. The deadline
/// is no measure of speed: it turns the hang of a lost setting into a failure.
fn running_at_once(n: usize) -> usize {
    let arrived = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let arrived = Arc::clone(&arrived);
            go! {
                arrived.fetch_add(1, Ordering::SeqCst);
                let deadline = Instant::now() + Duration::from_secs(60);
                while arrived.load(Ordering::SeqCst) < n && Instant::now() < deadline {
                    // The OS thread gives way; the goroutine keeps its worker.
                    std::thread::yield_now();
                }
                arrived.load(Ordering::SeqCst)
            }
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .min()
        .unwrap_or(0)
}

#[csp_core::test(workers = 4)]
fn workers_sets_the_number_of_worker_threads() {
    // More than this machine's 2 cores: with the default, 4 goroutines that
    // hold their workers cannot all run.
    assert_eq!(
        running_at_once(4),
        4,
        "`workers = 4` did not give 4 workers"
    );
}

/// Uses a 2 MiB stack frame: more than the default 256 KiB stack, whose
/// guard page would end the process with "goroutine stack overflow".
#[inline(never)]
fn big_frame() -> u8 {
    let frame = std::hint::black_box([1u8; 2 << 20]);
    frame[frame.len() / 2]
}

#[csp_core::test(stack_size = 8 << 20)]
fn stack_size_sets_the_goroutine_stack() {
    const { assert!(2 << 20 > csp_core::DEFAULT_STACK_SIZE) };
    // The body is a goroutine with that stack, and so is every `go!`.
    assert_eq!(big_frame(), 1);
    assert_eq!(go!(big_frame()).join().unwrap(), 1);
}

/// A receive that only an outside OS thread can complete, after a while: with
/// detection on, the runtime sees every goroutine asleep and panics (as
/// `rt_deadlock::detection_off_for_outside_feeders` shows for `Builder`).
fn fed_from_outside() -> i32 {
    let ch = Chan::new(0);
    let tx = ch.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        tx.send(5);
    });
    let v = ch.recv().unwrap();
    t.join().unwrap();
    v
}

#[csp_core::test(deadlock_detection = false)]
fn deadlock_detection_false_lets_outside_threads_feed_the_runtime() {
    assert_eq!(fed_from_outside(), 5);
}

#[csp_core::test(deadlock_detection = true)]
#[should_panic(expected = "all goroutines are asleep - deadlock!")]
fn deadlock_detection_true_reports_a_deadlock() {
    let ch: Chan<i32> = Chan::new(0);
    let _ = ch.recv();
}

#[csp_core::test(deadlock_detection = false, stack_size = 1 << 23, workers = 4)]
fn settings_combine() {
    assert_eq!(running_at_once(4), 4);
    assert_eq!(go!(big_frame()).join().unwrap(), 1);
    assert_eq!(fed_from_outside(), 5);
}

const WORKERS: usize = 2 + 2;

#[csp_core::main(workers = WORKERS, stack_size = 8 << 20)]
fn main_with_settings() -> usize {
    assert_eq!(big_frame(), 1);
    running_at_once(WORKERS)
}

#[test]
fn main_takes_the_same_settings() {
    assert_eq!(main_with_settings(), 4);
}
