//! Go's own goroutine-heavy tests, ported onto csp goroutines (Chan methods and
//! the dynamic `Select`): test/chan/goroutines.go, sieve1.go, doubleselect.go,
//! fifo.go (daisy chain), runtime's TestSelectStress and TestPingPongHog.

use std::collections::HashSet;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::{Builder, Chan, Select, WaitGroup};

/// goroutines.go: a chain of 10 000 goroutines, `left <- <-right`.
#[test]
fn goroutines_chain() {
    let v = csp_core::run(|| {
        let n = 10_000;
        let leftmost: Chan<i32> = Chan::new(0);
        let mut left = leftmost.clone();
        let mut right = left.clone();
        for _ in 0..n {
            right = Chan::new(0);
            let (l, r) = (left.clone(), right.clone());
            csp_core::spawn(move || l.send(r.recv().unwrap()));
            left = right.clone();
        }
        csp_core::spawn(move || right.send(1));
        leftmost.recv().unwrap()
    });
    assert_eq!(v, 1);
}

/// sieve1.go: the concurrent prime sieve, first 25 primes; the filters are
/// left parked when main returns.
#[test]
fn sieve1() {
    let got = csp_core::run(|| {
        let primes: Chan<i32> = Chan::new(0);
        let p2 = primes.clone();
        csp_core::spawn(move || {
            let mut ch = Chan::new(0);
            let g = ch.clone();
            csp_core::spawn(move || {
                let mut i = 2;
                loop {
                    g.send(i);
                    i += 1;
                }
            });
            loop {
                let prime = ch.recv().unwrap();
                p2.send(prime);
                let ch1 = Chan::new(0);
                let (inp, out) = (ch.clone(), ch1.clone());
                csp_core::spawn(move || loop {
                    let i = inp.recv().unwrap();
                    if i % prime != 0 {
                        out.send(i);
                    }
                });
                ch = ch1;
            }
        });
        (0..25).map(|_| primes.recv().unwrap()).collect::<Vec<_>>()
    });
    assert_eq!(
        got,
        [
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
            89, 97
        ]
    );
}

/// doubleselect.go: two cases of one select never both complete.
#[test]
fn doubleselect() {
    let n: u32 = 100_000;
    let seen = Builder::new().workers(2).run(move || {
        let cs: Vec<Chan<u32>> = (0..4).map(|_| Chan::new(0)).collect();
        let cmux: Chan<u32> = Chan::new(0);
        let done: Chan<bool> = Chan::new(0);
        let senders = cs.clone();
        csp_core::spawn(move || {
            for i in 0..n {
                let mut s = Select::new();
                for c in &senders {
                    s.send(c, i);
                }
                s.select();
            }
            for c in &senders {
                c.close();
            }
        });
        for c in &cs {
            let (c, out, done) = (c.clone(), cmux.clone(), done.clone());
            csp_core::spawn(move || {
                for v in &c {
                    out.send(v);
                }
                done.send(true);
            });
        }
        let inp = cmux.clone();
        let recver = csp_core::spawn(move || {
            let mut seen = HashSet::new();
            for v in &inp {
                assert!(seen.insert(v), "got duplicate value {v}");
            }
            seen.len()
        });
        for _ in 0..4 {
            done.recv();
        }
        cmux.close();
        recver.join().unwrap()
    });
    assert_eq!(seen, n as usize);
}

/// fifo.go SynchFifo: a daisy chain of 10 goroutines, each must receive
/// exactly its value, in order.
#[test]
fn fifo_daisy_chain() {
    csp_core::run(|| {
        const N: i32 = 10;
        let ch: Chan<i32> = Chan::new(0);
        let start: Chan<i32> = Chan::new(0);
        let mut inp = start.clone();
        for i in 0..N {
            let out = Chan::new(0);
            let (ch, inp2, out2) = (ch.clone(), inp.clone(), out.clone());
            csp_core::spawn(move || {
                inp2.recv();
                assert_eq!(ch.recv(), Some(i), "goroutine {i} got a value out of order");
                out2.send(1);
            });
            inp = out;
        }
        start.send(0);
        for i in 0..N {
            ch.send(i);
        }
        assert_eq!(inp.recv(), Some(1));
    });
}

