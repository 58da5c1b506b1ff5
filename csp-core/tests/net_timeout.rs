//! Deadlines and timeouts of `csp_core::net`, ported from Go's
//! `net/timeout_test.go` (TestReadTimeout, TestWriteTimeout,
//! TestReadTimeoutMustNotReturn, TestVariousDeadlines,
//! TestReadWriteDeadlineRace, TestAcceptTimeout) with Go's sizes, plus
//! deadlines moved while an operation is parked. Behaviour only: what each
//! operation returns, never how long it took.

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::net::{TcpListener, TcpStream, UdpSocket};
use csp_core::{after, select, spawn, tick, Chan, WaitGroup};

fn pair() -> (TcpStream, TcpStream) {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
    let (s, _) = ln.accept().unwrap();
    (c, s)
}

fn is_timeout(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::TimedOut && e.to_string() == "i/o timeout"
}

/// TestReadTimeout: a deadline fails reads even with data ready; a future
/// one lets the first read through, then fails the next.
#[test]
fn read_timeout() {
    csp_core::run(|| {
        let (mut c, mut s) = pair();
        s.write_all(b"READ TIMEOUT TEST").unwrap();
        // (timeout, expected outcome of two successive reads: true = timeout)
        let cases: [(i64, [bool; 2]); 2] = [(-5000, [true, true]), (50, [false, true])];
        for (ms, xerrs) in cases {
            let now = Instant::now();
            let d = if ms < 0 {
                now - Duration::from_millis(ms.unsigned_abs())
            } else {
                now + Duration::from_millis(ms as u64)
            };
            c.set_read_deadline(Some(d)).unwrap();
            for xerr in xerrs {
                let mut b = [0u8; 1];
                // Bounded: a read that succeeds sleeps a third of the
                // timeout and retries, as Go's test does.
                let mut done = false;
                for _ in 0..10_000 {
                    match c.read(&mut b) {
                        Ok(n) => {
                            assert!(!xerr, "read {n} bytes past the deadline");
                            csp_core::sleep(Duration::from_millis(ms.unsigned_abs() / 3));
                        }
                        Err(e) => {
                            assert!(is_timeout(&e), "{e}");
                            done = true;
                            break;
                        }
                    }
                }
                assert!(done, "never timed out");
            }
        }
    });
}

/// TestWriteTimeout: the peer never reads; writes fail past the deadline.
#[test]
fn write_timeout() {
    csp_core::run(|| {
        let (mut c, _s) = pair();
        let cases: [(i64, [bool; 2]); 2] = [(-5000, [true, true]), (10, [false, true])];
        for (ms, xerrs) in cases {
            let now = Instant::now();
            let d = if ms < 0 {
                now - Duration::from_millis(ms.unsigned_abs())
            } else {
                now + Duration::from_millis(ms as u64)
            };
            c.set_write_deadline(Some(d)).unwrap();
            for xerr in xerrs {
                let mut done = false;
                // Bounded: the socket buffers are a few MB at most.
                for _ in 0..10_000_000 {
                    match c.write(b"WRITE TIMEOUT TEST") {
                        Ok(n) => assert!(!xerr && n > 0, "wrote {n} bytes past the deadline"),
                        Err(e) => {
                            assert!(is_timeout(&e), "{e}");
                            done = true;
                            break;
                        }
                    }
                }
                assert!(done, "never timed out");
            }
        }
    });
}

/// TestReadTimeoutMustNotReturn: past read and write deadlines, then the
/// read deadline removed: a read parks until the socket is closed, and then
/// fails with an error that is not a timeout.
#[test]
fn read_timeout_must_not_return() {
    csp_core::run(|| {
        let (c, _s) = pair();
        let r = c.try_clone().unwrap();
        let ch = Chan::new(1);
        let ch2 = ch.clone();
        let ready = Chan::new(1);
        let ready2 = ready.clone();
        spawn(move || {
            let past = Instant::now() - Duration::from_secs(5);
            r.set_deadline(Some(past)).unwrap();
            r.set_write_deadline(Some(past)).unwrap();
            r.set_read_deadline(None).unwrap();
            // As Go's maxch: the 100 ms start once the deadlines are set.
            ready2.send(());
            let mut b = [0u8; 1];
            ch2.send((&r).read(&mut b));
        });
        ready.recv();
        let max = after(Duration::from_millis(100));
        select! {
            case res = <-ch => panic!("expected Read to not return, but it returned {res:?}"),
            case <-max => {
                drop(c);
                let e = ch.recv().unwrap().unwrap_err();
                assert_ne!(e.kind(), ErrorKind::TimedOut, "{e}");
                assert_eq!(e.kind(), ErrorKind::NotConnected, "{e}");
            },
        }
    });
}

