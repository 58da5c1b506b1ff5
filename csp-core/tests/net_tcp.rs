//! `csp_core::net` over loopback TCP: echo servers with many goroutine and
//! OS-thread clients, every byte checked; errors (peer reset, closed
//! listener, refused connect, port in use) are `io::Error`s; dropping a
//! stream wakes a goroutine parked reading it. Ports of Go's
//! `net/server_test.go` (TestTCPServer) and `net/net_test.go`
//! (TestCloseRead, TestCloseUnblocksRead) where they are portable.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use csp_core::net::{TcpListener, TcpStream};
use csp_core::{spawn, JoinHandle};

const MSG: usize = 64;

/// Serves `conns` connections, each echoing until end of file.
fn echo_server(ln: TcpListener, conns: usize) -> JoinHandle<()> {
    spawn(move || {
        let hs: Vec<_> = (0..conns)
            .map(|_| {
                let (c, _) = ln.accept().expect("accept");
                spawn(move || echo(c).expect("echo"))
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
    })
}

fn echo(mut c: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        let n = c.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        c.write_all(&buf[..n])?;
    }
}

/// The `i`th message of client `id`: every byte depends on both.
fn message(id: usize, i: usize) -> [u8; MSG] {
    let mut m = [0u8; MSG];
    for (k, b) in m.iter_mut().enumerate() {
        *b = (id.wrapping_mul(31) ^ i.wrapping_mul(7) ^ k.wrapping_mul(13)) as u8;
    }
    m[..4].copy_from_slice(&(id as u32).to_le_bytes());
    m[4..8].copy_from_slice(&(i as u32).to_le_bytes());
    m
}

/// Sends `msgs` messages and checks every echoed byte.
fn client(addr: SocketAddr, id: usize, msgs: usize) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).unwrap();
    let mut back = [0u8; MSG];
    for i in 0..msgs {
        let m = message(id, i);
        s.write_all(&m).expect("write");
        s.read_exact(&mut back).expect("read");
        assert_eq!(back, m, "client {id}, message {i}");
    }
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(s.read(&mut back).unwrap(), 0, "end of file after shutdown");
}

fn goroutine_echo(clients: usize, msgs: usize) {
    csp_core::run(move || {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let server = echo_server(ln, clients);
        let hs: Vec<_> = (0..clients)
            .map(|id| spawn(move || client(addr, id, msgs)))
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        server.join().unwrap();
    });
}

fn thread_echo(clients: usize, msgs: usize) {
    csp_core::run(move || {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let server = echo_server(ln, clients);
        let hs: Vec<_> = (0..clients)
            .map(|id| std::thread::spawn(move || client(addr, id, msgs)))
            .collect();
        for h in hs {
            csp_core::blocking(|| h.join()).unwrap();
        }
        server.join().unwrap();
    });
}

/// Under valgrind (scripts/valgrind.sh) every thread is serialised and
/// their number is capped at 500: the echo tests run smaller there.
fn under_valgrind() -> bool {
    std::env::var_os("LD_PRELOAD").is_some_and(|v| v.to_string_lossy().contains("vgpreload"))
}

#[test]
fn echo_goroutine_clients() {
    if under_valgrind() {
        goroutine_echo(50, 10);
    } else {
        goroutine_echo(1000, 20);
    }
}

#[test]
fn echo_thread_clients() {
    if under_valgrind() {
        thread_echo(10, 10);
    } else {
        thread_echo(100, 100);
    }
}

/// The full size's clients and messages per client: 1 000 × 1 000, or
/// `CSP_NET_ECHO=CLIENTS,MESSAGES`.
fn full_size() -> (usize, usize) {
    match std::env::var("CSP_NET_ECHO") {
        Ok(v) => {
            let (c, m) = v.split_once(',').expect("CSP_NET_ECHO=CLIENTS,MESSAGES");
            (c.trim().parse().unwrap(), m.trim().parse().unwrap())
        }
        Err(_) => (1000, 1000),
    }
}

/// The full size: 1 000 client goroutines × 1 000 messages.
/// `cargo test --release -p csp-core --test net_tcp -- --ignored --test-threads=1`
#[test]
#[ignore = "full size; run in release"]
fn echo_goroutine_clients_full() {
    let (c, m) = full_size();
    goroutine_echo(c, m);
}

