//! Ps apart from Ms (Go's `acquirep`/`releasep`, `handoffp`, `startm`).
//!
//! A P is the right to run goroutines; an M is an OS thread. Each P always has
//! one current M (`MSlot::cur`): running, spinning, or parked idle in `stopm`
//! with the P. When that M blocks — inside [`blocking`](crate::blocking), or
//! stuck in a goroutine that sysmon has seen hold the P too long while work
//! waits — the P is handed to another M: a spare one, or a new thread (up to
//! `Builder::max_threads`). The old M finds out the next time it looks, and
//! then runs no goroutine of anyone else: it finishes the one it has, passes
//! it on, and parks as a spare.
//!
//! Who owns a P is one word, [`P::status`]: the owner's id and a state.
//! - `RUNNING`: the owner uses the P freely while it runs scheduler code. While
//!   a goroutine runs user code on it (the M's `user` flag is set), the M does
//!   not touch the P; it re-checks the word before it does (`local_p`, and
//!   after every switch back from a goroutine).
//! - `SYSCALL`: the owner is inside `blocking` and has promised not to touch
//!   the P until it wins it back with a CAS (`exitsyscall`); anybody may take
//!   it by CAS meanwhile.
//! - `RETAKE`: sysmon is deciding whether to take a `RUNNING` P; the owner
//!   waits the moment out.
//!
//! Taking a `RUNNING` P races with its M entering the runtime. It is Dekker's
//! protocol between the M's `user` flag and the status word, with the cheap
//! side on the M ([`fence::light`]) and the expensive one in sysmon
//! ([`fence::heavy`], a `membarrier`): sysmon sets `RETAKE`, fences, and takes
//! the P only if the M is still in user code; the M clears `user`, fences, and
//! uses the P only if the word is still `RUNNING` with its id.

use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::Thread;

use crate::runtime::fence;
use crate::runtime::g::G;
use crate::runtime::sched::{current_m, Sched};

/// Go's default limit on OS threads (`debug.SetMaxThreads`).
pub(crate) const DEFAULT_MAX_THREADS: usize = 10_000;

/// `M::p` of an M that holds no P.
pub(crate) const NO_P: usize = usize::MAX;

const P_RUNNING: u64 = 1;
pub(crate) const P_SYSCALL: u64 = 2;
const P_RETAKE: u64 = 3;

/// A status word: owner and state.
#[inline]
pub(crate) const fn word(mid: u64, state: u64) -> u64 {
    (mid << 2) | state
}

/// The status word of a P run by M `mid`.
#[inline]
pub(crate) const fn running(mid: u64) -> u64 {
    word(mid, P_RUNNING)
}

/// An M: one OS thread of a scheduler.
pub(crate) struct M {
    /// Unique within the scheduler, never 0.
    pub(crate) id: u64,
    pub(crate) thread: OnceLock<Thread>,
    /// The P this M runs, or [`NO_P`]. Written by the M itself, or by whoever
    /// hands it a P before waking it.
    pub(crate) p: AtomicUsize,
    /// A goroutine's user code is running on this M: it will not touch its P
    /// before it has cleared this flag and re-checked the P's status.
    user: AtomicBool,
    /// Times this M entered `blocking` (sysmon tells a long syscall from a
    /// string of short ones by it, as Go's `syscalltick`).
    pub(crate) syscalltick: AtomicU64,
    /// The goroutine locked to this M (`lock_os_thread`), or null.
    pub(crate) lockedg: AtomicPtr<G>,
    /// A goroutine handed over with a P, to run first (`startlockedm`).
    pub(crate) nextg: AtomicPtr<G>,
}

