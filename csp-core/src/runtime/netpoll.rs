//! The netpoller: goroutines that wait for a file descriptor to become ready
//! park here, and the scheduler wakes them (Go's `runtime/netpoll.go`).
//!
//! This first version waits with `poll(2)` inside [`blocking`], so a waiting
//! goroutine costs a thread while it waits; the readiness-queue version keeps
//! the same API.

// Until `net` is built on it.
#![allow(dead_code)]

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::runtime::syscall::blocking;

/// Which readiness a waiter wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interest {
    Read,
    Write,
}

/// One registered file descriptor (Go's `pollDesc`). The descriptor must be
/// in non-blocking mode; its owner calls [`PollDesc::close`] before closing it.
#[derive(Debug)]
pub(crate) struct PollDesc {
    fd: RawFd,
    closing: AtomicBool,
    /// Bumped by [`PollDesc::wake`]: a waiter re-reads its deadline.
    seq: [AtomicU64; 2],
}

/// How long one `poll(2)` may sleep before the waiter re-checks `closing` and
/// its wake sequence.
const SLICE: Duration = Duration::from_millis(10);

impl PollDesc {
    /// Registers `fd` with the poller of the current runtime.
    pub(crate) fn register(fd: RawFd) -> io::Result<Arc<PollDesc>> {
        Ok(Arc::new(PollDesc {
            fd,
            closing: AtomicBool::new(false),
            seq: [AtomicU64::new(0), AtomicU64::new(0)],
        }))
    }

    fn slot(&self, i: Interest) -> &AtomicU64 {
        &self.seq[match i {
            Interest::Read => 0,
            Interest::Write => 1,
        }]
    }

    /// Waits until the descriptor may be ready for `interest` (the caller then
    /// retries its non-blocking call, which may still say `WouldBlock`), until
    /// `deadline` (`ErrorKind::TimedOut`), until [`close`](Self::close)
    /// ([`closed`]'s error), or until
    /// [`wake`](Self::wake) (`Ok`, so that the caller re-reads its deadline).
    /// Parks only the calling goroutine; blocks a plain thread.
    pub(crate) fn wait(&self, interest: Interest, deadline: Option<Instant>) -> io::Result<()> {
        let seq = self.slot(interest).load(Ordering::Acquire);
        let events = match interest {
            Interest::Read => libc::POLLIN | libc::POLLRDHUP,
            Interest::Write => libc::POLLOUT,
        };
        loop {
            if self.closing.load(Ordering::Acquire) {
                return Err(closed());
            }
            if self.slot(interest).load(Ordering::Acquire) != seq {
                return Ok(());
            }
            let mut slice = SLICE;
            if let Some(d) = deadline {
                let now = Instant::now();
                if now >= d {
                    return Err(io::Error::from(io::ErrorKind::TimedOut));
                }
                slice = slice.min(d - now);
            }
            let mut p = libc::pollfd {
                fd: self.fd,
                events,
                revents: 0,
            };
            let ms = slice.as_millis().max(1) as libc::c_int;
            // SAFETY: one valid pollfd.
            let n = blocking(|| unsafe { libc::poll(&mut p, 1, ms) });
            if n > 0 {
                return Ok(());
            }
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }

    /// Wakes the waiters of `interest` so that they re-read their deadline.
    pub(crate) fn wake(&self, interest: Interest) {
        self.slot(interest).fetch_add(1, Ordering::AcqRel);
    }

    /// Marks the descriptor closing: every waiter, now and later, gets an
    /// error. Call before the descriptor is closed.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Release);
    }
}

/// The error of a wait on a descriptor that is being closed (Go's
/// `ErrNetClosing`, "use of closed network connection").
pub(crate) fn closed() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "use of closed network connection",
    )
}

// ---------------------------------------------------------------------------
// Added for `csp_core::net` (branch `net`): a wait that cannot miss a wake.
//
// `net` keeps its deadlines beside the poll descriptor. A setter stores the
// new deadline, then calls `wake`; a waiter reads the deadline, then calls
// `wait`. If the setter's store and wake both fall between the waiter's
// read and the moment `wait` loads its sequence, `wait` sleeps until the old
// deadline (forever, if there was none). With `wake_seq` read before the
// deadline and passed to `wait_since`, that wake is seen. The readiness-queue
// version needs the same two functions (Go keeps `rseq`/`wseq` in its
// `pollDesc` for this).
// ---------------------------------------------------------------------------

impl PollDesc {
    /// The wake sequence of `interest`: read it before the state a wait
    /// depends on (a deadline), and pass it to [`wait_since`](Self::wait_since).
    pub(crate) fn wake_seq(&self, interest: Interest) -> u64 {
        self.slot(interest).load(Ordering::Acquire)
    }

    /// [`wait`](Self::wait), except that it returns `Ok` at once if
    /// [`wake`](Self::wake) was called for `interest` since
    /// [`wake_seq`](Self::wake_seq) returned `seq`.
    pub(crate) fn wait_since(
        &self,
        interest: Interest,
        deadline: Option<Instant>,
        seq: u64,
    ) -> io::Result<()> {
        let events = match interest {
            Interest::Read => libc::POLLIN | libc::POLLRDHUP,
            Interest::Write => libc::POLLOUT,
        };
        loop {
            if self.closing.load(Ordering::Acquire) {
                return Err(closed());
            }
            if self.slot(interest).load(Ordering::Acquire) != seq {
                return Ok(());
            }
            let mut slice = SLICE;
            if let Some(d) = deadline {
                let now = Instant::now();
                if now >= d {
                    return Err(io::Error::from(io::ErrorKind::TimedOut));
                }
                slice = slice.min(d - now);
            }
            let mut p = libc::pollfd {
                fd: self.fd,
                events,
                revents: 0,
            };
            let ms = slice.as_millis().max(1) as libc::c_int;
            // SAFETY: `p` is one valid, exclusively borrowed pollfd for the
            // duration of the call.
            let n = blocking(|| unsafe { libc::poll(&mut p, 1, ms) });
            if n > 0 {
                return Ok(());
            }
            if n < 0 {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}