/// A read parked with a far deadline wakes with a timeout when the deadline
/// is moved into the past, and the socket stays usable once it is moved
/// again.
#[test]
fn deadline_moved_while_parked() {
    csp_core::run(|| {
        let (c, mut s) = pair();
        let c = Arc::new(c);
        c.set_read_deadline(Some(Instant::now() + Duration::from_secs(3600)))
            .unwrap();
        let r = c.clone();
        let reader = spawn(move || {
            let mut b = [0u8; 4];
            (&*r).read(&mut b)
        });
        csp_core::sleep(Duration::from_millis(50));
        c.set_read_deadline(Some(Instant::now())).unwrap();
        let e = reader.join().unwrap().unwrap_err();
        assert!(is_timeout(&e), "{e}");

        // Reads keep failing while the deadline is past...
        let mut b = [0u8; 4];
        assert!(is_timeout(&(&*c).read(&mut b).unwrap_err()));
        // ...and work once it is moved.
        c.set_read_deadline(Some(Instant::now() + Duration::from_secs(3600)))
            .unwrap();
        s.write_all(b"ok!!").unwrap();
        (&*c).read_exact(&mut b).unwrap();
        assert_eq!(&b, b"ok!!");

        // A parked read whose deadline is removed keeps waiting for data
        // past the old deadline.
        c.set_read_deadline(Some(Instant::now() + Duration::from_millis(500)))
            .unwrap();
        let r = c.clone();
        let reader = spawn(move || {
            let mut b = [0u8; 4];
            (&*r).read_exact(&mut b).map(|_| b)
        });
        c.set_read_deadline(None).unwrap();
        csp_core::sleep(Duration::from_millis(700));
        s.write_all(b"late").unwrap();
        assert_eq!(&reader.join().unwrap().unwrap(), b"late");
    });
}

/// A parked write wakes with a timeout when its deadline is moved, and the
/// socket writes again once the peer drains it.
#[test]
fn write_deadline_moved_while_parked() {
    csp_core::run(|| {
        let (c, mut s) = pair();
        let c = Arc::new(c);
        let w = c.clone();
        let writer = spawn(move || {
            let chunk = vec![7u8; 64 * 1024];
            let mut sent = 0usize;
            for _ in 0..100_000 {
                match (&*w).write(&chunk) {
                    Ok(n) => sent += n,
                    Err(e) => return (sent, e),
                }
            }
            panic!("the socket buffers never filled");
        });
        csp_core::sleep(Duration::from_millis(100));
        c.set_write_deadline(Some(Instant::now())).unwrap();
        let (sent, e) = writer.join().unwrap();
        assert!(is_timeout(&e), "{e}");
        c.set_write_deadline(None).unwrap();
        let drain = spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut got = 0usize;
            while got < sent + 3 {
                got += s.read(&mut buf).unwrap();
            }
            got
        });
        (&*c).write_all(b"end").unwrap();
        assert_eq!(drain.join().unwrap(), sent + 3);
    });
}

/// std's per-call timeouts: every read that waits longer fails, and the next
/// read gets a fresh limit.
#[test]
fn std_read_timeout() {
    csp_core::run(|| {
        let (mut c, mut s) = pair();
        c.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        let mut b = [0u8; 2];
        for _ in 0..3 {
            assert!(is_timeout(&c.read(&mut b).unwrap_err()));
        }
        s.write_all(b"hi").unwrap();
        c.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"hi");
        c.set_read_timeout(None).unwrap();
        assert_eq!(c.read_timeout().unwrap(), None);
        // A timeout too large for the clock never fires.
        c.set_read_timeout(Some(Duration::MAX)).unwrap();
        s.write_all(b"ok").unwrap();
        c.read_exact(&mut b).unwrap();
        assert_eq!(&b, b"ok");
    });
}

