//! The stack scavenger: pooled goroutine stacks keep their pages while spawning goes
//! on (so a spawn storm reuses them without page faults), and give them back to the
//! kernel once spawning has been quiet for a while. One test in its own binary, so
//! that the resident-memory readings see no other test's goroutines.

use std::time::{Duration, Instant};

use csp_core::{sleep, spawn, Builder, Chan, WaitGroup};

fn rss_kb() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("procfs");
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/self/status")
}

#[test]
fn pooled_stacks_are_given_back_when_spawning_quietens() {
    const N: usize = 20_000;
    Builder::new().workers(2).run(|| {
        let before = rss_kb();
        let gate: Chan<()> = Chan::new(0);
        let (started, done) = (WaitGroup::new(), WaitGroup::new());
        for _ in 0..N {
            started.add(1);
            done.add(1);
            let (gate, started, done) = (gate.clone(), started.clone(), done.clone());
            spawn(move || {
                // Touch 8 KiB of this goroutine's stack.
                let buf = std::hint::black_box([1u8; 8192]);
                started.done();
                gate.recv();
                std::hint::black_box(&buf);
                done.done();
            });
        }
        started.wait(); // all N live at once
        gate.close();
        done.wait();
        let peak = rss_kb();
        assert!(
            peak > before + (N as u64 * 8) / 2,
            "{N} goroutines touching 8 KiB each should show: {before} kB -> {peak} kB"
        );
        // Quiet now: the scavenger must give most of it back.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            sleep(Duration::from_millis(50));
            let now = rss_kb();
            if now < peak - (peak - before) / 2 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "pooled stacks kept their memory: {before} kB before, {peak} kB at the peak, {now} kB 20 s later"
            );
        }
    });
}
