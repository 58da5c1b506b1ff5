//! Port of Go's test/chan/sendstmt.go (go1.23.5): `<-cc <- 2` sends on the
//! channel received from a channel of channels, here as a select case; and a
//! send's value extends to the end of the statement (`c <- false || true`).

use csp_core::{csp, select, Chan};

#[test]
fn chanchan() {
    let cc = Chan::new(1);
    let c = Chan::new(1);
    cc.send(c.clone());
    select! {
        case <-cc <- 2 => {},
        default => panic!("nonblock"),
    }
    assert_eq!(c.recv(), Some(2), "bad receive");
}

#[test]
fn chanchan_closed_reads_a_nil_channel() {
    // Go: a receive from a closed channel of channels yields the zero value,
    // a nil channel, so the send case never fires.
    let cc: Chan<Chan<i32>> = Chan::new(1);
    cc.close();
    let fired = select! {
        case <-cc <- 2 => true,
        default => false,
    };
    assert!(!fired);
}

#[test]
#[allow(clippy::nonminimal_bool)] // the point: a send's value is the whole `false || true`
fn sendprec() {
    let c = Chan::new(1);
    csp! {
        c <- false || true; // c <- (false || true)
    }
    // Go's `!<-c` reads `!(<-c).unwrap()` here: a receive is an Option.
    assert!(csp! { (<-c).unwrap() }, "sent false");
}
