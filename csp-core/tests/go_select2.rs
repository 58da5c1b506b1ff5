//! Go's test/chan/select2.go: 100 000 two-case selects must not grow the
//! program's memory footprint. Go compares `MemStats.Alloc` after a warm-up
//! round and after a second round of 100 000 selects, and fails above
//! 1.1e5 bytes of growth; with no GC heap to ask, this port compares the
//! resident set (`VmRSS` in /proc/self/status) with the same bound. It is the
//! only test in its binary, so no other test allocates meanwhile.

use csp_core::{go, select, Chan};

/// Go's bound on the growth, in bytes.
const BOUND: u64 = 110_000;
const N: usize = 100_000;

fn sender(c: Chan<i32>, n: usize) {
    for _ in 0..n {
        c.send(1);
    }
}

fn receiver(c: &Chan<i32>, dummy: &Chan<i32>, n: usize) {
    for _ in 0..n {
        select! {
            case <-c => {},
            case <-dummy => panic!("dummy"),
        }
    }
}

/// The resident set size, in bytes.
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line");
    kb * 1024
}

#[csp_core::test]
fn select2_go() {
    let c = Chan::new(0);
    let dummy = Chan::new(0);
    // Warm up.
    let h = go!(sender(c.clone(), N));
    receiver(&c, &dummy, N);
    h.join().unwrap();
    let before = rss();
    // The second time should not increase the footprint by much.
    let h = go!(sender(c.clone(), N));
    receiver(&c, &dummy, N);
    h.join().unwrap();
    let after = rss();
    assert!(
        after <= before || after - before <= BOUND,
        "too much memory for {N} selects: {} bytes (RSS {before} -> {after})",
        after - before
    );
}
