//! Goroutine stacks: overflow is reported and aborts; running out of mappings
//! is a panic that names the limit; the mprotect guard fallback still reaches
//! 30 000 live goroutines. Each case runs in a child process.

use std::process::Command;

use csp_core::{Builder, Chan, WaitGroup};

const CHILD: &str = "CSP_RT_STACK_CHILD";

/// Re-runs this test binary for one test, with `mode` in the environment.
fn child(test: &str, mode: &str, extra_env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, mode);
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn is_child(mode: &str) -> bool {
    std::env::var(CHILD).is_ok_and(|m| m == mode)
}

#[inline(never)]
fn recurse(n: u64, buf: &mut [u8; 512]) -> u64 {
    if n == u64::MAX {
        return 0;
    }
    let mut local = [0u8; 512];
    local[(n % 512) as usize] = buf[(n % 512) as usize].wrapping_add(1);
    std::hint::black_box(&mut local);
    recurse(n + 1, &mut local) + local[0] as u64
}

#[test]
fn stack_overflow_is_reported() {
    if is_child("overflow") {
        csp_core::run(|| {
            let h = csp_core::spawn(|| recurse(0, &mut [0; 512]));
            let _ = h.join();
        });
        return;
    }
    let out = child("stack_overflow_is_reported", "overflow", &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "child survived an overflow: {err}");
    assert!(
        err.contains("goroutine stack overflow: goroutine 2"),
        "stderr: {err}"
    );
    assert!(
        !err.contains("has overflowed its stack"),
        "std's thread message: {err}"
    );
}

#[test]
fn deep_but_bounded_recursion_fits_the_default_stack() {
    #[inline(never)]
    fn depth(n: u32) -> u32 {
        let pad = std::hint::black_box([n as u8; 64]);
        if n == 0 {
            pad[0] as u32
        } else {
            depth(n - 1) + 1
        }
    }
    let v = csp_core::run(|| csp_core::spawn(|| depth(1000)).join().unwrap());
    assert_eq!(v, 1000);
}

#[test]
fn out_of_mappings_panics_with_the_remedy() {
    if is_child("nomap") {
        // Cap the address space so that mmap fails soon.
        // SAFETY: plain setrlimit on this (child) process.
        unsafe {
            let lim = libc::rlimit {
                rlim_cur: 3 << 30,
                rlim_max: 3 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
        }
        let r = std::panic::catch_unwind(|| {
            Builder::new().deadlock_detection(false).run(|| {
                let gate: Chan<()> = Chan::new(0);
                for _ in 0..100_000 {
                    let g = gate.clone();
                    csp_core::spawn(move || g.recv());
                }
            })
        });
        let p = r.expect_err("spawn should have run out of stacks");
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "<not a string>".into());
        println!("CHILD-MESSAGE: {msg}");
        return;
    }
    let out = child("out_of_mappings_panics_with_the_remedy", "nomap", &[]);
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child failed: {so} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        so.contains("CHILD-MESSAGE: csp: cannot create a goroutine stack"),
        "{so}"
    );
    assert!(so.contains("vm.max_map_count"), "{so}");
    assert!(so.contains("sysctl -w vm.max_map_count="), "{so}");
}

#[test]
fn map_count_exhaustion_panics_with_the_remedy() {
    if is_child("mapcount") {
        // With mprotect guards each stack costs two mappings, so 40 000 live
        // goroutines exceed the stock vm.max_map_count of 65 530.
        let r = std::panic::catch_unwind(|| {
            Builder::new().deadlock_detection(false).run(|| {
                let gate: Chan<()> = Chan::new(0);
                for _ in 0..40_000 {
                    let g = gate.clone();
                    csp_core::spawn(move || g.recv());
                }
            })
        });
        match r {
            Ok(()) => println!("CHILD-NO-PANIC"),
            Err(p) => {
                let msg = p.downcast_ref::<String>().cloned().unwrap_or_default();
                println!("CHILD-MESSAGE: {msg}");
            }
        }
        return;
    }
    let max: usize = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let out = child(
        "map_count_exhaustion_panics_with_the_remedy",
        "mapcount",
        &[("CSP_STACK_GUARD", "mprotect")],
    );
    let so = String::from_utf8_lossy(&out.stdout);
    if max > 80_000 {
        // A raised limit: nothing to exhaust.
        assert!(so.contains("CHILD-NO-PANIC"), "{so}");
        return;
    }
    assert!(
        so.contains("CHILD-MESSAGE: csp: cannot create a goroutine stack (mprotect failed"),
        "{so}"
    );
    assert!(so.contains("sysctl -w vm.max_map_count="), "{so}");
}

#[test]
fn mprotect_guards_reach_thirty_thousand() {
    if is_child("mprotect") {
        let n = 30_000;
        Builder::new().run(move || {
            let gate: Chan<()> = Chan::new(0);
            let wg = WaitGroup::new();
            for _ in 0..n {
                wg.add(1);
                let (g, w) = (gate.clone(), wg.clone());
                csp_core::spawn(move || {
                    g.recv();
                    w.done();
                });
            }
            assert_eq!(csp_core::num_goroutine(), n + 1);
            gate.close();
            wg.wait();
        });
        println!("CHILD-OK");
        return;
    }
    let out = child(
        "mprotect_guards_reach_thirty_thousand",
        "mprotect",
        &[("CSP_STACK_GUARD", "mprotect")],
    );
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        so.contains("CHILD-OK"),
        "{so} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn overflow_is_caught_with_mprotect_guards_too() {
    if is_child("overflow-mprotect") {
        csp_core::run(|| {
            let _ = csp_core::spawn(|| recurse(0, &mut [0; 512])).join();
        });
        return;
    }
    let out = child(
        "overflow_is_caught_with_mprotect_guards_too",
        "overflow-mprotect",
        &[("CSP_STACK_GUARD", "mprotect")],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("goroutine stack overflow: goroutine 2"),
        "stderr: {err}"
    );
}
