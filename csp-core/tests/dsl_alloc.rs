//! A `select!` over a fixed set of cases does not allocate: its cases live in
//! slots on the stack and go to the core as an array. Counted with a global
//! allocator that counts this thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use csp_core::{select, Chan};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// thread-local counter is const-initialised, so counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

#[test]
fn fixed_select_does_not_allocate() {
    let a: Chan<u64> = Chan::new(1);
    let b: Chan<String> = Chan::new(1);
    let c: Chan<[u8; 64]> = Chan::new(1);
    let nil: Chan<u32> = Chan::nil();
    let mut received = 0u64;
    let mut round = || {
        a.send(1);
        // General form, blocking: three ready-or-not cases and a nil one.
        select! {
            case v = <-a => received += v.unwrap(),
            case c <- [7; 64] => { let _ = c.try_recv(); },
            case <-b => unreachable!("b is empty"),
            case nil <- 3 => unreachable!("nil never fires"),
        }
        let _ = a.try_recv();
        // General form with default, nothing ready.
        select! {
            case <-a => unreachable!(),
            case <-b => unreachable!(),
            default => {}
        }
        // One case plus default, and one case alone.
        select! { case a <- 2 => {}, default => unreachable!("room for one") }
        select! { case v = <-a => received += v.unwrap() }
    };
    round(); // warm-up
    let n = allocations_during(|| {
        for _ in 0..1000 {
            round();
        }
    });
    assert_eq!(n, 0, "select! allocated {n} times in 1000 rounds");
    assert!(received >= 2 * 1000, "the selects did run");
}

#[test]
fn blocking_select_does_not_allocate_after_warm_up() {
    // A helper thread answers each request; the select usually parks before
    // the answer arrives (the counter only sees this thread's allocations).
    let req: Chan<u32> = Chan::new(0);
    let resp: Chan<u32> = Chan::new(0);
    let never: Chan<()> = Chan::new(0);
    let (rq, rs) = (req.clone(), resp.clone());
    let helper = std::thread::spawn(move || {
        for v in &rq {
            rs.send(v + 1);
        }
    });
    let round = |i: u32| {
        req.send(i);
        let got = select! {
            case v = <-resp => v,
            case <-never => unreachable!(),
        };
        assert_eq!(got, Some(i + 1));
    };
    for i in 0..100 {
        round(i); // warm-up: the core may cache what it parks with
    }
    let n = allocations_during(|| {
        for i in 0..1000 {
            round(i);
        }
    });
    req.close();
    helper.join().unwrap();
    assert_eq!(n, 0, "select! allocated {n} times in 1000 blocking rounds");
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test above against a counter that never counts.
    let n = allocations_during(|| drop(std::hint::black_box(vec![1u8; 16])));
    assert_eq!(n, 1);
}
