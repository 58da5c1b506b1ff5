//! Directional handles: `Sender<T>` (Go's `chan<- T`) and `Receiver<T>`
//! (`<-chan T`) are views of one channel, with the matching half of its
//! methods, usable in `select!`, the arrows and `Select`.

use std::time::Duration;

use csp_core::{
    csp, go, select, Chan, Receiver, RecvTimeoutError, Select, SendTimeoutError, Sender,
    TryRecvError, TrySendError,
};

#[test]
fn views_are_the_same_channel() {
    let ch: Chan<i32> = Chan::new(2);
    let (tx, rx) = (ch.sender(), ch.receiver());
    // Both orders: `Sender == Chan` and `Chan == Sender` are separate impls.
    assert!(tx == ch);
    assert!(ch == tx);
    assert!(rx == ch);
    assert!(ch == rx);
    assert_eq!(tx.clone(), tx);
    assert_eq!(rx.clone(), rx);
    let other: Chan<i32> = Chan::new(2);
    assert!(tx != other.sender() && rx != other.receiver() && tx != other);
    tx.send(1);
    assert_eq!((tx.len(), rx.len(), tx.cap(), rx.cap()), (1, 1, 2, 2));
    assert!(!tx.is_empty() && !rx.is_empty());
    assert_eq!(rx.recv(), Some(1));
    assert!(tx.is_empty() && rx.is_empty());
}

#[test]
fn from_a_chan_without_a_new_handle() {
    let ch = Chan::new(1);
    let tx: Sender<&str> = Sender::from(ch.clone());
    let rx: Receiver<&str> = ch.into();
    tx.send("x");
    assert_eq!(rx.recv(), Some("x"));
}

#[test]
fn try_and_timeout_forms() {
    let ch: Chan<u8> = Chan::new(1);
    let (tx, rx) = (ch.sender(), ch.receiver());
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(1)),
        Err(RecvTimeoutError::Timeout)
    );
    tx.try_send(1).unwrap();
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(
        tx.send_timeout(3, Duration::from_millis(1)),
        Err(SendTimeoutError::Timeout(3))
    );
    assert_eq!(rx.try_recv(), Ok(1));
    tx.send_timeout(4, Duration::from_millis(1)).unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_millis(1)), Ok(4));
}

#[test]
fn the_sender_closes_and_the_receiver_sees_it() {
    let ch = Chan::new(3);
    let (tx, rx) = (ch.sender(), ch.receiver());
    for i in 0..3 {
        tx.send(i);
    }
    tx.close();
    assert!(tx.is_closed() && rx.is_closed() && ch.is_closed());
    let got: Vec<i32> = (&rx).into_iter().collect();
    assert_eq!(got, [0, 1, 2]);
    assert_eq!(rx.recv(), None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(tx.try_send(9), Err(TrySendError::Closed(9)));
}

#[test]
#[should_panic(expected = "send on closed channel")]
fn send_on_a_closed_sender_panics() {
    let tx = Chan::<i32>::new(1).sender();
    tx.close();
    tx.send(1);
}

#[test]
#[should_panic(expected = "close of closed channel")]
fn closing_twice_panics() {
    let tx = Chan::<i32>::new(0).sender();
    tx.close();
    tx.close();
}

#[test]
fn nil_views() {
    let tx: Sender<i32> = Sender::default();
    let rx: Receiver<i32> = Receiver::default();
    assert!(tx.is_nil() && rx.is_nil());
    assert!(tx == Chan::nil() && rx == Chan::nil());
    assert_eq!(tx.try_send(1), Err(TrySendError::Full(1)));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!((tx.len(), tx.cap(), rx.len(), rx.cap()), (0, 0, 0, 0));
}

#[test]
fn across_goroutines_and_threads() {
    fn producer(out: Sender<u64>, n: u64) {
        for i in 1..=n {
            out.send(i);
        }
        out.close();
    }
    fn consumer(input: Receiver<u64>) -> u64 {
        input.iter().sum()
    }
    let ch = Chan::new(0);
    let (tx, rx) = (ch.sender(), ch.receiver());
    drop(ch);
    let sum = csp_core::run(move || {
        go!(producer(tx, 100));
        consumer(rx)
    });
    assert_eq!(sum, 5050);

    let ch = Chan::new(4);
    let (tx, rx) = (ch.sender(), ch.receiver());
    let t = std::thread::spawn(move || producer(tx, 10));
    assert_eq!(consumer(rx), 55);
    t.join().unwrap();
}

#[test]
fn arrows_and_select_take_directional_handles() {
    let a = Chan::new(1);
    let b = Chan::new(1);
    let (atx, arx) = (a.sender(), a.receiver());
    let brx = b.receiver();
    csp! { atx <- 1; }
    let v = csp! { <-arx };
    assert_eq!(v, Some(1));

    b.send(2);
    let got = select! {
        case v = <-arx => ("a", v),
        case v = <-brx => ("b", v),
    };
    assert_eq!(got, ("b", Some(2)));

    // One send case (with and without default) lowers onto the handle's send.
    select! { case atx <- 3 => {} }
    let sent = select! {
        case atx <- 4 => true,
        default => false,
    };
    assert!(!sent, "the buffer is full");
    let r = select! {
        case v = <-arx => v,
        default => None,
    };
    assert_eq!(r, Some(3));
}

#[test]
fn dynamic_select_takes_directional_handles() {
    let a: Chan<i32> = Chan::new(1);
    let b: Chan<&str> = Chan::new(1);
    let (arx, btx) = (a.receiver(), b.sender());
    let mut sel = Select::new();
    let r = sel.recv(&arx);
    let s = sel.send(&btx, "hi");
    let done = sel.select();
    assert_eq!(done.index(), s, "only the send is ready");
    drop(done);
    assert_eq!(b.recv(), Some("hi"));

    a.send(7);
    let mut sel = Select::new();
    let r2 = sel.recv(&arx);
    let done = sel.select();
    assert_eq!(done.index(), r2);
    assert_eq!(done.recv(&arx), Some(7));
    let _ = r;
}

/// A `Sender` and a `Receiver` as cases of one multi-case `select!`.
#[test]
fn directional_handles_in_a_multi_case_select() {
    let ch: csp_core::Chan<u32> = csp_core::Chan::new(1);
    let other: csp_core::Chan<u32> = csp_core::Chan::new(0);
    let tx = ch.sender();
    let rx = other.receiver();
    let sent = csp_core::select! {
        case tx <- 5 => true,
        case v = <-rx => { assert!(v.is_none()); false },
    };
    assert!(sent);
    assert_eq!(ch.recv(), Some(5));
    let rx2 = ch.receiver();
    let tx2 = other.sender();
    ch.send(9);
    let got = csp_core::select! {
        case v = <-rx2 => v,
        case tx2 <- 1 => None,
    };
    assert_eq!(got, Some(9));
}
