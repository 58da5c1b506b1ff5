//! Nothing leaks: after a workload of listeners, streams, clones, datagram
//! and Unix sockets (with errors and closes along the way), the number of
//! open file descriptors and `num_goroutine()` are back to their baseline.
//! One test in its own binary, so no other test opens descriptors meanwhile.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use csp_core::net::{TcpListener, TcpStream, UdpSocket, UnixStream};
use csp_core::{num_goroutine, spawn};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn workload() {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = ln.local_addr().unwrap();
    let server = spawn(move || {
        for c in ln.incoming().take(20) {
            let mut c = c.unwrap();
            spawn(move || {
                let mut buf = [0u8; 256];
                while let Ok(n) = c.read(&mut buf) {
                    if n == 0 || c.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    let clients: Vec<_> = (0..20)
        .map(|i| {
            spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                let clone = s.try_clone().unwrap();
                for j in 0..20u8 {
                    s.write_all(&[i, j]).unwrap();
                    let mut b = [0u8; 2];
                    s.read_exact(&mut b).unwrap();
                    assert_eq!(b, [i, j]);
                }
                // A timed-out read, then a parked one ended by the drop.
                s.set_read_deadline(Some(Instant::now() + Duration::from_millis(5)))
                    .unwrap();
                let mut b = [0u8; 1];
                assert!(s.read(&mut b).is_err());
                s.set_read_deadline(None).unwrap();
                let reader = spawn(move || {
                    let mut b = [0u8; 1];
                    (&clone).read(&mut b).map(|_| ())
                });
                csp_core::sleep(Duration::from_millis(10));
                drop(s);
                assert!(reader.join().unwrap().is_err());
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    server.join().unwrap();

    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    u.send_to(b"x", u.local_addr().unwrap()).unwrap();
    let mut b = [0u8; 1];
    u.recv_from(&mut b).unwrap();
    let (a, mut c) = UnixStream::pair().unwrap();
    (&a).write_all(b"y").unwrap();
    c.read_exact(&mut b).unwrap();
    // The listener is gone with the server goroutine: refused.
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn no_fd_or_goroutine_leak() {
    csp_core::run(|| {
        // One round first, so that lazily created runtime threads and their
        // descriptors exist in the baseline.
        workload();
        // Its goroutines are reaped as they exit (bounded wait), so that the
        // baseline is the main goroutine alone.
        for _ in 0..200 {
            if num_goroutine() == 1 {
                break;
            }
            csp_core::sleep(Duration::from_millis(10));
        }
        let fds = open_fds();
        let gs = num_goroutine();
        assert_eq!(gs, 1, "the first round's goroutines did not all end");
        for _ in 0..3 {
            workload();
        }
        // Finished goroutines are reaped as they exit: bounded wait.
        let mut n = num_goroutine();
        for _ in 0..200 {
            if n == gs {
                break;
            }
            csp_core::sleep(Duration::from_millis(10));
            n = num_goroutine();
        }
        assert_eq!(n, gs, "goroutines: {gs} before, {n} after");
        assert_eq!(open_fds(), fds, "file descriptors before and after");
    });
}
