//! The netpoller: goroutines that wait for a file descriptor to become ready
//! park here, and the scheduler wakes them (Go's `runtime/netpoll.go`).
//!
//! Readiness comes from the operating system's queue (epoll, through the
//! `mio` crate: the most used Rust binding of it, kept by the tokio project;
//! we need only its registry, edge-triggered events and a waker). Each
//! registered descriptor has a [`PollDesc`] with one waiting slot per
//! direction. A goroutine that finds its descriptor not ready parks in the
//! slot through the wait protocol (with its deadline); whoever collects an
//! event for the descriptor readies it, or, if nobody waits, leaves the slot
//! marked ready for the next wait (Go's `pdReady`).
//!
//! The scheduler collects events without blocking in `find_runnable` when
//! goroutines wait on descriptors, and the last M to go idle blocks in the
//! poller instead of its parker, with the next timer as its timeout; waking
//! that M ([`Netpoll::interrupt`]) goes through the poller's waker. Plain OS
//! threads wait with `poll(2)` on the descriptor itself, like std's sockets.
//!
//! A goroutine parked here is not asleep for the deadlock rule.

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest as MioInterest, Poll, Registry, Token, Waker};
use parking_lot::Mutex;

use crate::runtime::park::WaitReason;
use crate::runtime::sched::{current_g, current_sched, Sched};
use crate::runtime::sudog::Sudog;
use crate::runtime::wait::{ready, Wait, WaitOutcome};

/// Which readiness a waiter wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interest {
    Read,
    Write,
}

impl Interest {
    fn index(self) -> usize {
        match self {
            Interest::Read => 0,
            Interest::Write => 1,
        }
    }
}

/// The waker's token; descriptors count from 1.
const WAKER: Token = Token(0);

/// A scheduler's poller, made on first use.
pub(crate) struct Netpoll {
    /// One M at a time collects events (`try_lock`).
    poll: Mutex<(Poll, Events)>,
    registry: Registry,
    waker: Waker,
    descs: Mutex<HashMap<usize, Arc<PollDesc>>>,
    next_token: AtomicUsize,
    /// Goroutines parked on a descriptor.
    waiters: AtomicUsize,
    /// The idle M blocked in the poller (P index + 1), or 0.
    blocked: AtomicUsize,
}

impl std::fmt::Debug for Netpoll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Netpoll")
            .field("waiters", &self.waiters.load(Ordering::Relaxed))
            .finish()
    }
}

impl Netpoll {
    pub(crate) fn new() -> io::Result<Netpoll> {
        let poll = Poll::new()?;
        let registry = poll.registry().try_clone()?;
        let waker = Waker::new(poll.registry(), WAKER)?;
        Ok(Netpoll {
            poll: Mutex::new((poll, Events::with_capacity(256))),
            registry,
            waker,
            descs: Mutex::new(HashMap::new()),
            next_token: AtomicUsize::new(1),
            waiters: AtomicUsize::new(0),
            blocked: AtomicUsize::new(0),
        })
    }

    /// Goroutines parked on descriptors right now.
    pub(crate) fn waiters(&self) -> usize {
        self.waiters.load(Ordering::SeqCst)
    }

    /// Collects ready events and readies their waiters (Go's `netpoll`),
    /// waiting at most `timeout` (`None`: until an event or
    /// [`interrupt`](Self::interrupt)). Returns how many goroutines it
    /// readied; 0 at once if another M is polling.
    pub(crate) fn poll(&self, timeout: Option<Duration>) -> usize {
        let Some(mut g) = self.poll.try_lock() else {
            return 0;
        };
        let (poll, events) = &mut *g;
        if let Err(e) = poll.poll(events, timeout) {
            if e.kind() != io::ErrorKind::Interrupted {
                panic!("csp: netpoll: {e}");
            }
        }
        let mut woken: Vec<*mut Sudog> = Vec::new();
        {
            let descs = self.descs.lock();
            for ev in events.iter() {
                if ev.token() == WAKER {
                    continue;
                }
                let Some(pd) = descs.get(&ev.token().0) else {
                    continue; // closed meanwhile
                };
                let err = ev.is_error();
                if ev.is_readable() || ev.is_read_closed() || err {
                    pd.slots[0].lock().fire(&mut woken);
                }
                if ev.is_writable() || ev.is_write_closed() || err {
                    pd.slots[1].lock().fire(&mut woken);
                }
            }
        }
        drop(g);
        let n = woken.len();
        for sg in woken {
            // SAFETY: `fire` dequeued and claimed it under the slot's lock,
            // which is released.
            unsafe { ready(sg) };
        }
        n
    }

    /// Blocks idle M `id` in the poller until an event, the deadline or an
    /// interrupt, unless `woken` already says it has been woken. False (at
    /// once) if another M is blocked here.
    ///
    /// A waker sets what `woken` reads, then calls [`interrupt`](Self::interrupt):
    /// with both sides sequentially consistent, either the waker sees this M
    /// blocked (and interrupts it) or this M sees the flag.
    pub(crate) fn block(
        &self,
        id: usize,
        deadline: Option<Instant>,
        woken: &dyn Fn() -> bool,
    ) -> bool {
        if self
            .blocked
            .compare_exchange(0, id + 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return false;
        }
        if !woken() {
            let timeout = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            self.poll(timeout);
        }
        self.blocked.store(0, Ordering::SeqCst);
        true
    }

