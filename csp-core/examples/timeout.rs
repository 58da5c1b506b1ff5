//! Timeouts with `select!` and `after`, as in Go's
//! `select { case res := <-c: .. case <-time.After(d): .. }`.
//!
//! Run with `cargo run -p csp-core --example timeout`.

use std::time::Duration;

use csp_core::{after, go, select, sleep, Chan};

/// Starts a slow computation; its result arrives on the returned channel.
fn slow(label: &'static str, delay: Duration) -> Chan<String> {
    // Buffered: the goroutine can finish even if nobody waits any more.
    let c = Chan::new(1);
    let tx = c.clone();
    go! {
        sleep(delay);
        tx <- format!("{label} done");
    };
    c
}

#[csp_core::main]
fn main() {
    // Far too slow for its deadline: almost surely times out.
    let c1 = slow("result 1", Duration::from_millis(500));
    select! {
        case res = <-c1 => println!("{}", res.unwrap()),
        case <-after(Duration::from_millis(10)) => println!("timeout 1"),
    }
    // Well within its deadline.
    let c2 = slow("result 2", Duration::from_millis(10));
    select! {
        case res = <-c2 => println!("{}", res.unwrap()),
        case <-after(Duration::from_secs(5)) => println!("timeout 2"),
    }
    // Polling without waiting: `default` runs when nothing is ready.
    let c3: Chan<String> = Chan::new(1);
    let polled = select! {
        case res = <-c3 => res,
        default => None,
    };
    assert_eq!(polled, None);
}
