//! Port of Go's test/chan/select7.go (go1.23.5), at Go's size, with `go!` and
//! `select!`: a receive whose value is discarded, written as a plain receive, a
//! one-case select and a two-case select, against a plain send, a one-case
//! select send and a two-case select send (nine combinations).

use csp_core::{csp, go, select, yield_now, Chan};

fn recv1(c: Chan<i32>) {
    csp! { <-c; }
}

fn recv2(c: Chan<i32>) {
    select! { case <-c => {} }
}

fn recv3(c: Chan<i32>) {
    let c2: Chan<i32> = Chan::new(0);
    select! {
        case <-c => {},
        case <-c2 => {},
    }
}

fn send1(recv: fn(Chan<i32>)) {
    let c = Chan::new(0);
    let h = go!(recv(c.clone()));
    yield_now();
    csp! { c <- 1; }
    h.join().unwrap();
}

fn send2(recv: fn(Chan<i32>)) {
    let c = Chan::new(0);
    let h = go!(recv(c.clone()));
    yield_now();
    select! { case c <- 1 => {} }
    h.join().unwrap();
}

fn send3(recv: fn(Chan<i32>)) {
    let c = Chan::new(0);
    let h = go!(recv(c.clone()));
    yield_now();
    let c2 = Chan::new(0);
    select! {
        case c <- 1 => {},
        case c2 <- 1 => {},
    }
    h.join().unwrap();
}

#[csp_core::test]
fn select7_go() {
    let recvs: [fn(Chan<i32>); 3] = [recv1, recv2, recv3];
    for recv in recvs {
        send1(recv);
        send2(recv);
        send3(recv);
    }
}

#[csp_core::test(workers = 1)]
fn select7_go_one_worker() {
    let recvs: [fn(Chan<i32>); 3] = [recv1, recv2, recv3];
    for recv in recvs {
        send1(recv);
        send2(recv);
        send3(recv);
    }
}
