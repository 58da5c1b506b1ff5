//! The parked-goroutine memory measurement gives a plausible figure and
//! releases every goroutine it parked: the `park_memory` program is run as
//! `cargo xtask bench` runs it, in a fresh process, for each implementation.

use bench_suite::park_memory::{vm_rss_kb, Sample, GOROUTINES, IMPLEMENTATIONS};
use serde_json::Value;
use std::process::Command;

#[test]
fn vm_rss_is_read() {
    let kb = vm_rss_kb();
    assert!(kb > 0 && kb < 64 * 1024 * 1024, "VmRSS {kb} kB");
}

#[test]
fn bytes_per_goroutine_is_the_growth_over_the_count() {
    let s = Sample {
        goroutines: 4,
        rss_before_kb: 100,
        rss_after_kb: 112,
        unreleased: 0,
    };
    assert_eq!(s.bytes_per_goroutine(), 3072.0);
    let shrunk = Sample {
        rss_after_kb: 90,
        ..s
    };
    assert_eq!(shrunk.bytes_per_goroutine(), 0.0);
}

/// Runs `park_memory <imp>` and returns its JSON line.
fn run(imp: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_park_memory"))
        .arg(imp)
        .output()
        .expect("run park_memory");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "park_memory {imp}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// Every parked goroutine keeps at least part of a stack page resident, and
/// far less than a whole stack; all of them exit once released.
fn check(imp: &str) {
    let v = run(imp);
    assert_eq!(v["implementation"], imp);
    assert_eq!(v["goroutines"].as_u64(), Some(GOROUTINES as u64));
    assert_eq!(v["unreleased"].as_u64(), Some(0), "{v}");
    let b = v["bytes_per_goroutine"]
        .as_f64()
        .expect("bytes_per_goroutine");
    assert!(
        (1_024.0..65_536.0).contains(&b),
        "{imp}: {b} bytes per parked goroutine ({v})"
    );
}

#[cfg(feature = "csp-goroutines")]
#[test]
fn csp_goroutines_park_in_a_page_or_so_each() {
    check("csp-goroutines");
}

#[test]
fn may_coroutines_park_in_a_few_pages_each() {
    check("may");
}

#[test]
fn unknown_implementation_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_park_memory"))
        .arg("no-such-implementation")
        .output()
        .expect("run park_memory");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for imp in IMPLEMENTATIONS {
        assert!(err.contains(imp), "{err}");
    }
}
