//! Ports of Go's src/runtime/chan_test.go (go1.23.5) onto goroutines, with
//! `go!` and `select!` where Go writes `go` and `select`, each in a runtime
//! with Go's GOMAXPROCS where the Go test sets one (`workers = N`). Sizes and
//! statistical bounds are Go's full (non-`-short`) ones unless a test says
//! otherwise. The same ports on OS threads are in `chan_threads_go_ports.rs`.
//!
//! Not ported: TestNoShrinkStackWhileParking (GC stack shrinking). Of
//! TestShrinkStackDuringBlockedSend and TestSelectStackAdjust only the channel
//! parts: values in order from a sender that uses much stack between blocked
//! sends; close waking selects that hold duplicate and nil cases.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::{csp, go, select, sleep, yield_now, Builder, Chan, WaitGroup};

/// TestChan, caps 0..200 (Go's full size), GOMAXPROCS 4.
#[csp_core::test(workers = 4)]
fn test_chan() {
    const N: usize = 200;
    for chan_cap in 0..N {
        {
            // Ensure that receive from empty chan blocks.
            let c = Chan::<i32>::new(chan_cap);
            let recv1 = Arc::new(AtomicBool::new(false));
            let recv2 = Arc::new(AtomicBool::new(false));
            let (c1, r1) = (c.clone(), recv1.clone());
            go! {
                <-c1;
                r1.store(true, Ordering::SeqCst);
            };
            let (c2, r2) = (c.clone(), recv2.clone());
            go! {
                let _v = <-c2; // Go's `_, _ = <-c`
                r2.store(true, Ordering::SeqCst);
            };
            sleep(Duration::from_millis(1));
            assert!(
                !recv1.load(Ordering::SeqCst) && !recv2.load(Ordering::SeqCst),
                "chan[{chan_cap}]: receive from empty chan"
            );
            // Ensure that non-blocking receive does not block.
            select! {
                case <-c => panic!("chan[{chan_cap}]: receive from empty chan"),
                default => {},
            }
            select! {
                case _v = <-c => panic!("chan[{chan_cap}]: receive from empty chan"),
                default => {},
            }
            csp! {
                c <- 0;
                c <- 0;
            }
        }

        {
            // Ensure that send to full chan blocks.
            let c = Chan::<i32>::new(chan_cap);
            for i in 0..chan_cap {
                csp! { c <- i as i32; }
            }
            let sent = Arc::new(AtomicBool::new(false));
            let (c1, s1) = (c.clone(), sent.clone());
            go! {
                c1 <- 0;
                s1.store(true, Ordering::SeqCst);
            };
            sleep(Duration::from_millis(1));
            assert!(
                !sent.load(Ordering::SeqCst),
                "chan[{chan_cap}]: send to full chan"
            );
            // Ensure that non-blocking send does not block.
            select! {
                case c <- 0 => panic!("chan[{chan_cap}]: send to full chan"),
                default => {},
            }
            csp! { <-c; }
        }

        {
            // Ensure that we receive 0 from closed chan.
            let c = Chan::<i32>::new(chan_cap);
            for i in 0..chan_cap {
                csp! { c <- i as i32; }
            }
            c.close();
            for i in 0..chan_cap {
                let v = csp! { <-c };
                assert_eq!(v, Some(i as i32), "chan[{chan_cap}]");
            }
            // Go's `v := <-c` reads the zero value; `v, ok := <-c` reads (0, false).
            assert_eq!(csp! { <-c }.unwrap_or(0), 0, "chan[{chan_cap}]");
            assert_eq!(csp! { <-c }, None, "chan[{chan_cap}]");
        }

        {
            // Ensure that close unblocks receive.
            let c = Chan::<i32>::new(chan_cap);
            let done = Chan::new(0);
            let (c1, d1) = (c.clone(), done.clone());
            go! {
                let v = <-c1;
                d1 <- v.is_none();
            };
            sleep(Duration::from_millis(1));
            c.close();
            assert_eq!(
                csp! { <-done },
                Some(true),
                "chan[{chan_cap}]: received non zero from closed chan"
            );
        }

        {
            // Send 100 integers, ensure that we receive them non-corrupted in
            // FIFO order.
            let c = Chan::<i32>::new(chan_cap);
            let c1 = c.clone();
            go! {
                for i in 0..100 {
                    c1 <- i;
                }
            };
            for i in 0..100 {
                assert_eq!(csp! { <-c }, Some(i), "chan[{chan_cap}]");
            }

            // Same, but using recv2 (`v, ok := <-c`: the Option is both).
            let c1 = c.clone();
            go! {
                for i in 0..100 {
                    c1 <- i;
                }
            };
            for i in 0..100 {
                match csp! { <-c } {
                    Some(v) => assert_eq!(v, i, "chan[{chan_cap}]"),
                    None => panic!("chan[{chan_cap}]: receive failed, expected {i}"),
                }
            }

            // Send 1000 integers in 4 goroutines, ensure that we receive what
            // we send.
            const P: usize = 4;
            const L: i32 = 1000;
            for _ in 0..P {
                let c1 = c.clone();
                go! {
                    for i in 0..L {
                        c1 <- i;
                    }
                };
            }
            let done = Chan::<HashMap<i32, usize>>::new(0);
            for _ in 0..P {
                let (c1, d1) = (c.clone(), done.clone());
                go! {
                    let mut recv = HashMap::new();
                    for _ in 0..L {
                        let v = (<-c1).expect("chan closed");
                        *recv.entry(v).or_insert(0) += 1;
                    }
                    d1 <- recv;
                };
            }
            let mut recv: HashMap<i32, usize> = HashMap::new();
            for _ in 0..P {
                for (k, v) in csp! { <-done }.unwrap() {
                    *recv.entry(k).or_insert(0) += v;
                }
            }
            assert_eq!(recv.len(), L as usize, "chan[{chan_cap}]: received values");
            for (k, v) in &recv {
                assert_eq!(*v, P, "chan[{chan_cap}]: value {k} received {v} times");
            }
        }

        {
            // Test len/cap.
            let c = Chan::<i32>::new(chan_cap);
            assert_eq!(
                (c.len(), c.cap()),
                (0, chan_cap),
                "chan[{chan_cap}]: bad len/cap"
            );
            for i in 0..chan_cap {
                csp! { c <- i as i32; }
            }
            assert_eq!(
                (c.len(), c.cap()),
                (chan_cap, chan_cap),
                "chan[{chan_cap}]: bad len/cap"
            );
        }
    }
}

