//! Goroutine stacks: large reservations, committed as touched, guarded, carved
//! from large mappings and pooled.
//!
//! # Design
//!
//! A goroutine cannot grow its stack the way Go's do (Rust code holds pointers
//! into it, so a stack cannot be moved), so each gets a fixed
//! [`DEFAULT_STACK_SIZE`] (32 MiB) of *address space*; physical pages are
//! committed only when touched, so a goroutine that uses 8 KiB costs 8 KiB of
//! RAM, and one that recurses 100 000 frames deep still fits. (A main thread
//! gets 8 MiB; a 64-byte frame takes about 110 bytes in a release build and 240
//! in a debug one, so 100 000 of them need more than that.) A million
//! goroutines take 32 TiB of address space, which x86-64's 128 TiB holds; the
//! mappings are `MAP_NORESERVE`, so no swap or overcommit budget is charged
//! for them (accepted under the kernel's default heuristic overcommit), and
//! `MADV_NOHUGEPAGE`, so that a transparent huge page never turns a touched
//! stack top into 2 MiB of RAM.
//!
//! ## Page tables
//!
//! A touched stack top costs one page-table page (4 KiB, covering 2 MiB of
//! addresses) besides its own pages, because stacks of 2 MiB or more are too
//! far apart to share one. Each mapping is placed so that a stack's top, its tripwire (below)
//! and the guard page of the next stack up all fall into the same 2 MiB, so that
//! one page-table page is all a parked goroutine costs there. (With
//! `Builder::stack_size(256 << 10)` eight stacks share one, as before.)
//!
//! ## Giving back a deep excursion
//!
//! A goroutine that once recursed deep would keep its pages resident for as
//! long as its stack lives (finished goroutines are reused with their stacks).
//! Finding out how deep a stack went must cost nothing for the common shallow
//! goroutine (`mincore` costs a system call, microseconds here, more than a
//! whole spawn), so every stack of at least [`TRIPWIRE_MIN_SIZE`] has a second
//! guard page, the *tripwire*, [`KEEP_RESIDENT`] below its top. The first touch
//! of it faults; the SIGSEGV handler removes it (`MADV_GUARD_REMOVE`), sets a
//! flag word kept in the top [`TOP_RESERVED`] bytes of the stack, and lets the
//! access run again. When the goroutine ends (see [`release_deep_current`]) or
//! its stack goes back to the pool ([`free`]), a set flag means the pages below
//! `KEEP_RESIDENT` are given back (`MADV_DONTNEED`) and the tripwire is
//! reinstalled: two system calls and a fault, paid only by goroutines that
//! went deeper than 64 KiB (typical goroutines touch a few KiB; a panic with a
//! backtrace some tens). The top `KEEP_RESIDENT` of a stack stays resident for
//! its next goroutine, as a whole stack's pages did before. With the `mprotect` fallback there are no
//! tripwires: a deep excursion's pages stay until the scavenger gives the whole
//! stack back.
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
//! `CSP_STACK_GUARD=no-tripwire` keeps the guard regions but installs no
//! tripwires (below), for a program whose own SIGSEGV handler replaces ours
//! without chaining to it: a goroutine going deeper than 64 KiB would then
//! die on its tripwire. Deep pages are then kept, as with `mprotect`.
//!
//! Finished goroutines return their stacks to a pool; they are never unmapped.
//!
//! An access to a guard page raises SIGSEGV; the handler (on each worker's
//! alternate signal stack) recognises the running goroutine's guard page, prints
//! "goroutine stack overflow" with the goroutine id and aborts. Other faults go to
//! the handler that was installed before ours (std's, or the default).

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use corosensei::stack::{Stack, StackPointer};
use parking_lot::Mutex;

/// The default goroutine stack size: 32 MiB of address space (the guard page
/// excluded; four times what a process's main thread gets), committed only as
/// it is touched. Recursion 100 000 calls deep fits, even in a debug build.
///
/// A parked goroutine costs only the pages it touched (a few KiB) plus one
/// page-table page; a million of them reserve 32 TiB of the 128 TiB of
/// address space x86-64 gives a process.
pub const DEFAULT_STACK_SIZE: usize = 32 * 1024 * 1024;

/// The stack size of a runtime built without [`Builder::stack_size`](crate::Builder::stack_size):
/// [`DEFAULT_STACK_SIZE`], or the bytes in the `CSP_STACK_SIZE` environment
/// variable when it is set, for tools whose address space is small (valgrind
/// gives a process far less than a million 32 MiB reservations need;
/// `scripts/valgrind.sh` sets 256 KiB).
pub(crate) fn default_stack_size() -> usize {
    static SIZE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| {
        std::env::var("CSP_STACK_SIZE")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(DEFAULT_STACK_SIZE)
    })
}

/// How much of a stack's top stays resident when a finished goroutine's stack
/// is reused: the pages below it are given back after a deep excursion.
pub(crate) const KEEP_RESIDENT: usize = 64 * 1024;