impl M {
    pub(crate) fn new(id: u64, p: usize) -> Self {
        M {
            id,
            thread: OnceLock::new(),
            p: AtomicUsize::new(p),
            user: AtomicBool::new(false),
            syscalltick: AtomicU64::new(0),
            lockedg: AtomicPtr::new(std::ptr::null_mut()),
            nextg: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// The M is about to run a goroutine's user code.
    #[inline]
    pub(crate) fn enter_user(&self) {
        self.user.store(true, Ordering::Release);
    }

    /// The M leaves user code (a switch back, or a runtime entry): after this,
    /// it may use its P once `Sched::owns` says it still has it.
    #[inline]
    pub(crate) fn leave_user(&self) {
        self.user.store(false, Ordering::Relaxed);
        fence::light();
    }

    pub(crate) fn unpark(&self) {
        if let Some(t) = self.thread.get() {
            t.unpark();
        }
    }
}

/// The P the calling goroutine's M may use until this is dropped (a runtime
/// entry from user code: `goready`, `newproc`).
pub(crate) struct LocalP<'a> {
    m: &'a M,
    pub(crate) id: usize,
    /// The M was in user code and returns to it on drop.
    user: bool,
}

impl Drop for LocalP<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.user {
            self.m.enter_user();
        }
    }
}

/// Ms that other Ms and sysmon know of.
pub(crate) struct Ms {
    /// Every M ever started (for shutdown), with its Arc.
    all: parking_lot::Mutex<Vec<Arc<M>>>,
    /// Ms without a P, parked until one is handed to them.
    spare: parking_lot::Mutex<Vec<Arc<M>>>,
    next_id: AtomicU64,
    /// Threads started so far.
    pub(crate) count: AtomicUsize,
    pub(crate) max: usize,
}

impl Ms {
    pub(crate) fn new(max: usize) -> Self {
        Ms {
            all: parking_lot::Mutex::new(Vec::new()),
            spare: parking_lot::Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            count: AtomicUsize::new(0),
            max,
        }
    }

    /// Whether some M other than `me` is running a goroutine's user code;
    /// `None` if the list is busy (the caller may hold its lock).
    pub(crate) fn others_in_user(&self, me: *const M) -> Option<bool> {
        let all = self.all.try_lock()?;
        Some(
            all.iter()
                .any(|m| !std::ptr::eq(Arc::as_ptr(m), me) && m.user.load(Ordering::SeqCst)),
        )
    }

    /// Wakes every M (shutdown).
    pub(crate) fn unpark_all(&self) {
        for m in self.all.lock().iter() {
            m.unpark();
        }
    }
}

/// Where the current M of a P is published (in `MSlot::cur`).
pub(crate) type CurM = AtomicPtr<M>;

impl Sched {
    /// Whether M `m` still owns P `pid`; waits out a sysmon decision.
    #[inline]
    pub(crate) fn owns(&self, m: &M, pid: usize) -> bool {
        let mine = running(m.id);
        loop {
            let w = self.ps[pid].status.load(Ordering::Acquire);
            if w == mine {
                return true;
            }
            if w != word(m.id, P_RETAKE) {
                return false;
            }
            std::hint::spin_loop();
        }
    }

    /// Changes the status word of P `pid`, `RUNNING` by the calling M `me`, to
    /// `to`, waiting out a sysmon decision: sysmon marks a `RUNNING` P
    /// `RETAKE` for a moment even when its M is in the runtime (it checks the
    /// M's `user` flag only after), so a plain compare-exchange by the owner
    /// can fail though the P is its own. False if the P is not `me`'s.
    pub(crate) fn own_status_swap(&self, pid: usize, me: u64, to: u64) -> bool {
        let st = &self.ps[pid].status;
        loop {
            match st.compare_exchange(running(me), to, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(w) if w == word(me, P_RETAKE) => std::hint::spin_loop(),
                Err(_) => return false,
            }
        }
    }