/// TestNonblockRecvRace, Go's size (10 000): a non-blocking receive from a
/// channel holding a value must not take `default` while the channel is being
/// closed and drained.
#[csp_core::test]
fn test_nonblock_recv_race() {
    let n = 10_000;
    for _ in 0..n {
        let c = Chan::new(1);
        csp! { c <- 1; }
        let c1 = c.clone();
        go! {
            select! {
                case <-c1 => {},
                default => panic!("chan is not ready"),
            }
        };
        c.close();
        csp! { <-c; }
    }
}

/// TestNonblockSelectRace and TestNonblockSelectRace2: from the time the
/// goroutine starts, c1 or c2 is always ready, so its select must act on one
/// instant and never take `default`.
fn nonblock_select_race(close_c2: bool) {
    let n = 100_000;
    let done = Chan::new(1);
    for _ in 0..n {
        let c1 = Chan::new(1);
        let c2 = Chan::new(if close_c2 { 0 } else { 1 });
        csp! { c1 <- 1; }
        let (g1, g2, d) = (c1.clone(), c2.clone(), done.clone());
        go! {
            select! {
                case <-g1 => {},
                case <-g2 => {},
                default => {
                    d <- false;
                    return;
                },
            }
            d <- true;
        };
        if close_c2 {
            c2.close();
        } else {
            csp! { c2 <- 1; }
        }
        select! {
            case <-c1 => {},
            default => {},
        }
        assert_eq!(csp! { <-done }, Some(true), "no chan is ready");
    }
}

/// TestNonblockSelectRace, Go's size (100 000).
#[csp_core::test]
fn test_nonblock_select_race() {
    nonblock_select_race(false);
}

/// TestNonblockSelectRace2, Go's size (100 000): close(c2) replaces c2 <- 1.
#[csp_core::test]
fn test_nonblock_select_race2() {
    nonblock_select_race(true);
}

