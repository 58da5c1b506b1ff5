//! The parked-goroutine memory measurement gives a plausible figure and
//! releases every goroutine it parked.
#![cfg(feature = "csp-goroutines")]

use bench_suite::park_memory::{measure_csp, vm_rss_kb};

#[test]
fn vm_rss_is_read() {
    let kb = vm_rss_kb();
    assert!(kb > 0 && kb < 64 * 1024 * 1024, "VmRSS {kb} kB");
}

/// Every parked goroutine keeps at least part of a stack page resident, and
/// far less than its whole 256 KiB stack.
#[test]
fn parked_goroutines_cost_a_page_or_so_each() {
    let s = measure_csp(5_000);
    let b = s.bytes_per_goroutine();
    assert!(
        (1_024.0..65_536.0).contains(&b),
        "{b} bytes per parked goroutine ({s:?})"
    );
}
