//! [`UnixListener`]: a Unix-domain server socket whose `accept` parks only
//! the goroutine.

use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::time::Instant;

use crate::net::fd::{fd_traits, Fd};
use crate::net::UnixStream;
use crate::runtime::netpoll::Interest;

/// A Unix-domain socket listening for connections (std's
/// [`UnixListener`](std::os::unix::net::UnixListener), Go's
/// `*net.UnixListener`). Dropping it closes it but, as in std, leaves the
/// socket file in place.
///
/// ```
/// use csp_core::net::{UnixListener, UnixStream};
///
/// let dir = std::env::temp_dir().join(format!("csp-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("sock");
/// # let _ = std::fs::remove_file(&path);
/// let ln = UnixListener::bind(&path)?;
/// let p = path.clone();
/// let client = csp_core::spawn(move || UnixStream::connect(p));
/// let (_conn, _) = ln.accept()?;
/// client.join().unwrap()?;
/// std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct UnixListener {
    pub(crate) fd: Fd<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds a listening socket at `path`; the file must not exist yet
    /// (`AddrInUse` otherwise).
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(path)?)
    }

    /// Takes over a bound std listener: puts it in non-blocking mode and
    /// registers it with the netpoller.
    pub fn from_std(l: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            fd: Fd::new(l, |l| l.set_nonblocking(true))?,
        })
    }

    /// Waits for a connection and returns it with the peer's address.
    pub fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (s, a) = self.fd.io(Interest::Read, |l| {
            // A connection reset while queued: take the next one (Go's
            // accept loop does the same with ECONNABORTED).
            l.accept().map_err(|e| match e.kind() {
                io::ErrorKind::ConnectionAborted => io::ErrorKind::Interrupted.into(),
                _ => e,
            })
        })?;
        Ok((UnixStream::from_std(s)?, a))
    }

    /// An endless iterator over incoming connections.
    pub fn incoming(&self) -> UnixIncoming<'_> {
        UnixIncoming { listener: self }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.fd.sock().local_addr()
    }

    /// Another handle to the same listener. Unlike std's, dropping any handle
    /// closes the listener for all of them.
    pub fn try_clone(&self) -> io::Result<UnixListener> {
        Ok(UnixListener {
            fd: self.fd.share()?,
        })
    }

    /// Sets the instant after which [`accept`](Self::accept) fails with
    /// [`ErrorKind::TimedOut`](io::ErrorKind::TimedOut); `None` removes it.
    pub fn set_deadline(&self, deadline: Option<Instant>) -> io::Result<()> {
        self.fd.set_deadline(Interest::Read, deadline)
    }

    /// The deadline set by [`set_deadline`](Self::set_deadline).
    pub fn deadline(&self) -> Option<Instant> {
        self.fd.deadline(Interest::Read)
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.fd.sock().take_error()
    }
}

fd_traits!(UnixListener);

/// The iterator of [`UnixListener::incoming`]; it never returns `None`.
#[derive(Debug)]
pub struct UnixIncoming<'a> {
    listener: &'a UnixListener,
}

impl Iterator for UnixIncoming<'_> {
    type Item = io::Result<UnixStream>;

    fn next(&mut self) -> Option<io::Result<UnixStream>> {
        Some(self.listener.accept().map(|(s, _)| s))
    }
}