/// TestSelfSelect, GOMAXPROCS 2: send and receive on one channel in one
/// select, from two goroutines; on an unbuffered channel a goroutine must
/// never receive its own value.
#[csp_core::test(workers = 2)]
fn test_self_select() {
    for chan_cap in [0, 10] {
        let wg = WaitGroup::new();
        wg.add(2);
        let c = Chan::<i32>::new(chan_cap);
        for p in 0..2 {
            let (c, wg) = (c.clone(), wg.clone());
            go! {
                for i in 0..1000 {
                    if p == 0 || i % 2 == 0 {
                        select! {
                            case c <- p => {},
                            case v = <-c => {
                                let v = v.expect("chan closed");
                                assert!(!(chan_cap == 0 && v == p), "self receive");
                            },
                        }
                    } else {
                        select! {
                            case v = <-c => {
                                let v = v.expect("chan closed");
                                assert!(!(chan_cap == 0 && v == p), "self receive");
                            },
                            case c <- p => {},
                        }
                    }
                }
                wg.done();
            };
        }
        wg.wait();
    }
}

/// TestSelectStress, GOMAXPROCS 10, Go's size (N = 100 000): per channel
/// (caps 0, 0, 2, 3) one sender and one receiver of N values, plus one
/// goroutine sending N values to each in one select and one receiving N from
/// each in one select, a case disabled (nil) once its N are done. All of it
/// must terminate.
#[test]
fn test_select_stress() {
    const N: usize = 100_000;
    Builder::new().workers(10).run(|| {
        let c: [Chan<i32>; 4] = [Chan::new(0), Chan::new(0), Chan::new(2), Chan::new(3)];
        let wg = WaitGroup::new();
        wg.add(10);
        for ck in &c {
            let (ck1, w) = (ck.clone(), wg.clone());
            go! {
                for _ in 0..N {
                    ck1 <- 0;
                }
                w.done();
            };
            let (ck1, w) = (ck.clone(), wg.clone());
            go! {
                for _ in 0..N {
                    <-ck1;
                }
                w.done();
            };
        }
        let (mut c1, w) = (c.clone(), wg.clone());
        go! {
            let mut n = [0; 4];
            for _ in 0..4 * N {
                select! {
                    case c1[3] <- 0 => {
                        n[3] += 1;
                        if n[3] == N {
                            c1[3] = Chan::nil();
                        }
                    },
                    case c1[2] <- 0 => {
                        n[2] += 1;
                        if n[2] == N {
                            c1[2] = Chan::nil();
                        }
                    },
                    case c1[0] <- 0 => {
                        n[0] += 1;
                        if n[0] == N {
                            c1[0] = Chan::nil();
                        }
                    },
                    case c1[1] <- 0 => {
                        n[1] += 1;
                        if n[1] == N {
                            c1[1] = Chan::nil();
                        }
                    },
                }
            }
            w.done();
        };
        let (mut c1, w) = (c.clone(), wg.clone());
        go! {
            let mut n = [0; 4];
            for _ in 0..4 * N {
                select! {
                    case <-c1[0] => {
                        n[0] += 1;
                        if n[0] == N {
                            c1[0] = Chan::nil();
                        }
                    },
                    case <-c1[1] => {
                        n[1] += 1;
                        if n[1] == N {
                            c1[1] = Chan::nil();
                        }
                    },
                    case <-c1[2] => {
                        n[2] += 1;
                        if n[2] == N {
                            c1[2] = Chan::nil();
                        }
                    },
                    case <-c1[3] => {
                        n[3] += 1;
                        if n[3] == N {
                            c1[3] = Chan::nil();
                        }
                    },
                }
            }
            w.done();
        };
        wg.wait();
    });
}

