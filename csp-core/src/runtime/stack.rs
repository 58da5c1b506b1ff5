//! Goroutine stacks: fixed-size, guarded, carved from large mappings and pooled.
//!
//! # Design
//!
//! A goroutine cannot grow its stack the way Go's do (Rust code holds pointers
//! into it), so each gets a fixed [`DEFAULT_STACK_SIZE`] of *address space*;
//! physical pages are committed only when touched, so a goroutine that uses 8 KiB
//! costs 8 KiB of RAM. 256 KiB leaves room for ordinary Rust code, formatting and
//! panic unwinding (std's panic machinery alone uses tens of KiB) while 100 000
//! goroutines take 25 GiB of address space, which is free on 64-bit Linux (the
//! mappings are `MAP_NORESERVE`).
//!
//! The kernel allows `vm.max_map_count` (65 530 by default) mappings per process,
//! and a guard page made with `mprotect` splits a mapping in two, so one mmap
//! per guarded stack stops near 32 000 goroutines. Instead, stacks are carved
//! [`SLOTS_PER_CHUNK`] at a time out of one mapping, and the guard page under
//! each is installed with `madvise(MADV_GUARD_INSTALL)` (Linux 6.13+), which
//! marks pages in the page tables without splitting the mapping: 100 000 guarded
//! stacks cost about 1 600 mappings. On older kernels the guard falls back to
//! `mprotect` (two mappings a stack, about 32 000 goroutines); when the kernel
//! refuses, `spawn` panics with a message naming the limit and the remedy.
//! Setting `CSP_STACK_GUARD=mprotect` forces the fallback (for testing).
//!
//! Finished goroutines return their stacks to a pool; they are never unmapped.
//!
//! An access to a guard page raises SIGSEGV; the handler (on each worker's
//! alternate signal stack) recognises the running goroutine's guard page, prints
//! "goroutine stack overflow" with the goroutine id and aborts. Other faults go to
//! the handler that was installed before ours (std's, or the default).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use corosensei::stack::{Stack, StackPointer};
use parking_lot::Mutex;

/// The default goroutine stack size (usable bytes, the guard page excluded).
pub const DEFAULT_STACK_SIZE: usize = 256 * 1024;

/// Stacks carved out of one mapping.
const SLOTS_PER_CHUNK: usize = 64;

/// Linux 6.13's lightweight guard regions (`MADV_GUARD_INSTALL`).
const MADV_GUARD_INSTALL: libc::c_int = 102;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
}

/// A goroutine stack: `[guard page][size bytes]`, growing down from `top`.
pub(crate) struct GStack {
    bottom: usize,
    top: usize,
}

// SAFETY: `limit` includes a guard page that faults on access, the usable part
// is at least MIN_STACK_SIZE (stack_size rounds up), and both ends are page
// aligned, which satisfies STACK_ALIGNMENT.
unsafe impl Stack for GStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.top).expect("stack top is non-null")
    }
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.bottom).expect("stack bottom is non-null")
    }
}

impl GStack {
    /// The lowest address of the guard page.
    pub(crate) fn guard_lo(&self) -> usize {
        self.bottom
    }
    fn size(&self) -> usize {
        self.top - self.bottom
    }
}

/// Free stacks of one slot size, and the unused rest of the newest mapping.
struct Pool {
    slot: usize,
    /// Stacks whose pages are still resident: reused first, no page faults.
    free: Vec<GStack>,
    /// Stacks whose pages the scavenger gave back to the kernel.
    clean: Vec<GStack>,
    next: usize,
    end: usize,
}

/// Stacks handed out so far (the scavenger's sign of activity).
static ALLOCS: AtomicU64 = AtomicU64::new(0);

static POOLS: Mutex<Vec<Pool>> = Mutex::new(Vec::new());

/// 0 = undecided, 1 = madvise guard regions, 2 = mprotect.
static GUARD_MODE: AtomicU8 = AtomicU8::new(0);

/// Rounds a requested stack size to whole pages (at least 16 KiB).
pub(crate) fn round_size(bytes: usize) -> usize {
    let page = page_size();
    bytes.max(16 * 1024).div_ceil(page) * page
}