/// TestVariousDeadlines: a server writes as fast as it can; the client's
/// reads must end with a timeout for every deadline, from 1 ns to 1 s, three
/// runs each.
#[test]
fn various_deadlines() {
    let timeouts = [
        Duration::from_nanos(1),
        Duration::from_nanos(2),
        Duration::from_nanos(5),
        Duration::from_nanos(50),
        Duration::from_nanos(100),
        Duration::from_nanos(200),
        Duration::from_nanos(500),
        Duration::from_nanos(750),
        Duration::from_micros(1),
        Duration::from_micros(5),
        Duration::from_micros(25),
        Duration::from_micros(250),
        Duration::from_micros(500),
        Duration::from_millis(1),
        Duration::from_millis(5),
        Duration::from_millis(100),
        Duration::from_millis(250),
        Duration::from_millis(500),
        Duration::from_secs(1),
    ];
    csp_core::run(move || {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let runs = 3;
        let server = spawn(move || {
            for _ in 0..timeouts.len() * runs {
                let (mut c, _) = ln.accept().unwrap();
                spawn(move || {
                    let buf = [b'a'; 4096];
                    // Until the client goes away.
                    while c.write_all(&buf).is_ok() {}
                });
            }
        });
        for t in timeouts {
            for _ in 0..runs {
                let mut c = TcpStream::connect(addr).unwrap();
                c.set_deadline(Some(Instant::now() + t)).unwrap();
                let mut buf = [0u8; 4096];
                let e = loop {
                    match c.read(&mut buf) {
                        Ok(0) => panic!("end of file before the {t:?} deadline"),
                        Ok(_) => {}
                        Err(e) => break e,
                    }
                };
                assert!(is_timeout(&e), "{t:?}: {e}");
            }
        }
        server.join().unwrap();
    });
}

/// TestReadWriteDeadlineRace: deadlines set every 2 µs while a reader and a
/// writer run; nothing hangs (N = 1000, Go's size).
#[test]
fn read_write_deadline_race() {
    const N: usize = 1000;
    csp_core::run(|| {
        let (c, _s) = pair();
        let c = Arc::new(c);
        let wg = WaitGroup::new();
        wg.add(3);
        let (c1, wg1) = (c.clone(), wg.clone());
        spawn(move || {
            let tic = tick(Duration::from_micros(2));
            for _ in 0..N {
                let d = Instant::now() + Duration::from_micros(2);
                c1.set_read_deadline(Some(d)).unwrap();
                c1.set_write_deadline(Some(d)).unwrap();
                tic.recv();
            }
            wg1.done();
        });
        let (c2, wg2) = (c.clone(), wg.clone());
        spawn(move || {
            let mut b = [0u8; 1];
            for _ in 0..N {
                let _ = (&*c2).read(&mut b);
            }
            wg2.done();
        });
        let (c3, wg3) = (c.clone(), wg.clone());
        spawn(move || {
            for _ in 0..N {
                let _ = (&*c3).write(&[0u8]);
            }
            wg3.done();
        });
        wg.wait();
    });
}

/// TestAcceptTimeout: accept fails at its deadline, past or future, and
/// accepts again once the deadline is removed.
#[test]
fn accept_timeout() {
    csp_core::run(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        for d in [
            Instant::now() - Duration::from_secs(5),
            Instant::now() + Duration::from_millis(50),
        ] {
            ln.set_deadline(Some(d)).unwrap();
            for _ in 0..2 {
                let e = ln.accept().map(|_| ()).unwrap_err();
                assert!(is_timeout(&e), "{e}");
            }
        }
        ln.set_deadline(None).unwrap();
        assert_eq!(ln.deadline(), None);
        let addr = ln.local_addr().unwrap();
        let c = spawn(move || TcpStream::connect(addr).unwrap());
        ln.accept().unwrap();
        c.join().unwrap();
    });
}

/// UDP reads obey deadlines too, and the socket receives after the deadline
/// is removed.
#[test]
fn udp_read_deadline() {
    csp_core::run(|| {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.set_read_deadline(Some(Instant::now() + Duration::from_millis(20)))
            .unwrap();
        let mut buf = [0u8; 8];
        assert!(is_timeout(&a.recv_from(&mut buf).unwrap_err()));
        a.set_read_deadline(None).unwrap();
        b.send_to(b"ping", a.local_addr().unwrap()).unwrap();
        let (n, from) = a.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], b.local_addr().unwrap()));
    });
}

