//! Network I/O that parks only the goroutine (Go's `net` package): TCP, UDP
//! and, on Unix, Unix-domain stream sockets.
//!
//! The types mirror [`std::net`]'s, with the same method names, plus Go's
//! deadlines. An operation that would block parks the calling goroutine on
//! the runtime's netpoller, so thousands of connections need no thread each;
//! called from a plain OS thread, the same operation blocks the thread, as
//! std's does.
//!
//! ```
//! use std::io::{Read, Write};
//! use csp_core::net::{TcpListener, TcpStream};
//!
//! csp_core::run(|| {
//!     let ln = TcpListener::bind("127.0.0.1:0").unwrap();
//!     let addr = ln.local_addr().unwrap();
//!     csp_core::go! {
//!         let (mut c, _) = ln.accept().unwrap();
//!         let mut buf = [0; 5];
//!         c.read_exact(&mut buf).unwrap();
//!         c.write_all(&buf).unwrap();
//!     };
//!     let mut s = TcpStream::connect(addr).unwrap();
//!     s.write_all(b"hello").unwrap();
//!     let mut buf = [0; 5];
//!     s.read_exact(&mut buf).unwrap();
//!     assert_eq!(&buf, b"hello");
//! });
//! ```
//!
//! # Deadlines and timeouts
//!
//! `set_read_deadline(Some(instant))` makes every read that has not
//! finished by `instant` fail with [`ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut)
//! ("i/o timeout"), including reads already parked when it is set, as Go's
//! `SetReadDeadline` does; a deadline in the past fails reads at once, even
//! when data is waiting. `None` removes it. Moving the deadline wakes parked
//! operations so they obey the new one, and the socket stays usable after a
//! timeout. std's `set_read_timeout` (a limit on each call) is kept beside it;
//! an operation obeys whichever ends first. Writes likewise.
//!
//! # Closing
//!
//! Dropping a socket closes it. `try_clone` returns another handle to the
//! *same* socket (sharing its deadlines), not an independent descriptor as in
//! std: dropping any handle closes the socket for every handle, as Go's
//! `Close` does, and an operation parked on another handle wakes with
//! "use of closed network connection"
//! ([`ErrorKind::NotConnected`](std::io::ErrorKind::NotConnected)). The
//! descriptor itself is released when the last handle is gone. To share one
//! socket between goroutines without that, put it in an `Arc`: `&TcpStream`
//! implements `Read` and `Write`. To end only one direction, use `shutdown`.
//!
//! # What still takes a thread
//!
//! Name resolution and `connect` run inside [`blocking`](crate::blocking):
//! they hold an OS thread (not a processor) while they last. For loopback
//! and local networks a connect is immediate.

mod fd;
mod tcp_listener;
mod tcp_stream;
mod udp_socket;
#[cfg(unix)]
mod unix_listener;
#[cfg(unix)]
mod unix_stream;

pub use std::net::Shutdown;
pub use tcp_listener::{Incoming, TcpListener};
pub use tcp_stream::TcpStream;
pub use udp_socket::UdpSocket;
#[cfg(unix)]
pub use unix_listener::{UnixIncoming, UnixListener};
#[cfg(unix)]
pub use unix_stream::UnixStream;
