//! The network file descriptor shared by every socket type (Go's `netFD`):
//! a std socket in non-blocking mode, its poll descriptor and its deadlines.
//!
//! Every operation is the same loop: check that the socket is open and that
//! its deadline has not passed, try the non-blocking system call, and on
//! `WouldBlock` park on the poll descriptor until the socket may be ready, the
//! deadline passes, the socket is closed, or a new deadline is set.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::runtime::netpoll::{self, Interest, PollDesc};

/// The error of an operation past its deadline (Go's `ErrDeadlineExceeded`,
/// "i/o timeout").
pub(crate) fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "i/o timeout")
}

/// One direction's deadline settings: Go's absolute deadline and std's
/// per-call timeout. An operation obeys whichever comes first.
#[derive(Clone, Copy, Debug, Default)]
struct Limit {
    deadline: Option<Instant>,
    timeout: Option<Duration>,
}

impl Limit {
    /// The instant at which an operation that started at `start` times out.
    fn at(&self, start: Instant) -> Option<Instant> {
        // A timeout too large to represent never ends.
        let by_timeout = self.timeout.and_then(|t| start.checked_add(t));
        match (self.deadline, by_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The state every handle to one socket shares. The socket itself is closed
/// when the last handle is gone, so no operation can ever run on a
/// descriptor number that the kernel has handed out again.
#[derive(Debug)]
pub(crate) struct NetFd<S: AsRawFd> {
    // Declared before `sock`, so dropped first: the poll descriptor goes
    // while the descriptor it watches is still open.
    pd: Arc<PollDesc>,
    sock: S,
    closed: AtomicBool,
    limits: Mutex<[Limit; 2]>,
}

fn slot(i: Interest) -> usize {
    match i {
        Interest::Read => 0,
        Interest::Write => 1,
    }
}

impl<S: AsRawFd> NetFd<S> {
    /// The std socket, for calls that never block (addresses, options).
    pub(crate) fn sock(&self) -> &S {
        &self.sock
    }

    /// Fails with Go's "use of closed network connection" once any handle
    /// has been dropped.
    pub(crate) fn check_open(&self) -> io::Result<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(netpoll::closed())
        } else {
            Ok(())
        }
    }

    /// Runs the non-blocking `op` until it stops saying `WouldBlock`, parking
    /// on the poll descriptor in between; fails with `TimedOut` past the
    /// direction's deadline (checked before every try, as Go does, so a
    /// deadline in the past fails even when data is waiting).
    pub(crate) fn io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        // When the operation started, for std's per-call timeout; read from
        // the clock only if a timeout is set.
        let mut start = None;
        loop {
            self.check_open()?;
            // Before the deadline is read: a deadline set after this point
            // ends the wait below at once (see `PollDesc::wait_since`).
            let seq = self.pd.wake_seq(interest);
            let limit = self.limits.lock()[slot(interest)];
            let at = match limit.timeout {
                Some(_) => limit.at(*start.get_or_insert_with(Instant::now)),
                None => limit.deadline,
            };
            if at.is_some_and(|at| Instant::now() >= at) {
                return Err(timed_out());
            }
            match op(&self.sock) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => return r,
            }
            match self.pd.wait_since(interest, at, seq) {
                // Ready, woken by a new deadline, or timed out: the loop
                // re-reads the deadline, which may have moved meanwhile.
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
                Err(e) => {
                    self.check_open()?;
                    return Err(e);
                }
            }
        }
    }

    pub(crate) fn deadline(&self, i: Interest) -> Option<Instant> {
        self.limits.lock()[slot(i)].deadline
    }

    pub(crate) fn timeout(&self, i: Interest) -> Option<Duration> {
        self.limits.lock()[slot(i)].timeout
    }

    /// Sets the deadline of one direction and wakes its parked operations so
    /// that they obey the new one.
    pub(crate) fn set_deadline(&self, i: Interest, d: Option<Instant>) -> io::Result<()> {
        self.check_open()?;
        self.limits.lock()[slot(i)].deadline = d;
        self.pd.wake(i);
        Ok(())
    }

    /// std's `set_read_timeout` / `set_write_timeout`: a zero duration is an
    /// error, as in std.
    pub(crate) fn set_timeout(&self, i: Interest, t: Option<Duration>) -> io::Result<()> {
        if t == Some(Duration::ZERO) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "cannot set a 0 duration timeout",
            ));
        }
        self.check_open()?;
        self.limits.lock()[slot(i)].timeout = t;
        self.pd.wake(i);
        Ok(())
    }

    /// Marks the socket closed for every handle and wakes every parked
    /// operation with an error. The descriptor itself is closed when the last
    /// handle is dropped.
    fn close(&self) {
        if !self.closed.swap(true, Ordering::AcqRel) {
            self.pd.close();
        }
    }
}