fn max_map_count() -> String {
    std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

#[cold]
fn out_of_mappings(what: &str, live: usize) -> ! {
    let err = std::io::Error::last_os_error();
    panic!(
        "csp: cannot create a goroutine stack ({what} failed: {err}) with {live} goroutines \
         live: each guarded stack needs kernel memory mappings and this process may have at \
         most vm.max_map_count = {} of them (or its address space is capped by `ulimit -v`); \
         raise the limit (`sysctl -w vm.max_map_count=1048576`), lower the number of live \
         goroutines or Builder::stack_size, or use a kernel with MADV_GUARD_INSTALL \
         (Linux 6.13+)",
        max_map_count()
    )
}

/// Takes a stack of `size` usable bytes (a [`round_size`] result) from the pool.
///
/// Panics with an explanation when the kernel refuses the mapping.
pub(crate) fn alloc(size: usize, live: &dyn Fn() -> usize) -> GStack {
    let page = page_size();
    let slot = size + page;
    ALLOCS.fetch_add(1, Ordering::Relaxed);
    let mut pools = POOLS.lock();
    let i = match pools.iter().position(|p| p.slot == slot) {
        Some(i) => i,
        None => {
            pools.push(Pool {
                slot,
                free: Vec::new(),
                clean: Vec::new(),
                next: 0,
                end: 0,
            });
            pools.len() - 1
        }
    };
    let pool = &mut pools[i];
    if let Some(s) = pool.free.pop().or_else(|| pool.clean.pop()) {
        return s;
    }
    if pool.next == pool.end {
        let len = slot * SLOTS_PER_CHUNK;
        // SAFETY: an anonymous private mapping at an address of the kernel's choice.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            drop(pools);
            out_of_mappings("mmap", live());
        }
        pool.next = p as usize;
        pool.end = p as usize + len;
    }
    let bottom = pool.next;
    pool.next += slot;
    if let Err(what) = install_guard(bottom, page) {
        // Give the slot back so a later spawn can retry once mappings are freed.
        pool.next -= slot;
        drop(pools);
        out_of_mappings(what, live());
    }
    GStack {
        bottom,
        top: bottom + slot,
    }
}

fn install_guard(addr: usize, page: usize) -> Result<(), &'static str> {
    let mut mode = GUARD_MODE.load(Ordering::Relaxed);
    if mode == 0 {
        mode = if std::env::var_os("CSP_STACK_GUARD").is_some_and(|v| v == "mprotect") {
            2
        } else {
            1
        };
        GUARD_MODE.store(mode, Ordering::Relaxed);
    }
    if mode == 1 {
        // SAFETY: `addr..addr+page` is inside a mapping we own and nothing uses yet.
        let r = unsafe { libc::madvise(addr as *mut libc::c_void, page, MADV_GUARD_INSTALL) };
        if r == 0 {
            return Ok(());
        }
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EINVAL) {
            return Err("madvise(MADV_GUARD_INSTALL)");
        }
        // The kernel predates guard regions: fall back to mprotect for good.
        GUARD_MODE.store(2, Ordering::Relaxed);
    }
    // SAFETY: as above.
    let r = unsafe { libc::mprotect(addr as *mut libc::c_void, page, libc::PROT_NONE) };
    if r == 0 {
        Ok(())
    } else {
        Err("mprotect")
    }
}

/// Pooled stacks beyond this many give their memory back to the kernel once
/// spawning has been quiet for [`SCAVENGE_AFTER`] (see [`scavenge`]).
const WARM_STACKS: usize = 1024;

/// How long no stack may have been taken before the scavenger trims the pool.
pub(crate) const SCAVENGE_AFTER: Duration = Duration::from_millis(500);

/// Stacks given back per scavenger call, to keep each call short.
pub(crate) const SCAVENGE_BATCH: usize = 512;

/// Returns a finished goroutine's stack to the pool. Its pages stay resident, so a
/// spawn storm reuses them without page faults or system calls; the scavenger
/// gives them back later, as Go's does. The pool never holds more resident
/// memory than the goroutines that were live at the peak already did.
///
/// Nothing is given back here: every `madvise(MADV_DONTNEED)` flushes the TLB
/// of every CPU the process runs on (an IPI each), and on a VM that cost more
/// than the whole spawn. Releasing stacks beyond a cap at free time made
/// spawning 100 000 goroutines spend 45% of its time in those IPIs.
///
/// Spawning rarely comes here: a finished goroutine keeps its stack and is
/// reused whole (`Sched::gfput`); this pool serves the first spawn storm and
/// the goroutines that cannot be reused.
pub(crate) fn free(s: GStack) {
    let slot = s.size();
    let mut pools = POOLS.lock();
    if let Some(p) = pools.iter_mut().find(|p| p.slot == slot) {
        p.free.push(s);
    }
}

/// Gives a pooled stack's pages back to the kernel; they read back as zeros.
fn release_pages(s: &GStack) {
    let page = page_size();
    // SAFETY: the usable part of a stack nobody runs on any more; the mapping
    // stays. The guard page is not touched.
    unsafe {
        libc::madvise(
            (s.bottom + page) as *mut libc::c_void,
            s.top - s.bottom - page,
            libc::MADV_DONTNEED,
        )
    };
}