/// TestSelectFairness, Go's size and bound: 10 000 receipts from a 4-case
/// select where two cases are always ready; the count of 1s must be within
/// 10 sigma (500) of 5000.
#[csp_core::test]
fn test_select_fairness() {
    const TRIALS: usize = 10_000;
    let c1 = Chan::<u8>::new(TRIALS + 1);
    let c2 = Chan::<u8>::new(TRIALS + 1);
    for _ in 0..TRIALS + 1 {
        csp! {
            c1 <- 1;
            c2 <- 2;
        }
    }
    let c3 = Chan::<u8>::new(0);
    let c4 = Chan::<u8>::new(0);
    let out = Chan::<u8>::new(0);
    let done = Chan::<u8>::new(0);
    let (o, d) = (out.clone(), done.clone());
    let g = go! {
        loop {
            let b = select! {
                case b = <-c3 => b,
                case b = <-c4 => b,
                case b = <-c1 => b,
                case b = <-c2 => b,
            };
            let b = b.expect("closed");
            select! {
                case o <- b => {},
                case <-d => return,
            }
        }
    };
    let (mut cnt1, mut cnt2) = (0, 0);
    for _ in 0..TRIALS {
        match csp! { <-out } {
            Some(1) => cnt1 += 1,
            Some(2) => cnt2 += 1,
            b => panic!("unexpected value {b:?} on channel"),
        }
    }
    eprintln!("test_select_fairness: {cnt1} ones, {cnt2} twos");
    // If the select is fair, cnt1 and cnt2 are about the same. 10 sigma is a
    // lot (sigma = sqrt(10000 * 0.25) = 50), as Go's: no false positives.
    let dev = (cnt1 as i64 - (TRIALS as i64) / 2).abs();
    assert!(
        dev <= 500,
        "unfair select: in {TRIALS} trials, results were {cnt1}, {cnt2}"
    );
    done.close();
    g.join().unwrap();
}

/// TestChanSendInterface: non-blocking sends of interface values (here, shared
/// trait objects) on a full channel take `default`.
#[test]
fn test_chan_send_interface() {
    struct Mt;
    let m: Arc<dyn Any + Send + Sync> = Arc::new(Mt);
    let c = Chan::<Arc<dyn Any + Send + Sync>>::new(1);
    csp! { c <- m.clone(); }
    let sent = select! {
        case c <- m.clone() => true,
        default => false,
    };
    assert!(!sent, "sent on a full channel");
    let sent = select! {
        case c <- m.clone() => true,
        case c <- Arc::new(Mt) => true,
        default => false,
    };
    assert!(!sent, "sent on a full channel");
    assert_eq!(c.len(), 1);
}

/// TestPseudoRandomSend, Go's size and bound: a select with `c <- 1` and
/// `c <- 0` on one channel must send more than n/10 of each in n = 100.
#[csp_core::test]
fn test_pseudo_random_send() {
    let n = 100;
    for chan_cap in [0, n] {
        let c = Chan::<i32>::new(chan_cap);
        let c1 = c.clone();
        let g = go! {
            let mut l = Vec::with_capacity(n);
            for _ in 0..n {
                yield_now();
                l.push((<-c1).expect("closed"));
            }
            l
        };
        for _ in 0..n {
            select! {
                case c <- 1 => {},
                case c <- 0 => {},
            }
        }
        let l = g.join().unwrap();
        let n0 = l.iter().filter(|&&v| v == 0).count();
        let n1 = l.iter().filter(|&&v| v == 1).count();
        assert_eq!(n0 + n1, n);
        assert!(
            n0 > n / 10 && n1 > n / 10,
            "Want pseudorandom, got {n0} zeros and {n1} ones (chan cap {chan_cap})"
        );
    }
}

/// TestMultiConsumer, Go's size: 23 workers range over q and forward to r;
/// 271 828 values; count and sum must match exactly.
#[csp_core::test]
fn test_multi_consumer() {
    const NWORK: usize = 23;
    const NITER: usize = 271_828;
    const PN: [i64; 10] = [2, 3, 7, 11, 13, 17, 19, 23, 27, 31];

    let q = Chan::<i64>::new(NWORK * 3);
    let r = Chan::<i64>::new(NWORK * 3);

    // Workers.
    let wg = WaitGroup::new();
    for w in 0..NWORK {
        wg.add(1);
        let (q, r, wg) = (q.clone(), r.clone(), wg.clone());
        go! {
            for v in &q {
                // Mess with the fifo-ish nature of range.
                if PN[w % PN.len()] == v {
                    yield_now();
                }
                r <- v;
            }
            wg.done();
        };
    }

    // Feeder and closer.
    let (q1, r1) = (q.clone(), r.clone());
    let feeder = go! {
        let mut expect = 0;
        for i in 0..NITER {
            let v = PN[i % PN.len()];
            expect += v;
            q1 <- v;
        }
        q1.close(); // no more work
        wg.wait(); // workers done
        r1.close(); // ... so there can be no more results
        expect
    };

    // Consume and check.
    let (mut n, mut s) = (0, 0);
    for v in &r {
        n += 1;
        s += v;
    }
    let expect = feeder.join().unwrap();
    assert!(
        n == NITER && s == expect,
        "Expected sum {expect} (got {s}) from {NITER} iter (saw {n})"
    );
}