/// runtime/chan_test.go TestSelectStress (GOMAXPROCS 10).
#[test]
fn select_stress() {
    let n: usize = if cfg!(debug_assertions) {
        10_000
    } else {
        100_000
    };
    Builder::new().workers(10).run(move || {
        let c: [Chan<i32>; 4] = [Chan::new(0), Chan::new(0), Chan::new(2), Chan::new(3)];
        let wg = WaitGroup::new();
        wg.add(10);
        for ck in &c {
            let (ck2, w) = (ck.clone(), wg.clone());
            csp_core::spawn(move || {
                for _ in 0..n {
                    ck2.send(0);
                }
                w.done();
            });
            let (ck, w) = (ck.clone(), wg.clone());
            csp_core::spawn(move || {
                for _ in 0..n {
                    ck.recv();
                }
                w.done();
            });
        }
        let (c1, w) = (c.clone(), wg.clone());
        csp_core::spawn(move || {
            let mut cs = c1;
            let mut cnt = [0usize; 4];
            for _ in 0..4 * n {
                let mut s = Select::new();
                let order = [3, 2, 0, 1];
                for &k in &order {
                    s.send(&cs[k], 0);
                }
                let k = order[s.select().index()];
                cnt[k] += 1;
                if cnt[k] == n {
                    cs[k] = Chan::nil();
                }
            }
            w.done();
        });
        let (c1, w) = (c.clone(), wg.clone());
        csp_core::spawn(move || {
            let mut cs = c1;
            let mut cnt = [0usize; 4];
            for _ in 0..4 * n {
                let mut s = Select::new();
                let order = [0, 1, 2, 3];
                for &k in &order {
                    s.recv(&cs[k]);
                }
                let k = s.select().index();
                cnt[k] += 1;
                if cnt[k] == n {
                    cs[k] = Chan::nil();
                }
            }
            w.done();
        });
        wg.wait();
    });
}

/// runtime/proc_test.go TestPingPongHog (GOMAXPROCS 1): a hog pair and a
/// light pair must share the processor; counts within a factor of 20.
#[test]
fn ping_pong_hog() {
    let (hog, light) = Builder::new().workers(1).run(|| {
        let done: Chan<bool> = Chan::new(0);
        let hog_chan: Chan<bool> = Chan::new(0);
        let light_chan: Chan<bool> = Chan::new(0);
        let hog_count = Arc::new(AtomicU64::new(0));
        let light_count = Arc::new(AtomicU64::new(0));
        let run = |limit: u64, counter: Arc<AtomicU64>, wake: Chan<bool>, done: Chan<bool>| {
            move || loop {
                let mut s = Select::new();
                let d = s.recv(&done);
                s.recv(&wake);
                let sel = s.select();
                if sel.index() == d {
                    return;
                }
                let _ = sel.recv(&wake);
                let mut x = 0u64;
                for _ in 0..limit {
                    x = black_box(x + 1);
                }
                counter.fetch_add(x, Ordering::Relaxed);
                wake.send(true);
            }
        };
        for _ in 0..2 {
            csp_core::spawn(run(
                1_000_000,
                hog_count.clone(),
                hog_chan.clone(),
                done.clone(),
            ));
        }
        for _ in 0..2 {
            csp_core::spawn(run(
                1_000,
                light_count.clone(),
                light_chan.clone(),
                done.clone(),
            ));
        }
        hog_chan.send(true);
        light_chan.send(true);
        csp_core::sleep(Duration::from_millis(100));
        done.close();
        hog_chan.recv();
        light_chan.recv();
        (
            hog_count.load(Ordering::Relaxed),
            light_count.load(Ordering::Relaxed),
        )
    });
    eprintln!("ping_pong_hog: hog {hog}, light {light}");
    assert!(light > 0 && hog > 0, "hog {hog}, light {light}");
    assert!(
        hog / light <= 20 && light / hog <= 20,
        "scheduler did not share time: hog {hog}, light {light}"
    );
}