    /// Wakes idle M `id` if it is blocked in the poller.
    pub(crate) fn interrupt(&self, id: usize) {
        if self.blocked.load(Ordering::SeqCst) == id + 1 {
            let _ = self.waker.wake();
        }
    }
}

/// One direction of a descriptor: the parked waiters (several goroutines may
/// read one socket), or a readiness nobody has consumed yet. Guarded by its
/// mutex.
struct Slot {
    waiters: Vec<*mut Sudog>,
    ready: bool,
    /// Bumped by [`PollDesc::wake`]: a waiter re-reads its deadline.
    seq: u64,
}

// SAFETY: the sudog pointer is only used under the slot's lock, by the wait
// protocol's rules (see wait.rs).
unsafe impl Send for Slot {}

impl Slot {
    /// An event came: ready every waiter (into `woken`: each retries its
    /// call, and the losers park again), or, with none, remember it.
    fn fire(&mut self, woken: &mut Vec<*mut Sudog>) {
        let before = woken.len();
        for sg in self.waiters.drain(..) {
            // SAFETY: a linked sudog is alive until its waiter unlinks it
            // under this lock, or until we ready it. A waiter whose deadline
            // won the claim unlinks nothing: it finds itself gone.
            if unsafe { (*sg).claim() } {
                // SAFETY: as above; we won the wait.
                unsafe { (*sg).success = true };
                woken.push(sg);
            }
        }
        if woken.len() == before {
            self.ready = true;
        }
    }
}

/// One registered file descriptor (Go's `pollDesc`). The descriptor must be
/// in non-blocking mode; its owner calls [`PollDesc::close`] before closing it.
pub(crate) struct PollDesc {
    fd: RawFd,
    token: usize,
    sched: Arc<Sched>,
    closing: AtomicBool,
    slots: [Mutex<Slot>; 2],
}

impl std::fmt::Debug for PollDesc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PollDesc").field("fd", &self.fd).finish()
    }
}

impl Sched {
    /// This scheduler's poller, made on first use.
    fn netpoll(&self) -> io::Result<&Netpoll> {
        if let Some(np) = self.netpoll.get() {
            return Ok(np);
        }
        let np = Netpoll::new()?;
        Ok(self.netpoll.get_or_init(|| np))
    }
}

impl PollDesc {
    /// Registers `fd` with the poller of the current runtime.
    pub(crate) fn register(fd: RawFd) -> io::Result<Arc<PollDesc>> {
        let sched = current_sched();
        let np = sched.netpoll()?;
        let token = np.next_token.fetch_add(1, Ordering::Relaxed);
        let new_slot = || {
            Mutex::new(Slot {
                waiters: Vec::new(),
                ready: false,
                seq: 0,
            })
        };
        let pd = Arc::new(PollDesc {
            fd,
            token,
            sched: sched.clone(),
            closing: AtomicBool::new(false),
            slots: [new_slot(), new_slot()],
        });
        np.descs.lock().insert(token, pd.clone());
        np.registry.register(
            &mut SourceFd(&fd),
            Token(token),
            MioInterest::READABLE | MioInterest::WRITABLE,
        )?;
        Ok(pd)
    }

    fn np(&self) -> &Netpoll {
        self.sched.netpoll.get().expect("registered with a poller")
    }

    /// The wake sequence of `interest`: read it before the state a wait
    /// depends on (a deadline), and pass it to [`wait_since`](Self::wait_since),
    /// so that a [`wake`](Self::wake) in between is not missed (Go's
    /// `rseq`/`wseq`).
    pub(crate) fn wake_seq(&self, interest: Interest) -> u64 {
        self.slots[interest.index()].lock().seq
    }

    /// [`wait_since`](Self::wait_since) with the current wake sequence.
    #[cfg(test)]
    pub(crate) fn wait(&self, interest: Interest, deadline: Option<Instant>) -> io::Result<()> {
        self.wait_since(interest, deadline, self.wake_seq(interest))
    }