/// Stacks smaller than this have no tripwire (their pages are all kept).
pub(crate) const TRIPWIRE_MIN_SIZE: usize = 2 * KEEP_RESIDENT;

/// Bytes at the top of every stack kept out of the coroutine's reach: the
/// tripwire flag lives there (in the page the goroutine touches first anyway).
pub(crate) const TOP_RESERVED: usize = 64;

/// Where the mapping of a chunk starts, modulo [`HUGE`]: stack tops then land
/// a little above it, with room for the tripwire below them in the same 2 MiB.
const CHUNK_PHASE: usize = 512 * 1024;

/// The span of one page-table page (x86-64, 4 KiB pages).
const HUGE: usize = 2 * 1024 * 1024;

/// Stacks carved out of one mapping.
const SLOTS_PER_CHUNK: usize = 64;

/// Linux 6.13's lightweight guard regions (`MADV_GUARD_INSTALL`).
const MADV_GUARD_INSTALL: libc::c_int = 102;
/// And their removal.
const MADV_GUARD_REMOVE: libc::c_int = 103;

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
// is at least MIN_STACK_SIZE (stack_size rounds up to 16 KiB), and both ends
// are 64-byte aligned (the top is a page boundary less TOP_RESERVED), which
// satisfies STACK_ALIGNMENT.
unsafe impl Stack for GStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.top - TOP_RESERVED).expect("stack top is non-null")
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

    /// Gives back the pages of a deep excursion, if the tripwire fired (see
    /// the module docs). Costs one memory read when it did not.
    ///
    /// Nothing may run on the stack below its top [`KEEP_RESIDENT`] bytes.
    fn release_deep(&self) {
        let page = page_size();
        release_deep_at(self.top, self.size() - page, page);
    }
}

/// The flag word the SIGSEGV handler sets when a stack's tripwire fires.
fn deep_flag(top: usize) -> &'static AtomicUsize {
    // SAFETY: `top - 8` lies in the TOP_RESERVED bytes of a stack (callers
    // pass a stack's top), which no coroutine uses, inside a mapping that is
    // never unmapped; it is 8-byte aligned, and only accessed atomically.
    unsafe { &*((top - 8) as *const AtomicUsize) }
}

/// The tripwire page's lowest address, for a stack ending at `top`.
fn tripwire_lo(top: usize, page: usize) -> usize {
    top - KEEP_RESIDENT - page
}

fn has_tripwire(usable: usize) -> bool {
    usable >= TRIPWIRE_MIN_SIZE && GUARD_MODE.load(Ordering::Relaxed) == 1
}

/// See [`GStack::release_deep`]; `usable` is the stack's size less its guard.
fn release_deep_at(top: usize, usable: usize, page: usize) {
    if !has_tripwire(usable) {
        return;
    }
    let flag = deep_flag(top);
    if flag.load(Ordering::Relaxed) == 0 {
        return;
    }
    let bottom = top - usable;
    let tw = tripwire_lo(top, page);
    // SAFETY: `bottom..tw + page` is the part of a stack below its top
    // KEEP_RESIDENT bytes, which nothing runs on (contract): its contents are
    // dead, and reading back zeros is fine. The guard page under `bottom` is
    // not included (and guard markers survive MADV_DONTNEED anyway).
    unsafe {
        libc::madvise(
            bottom as *mut libc::c_void,
            tw + page - bottom,
            libc::MADV_DONTNEED,
        );
    }
    // SAFETY: the tripwire page is inside the stack's mapping and unused now.
    let r = unsafe { libc::madvise(tw as *mut libc::c_void, page, MADV_GUARD_INSTALL) };
    if r == 0 {
        flag.store(0, Ordering::Relaxed);
    }
    // Else the flag stays set: with no tripwire, a later check releases again.
}

/// Called by a goroutine as it ends, on its own stack (which it is near the top
/// of): gives back the pages of a deep excursion before the stack is reused.
/// `stack_size` is its scheduler's stack size (a [`round_size`] result).
pub(crate) fn release_deep_current(stack_size: usize) {
    let (lo, _) = running();
    if lo == 0 {
        return;
    }
    let page = page_size();
    // The usable part starts above the guard page and is stack_size long.
    release_deep_at(lo + page + stack_size, stack_size, page);
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
    /// Its stacks get tripwires (the slot size is in `TRIPWIRE_SLOTS`).
    tripwires: bool,
}

/// Stacks handed out so far (the scavenger's sign of activity).
static ALLOCS: AtomicU64 = AtomicU64::new(0);

/// Slot sizes (guard page included) whose stacks have tripwires, for the
/// SIGSEGV handler, which knows only the running stack's guard page. Written
/// under the `POOLS` lock, append-only; a size that finds no room gets no
/// tripwires.
static TRIPWIRE_SLOTS: [AtomicUsize; 8] = [const { AtomicUsize::new(0) }; 8];

