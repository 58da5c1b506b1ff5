//! Fan-in: merge two generators into one channel with `select!`, nil-ing an
//! input once it is closed so that its case stops firing (a Go idiom).
//!
//! Run with `cargo run -p csp-core --example fan_in`.

use csp_core::{csp, go, select, Chan};

/// A goroutine that sends `n` messages and closes the channel.
fn boring(msg: &'static str, n: usize) -> Chan<String> {
    let c = Chan::new(0);
    let tx = c.clone();
    go! {
        for i in 0..n {
            tx <- format!("{msg} {i}");
        }
        tx.close();
    };
    c
}

fn fan_in(mut a: Chan<String>, mut b: Chan<String>) -> Chan<String> {
    let out = Chan::new(0);
    let tx = out.clone();
    go! {
        while !(a.is_nil() && b.is_nil()) {
            select! {
                case s = <-a => match s {
                    Some(s) => tx <- s,
                    None => a = Chan::nil(),
                },
                case s = <-b => match s {
                    Some(s) => tx <- s,
                    None => b = Chan::nil(),
                },
            }
        }
        tx.close();
    };
    out
}

#[csp_core::main]
fn main() {
    let merged = fan_in(boring("Joe", 5), boring("Ann", 5));
    let mut n = 0;
    for msg in &merged {
        println!("{msg}");
        n += 1;
    }
    assert_eq!(n, 10);
    // A received value from a closed channel is None.
    assert_eq!(csp! { <-merged }, None);
}
