//! Dead goroutines are reused (with their stacks) for the next spawns, as Go's
//! `gFree` lists do. These tests check that a reused goroutine starts clean:
//! results, panics, timed waits whose timer outlives the goroutine, and the
//! live count all behave as with fresh ones.

use std::time::Duration;

use csp_core::{go, num_goroutine, Builder, Chan};

/// Rounds of spawn storms: every goroutine of round r reports (r, i), and a
/// value from an earlier round or a repeated one would break the sums.
#[test]
fn reused_goroutines_run_their_own_closures() {
    Builder::new().workers(2).run(|| {
        let base = num_goroutine();
        for round in 0..20u64 {
            let c = Chan::new(64);
            let hs: Vec<_> = (0..2_000u64)
                .map(|i| {
                    let c = c.clone();
                    go! { c.send((round, i)); }
                })
                .collect();
            let mut sum = 0;
            for _ in 0..2_000 {
                let (r, i) = c.recv().unwrap();
                assert_eq!(r, round, "a value from another round");
                sum += i;
            }
            for h in hs {
                h.join().unwrap();
            }
            assert_eq!(sum, (0..2_000u64).sum::<u64>());
            // join returns once the result is in, a moment before the
            // goroutine has returned (as with Go's NumGoroutine).
            assert!(settles_to(base), "round {round} left goroutines");
        }
    });
}

/// Waits up to a second for the live count to come back to `base`.
fn settles_to(base: usize) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    while num_goroutine() != base {
        if std::time::Instant::now() > deadline {
            return false;
        }
        csp_core::yield_now();
    }
    true
}

/// A goroutine whose timed wait ended by a value, not by its timer, ends while
/// the timer still holds it; then it must not be reused, and the late timer
/// must not disturb whichever goroutine runs next.
#[test]
fn late_timers_do_not_touch_reused_goroutines() {
    Builder::new().workers(2).run(|| {
        for _ in 0..10 {
            let c = Chan::<u32>::new(0);
            let hs: Vec<_> = (0..500)
                .map(|_| {
                    let c = c.clone();
                    go! {
                        // Woken by a value long before the timer fires.
                        assert_eq!(c.recv_timeout(late_timer()), Ok(7));
                    }
                })
                .collect();
            for _ in 0..500 {
                c.send(7);
            }
            for h in hs {
                h.join().unwrap();
            }
            // The next goroutines reuse what they can while the old timers
            // are still pending; each must see only its own wake-ups.
            let d = Chan::<u32>::new(0);
            let hs: Vec<_> = (0..500)
                .map(|_| {
                    let d = d.clone();
                    go! { assert_eq!(d.recv(), Some(9)); }
                })
                .collect();
            csp_core::sleep(Duration::from_millis(60));
            for _ in 0..500 {
                d.send(9);
            }
            for h in hs {
                h.join().unwrap();
            }
        }
    });
}

/// A goroutine that panicked is reused like any other.
#[test]
fn panicked_goroutines_are_reused_cleanly() {
    Builder::new().workers(2).run(|| {
        for round in 0..5 {
            let hs: Vec<_> = (0..1_000)
                .map(|i| go! { if i % 2 == 0 { panic!("boom {i}") } else { i } })
                .collect();
            for (i, h) in hs.into_iter().enumerate() {
                match h.join() {
                    Ok(v) => assert_eq!(v, i, "round {round}"),
                    Err(p) => {
                        assert_eq!(i % 2, 0);
                        assert_eq!(p.downcast_ref::<String>().unwrap(), &format!("boom {i}"));
                    }
                }
            }
        }
    });
}

/// The timeout of the waits that a value ends first: 50 ms, or 2 s under
/// valgrind, which runs the 500 sends of a round far slower (the timers must
/// still be pending while the next round reuses the goroutines).
fn late_timer() -> Duration {
    let valgrind = std::env::var("LD_PRELOAD").is_ok_and(|p| p.contains("vgpreload"));
    Duration::from_millis(if valgrind { 2000 } else { 50 })
}