/// One owning handle to a [`NetFd`]. Dropping any handle closes the socket
/// for all of them (Go's `Close`); [`Fd::share`] makes another.
#[derive(Debug)]
pub(crate) struct Fd<S: AsRawFd> {
    inner: Arc<NetFd<S>>,
}

impl<S: AsRawFd> Fd<S> {
    /// Takes a std socket, puts it in non-blocking mode with `nonblock` and
    /// registers it with the netpoller.
    pub(crate) fn new(sock: S, nonblock: impl FnOnce(&S) -> io::Result<()>) -> io::Result<Self> {
        nonblock(&sock)?;
        let pd = PollDesc::register(sock.as_raw_fd())?;
        Ok(Fd {
            inner: Arc::new(NetFd {
                pd,
                sock,
                closed: AtomicBool::new(false),
                limits: Mutex::new([Limit::default(); 2]),
            }),
        })
    }

    /// Another handle to the same socket, sharing its deadlines.
    pub(crate) fn share(&self) -> io::Result<Self> {
        self.inner.check_open()?;
        Ok(Fd {
            inner: self.inner.clone(),
        })
    }

    pub(crate) fn raw(&self) -> RawFd {
        self.inner.sock.as_raw_fd()
    }
}

impl<S: AsRawFd> std::ops::Deref for Fd<S> {
    type Target = NetFd<S>;

    fn deref(&self) -> &NetFd<S> {
        &self.inner
    }
}

impl<S: AsRawFd> Drop for Fd<S> {
    fn drop(&mut self) {
        self.inner.close();
    }
}

