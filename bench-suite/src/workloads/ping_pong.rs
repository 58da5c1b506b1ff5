//! Ping-pong: a round trip over two unbuffered channels, `rounds` times.

use crate::{Check, Flavor};

/// The main task sends `i` on `ping`; an echo task answers `i + 1` on `pong`.
/// One message per round trip is counted (the figure is per round trip).
pub fn run<F: Flavor>(rounds: u64) -> Check {
    let (ping_tx, ping_rx) = F::chan(0);
    let (pong_tx, pong_rx) = F::chan(0);
    let echo = F::spawn(move || {
        for _ in 0..rounds {
            let v = F::recv(&ping_rx);
            F::send(&pong_tx, v + 1);
        }
    });
    let mut check = Check::default();
    for i in 0..rounds {
        F::send(&ping_tx, i);
        check.add(F::recv(&pong_rx));
    }
    F::join(echo);
    check
}

/// What [`run`] returns when every round trip worked.
pub fn expected(rounds: u64) -> Check {
    Check {
        count: rounds,
        sum: super::sum_below(rounds).wrapping_add(rounds),
    }
}