/// The full size with the clients on OS threads.
#[test]
#[ignore = "full size; run in release"]
fn echo_thread_clients_full() {
    let (c, m) = full_size();
    thread_echo(c, m);
}

/// Go's TestTCPServer: a transponder over each loopback family available.
#[test]
fn tcp_server_ipv4_and_ipv6() {
    csp_core::run(|| {
        for addr in ["127.0.0.1:0", "[::1]:0"] {
            let ln = match TcpListener::bind(addr) {
                Ok(ln) => ln,
                Err(e) if addr.starts_with('[') => {
                    eprintln!("skipping {addr}: {e}");
                    continue;
                }
                Err(e) => panic!("bind {addr}: {e}"),
            };
            let a = ln.local_addr().unwrap();
            let server = echo_server(ln, 3);
            let hs: Vec<_> = (0..3).map(|id| spawn(move || client(a, id, 10))).collect();
            for h in hs {
                h.join().unwrap();
            }
            server.join().unwrap();
        }
    });
}

/// The same types block like std's when no runtime is involved at all.
#[test]
fn plain_threads_only() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = ln.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (c, peer) = ln.accept().unwrap();
        assert_eq!(c.local_addr().unwrap(), addr);
        assert_eq!(c.peer_addr().unwrap(), peer);
        echo(c).unwrap();
    });
    client(addr, 7, 50);
    server.join().unwrap();
}

fn pair() -> (TcpStream, TcpStream) {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
    let (s, _) = ln.accept().unwrap();
    (c, s)
}

#[test]
fn refused_connect_is_an_error() {
    let addr = {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        ln.local_addr().unwrap()
    };
    csp_core::run(move || {
        let e = TcpStream::connect(addr).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
        let e = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
    });
}

#[test]
fn port_in_use_is_an_error() {
    csp_core::run(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let e = TcpListener::bind(ln.local_addr().unwrap()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AddrInUse, "{e}");
    });
}

#[test]
fn unresolvable_address_is_an_error() {
    assert!(TcpStream::connect("not an address").is_err());
    assert!(TcpListener::bind("127.0.0.1:99999").is_err());
}

/// The server closes with unread data in its receive queue, so the kernel
/// resets the connection: the client's read and later writes fail.
#[test]
fn peer_reset_is_an_error() {
    csp_core::run(|| {
        let (mut c, s) = pair();
        c.write_all(b"never read").unwrap();
        let mut one = [0u8; 1];
        // Wait until the data has arrived, then close without reading it.
        assert_eq!(s.peek(&mut one).unwrap(), 1);
        drop(s);
        c.set_read_deadline(Some(Instant::now() + Duration::from_secs(30)))
            .unwrap();
        let e = c.read(&mut one).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}");
        // Writes to a reset connection fail too (EPIPE), bounded.
        let mut failed = false;
        for _ in 0..100 {
            if c.write(b"x").is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "writes to a reset connection kept succeeding");
    });
}

/// Closing a listener wakes a goroutine parked in `accept` with an error,
/// and later accepts fail at once.
#[test]
fn closed_listener_is_an_error() {
    csp_core::run(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let ln2 = ln.try_clone().unwrap();
        let parked = spawn(move || ln2.accept().map(|_| ()));
        csp_core::sleep(Duration::from_millis(50));
        drop(ln);
        let e = parked.join().unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotConnected, "{e}");
    });
}

/// Dropping a stream while another goroutine is parked reading it (through
/// a handle from `try_clone`) wakes that goroutine with an error.
#[test]
fn drop_while_reading_wakes_reader() {
    csp_core::run(|| {
        let (c, _s) = pair();
        let r = c.try_clone().unwrap();
        let reader = spawn(move || {
            let mut b = [0u8; 1];
            (&r).read(&mut b)
        });
        csp_core::sleep(Duration::from_millis(50));
        drop(c);
        let e = reader.join().unwrap().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotConnected, "{e}");
        assert_eq!(e.to_string(), "use of closed network connection");
    });
}

