//! Scoped goroutines (`csp_core::scope`): they borrow from the caller's frame,
//! all have finished when the scope returns, and a panic is raised again there.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use csp_core::{scope, Chan};

#[test]
fn a_hundred_goroutines_borrow_a_local_vec_from_a_thread() {
    let data: Vec<u64> = (1..=1000).collect();
    let sums = Mutex::new(Vec::new());
    let finished = AtomicUsize::new(0);
    scope(|s| {
        for chunk in data.chunks(10) {
            let (sums, finished) = (&sums, &finished);
            s.spawn(move || {
                // Park a little, so the scope really has to wait.
                csp_core::yield_now();
                sums.lock().unwrap().push(chunk.iter().sum::<u64>());
                finished.fetch_add(1, Ordering::SeqCst);
            });
        }
    });
    // All have finished by now, without any join.
    assert_eq!(finished.load(Ordering::SeqCst), 100);
    let sums = sums.into_inner().unwrap();
    assert_eq!(sums.len(), 100);
    assert_eq!(sums.iter().sum::<u64>(), 500_500);
    drop(data); // the borrow has ended
}

#[test]
fn inside_run_only_the_goroutine_waits() {
    // One worker: if the scope's owner blocked it instead of parking, the
    // goroutines could never run and this would hang.
    let total = csp_core::Builder::new().workers(1).run(|| {
        let mut counts = vec![0u32; 100];
        let gate: Chan<()> = Chan::new(0);
        scope(|s| {
            for c in counts.iter_mut() {
                let gate = &gate;
                s.spawn(move || {
                    // Blocks until the last goroutine closes the gate: the
                    // scope's owner parks, it does not hold a worker.
                    gate.recv();
                    *c += 1;
                });
            }
            s.spawn(|| gate.close());
        });
        counts.iter().sum::<u32>()
    });
    assert_eq!(total, 100);
}

#[test]
fn join_returns_the_value_and_borrows_mutably() {
    let mut v = vec![1, 2, 3];
    let n = scope(|s| {
        let h = s.spawn(|| {
            v.push(4);
            v.len()
        });
        h.join().unwrap()
    });
    assert_eq!(n, 4);
    assert_eq!(v, [1, 2, 3, 4]);
}

#[test]
fn an_unjoined_panic_is_raised_at_the_end_after_all_finished() {
    let finished = AtomicUsize::new(0);
    let r = catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            s.spawn(|| panic!("scoped boom"));
            for _ in 0..10 {
                s.spawn(|| {
                    csp_core::yield_now();
                    finished.fetch_add(1, Ordering::SeqCst);
                });
            }
        })
    }));
    let p = r.expect_err("the scope re-raises the goroutine's panic");
    assert_eq!(p.downcast_ref::<&str>(), Some(&"scoped boom"));
    assert_eq!(finished.load(Ordering::SeqCst), 10);
}

#[test]
fn a_joined_panic_is_not_raised_again() {
    let r = scope(|s| s.spawn(|| panic!("handled")).join());
    let p = r.expect_err("join gives the panic");
    assert_eq!(p.downcast_ref::<&str>(), Some(&"handled"));
}

#[test]
fn the_closures_panic_waits_for_the_goroutines_too() {
    let finished = AtomicUsize::new(0);
    let r = catch_unwind(AssertUnwindSafe(|| {
        scope(|s| {
            for _ in 0..10 {
                s.spawn(|| {
                    csp_core::yield_now();
                    finished.fetch_add(1, Ordering::SeqCst);
                });
            }
            panic!("in the scope's closure");
        })
    }));
    assert!(r.is_err());
    assert_eq!(finished.load(Ordering::SeqCst), 10);
}

#[test]
fn nested_scopes_and_spawning_from_inside() {
    let count = AtomicUsize::new(0);
    let words = ["a", "bb", "ccc"];
    csp_core::run(move || {
        let count = &count;
        scope(|outer| {
            for w in &words {
                outer.spawn(move || {
                    scope(|inner| {
                        for _ in 0..w.len() {
                            inner.spawn(|| count.fetch_add(1, Ordering::SeqCst));
                        }
                    });
                    // The inner scope has joined its goroutines already.
                    assert!(count.load(Ordering::SeqCst) >= w.len());
                });
            }
            // A scoped goroutine may spawn into the same scope.
            outer.spawn(move || {
                outer.spawn(move || count.fetch_add(100, Ordering::SeqCst));
            });
        });
        assert_eq!(count.load(Ordering::SeqCst), 106);
    });
}

#[test]
fn results_left_unjoined_are_dropped_before_the_scope_ends() {
    struct Counted<'a>(&'a AtomicUsize);
    impl Drop for Counted<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = AtomicUsize::new(0);
    scope(|s| {
        for _ in 0..20 {
            s.spawn(|| Counted(&drops));
        }
    });
    assert_eq!(drops.load(Ordering::SeqCst), 20);
}