/// Called by sysmon on every round: once no stack has been taken for
/// [`SCAVENGE_AFTER`], gives the memory of pooled stacks beyond [`WARM_STACKS`]
/// back to the kernel, a batch at a time.
pub(crate) fn scavenge() {
    static QUIET_SINCE: Mutex<(u64, Option<Instant>)> = Mutex::new((u64::MAX, None));
    let allocs = ALLOCS.load(Ordering::Relaxed);
    let now = Instant::now();
    {
        let mut q = QUIET_SINCE.lock();
        if q.0 != allocs || q.1.is_none() {
            *q = (allocs, Some(now));
            return;
        }
        if now.duration_since(q.1.unwrap_or(now)) < SCAVENGE_AFTER {
            return;
        }
    }
    let mut batch: Vec<GStack> = Vec::new();
    {
        let mut pools = POOLS.lock();
        for p in pools.iter_mut() {
            let excess = p.free.len().saturating_sub(WARM_STACKS);
            let n = excess.min(SCAVENGE_BATCH - batch.len());
            // The oldest first: the most recently freed are the warmest.
            batch.extend(p.free.drain(..n));
        }
    }
    if batch.is_empty() {
        return;
    }
    for s in &batch {
        release_pages(s);
    }
    let mut pools = POOLS.lock();
    for s in batch {
        if let Some(p) = pools.iter_mut().find(|p| p.slot == s.size()) {
            p.clean.push(s);
        }
    }
}

// ---- stack overflow detection -------------------------------------------------

std::thread_local! {
    /// The running goroutine's guard page and id, for the SIGSEGV handler.
    /// Const-initialised and without a destructor, so reading it in a signal
    /// handler does not allocate.
    static RUNNING: Cell<(usize, u64)> = const { Cell::new((0, 0)) };
}

/// Records (on the M, around a switch) which goroutine's stack is in use.
#[inline(never)]
pub(crate) fn set_running(guard_lo: usize, gid: u64) {
    RUNNING.with(|r| r.set((guard_lo, gid)));
}

static mut OLD_SEGV: std::mem::MaybeUninit<libc::sigaction> = std::mem::MaybeUninit::zeroed();
static INSTALL: Once = Once::new();

/// Installs the SIGSEGV handler (once) and gives the calling worker thread an
/// alternate signal stack if it has none.
pub(crate) fn init_worker_thread() {
    INSTALL.call_once(|| {
        // SAFETY: a plain sigaction call; OLD_SEGV is written only here, before
        // the handler that reads it can run.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_segv as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(
                libc::SIGSEGV,
                &sa,
                std::ptr::addr_of_mut!(OLD_SEGV) as *mut libc::sigaction,
            );
        }
    });
    // SAFETY: querying and installing this thread's alternate signal stack; the
    // mapping is leaked on purpose (it must outlive the thread's last signal).
    unsafe {
        let mut old: libc::stack_t = std::mem::zeroed();
        libc::sigaltstack(std::ptr::null(), &mut old);
        if old.ss_flags & libc::SS_DISABLE == 0 {
            return;
        }
        let size = 64 * 1024;
        let p = libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return;
        }
        let st = libc::stack_t {
            ss_sp: p,
            ss_flags: 0,
            ss_size: size,
        };
        libc::sigaltstack(&st, std::ptr::null_mut());
    }
}

fn write_stderr(b: &[u8]) {
    // SAFETY: write(2) on fd 2 with a valid buffer is async-signal-safe.
    unsafe { libc::write(2, b.as_ptr() as *const libc::c_void, b.len()) };
}

extern "C" fn on_segv(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let (lo, gid) = RUNNING.with(|r| r.get());
    let page = 4096;
    if lo != 0 && addr >= lo && addr < lo + page {
        // Format without allocating: we are in a signal handler.
        let mut buf = [0u8; 20];
        let mut n = gid;
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        write_stderr(b"goroutine stack overflow: goroutine ");
        write_stderr(&buf[i..]);
        write_stderr(b" ran past the end of its stack (raise Builder::stack_size)\nfatal error: stack overflow\n");
        // SAFETY: abort is async-signal-safe.
        unsafe { libc::abort() };
    }
    // Not ours: hand the fault to whoever was installed before us.
    // SAFETY: OLD_SEGV was filled by sigaction before this handler was installed.
    unsafe {
        let old = &*(std::ptr::addr_of!(OLD_SEGV) as *const libc::sigaction);
        let h = old.sa_sigaction;
        if h == libc::SIG_DFL || h == libc::SIG_IGN {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(libc::SIGSEGV, &sa, std::ptr::null_mut());
            // Returning re-runs the faulting access, which now kills the process.
        } else if old.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(h);
            f(sig, info, ctx);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(h);
            f(sig);
        }
    }
}
