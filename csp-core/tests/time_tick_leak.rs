//! 10 000 dropped `tick(1ms)` channels stop and are freed: the process's CPU
//! time over the next second stays near zero. (Before, every dropped ticker
//! kept firing forever: 2 000 of them burnt a CPU.) A functional leak check,
//! not a speed claim; it is alone in its binary because it reads the
//! process's CPU time.

use std::time::Duration;

use csp_core::tick;

/// utime + stime of this process, in clock ticks (/proc/self/stat).
fn cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses).
    let rest = &s[s.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): utime is field 14, stime 15.
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn ticks_per_sec() -> u64 {
    100 // USER_HZ on Linux
}

fn check() {
    for _ in 0..10_000 {
        drop(tick(Duration::from_millis(1)));
    }
    // Each dropped ticker fires once more, finds no receiver left, stops.
    std::thread::sleep(Duration::from_millis(200));
    let before = cpu_ticks();
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks() - before;
    // Near zero: well under a tenth of a CPU (a leak burns a whole one).
    assert!(
        used * 10 < ticks_per_sec(),
        "{used} CPU ticks in one idle second after dropping 10 000 tickers"
    );
}

#[test]
fn dropped_ticks_stop() {
    check();
}
