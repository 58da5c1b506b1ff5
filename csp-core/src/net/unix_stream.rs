//! [`UnixStream`]: a Unix-domain stream socket whose reads and writes park
//! only the goroutine.

use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::net::fd::{deadline_methods, fd_traits, stream_io, Fd};
use crate::runtime::blocking;
use crate::runtime::netpoll::Interest;

/// A connected Unix-domain stream socket (std's
/// [`UnixStream`](std::os::unix::net::UnixStream), Go's `*net.UnixConn`),
/// with the same parking, deadlines and closing rules as
/// [`TcpStream`](crate::net::TcpStream).
///
/// ```
/// use std::io::{Read, Write};
/// use csp_core::net::UnixStream;
///
/// let (mut a, mut b) = UnixStream::pair()?;
/// let echo = csp_core::spawn(move || -> std::io::Result<()> {
///     let mut buf = [0; 3];
///     b.read_exact(&mut buf)?;
///     b.write_all(&buf)
/// });
/// a.write_all(b"abc")?;
/// let mut back = [0; 3];
/// a.read_exact(&mut back)?;
/// assert_eq!(&back, b"abc");
/// echo.join().unwrap()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct UnixStream {
    pub(crate) fd: Fd<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`. Runs inside
    /// [`blocking`](crate::blocking) (a connect waits while the listener's
    /// backlog is full).
    pub fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        let s = blocking(|| std::os::unix::net::UnixStream::connect(path))?;
        UnixStream::from_std(s)
    }

    /// A pair of connected sockets.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Takes over a connected std socket: puts it in non-blocking mode and
    /// registers it with the netpoller.
    pub fn from_std(s: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            fd: Fd::new(s, |s| s.set_nonblocking(true))?,
        })
    }

    /// The address of the local end.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().local_addr()
    }

    /// The address of the remote end.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().peer_addr()
    }

    /// Shuts down the read half, the write half or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.fd.check_open()?;
        self.fd.sock().shutdown(how)
    }

    /// Another handle to the same socket. Unlike std's, dropping any handle
    /// closes the socket for all of them (see
    /// [the module docs](crate::net#closing)).
    pub fn try_clone(&self) -> io::Result<UnixStream> {
        Ok(UnixStream {
            fd: self.fd.share()?,
        })
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.fd.sock().take_error()
    }

    /// Reads without removing the data from the socket's queue.
    pub fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        // std's `UnixStream::peek` is unstable on our minimum Rust: recv(2)
        // with MSG_PEEK directly.
        let fd = self.fd.raw();
        self.fd.io(Interest::Read, |_| {
            // SAFETY: `fd` is open for as long as `self.fd` lives, and `buf`
            // is a valid writable buffer of `buf.len()` bytes.
            let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_PEEK) };
            if n < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(n as usize)
            }
        })
    }

    deadline_methods!();
}

stream_io!(UnixStream);
fd_traits!(UnixStream);
