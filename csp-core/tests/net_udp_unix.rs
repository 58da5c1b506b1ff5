//! UDP and Unix-domain round trips through `csp_core::net`, from goroutines
//! and OS threads. Ports Go's `net/server_test.go` TestUDPServer (a
//! transponder echoing "UDP SERVER TEST" datagrams) and TestUnixAndUnixpacketServer
//! (stream part) where portable.

#![cfg(unix)]

use std::io::{ErrorKind, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use csp_core::net::{UdpSocket, UnixListener, UnixStream};
use csp_core::spawn;

/// A private temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("csp-net-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// TestUDPServer: a goroutine echoes every datagram back to its sender;
/// client goroutines each send and check `MSGS` datagrams.
#[test]
fn udp_echo_goroutines() {
    const CLIENTS: usize = 20;
    const MSGS: usize = 100;
    csp_core::run(|| {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = server.local_addr().unwrap();
        let srv = server.try_clone().unwrap();
        let echo = spawn(move || {
            let mut buf = [0u8; 1500];
            for _ in 0..CLIENTS * MSGS {
                let (n, from) = srv.recv_from(&mut buf).unwrap();
                srv.send_to(&buf[..n], from).unwrap();
            }
        });
        let hs: Vec<_> = (0..CLIENTS)
            .map(|id| {
                spawn(move || {
                    let c = UdpSocket::bind("127.0.0.1:0").unwrap();
                    c.connect(addr).unwrap();
                    assert_eq!(c.peer_addr().unwrap(), addr);
                    let mut buf = [0u8; 64];
                    for i in 0..MSGS {
                        let msg = format!("UDP SERVER TEST {id} {i}");
                        // One in flight at a time: loopback does not drop it
                        // unless the receiver's queue overflows.
                        assert_eq!(c.send(msg.as_bytes()).unwrap(), msg.len());
                        let n = c.recv(&mut buf).unwrap();
                        assert_eq!(&buf[..n], msg.as_bytes());
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        echo.join().unwrap();
    });
}

/// The same from an OS thread, and peek leaves the datagram queued.
#[test]
fn udp_from_thread_and_peek() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = b.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        a.send_to(b"UDP SERVER TEST", to).unwrap();
        a
    });
    let mut buf = [0u8; 32];
    let (n, from) = b.peek_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"UDP SERVER TEST");
    let (m, from2) = b.recv_from(&mut buf).unwrap();
    assert_eq!((m, from2), (n, from));
    let a = t.join().unwrap();
    assert_eq!(from, a.local_addr().unwrap());
    b.set_broadcast(true).unwrap();
    assert!(b.broadcast().unwrap());
}

#[test]
fn udp_errors() {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Port in use.
    let e = UdpSocket::bind(a.local_addr().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AddrInUse, "{e}");
    // send on an unconnected socket.
    assert!(a.send(b"x").is_err());
    // A connected socket whose peer has no listener: the ICMP error arrives
    // as ConnectionRefused on a later call (bounded).
    let gone = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    a.connect(gone).unwrap();
    a.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = a.send(b"x");
    let mut buf = [0u8; 4];
    let e = a.recv(&mut buf).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
    // Closed through another handle.
    let b = a.try_clone().unwrap();
    drop(a);
    assert_eq!(
        b.recv(&mut buf).unwrap_err().kind(),
        ErrorKind::NotConnected
    );
}

/// Dropping a UDP socket wakes a goroutine parked receiving on a clone.
#[test]
fn udp_drop_wakes_receiver() {
    csp_core::run(|| {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let r = a.try_clone().unwrap();
        let h = spawn(move || {
            let mut buf = [0u8; 4];
            r.recv_from(&mut buf).map(|_| ())
        });
        csp_core::sleep(Duration::from_millis(50));
        drop(a);
        assert_eq!(
            h.join().unwrap().unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}

fn unix_echo(dir: &TempDir, clients: usize, msgs: usize) {
    let path = dir.0.join("echo.sock");
    csp_core::run(move || {
        let ln = UnixListener::bind(&path).unwrap();
        assert_eq!(ln.local_addr().unwrap().as_pathname(), Some(path.as_path()));
        let server = spawn(move || {
            let hs: Vec<_> = ln
                .incoming()
                .take(clients)
                .map(|c| {
                    let mut c = c.unwrap();
                    spawn(move || {
                        let mut buf = [0u8; 1024];
                        loop {
                            let n = c.read(&mut buf).unwrap();
                            if n == 0 {
                                break;
                            }
                            c.write_all(&buf[..n]).unwrap();
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
        });
        let hs: Vec<_> = (0..clients)
            .map(|id| {
                let path = path.clone();
                spawn(move || {
                    let mut s = UnixStream::connect(&path).unwrap();
                    let mut back = [0u8; 32];
                    for i in 0..msgs {
                        let mut m = [0u8; 32];
                        for (k, b) in m.iter_mut().enumerate() {
                            *b = (id * 7 + i * 3 + k) as u8;
                        }
                        s.write_all(&m).unwrap();
                        s.read_exact(&mut back).unwrap();
                        assert_eq!(back, m);
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        server.join().unwrap();
    });
}

#[test]
fn unix_echo_goroutines() {
    let dir = TempDir::new("echo");
    unix_echo(&dir, 50, 100);
}

#[test]
fn unix_pair_from_threads() {
    let (a, mut b) = UnixStream::pair().unwrap();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 5];
        b.read_exact(&mut buf).unwrap();
        b.write_all(&buf).unwrap();
    });
    (&a).write_all(b"hello").unwrap();
    let mut buf = [0u8; 5];
    (&a).read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello");
    t.join().unwrap();
    assert_eq!((&a).read(&mut buf).unwrap(), 0);
    assert_eq!(a.peek(&mut buf).unwrap(), 0);
}

#[test]
fn unix_errors() {
    let dir = TempDir::new("errors");
    let path = dir.0.join("s.sock");
    // No listener yet.
    assert!(UnixStream::connect(&path).is_err());
    let ln = UnixListener::bind(&path).unwrap();
    // In use.
    assert_eq!(
        UnixListener::bind(&path).unwrap_err().kind(),
        ErrorKind::AddrInUse
    );
    // A closed listener wakes its parked accept.
    csp_core::run(move || {
        let l2 = ln.try_clone().unwrap();
        let h = spawn(move || l2.accept().map(|_| ()));
        csp_core::sleep(Duration::from_millis(50));
        drop(ln);
        assert_eq!(
            h.join().unwrap().unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
    // Dropping a stream wakes a reader parked on a clone.
    csp_core::run(|| {
        let (a, _b) = UnixStream::pair().unwrap();
        let r = a.try_clone().unwrap();
        let h = spawn(move || {
            let mut buf = [0u8; 1];
            (&r).read(&mut buf).map(|_| ())
        });
        csp_core::sleep(Duration::from_millis(50));
        drop(a);
        assert_eq!(
            h.join().unwrap().unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}
