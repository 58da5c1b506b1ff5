//! Port of TestPingPongHog from Go's src/runtime/proc_test.go (go1.23.5), at
//! Go's size (GOMAXPROCS 1, 100 ms, factor 20): a pair of goroutines doing
//! 1000 times more work per hand-off than another pair must still share the
//! processor with it.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::{csp, go, select, Chan};

/// Go's `run`: on each wake-up, counts to `limit`, then wakes its buddy.
fn run(limit: u64, counter: Arc<AtomicU64>, wake: Chan<bool>, done: Chan<bool>) {
    loop {
        select! {
            case <-done => return,
            case <-wake => {
                let mut x = 0u64;
                for _ in 0..limit {
                    x = black_box(x + 1);
                }
                counter.fetch_add(x, Ordering::Relaxed);
                csp! { wake <- true; }
            },
        }
    }
}

#[csp_core::test(workers = 1)]
fn ping_pong_hog() {
    let done = Chan::new(0);
    let (hog_chan, light_chan) = (Chan::new(0), Chan::new(0));
    let hog_count = Arc::new(AtomicU64::new(0));
    let light_count = Arc::new(AtomicU64::new(0));

    // Start two co-scheduled hog goroutines.
    for _ in 0..2 {
        go!(run(
            1_000_000,
            hog_count.clone(),
            hog_chan.clone(),
            done.clone()
        ));
    }
    // Start two co-scheduled light goroutines.
    for _ in 0..2 {
        go!(run(
            1_000,
            light_count.clone(),
            light_chan.clone(),
            done.clone()
        ));
    }

    // Start goroutine pairs and wait for a few preemption rounds.
    csp! {
        hog_chan <- true;
        light_chan <- true;
    }
    csp_core::sleep(Duration::from_millis(100));
    done.close();
    csp! {
        <-hog_chan;
        <-light_chan;
    }

    // Within a factor of 20: both pairs handed off the P to their buddy.
    const FACTOR: u64 = 20;
    let hog = hog_count.load(Ordering::Relaxed);
    let light = light_count.load(Ordering::Relaxed);
    eprintln!("ping_pong_hog: hog {hog}, light {light}");
    assert!(
        hog / FACTOR <= light && light / FACTOR <= hog,
        "want hog/light in [1/{FACTOR}, {FACTOR}]; got {hog}/{light}"
    );
}