/// The same, with the reader and the writer parked (the writer on a full
/// socket buffer) and many readers at once.
#[test]
fn drop_wakes_every_parked_operation() {
    csp_core::run(|| {
        let (c, _s) = pair();
        let mut hs = Vec::new();
        for _ in 0..10 {
            let r = c.try_clone().unwrap();
            hs.push(spawn(move || {
                let mut b = [0u8; 16];
                (&r).read(&mut b).map(|_| ())
            }));
        }
        let w = c.try_clone().unwrap();
        hs.push(spawn(move || {
            let chunk = vec![0u8; 64 * 1024];
            // Bounded: the peer never reads, so this fills up and parks.
            for _ in 0..100_000 {
                let _sent: usize = (&w).write(&chunk)?;
            }
            Ok(())
        }));
        csp_core::sleep(Duration::from_millis(100));
        drop(c);
        for h in hs {
            let e = h.join().unwrap().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::NotConnected, "{e}");
        }
    });
}

/// Go's TestCloseUnblocksRead: the peer's close ends a parked read with end
/// of file.
#[test]
fn peer_close_unblocks_read() {
    csp_core::run(|| {
        let (mut c, s) = pair();
        let closer = spawn(move || {
            csp_core::sleep(Duration::from_millis(20));
            drop(s);
        });
        let mut b = [0u8; 1];
        assert_eq!(c.read(&mut b).unwrap(), 0);
        closer.join().unwrap();
    });
}

/// Go's TestCloseRead / CloseWrite: after shutting down the write half the
/// peer reads end of file; after shutting down the read half, reads return
/// end of file at once.
#[test]
fn shutdown_halves() {
    csp_core::run(|| {
        let (c, mut s) = pair();
        (&c).write_all(b"last").unwrap();
        c.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"last");
        s.write_all(b"still open").unwrap();
        let mut buf = [0u8; 10];
        (&c).read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"still open");
        c.shutdown(Shutdown::Read).unwrap();
        assert_eq!((&c).read(&mut buf).unwrap(), 0);
    });
}

/// Operations on a handle whose socket was closed through another handle
/// fail; options and clones too.
#[test]
fn operations_after_close_fail() {
    let (c, _s) = pair();
    let other = c.try_clone().unwrap();
    assert!(c.nodelay().is_ok());
    drop(c);
    let mut b = [0u8; 1];
    assert_eq!(
        (&other).read(&mut b).unwrap_err().kind(),
        ErrorKind::NotConnected
    );
    assert_eq!(
        (&other).write(b"x").unwrap_err().kind(),
        ErrorKind::NotConnected
    );
    assert!(other.try_clone().is_err());
    assert!(other.set_read_deadline(None).is_err());
}

#[test]
fn options_round_trip() {
    let (c, _s) = pair();
    c.set_nodelay(true).unwrap();
    assert!(c.nodelay().unwrap());
    c.set_nodelay(false).unwrap();
    assert!(!c.nodelay().unwrap());
    c.set_ttl(42).unwrap();
    assert_eq!(c.ttl().unwrap(), 42);
    assert!(c.take_error().unwrap().is_none());
    assert_eq!(c.read_timeout().unwrap(), None);
    c.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    assert_eq!(c.read_timeout().unwrap(), Some(Duration::from_secs(3)));
    assert_eq!(
        c.set_write_timeout(Some(Duration::ZERO))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    let d = Instant::now() + Duration::from_secs(9);
    c.set_deadline(Some(d)).unwrap();
    assert_eq!((c.read_deadline(), c.write_deadline()), (Some(d), Some(d)));
}

#[test]
fn incoming_yields_connections() {
    csp_core::run(|| {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = ln.local_addr().unwrap();
        let clients = spawn(move || {
            (0..5)
                .map(|i| {
                    let mut s = TcpStream::connect(addr).unwrap();
                    s.write_all(&[i]).unwrap();
                    s
                })
                .collect::<Vec<_>>()
        });
        let mut seen: Vec<u8> = ln
            .incoming()
            .take(5)
            .map(|s| {
                let mut b = [0u8; 1];
                s.unwrap().read_exact(&mut b).unwrap();
                b[0]
            })
            .collect();
        seen.sort();
        assert_eq!(seen, [0, 1, 2, 3, 4]);
        drop(clients.join().unwrap());
    });
}

#[test]
fn types_are_send_and_sync() {
    fn check<T: Send + Sync + 'static>() {}
    check::<TcpStream>();
    check::<TcpListener>();
    check::<csp_core::net::UdpSocket>();
    check::<csp_core::net::UnixStream>();
    check::<csp_core::net::UnixListener>();
}