/// TestSelectDuplicateChannel: a select queued twice on one channel must
/// unlink both entries when woken through a third, so that a later waiter on
/// that channel wakes.
#[csp_core::test]
fn test_select_duplicate_channel() {
    let c = Chan::<i32>::new(0);
    let d = Chan::<i32>::new(0);
    let e = Chan::<i32>::new(0);

    // Goroutine A.
    let (ca, da, ea) = (c.clone(), d.clone(), e.clone());
    go! {
        select! {
            case <-ca => {},
            case <-ca => {},
            case <-da => {},
        }
        ea <- 9;
    };
    sleep(Duration::from_millis(1)); // make sure goroutine A gets queued first on c

    // Goroutine B.
    let cb = c.clone();
    let b = go! { <-cb };
    sleep(Duration::from_millis(1)); // make sure goroutine B gets queued on c before continuing

    csp! {
        d <- 7; // wake up A, it dequeues itself from c
        <-e; // A tells us it's done
        c <- 8; // wake up B; would hang or wake A if c's queue were corrupted
    }
    assert_eq!(b.join().unwrap(), Some(8));
}

/// TestSelectStackAdjust's `f`, without the stack growth: a select on c, c2,
/// d, d2, where c2 and d2 duplicate c and d if `dup`, else are nil.
fn stack_adjust_select(c: Chan<i32>, d: Chan<i32>, ready: Chan<bool>, dup: bool) {
    csp! { ready <- true; }
    let mut cx = Some(42);
    let (c2, d2) = if dup {
        (c.clone(), d.clone())
    } else {
        (Chan::nil(), Chan::nil())
    };
    // Receive from d. cx won't be affected.
    let woke = select! {
        case v = <-c => {
            cx = v;
            "c"
        },
        case <-c2 => "c2",
        case <-d => "d",
        case <-d2 => "d2",
    };
    assert!(woke == "d" || woke == "d2", "woken through {woke}");
    assert_eq!(cx, Some(42), "cx changed");
    csp! { ready <- true; }
}

/// TestSelectStackAdjust, its channel part (no GC stack shrinking here):
/// close(d) wakes two selects, one with nil cases, one with duplicate cases;
/// neither may be woken through c, and c's queue is left clean.
#[csp_core::test]
fn test_select_stack_adjust() {
    let c = Chan::<i32>::new(0);
    let d = Chan::<i32>::new(0);
    let ready1 = Chan::new(0);
    let ready2 = Chan::new(0);
    go!(stack_adjust_select(
        c.clone(),
        d.clone(),
        ready1.clone(),
        false
    ));
    go!(stack_adjust_select(
        c.clone(),
        d.clone(),
        ready2.clone(),
        true
    ));

    // Let the goroutines get into the select.
    csp! {
        <-ready1;
        <-ready2;
    }
    sleep(Duration::from_millis(10));

    // Wake selects.
    d.close();
    csp! {
        <-ready1;
        <-ready2;
    }
    // Nobody is left waiting on c.
    select! {
        case c <- 1 => panic!("a receiver was left queued on c"),
        default => {},
    }
}

/// Go's `stackGrowthRecursive`: uses about `i` KiB of stack, briefly.
#[inline(never)]
fn stack_growth_recursive(i: usize) {
    let pad = std::hint::black_box([0u8; 1024]);
    if i != 0 && pad[0] == 0 {
        stack_growth_recursive(i - 1);
    }
}

/// TestShrinkStackDuringBlockedSend, its channel part (no GC stack shrinking
/// here): a sender that uses much of its stack between sends, each send
/// blocked until the receiver (which sleeps 1 ms between receives, as Go's
/// does) comes; every value arrives, in order.
#[csp_core::test]
fn test_shrink_stack_during_blocked_send_channel_part() {
    const N: i32 = 10;
    let c = Chan::<i32>::new(0);
    let done = Chan::<()>::new(0);
    let (c2, d2) = (c.clone(), done.clone());
    go! {
        for i in 0..N {
            c2.send(i);
            // Use lots of stack, briefly.
            stack_growth_recursive(20);
        }
        d2.send(());
    };
    for i in 0..N {
        assert_eq!(c.recv(), Some(i), "bad channel read");
        // Let the sender finish using its stack and block in its send.
        sleep(Duration::from_millis(1));
    }
    assert_eq!(done.recv(), Some(()));
}