    /// Waits until the descriptor may be ready for `interest` (the caller then
    /// retries its non-blocking call, which may still say `WouldBlock`), until
    /// `deadline` (`ErrorKind::TimedOut`), until [`close`](Self::close)
    /// ([`closed`]'s error), or until [`wake`](Self::wake) has been called
    /// since [`wake_seq`](Self::wake_seq) returned `seq` (`Ok`, so that the
    /// caller re-reads its deadline). Parks only the calling goroutine;
    /// blocks a plain thread.
    pub(crate) fn wait_since(
        &self,
        interest: Interest,
        deadline: Option<Instant>,
        seq: u64,
    ) -> io::Result<()> {
        if current_g().is_none() {
            return self.wait_thread(interest, deadline, seq);
        }
        let slot = &self.slots[interest.index()];
        let mut s = slot.lock();
        loop {
            if self.closing.load(Ordering::Acquire) {
                return Err(closed());
            }
            if std::mem::take(&mut s.ready) || s.seq != seq {
                return Ok(());
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(io::Error::from(io::ErrorKind::TimedOut));
            }
            let wait = Wait::new(deadline);
            let mut sg = wait.sudog(ptr::null_mut(), self as *const _ as usize, false);
            let sgp: *mut Sudog = &mut sg;
            s.waiters.push(sgp);
            let np = self.np();
            np.waiters.fetch_add(1, Ordering::SeqCst);
            let mut guard = Some(s);
            let out = wait.park(WaitReason::IoWait, &mut || drop(guard.take()));
            np.waiters.fetch_sub(1, Ordering::SeqCst);
            if let WaitOutcome::Woken { .. } = out {
                // An event, a wake or a close: the caller retries (or we
                // report the close).
                if self.closing.load(Ordering::Acquire) {
                    return Err(closed());
                }
                return Ok(());
            }
            s = slot.lock();
            // The deadline won: unlink ourselves (unless an event already
            // took us out).
            s.waiters.retain(|&w| w != sgp);
        }
    }

    /// A plain thread's wait: `poll(2)` on the descriptor, in slices so that
    /// `close` and `wake` are noticed.
    fn wait_thread(
        &self,
        interest: Interest,
        deadline: Option<Instant>,
        seq: u64,
    ) -> io::Result<()> {
        const SLICE: Duration = Duration::from_millis(10);
        let events = match interest {
            Interest::Read => libc::POLLIN | libc::POLLRDHUP,
            Interest::Write => libc::POLLOUT,
        };
        loop {
            if self.closing.load(Ordering::Acquire) {
                return Err(closed());
            }
            if self.slots[interest.index()].lock().seq != seq {
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
            // SAFETY: one valid pollfd, for the duration of the call.
            let n = unsafe { libc::poll(&mut p, 1, ms) };
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
        let mut woken = Vec::new();
        {
            let mut s = self.slots[interest.index()].lock();
            s.seq += 1;
            // A wake is no readiness: keep `ready` as it was.
            let ready = s.ready;
            s.fire(&mut woken);
            s.ready = ready;
        }
        for sg in woken {
            // SAFETY: claimed under the slot's lock, which is released.
            unsafe { ready(sg) };
        }
    }

    /// Marks the descriptor closing and takes it out of the poller: every
    /// waiter, now and later, gets an error. Call before closing the fd.
    pub(crate) fn close(&self) {
        self.closing.store(true, Ordering::Release);
        let np = self.np();
        let _ = np.registry.deregister(&mut SourceFd(&self.fd));
        np.descs.lock().remove(&self.token);
        let mut woken = Vec::new();
        for slot in &self.slots {
            slot.lock().fire(&mut woken);
        }
        for sg in woken {
            // SAFETY: claimed under the slot's lock, which is released.
            unsafe { ready(sg) };
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    /// Reads one byte from a non-blocking stream, parking on `pd` until one
    /// is there.
    fn read_byte(pd: &PollDesc, mut s: &UnixStream, deadline: Option<Instant>) -> io::Result<u8> {
        let mut b = [0u8];
        loop {
            match s.read(&mut b) {
                Ok(1) => return Ok(b[0]),
                Ok(_) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    pd.wait(Interest::Read, deadline)?
                }
                Err(e) => return Err(e),
            }
        }
    }

    #[test]
    fn goroutines_park_until_readable_and_deadlines_fire() {
        crate::Builder::new().workers(2).run(|| {
            let (a, mut b) = UnixStream::pair().unwrap();
            a.set_nonblocking(true).unwrap();
            let pd = PollDesc::register(a.as_raw_fd()).unwrap();
            // A deadline with nothing to read.
            let e = read_byte(&pd, &a, Some(Instant::now() + Duration::from_millis(20)));
            assert_eq!(e.unwrap_err().kind(), io::ErrorKind::TimedOut);
            // 100 round trips, the reader parked each time.
            let (pd2, a) = (pd.clone(), Arc::new(a));
            let a2 = a.clone();
            let reader = crate::spawn(move || {
                let mut sum = 0u32;
                for _ in 0..100 {
                    sum += u32::from(read_byte(&pd2, &a2, None).unwrap());
                }
                sum
            });
            for i in 0..100u8 {
                crate::sleep(Duration::from_micros(200));
                b.write_all(&[i]).unwrap();
            }
            assert_eq!(reader.join().unwrap(), 99 * 100 / 2);
            // Close wakes a parked reader with an error.
            let pd3 = pd.clone();
            let a3 = a.clone();
            let parked = crate::spawn(move || read_byte(&pd3, &a3, None));
            crate::sleep(Duration::from_millis(20));
            pd.close();
            let e = parked.join().unwrap().unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::NotConnected);
        });
    }
}
