//! [`TcpListener`]: a TCP server socket whose `accept` parks only the
//! goroutine.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Instant;

use crate::net::fd::{fd_traits, resolve, Fd};
use crate::net::TcpStream;
use crate::runtime::blocking;
use crate::runtime::netpoll::Interest;

/// A TCP socket listening for connections (std's
/// [`TcpListener`](std::net::TcpListener), Go's `*net.TCPListener`).
/// [`accept`](Self::accept) parks the calling goroutine until a connection
/// arrives; from a plain OS thread it blocks it.
///
/// Dropping the listener (or any handle from [`try_clone`](Self::try_clone))
/// closes it; a goroutine parked in `accept` on another handle wakes with an
/// error.
///
/// ```
/// use csp_core::net::{TcpListener, TcpStream};
///
/// let ln = TcpListener::bind("127.0.0.1:0")?;
/// let addr = ln.local_addr()?;
/// let client = csp_core::spawn(move || TcpStream::connect(addr));
/// let (conn, peer) = ln.accept()?;
/// let client = client.join().unwrap()?;
/// assert_eq!(peer, client.local_addr()?);
/// assert_eq!(conn.peer_addr()?, client.local_addr()?);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TcpListener {
    pub(crate) fd: Fd<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds a listening socket to `addr` (port 0 picks a free port), trying
    /// each of its addresses in turn. An address in use is an
    /// [`ErrorKind::AddrInUse`](io::ErrorKind::AddrInUse) error.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let addrs = resolve(addr)?;
        let l = blocking(|| std::net::TcpListener::bind(&addrs[..]))?;
        TcpListener::from_std(l)
    }

    /// Takes over a bound std listener: puts it in non-blocking mode and
    /// registers it with the netpoller.
    pub fn from_std(l: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            fd: Fd::new(l, |l| l.set_nonblocking(true))?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (s, a) = self.fd.io(Interest::Read, |l| {
            // A connection reset while queued: take the next one (Go's
            // accept loop does the same with ECONNABORTED).
            l.accept().map_err(|e| match e.kind() {
                io::ErrorKind::ConnectionAborted => io::ErrorKind::Interrupted.into(),
                _ => e,
            })
        })?;
        Ok((TcpStream::from_std(s)?, a))
    }

    /// An endless iterator over incoming connections: each item is
    /// [`accept`](Self::accept)'s stream (or its error).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The local address (with the port chosen when bound to port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().local_addr()
    }

    /// Another handle to the same listener. Unlike std's, dropping any handle
    /// closes the listener for all of them.
    pub fn try_clone(&self) -> io::Result<TcpListener> {
        Ok(TcpListener {
            fd: self.fd.share()?,
        })
    }

    /// Sets the instant after which [`accept`](Self::accept) fails with
    /// [`ErrorKind::TimedOut`](io::ErrorKind::TimedOut) (Go's
    /// `TCPListener.SetDeadline`); `None` removes it. A parked `accept` obeys
    /// the new deadline at once.
    pub fn set_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.fd.set_deadline(Interest::Read, deadline)
    }

    /// The deadline set by [`set_deadline`](Self::set_deadline).
    pub fn deadline(&self) -> Option<Instant> {
        self.fd.deadline(Interest::Read)
    }

    /// Sets the IP time-to-live of accepted connections' packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.fd.sock().set_ttl(ttl)
    }

    /// The IP time-to-live of accepted connections' packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.fd.sock().ttl()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.fd.sock().take_error()
    }
}

fd_traits!(TcpListener);

/// The iterator of [`TcpListener::incoming`]; it never returns `None`.
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Iterator for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn next(&mut self) -> Option<io::Result<TcpStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}