/// The deadline and timeout methods of a socket type whose field `fd` is an
/// [`Fd`]: Go's `SetReadDeadline`, `SetWriteDeadline`, `SetDeadline` and std's
/// `set_read_timeout`, `set_write_timeout`, with their getters.
macro_rules! deadline_methods {
    () => {
        /// Sets the instant after which reads fail with
        /// [`ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) (Go's
        /// `SetReadDeadline`); `None` removes it. Reads already parked obey
        /// the new deadline at once; a deadline in the past fails them
        /// immediately. The socket stays usable: move the deadline and read
        /// again.
        pub fn set_read_deadline(
            &self,
            deadline: Option<std::time::Instant>,
        ) -> std::io::Result<()> {
            self.fd
                .set_deadline($crate::runtime::netpoll::Interest::Read, deadline)
        }

        /// Sets the instant after which writes fail with
        /// [`ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) (Go's
        /// `SetWriteDeadline`); `None` removes it. Parked writes obey the new
        /// deadline at once. A write that times out may have sent part of its
        /// data.
        pub fn set_write_deadline(
            &self,
            deadline: Option<std::time::Instant>,
        ) -> std::io::Result<()> {
            self.fd
                .set_deadline($crate::runtime::netpoll::Interest::Write, deadline)
        }

        /// Sets both the read and the write deadline (Go's `SetDeadline`).
        pub fn set_deadline(&self, deadline: Option<std::time::Instant>) -> std::io::Result<()> {
            self.set_read_deadline(deadline)?;
            self.set_write_deadline(deadline)
        }

        /// The read deadline set by [`set_read_deadline`](Self::set_read_deadline).
        pub fn read_deadline(&self) -> Option<std::time::Instant> {
            self.fd.deadline($crate::runtime::netpoll::Interest::Read)
        }

        /// The write deadline set by [`set_write_deadline`](Self::set_write_deadline).
        pub fn write_deadline(&self) -> Option<std::time::Instant> {
            self.fd.deadline($crate::runtime::netpoll::Interest::Write)
        }

        /// Limits how long each read may wait, as std's `set_read_timeout`
        /// does: a read that waits longer fails with
        /// [`ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut). `None`
        /// removes the limit; a zero duration is an error. Applies beside the
        /// read deadline: whichever ends first wins.
        pub fn set_read_timeout(
            &self,
            timeout: Option<std::time::Duration>,
        ) -> std::io::Result<()> {
            self.fd
                .set_timeout($crate::runtime::netpoll::Interest::Read, timeout)
        }

        /// Limits how long each write may wait, as std's `set_write_timeout`
        /// does. `None` removes the limit; a zero duration is an error.
        pub fn set_write_timeout(
            &self,
            timeout: Option<std::time::Duration>,
        ) -> std::io::Result<()> {
            self.fd
                .set_timeout($crate::runtime::netpoll::Interest::Write, timeout)
        }

        /// The limit set by [`set_read_timeout`](Self::set_read_timeout).
        pub fn read_timeout(&self) -> std::io::Result<Option<std::time::Duration>> {
            Ok(self.fd.timeout($crate::runtime::netpoll::Interest::Read))
        }

        /// The limit set by [`set_write_timeout`](Self::set_write_timeout).
        pub fn write_timeout(&self) -> std::io::Result<Option<std::time::Duration>> {
            Ok(self.fd.timeout($crate::runtime::netpoll::Interest::Write))
        }
    };
}
pub(crate) use deadline_methods;

/// `AsRawFd` and `AsFd` for a socket type whose field `fd` is an [`Fd`].
macro_rules! fd_traits {
    ($t:ty) => {
        impl std::os::fd::AsRawFd for $t {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.fd.raw()
            }
        }

        impl std::os::fd::AsFd for $t {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(self.fd.sock())
            }
        }
    };
}
pub(crate) use fd_traits;

/// Resolves `addr` inside [`blocking`](crate::blocking): name resolution may
/// block its thread.
pub(crate) fn resolve<A: std::net::ToSocketAddrs>(
    addr: A,
) -> io::Result<Vec<std::net::SocketAddr>> {
    crate::runtime::blocking(|| addr.to_socket_addrs().map(Iterator::collect))
}

/// `Read` and `Write` for a stream type `T` and for `&T`, whose field `fd`
/// is an [`Fd`] of a std stream `S` (for which `&S` is `Read + Write`).
macro_rules! stream_io {
    ($t:ty) => {
        impl std::io::Read for &$t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                self.fd
                    .io($crate::runtime::netpoll::Interest::Read, |mut s| {
                        std::io::Read::read(&mut s, buf)
                    })
            }

            fn read_vectored(
                &mut self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::io::Result<usize> {
                self.fd
                    .io($crate::runtime::netpoll::Interest::Read, |mut s| {
                        std::io::Read::read_vectored(&mut s, bufs)
                    })
            }
        }

        impl std::io::Write for &$t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.fd
                    .io($crate::runtime::netpoll::Interest::Write, |mut s| {
                        std::io::Write::write(&mut s, buf)
                    })
            }

            fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
                self.fd
                    .io($crate::runtime::netpoll::Interest::Write, |mut s| {
                        std::io::Write::write_vectored(&mut s, bufs)
                    })
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }

        impl std::io::Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                (&*self).read(buf)
            }

            fn read_vectored(
                &mut self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::io::Result<usize> {
                (&*self).read_vectored(bufs)
            }
        }

        impl std::io::Write for $t {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                (&*self).write(buf)
            }

            fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
                (&*self).write_vectored(bufs)
            }

            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
    };
}
pub(crate) use stream_io;
