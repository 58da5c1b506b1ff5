//! [`UdpSocket`]: a UDP socket whose sends and receives park only the
//! goroutine.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use crate::net::fd::{deadline_methods, fd_traits, resolve, Fd};
use crate::runtime::blocking;
use crate::runtime::netpoll::Interest;

/// A UDP socket (std's [`UdpSocket`](std::net::UdpSocket), Go's
/// `*net.UDPConn`). Receiving parks the calling goroutine until a datagram
/// arrives (sending, when the socket buffer is full); from a plain OS thread
/// it blocks it. Reads obey the read deadline, sends the write deadline.
///
/// ```
/// use csp_core::net::UdpSocket;
///
/// let a = UdpSocket::bind("127.0.0.1:0")?;
/// let b = UdpSocket::bind("127.0.0.1:0")?;
/// a.send_to(b"hi", b.local_addr()?)?;
/// let mut buf = [0; 16];
/// let (n, from) = b.recv_from(&mut buf)?;
/// assert_eq!((&buf[..n], from), (&b"hi"[..], a.local_addr()?));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct UdpSocket {
    pub(crate) fd: Fd<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr` (port 0 picks a free port), trying each of its
    /// addresses in turn.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let addrs = resolve(addr)?;
        let s = blocking(|| std::net::UdpSocket::bind(&addrs[..]))?;
        UdpSocket::from_std(s)
    }

    /// Takes over a bound std socket: puts it in non-blocking mode and
    /// registers it with the netpoller.
    pub fn from_std(s: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            fd: Fd::new(s, |s| s.set_nonblocking(true))?,
        })
    }

    /// Receives one datagram, returning its length and sender. A datagram
    /// longer than `buf` is cut to fit.
    pub fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.fd.io(Interest::Read, |s| s.recv_from(buf))
    }

    /// Like [`recv_from`](Self::recv_from), leaving the datagram queued.
    pub fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.fd.io(Interest::Read, |s| s.peek_from(buf))
    }

    /// Sends `buf` as one datagram to `addr` (its first address, as std).
    pub fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], addr: A) -> io::Result<usize> {
        let to = resolve(addr)?.into_iter().next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "no addresses to send data to")
        })?;
        self.fd.io(Interest::Write, |s| s.send_to(buf, to))
    }

    /// Sets the default destination for [`send`](Self::send) and the only
    /// source [`recv`](Self::recv) accepts, trying each address in turn.
    pub fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        self.fd.check_open()?;
        let addrs = resolve(addr)?;
        self.fd.sock().connect(&addrs[..])
    }

    /// Sends `buf` as one datagram to the connected peer.
    pub fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.fd.io(Interest::Write, |s| s.send(buf))
    }

    /// Receives one datagram from the connected peer.
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.io(Interest::Read, |s| s.recv(buf))
    }

    /// Like [`recv`](Self::recv), leaving the datagram queued.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.fd.io(Interest::Read, |s| s.peek(buf))
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().local_addr()
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().peer_addr()
    }

    /// Another handle to the same socket. Unlike std's, dropping any handle
    /// closes the socket for all of them (see
    /// [the module docs](crate::net#closing)).
    pub fn try_clone(&self) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            fd: self.fd.share()?,
        })
    }

    /// Sets `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.fd.sock().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.fd.sock().broadcast()
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

    deadline_methods!();
}

fd_traits!(UdpSocket);
