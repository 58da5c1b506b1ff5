//! Exactly-once stress from OS threads: many producers and consumers on one channel;
//! every value sent is received exactly once, with close after the producers finish
//! and with close in the middle of the sends.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::thread;

use csp_core::{Chan, Select};

const PRODUCERS: usize = 8;
const CONSUMERS: usize = 8;

/// 8 producers × 8 consumers, `total` values; the main thread closes the channel
/// after every producer has finished. Checks that each value arrived exactly once.
fn exactly_once(cap: usize, total: usize) {
    let ch = Chan::<usize>::new(cap);
    let seen: Arc<Vec<AtomicU8>> = Arc::new((0..total).map(|_| AtomicU8::new(0)).collect());
    let per = total / PRODUCERS;
    assert_eq!(per * PRODUCERS, total);

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let ch = ch.clone();
            thread::spawn(move || {
                for i in p * per..(p + 1) * per {
                    ch.send(i);
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let (ch, seen) = (ch.clone(), seen.clone());
            thread::spawn(move || {
                let mut n = 0usize;
                for v in &ch {
                    let before = seen[v].fetch_add(1, Ordering::Relaxed);
                    assert_eq!(before, 0, "value {v} received twice");
                    n += 1;
                }
                n
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    ch.close();
    let received: usize = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    assert_eq!(received, total);
    let missing: Vec<usize> = (0..total)
        .filter(|&i| seen[i].load(Ordering::Relaxed) != 1)
        .take(10)
        .collect();
    assert!(
        missing.is_empty(),
        "values not received exactly once: {missing:?}"
    );
    assert_eq!(ch.recv(), None);
}

#[test]
fn exactly_once_1m_cap_64() {
    exactly_once(64, 1_000_000);
}

#[test]
fn exactly_once_1m_cap_1() {
    exactly_once(1, 1_000_000);
}

/// Unbuffered: every value is a rendezvous.
#[test]
fn exactly_once_unbuffered() {
    exactly_once(0, 1_000_000);
}

/// Close in the middle: producers keep sending until a send panics with
/// "send on closed channel". Every send that returned normally was received exactly
/// once; a send that panicked delivered nothing.
fn close_in_the_middle(cap: usize, close_after: usize) {
    let ch = Chan::<usize>::new(cap);
    let per = 1_000_000;
    let total = PRODUCERS * per;
    let sent: Arc<Vec<AtomicBool>> = Arc::new((0..total).map(|_| AtomicBool::new(false)).collect());
    let got: Arc<Vec<AtomicU8>> = Arc::new((0..total).map(|_| AtomicU8::new(0)).collect());

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (ch, sent) = (ch.clone(), sent.clone());
            thread::spawn(move || {
                for i in p * per..(p + 1) * per {
                    match catch_unwind(AssertUnwindSafe(|| ch.send(i))) {
                        Ok(()) => sent[i].store(true, Ordering::Relaxed),
                        Err(e) => {
                            let msg = e
                                .downcast_ref::<&str>()
                                .map(|s| s.to_string())
                                .or_else(|| e.downcast_ref::<String>().cloned());
                            assert_eq!(msg.as_deref(), Some("send on closed channel"));
                            return;
                        }
                    }
                }
                panic!("producer {p} sent everything: the channel was never closed");
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let (ch, got) = (ch.clone(), got.clone());
            thread::spawn(move || {
                let mut n = 0usize;
                for v in &ch {
                    assert_eq!(got[v].fetch_add(1, Ordering::Relaxed), 0, "value {v} twice");
                    n += 1;
                }
                n
            })
        })
        .collect();

    // Close once enough has gone through (counted by a consumer-side probe).
    let probe = ch.clone();
    let mut taken = 0;
    while taken < close_after {
        let v = probe.recv().expect("closed early");
        assert_eq!(got[v].fetch_add(1, Ordering::Relaxed), 0, "value {v} twice");
        taken += 1;
    }
    ch.close();
    for p in producers {
        p.join().unwrap();
    }
    let received: usize = consumers
        .into_iter()
        .map(|c| c.join().unwrap())
        .sum::<usize>()
        + taken;
    let mut sent_count = 0;
    for i in 0..total {
        let s = sent[i].load(Ordering::Relaxed);
        let g = got[i].load(Ordering::Relaxed);
        sent_count += s as usize;
        assert_eq!(g, s as u8, "value {i}: sent {s}, received {g} times");
    }
    assert_eq!(
        received, sent_count,
        "sent {sent_count}, received {received}"
    );
}

#[test]
fn close_in_the_middle_buffered() {
    close_in_the_middle(16, 50_000);
}

#[test]
fn close_in_the_middle_unbuffered() {
    close_in_the_middle(0, 20_000);
}

/// Selects on both ends: senders and receivers use two-case selects over two channels.
#[test]
fn exactly_once_through_selects() {
    let a = Chan::<usize>::new(4);
    let b = Chan::<usize>::new(0);
    let total = 200_000;
    let per = total / PRODUCERS;
    let seen: Arc<Vec<AtomicU8>> = Arc::new((0..total).map(|_| AtomicU8::new(0)).collect());
    let done = Chan::<()>::new(0);

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (a, b) = (a.clone(), b.clone());
            thread::spawn(move || {
                for i in p * per..(p + 1) * per {
                    let mut s = Select::new();
                    s.send(&a, i);
                    s.send(&b, i);
                    s.select();
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let (a, b, done, seen) = (a.clone(), b.clone(), done.clone(), seen.clone());
            thread::spawn(move || {
                let mut n = 0usize;
                loop {
                    let mut s = Select::new();
                    let ia = s.recv(&a);
                    let ib = s.recv(&b);
                    s.recv(&done);
                    let sel = s.select();
                    let i = sel.index();
                    let v = if i == ia {
                        sel.recv(&a)
                    } else if i == ib {
                        sel.recv(&b)
                    } else {
                        // done closed: drain what is left in a's buffer.
                        while let Ok(v) = a.try_recv() {
                            assert_eq!(seen[v].fetch_add(1, Ordering::Relaxed), 0);
                            n += 1;
                        }
                        return n;
                    };
                    let v = v.expect("a and b are never closed");
                    assert_eq!(
                        seen[v].fetch_add(1, Ordering::Relaxed),
                        0,
                        "value {v} twice"
                    );
                    n += 1;
                }
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    done.close();
    let received: usize = consumers.into_iter().map(|c| c.join().unwrap()).sum();
    // Whatever the consumers left in a's buffer after done was seen.
    let rest = a.len();
    assert_eq!(received + rest, total);
    while let Ok(v) = a.try_recv() {
        assert_eq!(seen[v].fetch_add(1, Ordering::Relaxed), 0);
    }
    assert!((0..total).all(|i| seen[i].load(Ordering::Relaxed) == 1));
}