/// From a plain OS thread the deadlines behave the same (the thread blocks).
#[test]
fn deadline_from_os_thread() {
    let (mut c, mut s) = pair();
    c.set_read_deadline(Some(Instant::now() + Duration::from_millis(20)))
        .unwrap();
    let mut b = [0u8; 1];
    assert!(is_timeout(&c.read(&mut b).unwrap_err()));
    c.set_read_deadline(None).unwrap();
    s.write_all(b"z").unwrap();
    c.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"z");
}

/// A deadline set just as a reader is parking is never missed: the reader
/// always wakes with a timeout (a missed wake would leave it parked, which
/// the 30 s guard turns into a failure instead of a hang).
#[test]
fn deadline_set_while_parking_is_not_missed() {
    csp_core::run(|| {
        let (c, _s) = pair();
        let c = Arc::new(c);
        for i in 0..300 {
            c.set_read_deadline(None).unwrap();
            let done = Chan::new(1);
            let (r, d) = (c.clone(), done.clone());
            spawn(move || {
                let mut b = [0u8; 1];
                d.send((&*r).read(&mut b));
            });
            for _ in 0..i % 4 {
                csp_core::yield_now();
            }
            c.set_read_deadline(Some(Instant::now())).unwrap();
            let guard = after(Duration::from_secs(30));
            select! {
                case res = <-done => {
                    let e = res.unwrap().unwrap_err();
                    assert!(is_timeout(&e), "{e}");
                },
                case <-guard => panic!("iteration {i}: the reader missed its new deadline"),
            }
        }
    });
}

/// TestWriteTimeoutMustNotReturn: past deadlines, then the write deadline
/// removed: writes to a peer that never reads fill the buffers and park
/// until the socket is closed, then fail with an error that is not a
/// timeout.
#[test]
fn write_timeout_must_not_return() {
    csp_core::run(|| {
        let (c, _s) = pair();
        let w = c.try_clone().unwrap();
        let ch = Chan::new(1);
        let ch2 = ch.clone();
        let ready = Chan::new(1);
        let ready2 = ready.clone();
        spawn(move || {
            let past = Instant::now() - Duration::from_secs(5);
            w.set_deadline(Some(past)).unwrap();
            w.set_read_deadline(Some(past)).unwrap();
            w.set_write_deadline(None).unwrap();
            ready2.send(());
            let b = [0u8; 1024];
            // Bounded: the socket buffers hold a few MB at most.
            let mut res = Ok(());
            for _ in 0..1_000_000 {
                if let Err(e) = (&w).write(&b) {
                    res = Err(e);
                    break;
                }
            }
            ch2.send(res);
        });
        ready.recv();
        let max = after(Duration::from_millis(100));
        select! {
            case res = <-ch => panic!("expected Write to not return, but it returned {res:?}"),
            case <-max => {
                drop(c);
                let e = ch.recv().unwrap().unwrap_err();
                assert_ne!(e.kind(), ErrorKind::TimedOut, "{e}");
            },
        }
    });
}

/// TestReadWriteProlongedTimeout: the server's reader and writer extend
/// their deadlines by an hour before every operation while the client does
/// 1 000 write/read round trips; both end with an error once the client
/// closes, and nothing hangs.
#[test]
fn read_write_prolonged_timeout() {
    csp_core::run(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let server = spawn(move || {
            let (c, _) = ln.accept().unwrap();
            let c = Arc::new(c);
            let wg = WaitGroup::new();
            wg.add(2);
            let (r, wg1) = (c.clone(), wg.clone());
            spawn(move || {
                let mut b = [0u8; 1];
                loop {
                    r.set_read_deadline(Some(Instant::now() + Duration::from_secs(3600)))
                        .unwrap();
                    match (&*r).read(&mut b) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                wg1.done();
            });
            let (w, wg2) = (c.clone(), wg.clone());
            spawn(move || {
                let b = [0u8; 1];
                loop {
                    w.set_write_deadline(Some(Instant::now() + Duration::from_secs(3600)))
                        .unwrap();
                    if (&*w).write(&b).is_err() {
                        break;
                    }
                }
                wg2.done();
            });
            wg.wait();
        });
        let mut c = TcpStream::connect(addr).unwrap();
        let mut b = [0u8; 1];
        for _ in 0..1000 {
            c.write_all(&b).unwrap();
            c.read_exact(&mut b).unwrap();
        }
        drop(c);
        server.join().unwrap();
    });
}