    /// The P of the calling thread, if it is an M of this scheduler that holds
    /// one, for a runtime entry (see [`LocalP`]).
    #[inline]
    pub(crate) fn local_p(&self) -> Option<LocalP<'_>> {
        let (s, m) = current_m();
        if !std::ptr::eq(s, self) {
            return None;
        }
        // SAFETY: a worker's TLS points at its own M, which `Ms::all` keeps
        // alive as long as the scheduler.
        let m = unsafe { &*m };
        let pid = m.p.load(Ordering::Relaxed);
        if pid == NO_P {
            return None;
        }
        let user = m.user.load(Ordering::Relaxed);
        if user {
            m.leave_user();
        }
        let lp = LocalP { m, id: pid, user };
        self.owns(m, pid).then_some(lp)
    }

    /// Whether the calling goroutine runs ordinary user code (not inside
    /// [`blocking`](crate::blocking)) on an M of this scheduler whose P was
    /// handed to another M meanwhile (sysmon's retake). Such a goroutine
    /// should give its M up at the next safe point: it competes with the
    /// M that now runs its P for the same cores, and without a P every
    /// runtime entry takes the slow, global path.
    pub(crate) fn lost_p(&self) -> bool {
        let (s, m) = current_m();
        if !std::ptr::eq(s, self) || m.is_null() {
            return false;
        }
        // SAFETY: as in `local_p`.
        let m = unsafe { &*m };
        let pid = m.p.load(Ordering::Relaxed);
        pid != NO_P
            && m.user.load(Ordering::Relaxed)
            && self.ps[pid].status.load(Ordering::Acquire) >> 2 != m.id
    }

    /// Registers and starts the thread of a new M that owns P `pid`.
    fn newm(self: &Arc<Self>, m: Arc<M>) {
        self.threads.all.lock().push(m.clone());
        let s = self.clone();
        let name = format!("csp-m{}", m.id);
        let m2 = m.clone();
        let t = std::thread::Builder::new()
            .name(name)
            .spawn(move || crate::runtime::m::mstart(s, m2))
            .expect("csp: cannot start a worker thread");
        let _ = m.thread.set(t.thread().clone());
    }

    /// Creates the first Ms, one per P, each owning its P.
    pub(crate) fn start_ms(self: &Arc<Self>) {
        fence::init();
        // Every worker's M is counted before the first starts: a goroutine
        // may hand its P off at once, and must not take a worker's place.
        let ms: Vec<Arc<M>> = (0..self.ps.len())
            .map(|pid| self.alloc_m(pid).expect("max_threads covers the workers"))
            .collect();
        for (pid, m) in ms.iter().enumerate() {
            self.ps[pid].status.store(running(m.id), Ordering::Release);
            self.ms[pid]
                .cur
                .store(Arc::as_ptr(m).cast_mut(), Ordering::Release);
        }
        for m in ms {
            self.newm(m);
        }
        crate::runtime::sysmon::start(self);
    }

    /// A fresh M record, if the thread limit allows one more.
    fn alloc_m(&self, pid: usize) -> Option<Arc<M>> {
        let n = self.threads.count.fetch_add(1, Ordering::SeqCst);
        if n >= self.threads.max {
            self.threads.count.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let id = self.threads.next_id.fetch_add(1, Ordering::Relaxed);
        Some(Arc::new(M::new(id, pid)))
    }

    /// Hands P `pid`, whose status is `from`, to another M (Go's `handoffp` +
    /// `startm`): a spare, else a new thread. False if the status changed
    /// meanwhile or no M can be had; the P stays as it was.
    pub(crate) fn handoffp(self: &Arc<Self>, pid: usize, from: u64) -> bool {
        self.handoffp_from(pid, from, false)
    }

    /// [`handoffp`](Self::handoffp) by the P's own M, in scheduler code:
    /// the word is its to change, no retake protocol needed.
    pub(crate) fn handoff_own_p(self: &Arc<Self>, pid: usize, from: u64) -> bool {
        self.handoffp_from(pid, from, true)
    }

    fn handoffp_from(self: &Arc<Self>, pid: usize, from: u64, own: bool) -> bool {
        let spare = self.threads.spare.lock().pop();
        let (m, fresh) = match spare {
            Some(m) => (m, false),
            None => match self.alloc_m(NO_P) {
                Some(m) => (m, true),
                None => return false,
            },
        };
        if from & 3 == P_RUNNING {
            let taken = if own {
                self.own_status_swap(pid, from >> 2, running(m.id))
            } else {
                self.retake_running(pid, from, m.id)
            };
            if !taken {
                self.return_m(m, fresh);
                return false;
            }
        } else if self.ps[pid]
            .status
            .compare_exchange(from, running(m.id), Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            self.return_m(m, fresh);
            return false;
        }
        // The P is m's now; publish and start it.
        m.p.store(pid, Ordering::Release);
        self.ms[pid]
            .cur
            .store(Arc::as_ptr(&m).cast_mut(), Ordering::Release);
        if fresh {
            self.newm(m);
        } else {
            m.unpark();
        }
        true
    }

    /// Takes a `RUNNING` P from its M if that M is in user code (the slow side
    /// of the protocol in the module docs). On success the P is `new`'s.
    fn retake_running(&self, pid: usize, from: u64, new: u64) -> bool {
        let st = &self.ps[pid].status;
        let retake = word(from >> 2, P_RETAKE);
        if st
            .compare_exchange(from, retake, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        let cur = self.ms[pid].cur.load(Ordering::Acquire);
        // SAFETY: every M published in a slot stays alive in `Ms::all` as long
        // as the scheduler.
        let cur = unsafe { &*cur };
        // `cur` lags the status word for a moment after a hand-off: then it
        // is not the owner, and we leave the P alone.
        let in_user = cur.id == from >> 2 && fence::heavy() && cur.user.load(Ordering::Relaxed);
        let to = if in_user { running(new) } else { from };
        st.store(to, Ordering::Release);
        in_user
    }

    /// An M that was not given a P after all goes back (or away).
    fn return_m(&self, m: Arc<M>, fresh: bool) {
        if fresh {
            self.threads.count.fetch_sub(1, Ordering::SeqCst);
        } else {
            self.threads.spare.lock().push(m);
        }
    }

    /// Gives P `pid`, owned by the calling M `me` in scheduler code, to `to`
    /// (a locked M, parked without a P) together with the goroutine `g` it
    /// must run (Go's `startlockedm`). `me` holds no P afterwards.
    pub(crate) fn startlockedm(&self, me: &M, pid: usize, to: &M, g: *mut G) {
        let ok = self.own_status_swap(pid, me.id, running(to.id));
        debug_assert!(ok, "startlockedm: the P is not ours");
        me.p.store(NO_P, Ordering::Release);
        to.nextg.store(g, Ordering::Release);
        to.p.store(pid, Ordering::Release);
        self.ms[pid]
            .cur
            .store((to as *const M).cast_mut(), Ordering::Release);
        to.unpark();
    }

    /// A locked M without a P waits until its goroutine is handed to it with
    /// a P. False at shutdown.
    pub(crate) fn wait_locked(&self, m: &M) -> bool {
        loop {
            if m.p.load(Ordering::Acquire) != NO_P {
                return true;
            }
            if self.shutdown.load(Ordering::SeqCst) {
                return false;
            }
            std::thread::park();
        }
    }

    /// M `m` has lost its P: parks it as a spare until a P is handed to it.
    /// False when the M should exit instead (shutdown, or enough spares).
    pub(crate) fn spare_park(&self, m: &Arc<M>) -> bool {
        {
            let mut sp = self.threads.spare.lock();
            if sp.len() >= self.ps.len() || self.shutdown.load(Ordering::SeqCst) {
                self.threads.count.fetch_sub(1, Ordering::SeqCst);
                return false;
            }
            sp.push(m.clone());
        }
        loop {
            if m.p.load(Ordering::Acquire) != NO_P {
                return true;
            }
            if self.shutdown.load(Ordering::SeqCst) {
                return false;
            }
            std::thread::park();
        }
    }
}
