//! Many goroutines: 100 000 short-lived ones, 100 000 live at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use csp_core::{Builder, Chan, WaitGroup};

#[test]
fn hundred_thousand_short_lived() {
    let n = 100_000;
    let total = csp_core::run(move || {
        let wg = WaitGroup::new();
        let count = Arc::new(AtomicUsize::new(0));
        for _ in 0..n {
            wg.add(1);
            let (wg, count) = (wg.clone(), count.clone());
            csp_core::spawn(move || {
                count.fetch_add(1, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait();
        count.load(Ordering::Relaxed)
    });
    assert_eq!(total, n);
}

/// Every goroutine parked at once on one channel, then all released.
fn live(n: usize, b: Builder) {
    b.run(move || {
        let gate: Chan<()> = Chan::new(0);
        let started = WaitGroup::new();
        let finished = WaitGroup::new();
        for _ in 0..n {
            started.add(1);
            finished.add(1);
            let (gate, s, f) = (gate.clone(), started.clone(), finished.clone());
            csp_core::spawn(move || {
                s.done();
                assert_eq!(gate.recv(), None);
                f.done();
            });
        }
        started.wait();
        assert_eq!(csp_core::num_goroutine(), n + 1);
        gate.close();
        finished.wait();
        while csp_core::num_goroutine() != 1 {
            csp_core::yield_now();
        }
    });
}

#[test]
fn hundred_thousand_live() {
    live(100_000, Builder::new());
}

#[test]
fn live_with_small_stacks_twice() {
    // The second round reuses the pooled stacks of the first.
    let b = Builder::new().stack_size(32 * 1024);
    live(20_000, b.clone());
    live(20_000, b);
}
