//! Deep recursion inside goroutines: the default stack is a large reservation
//! (8 MiB, committed as touched), and the pages of a deep excursion are given
//! back when the goroutine ends. A binary of its own, and its tests take turns
//! (`SERIAL`), so that the resident-memory readings see no other test's
//! goroutines.

use std::sync::Mutex;

use csp_core::{Builder, Chan, WaitGroup};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// One 64-byte frame a level (plus the return address and saved registers);
/// `black_box` keeps the compiler from turning the recursion into a loop.
#[inline(never)]
fn depth(n: u32) -> u64 {
    let pad = std::hint::black_box([n as u8; 64]);
    if n == 0 {
        return u64::from(pad[0]);
    }
    let below = depth(std::hint::black_box(n - 1));
    // Using the frame after the call keeps it alive across it: no tail call.
    std::hint::black_box(&pad);
    below + 1
}

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("procfs");
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

// At least a main thread's 8 MiB.
const _: () = assert!(csp_core::DEFAULT_STACK_SIZE >= 8 << 20);

#[test]
fn recursion_100_000_deep_fits_in_a_goroutine() {
    let _turn = serial();
    let v = csp_core::run(|| csp_core::spawn(|| depth(100_000)).join().unwrap());
    assert_eq!(v, 100_000);
}

#[test]
fn recursion_100_000_deep_fits_in_the_main_goroutine() {
    let _turn = serial();
    assert_eq!(csp_core::run(|| depth(100_000)), 100_000);
}

#[test]
fn without_tripwires_deep_recursion_still_works_and_keeps_its_pages() {
    const CHILD: &str = "CSP_RT_DEEP_STACK_CHILD";
    if std::env::var_os(CHILD).is_some() {
        Builder::new().workers(1).run(|| {
            let base = rss_kb();
            assert_eq!(csp_core::spawn(|| depth(100_000)).join().unwrap(), 100_000);
            // Nothing gave the pages back (several MB stay).
            println!("CHILD-GREW {}", rss_kb().saturating_sub(base));
        });
        return;
    }
    let _turn = serial();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "without_tripwires_deep_recursion_still_works_and_keeps_its_pages",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("CSP_STACK_GUARD", "no-tripwire")
        .output()
        .unwrap();
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{so} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let grew: u64 = so
        .lines()
        .find_map(|l| l.strip_prefix("CHILD-GREW "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no CHILD-GREW line: {so}"));
    assert!(
        grew > 4 * 1024,
        "without tripwires the deep pages stay: grew {grew} kB"
    );
}

#[test]
fn a_deep_excursion_is_given_back_when_the_goroutine_ends() {
    let _turn = serial();
    if tripwires_off() {
        eprintln!(
            "skipped: CSP_STACK_GUARD={:?} installs no tripwires",
            std::env::var("CSP_STACK_GUARD")
        );
        return;
    }
    // 100 000 frames touch several MB (11 MB in a release build, 24 in a debug
    // one); once the goroutine has ended only the top 64 KiB of its stack stay.
    Builder::new().workers(1).run(|| {
        let base = rss_kb();
        for round in 0..3 {
            let v = csp_core::spawn(|| depth(100_000)).join().unwrap();
            assert_eq!(v, 100_000);
            let after = rss_kb();
            assert!(
                after < base + 4 * 1024,
                "round {round}: RSS grew from {base} kB to {after} kB"
            );
        }
    });
}

#[test]
fn deep_goroutines_hold_their_pages_only_while_alive() {
    let _turn = serial();
    if tripwires_off() {
        eprintln!(
            "skipped: CSP_STACK_GUARD={:?} installs no tripwires",
            std::env::var("CSP_STACK_GUARD")
        );
        return;
    }
    // Each goroutine goes deep and returns, then parks: the deep pages stay
    // while it lives, and go back when it ends; a second wave of parked,
    // shallow goroutines reusing the stacks costs what shallow ones cost.
    const N: usize = 50;
    Builder::new().workers(2).run(|| {
        let wave = |deep: bool| {
            let gate: Chan<()> = Chan::new(0);
            let started = WaitGroup::new();
            let handles: Vec<_> = (0..N)
                .map(|_| {
                    started.add(1);
                    let (g, s) = (gate.clone(), started.clone());
                    csp_core::spawn(move || {
                        if deep {
                            assert_eq!(depth(50_000), 50_000);
                        }
                        s.done();
                        g.recv();
                    })
                })
                .collect();
            started.wait();
            let parked = rss_kb();
            gate.close();
            // A join returns once the goroutine has ended, its deep pages
            // given back (a WaitGroup done in its body would come earlier).
            for h in handles {
                h.join().unwrap();
            }
            parked
        };
        let base = rss_kb();
        let deep_parked = wave(true);
        // 50 goroutines with 50 000 frames (5 MB or more) each resident.
        assert!(
            deep_parked > base + 100 * 1024,
            "deep goroutines should hold their pages while alive: {base} -> {deep_parked} kB"
        );
        let after_deep = rss_kb();
        let shallow_parked = wave(false);
        // At most the top 64 KiB of each of the 50 stacks stays (3.2 MB).
        let bound = base + 8 * 1024;
        assert!(
            after_deep < bound && shallow_parked < bound,
            "deep pages not given back: base {base} kB, after the deep wave {after_deep} kB, \
             shallow wave parked {shallow_parked} kB"
        );
    });
}

/// With `CSP_STACK_GUARD=mprotect` (valgrind's mode: `scripts/valgrind.sh`) or
/// `no-tripwire`, deep pages are kept by design (see runtime/stack.rs), so the
/// two tests of giving them back have nothing to check; the recursion itself
/// is still checked by the others.
fn tripwires_off() -> bool {
    matches!(
        std::env::var("CSP_STACK_GUARD").as_deref(),
        Ok("mprotect") | Ok("no-tripwire")
    )
}