fn register_tripwire_slot(slot: usize) -> bool {
    for s in &TRIPWIRE_SLOTS {
        match s.load(Ordering::Acquire) {
            0 => {
                s.store(slot, Ordering::Release);
                return true;
            }
            x if x == slot => return true,
            _ => {}
        }
    }
    false
}

static POOLS: Mutex<Vec<Pool>> = Mutex::new(Vec::new());

/// 0 = undecided, 1 = madvise guard regions (with tripwires), 2 = mprotect,
/// 3 = madvise guard regions without tripwires (`CSP_STACK_GUARD=no-tripwire`).
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
                tripwires: false,
            });
            pools.len() - 1
        }
    };
    let pool = &mut pools[i];
    if let Some(s) = pool.free.pop().or_else(|| pool.clean.pop()) {
        return s;
    }
    if pool.next == pool.end {
        // HUGE more than the slots, so that the first can start at CHUNK_PHASE.
        let len = slot * SLOTS_PER_CHUNK + HUGE;
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
        // SAFETY: advice on the mapping just made; failure is harmless.
        unsafe { libc::madvise(p, len, libc::MADV_NOHUGEPAGE) };
        let start = p as usize;
        // The first address at or after `start` that is CHUNK_PHASE past a
        // multiple of HUGE (see "Page tables" in the module docs).
        let phase = (CHUNK_PHASE + HUGE - start % HUGE) % HUGE;
        pool.next = start + phase;
        pool.end = pool.next + slot * SLOTS_PER_CHUNK;
    }
    let bottom = pool.next;
    pool.next += slot;
    let top = bottom + slot;
    if let Err(what) = install_guard(bottom, page) {
        // Give the slot back so a later spawn can retry once mappings are freed.
        pool.next -= slot;
        drop(pools);
        out_of_mappings(what, live());
    }
    if has_tripwire(size) {
        if !pool.tripwires {
            pool.tripwires = register_tripwire_slot(slot);
        }
        if pool.tripwires {
            let tw = tripwire_lo(top, page);
            // SAFETY: a page of the new stack, which nothing uses yet.
            // Failure leaves a stack without a tripwire: its deep pages are
            // then only given back by the scavenger, as with mprotect guards.
            unsafe { libc::madvise(tw as *mut libc::c_void, page, MADV_GUARD_INSTALL) };
        }
        // A full registry (more than 8 distinct large stack sizes) means no
        // tripwires for this size, likewise.
    }
    GStack { bottom, top }
}

fn install_guard(addr: usize, page: usize) -> Result<(), &'static str> {
    let mut mode = GUARD_MODE.load(Ordering::Relaxed);
    if mode == 0 {
        let env = std::env::var_os("CSP_STACK_GUARD");
        mode = if env.as_ref().is_some_and(|v| v == "mprotect") {
            2
        } else if env.as_ref().is_some_and(|v| v == "no-tripwire") {
            3
        } else {
            1
        };
        GUARD_MODE.store(mode, Ordering::Relaxed);
    }
    if mode == 1 || mode == 3 {
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
    s.release_deep();
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

/// The running goroutine's guard page and id (zeros outside a goroutine).
#[inline(never)]
fn running() -> (usize, u64) {
    RUNNING.with(|r| r.get())
}

/// If `addr` is in the tripwire page of the goroutine stack whose guard page
/// starts at `lo`, and that tripwire has not fired yet, removes it and sets the
/// stack's flag. Called from the SIGSEGV handler: async-signal-safe (one
/// system call and atomic accesses), and it keeps `errno`.
fn fire_tripwire(lo: usize, addr: usize, page: usize) -> bool {
    for s in &TRIPWIRE_SLOTS {
        let slot = s.load(Ordering::Acquire);
        if slot == 0 {
            return false;
        }
        let top = lo + slot;
        let tw = tripwire_lo(top, page);
        if addr < tw || addr >= tw + page {
            continue;
        }
        // Each registered slot size puts its tripwire at a different offset
        // from the guard page, so at most one matches. The fault is at a
        // guard marker inside the running stack, so this is its size.
        let flag = deep_flag(top);
        if flag.load(Ordering::Relaxed) != 0 {
            // Already fired, so this fault is not the tripwire's.
            return false;
        }
        // SAFETY: errno is thread-local; saved and restored around madvise so
        // the interrupted code never sees it change.
        let saved = unsafe { *libc::__errno_location() };
        // SAFETY: the tripwire page of the running stack; removing the marker
        // makes it ordinary (zero-filled on demand) memory of the stack.
        let r = unsafe { libc::madvise(tw as *mut libc::c_void, page, MADV_GUARD_REMOVE) };
        // SAFETY: as above.
        unsafe { *libc::__errno_location() = saved };
        if r != 0 {
            return false;
        }
        flag.store(1, Ordering::Relaxed);
        return true;
    }
    false
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
    if lo != 0 && fire_tripwire(lo, addr, page) {
        // The stack went deeper than KEEP_RESIDENT: the access runs again, now
        // on ordinary memory.
        return;
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
