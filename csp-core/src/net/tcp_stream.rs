//! [`TcpStream`]: a TCP connection whose reads and writes park only the
//! goroutine.

use std::io;
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::time::Duration;

use crate::net::fd::{deadline_methods, fd_traits, resolve, stream_io, Fd};
use crate::runtime::blocking;
use crate::runtime::netpoll::Interest;

/// A TCP connection (std's [`TcpStream`](std::net::TcpStream), Go's
/// `*net.TCPConn`). Reading and writing park the calling goroutine until the
/// socket is ready; from a plain OS thread they block it. Both `TcpStream`
/// and `&TcpStream` implement [`Read`](std::io::Read) and
/// [`Write`](std::io::Write).
///
/// Dropping it closes the connection, for every handle made by
/// [`try_clone`](Self::try_clone) too: see [the module docs](crate::net#closing).
///
/// ```
/// use std::io::{Read, Write};
/// use csp_core::net::{TcpListener, TcpStream};
///
/// let ln = TcpListener::bind("127.0.0.1:0")?;
/// let addr = ln.local_addr()?;
/// let server = csp_core::spawn(move || -> std::io::Result<()> {
///     let (mut c, _) = ln.accept()?;
///     let mut line = [0; 4];
///     c.read_exact(&mut line)?;
///     c.write_all(&line)
/// });
/// let mut s = TcpStream::connect(addr)?;
/// s.write_all(b"ping")?;
/// let mut back = [0; 4];
/// s.read_exact(&mut back)?;
/// assert_eq!(&back, b"ping");
/// server.join().unwrap()?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Deadlines, as in Go: a read past its deadline fails with `TimedOut`, and
/// the stream works again once the deadline is moved.
///
/// ```
/// use std::io::{ErrorKind, Read, Write};
/// use std::time::{Duration, Instant};
/// use csp_core::net::{TcpListener, TcpStream};
///
/// let ln = TcpListener::bind("127.0.0.1:0")?;
/// let mut c = TcpStream::connect(ln.local_addr()?)?;
/// let (mut s, _) = ln.accept()?;
/// let mut buf = [0; 2];
/// c.set_read_deadline(Some(Instant::now() + Duration::from_millis(10)))?;
/// assert_eq!(c.read(&mut buf).unwrap_err().kind(), ErrorKind::TimedOut);
/// c.set_read_deadline(None)?;
/// s.write_all(b"ok")?;
/// c.read_exact(&mut buf)?;
/// assert_eq!(&buf, b"ok");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TcpStream {
    pub(crate) fd: Fd<std::net::TcpStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`, trying each of its addresses in turn as
    /// std does. Name resolution and the connect itself run inside
    /// [`blocking`](crate::blocking), so they hold an OS thread (not a
    /// processor) until the connection is made or refused.
    pub fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let addrs = resolve(addr)?;
        let s = blocking(|| std::net::TcpStream::connect(&addrs[..]))?;
        TcpStream::from_std(s)
    }

    /// Opens a connection to `addr`, failing with `TimedOut` if it is not made
    /// within `timeout` (std's `connect_timeout`). Runs inside
    /// [`blocking`](crate::blocking).
    pub fn connect_timeout(addr: &SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
        let s = blocking(|| std::net::TcpStream::connect_timeout(addr, timeout))?;
        TcpStream::from_std(s)
    }

    /// Takes over a connected std stream: puts it in non-blocking mode and
    /// registers it with the netpoller.
    pub fn from_std(s: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            fd: Fd::new(s, |s| s.set_nonblocking(true))?,
        })
    }

    /// The address of the remote end.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().peer_addr()
    }

    /// The address of the local end.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().local_addr()
    }

    /// Shuts down the read half, the write half or both (Go's `CloseRead`,
    /// `CloseWrite`). A goroutine parked reading after a read or full
    /// shutdown wakes and reads end of file.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.fd.check_open()?;
        self.fd.sock().shutdown(how)
    }

    /// Another handle to the same connection, sharing its deadlines. Unlike
    /// std's, dropping any of the handles closes the connection for all of
    /// them (see [the module docs](crate::net#closing)).
    pub fn try_clone(&self) -> io::Result<TcpStream> {
        Ok(TcpStream {
            fd: self.fd.share()?,
        })
    }

    /// Sets `TCP_NODELAY` (Nagle's algorithm off when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.fd.sock().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.fd.sock().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.fd.sock().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.fd.sock().ttl()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.fd.sock().take_error()
    }

    /// Reads without removing the data from the socket's queue, parking
    /// until some arrives.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.io(Interest::Read, |s| s.peek(buf))
    }

    deadline_methods!();
}

stream_io!(TcpStream);
fd_traits!(TcpStream);
