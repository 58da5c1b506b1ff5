//! x/sync's semaphore/semaphore_test.go, ported with its sizes, from
//! goroutines and from OS threads.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use csp_core::context::{self, Context};
use csp_core::sync::errgroup::Group;
use csp_core::sync::{Semaphore, WaitGroup};
use csp_core::{go, sleep, Builder};

const MAX_SLEEP: Duration = Duration::from_millis(1);

fn both(body: fn()) {
    body();
    Builder::new().workers(4).run(body);
}

fn procs() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}

fn hammer_weighted(sem: &Semaphore, n: usize, loops: usize) {
    let bg = context::background();
    for i in 0..loops {
        sem.acquire_ctx(&bg, n).unwrap();
        // Go: rand.Int63n(maxSleep)/1e3, i.e. up to 1µs.
        let ns = (i as u64 * 7919) % (MAX_SLEEP.as_nanos() as u64);
        sleep(Duration::from_nanos(ns / 1000));
        sem.release(n);
    }
}

/// TestWeighted: GOMAXPROCS goroutines, weights 0..n, 10000/n loops each.
fn weighted() {
    let n = procs();
    let loops = 10000 / n;
    let sem = Arc::new(Semaphore::new(n));
    let wg = WaitGroup::new();
    for i in 0..n {
        let sem = sem.clone();
        wg.go(move || hammer_weighted(&sem, i, loops));
    }
    wg.wait();
}

#[test]
fn weighted_both() {
    both(weighted);
}

/// The same hammering with the plain (context-free) acquire.
fn weighted_plain() {
    let n = procs();
    let loops = 10000 / n;
    let sem = Arc::new(Semaphore::new(n));
    let wg = WaitGroup::new();
    for i in 0..n {
        let sem = sem.clone();
        wg.go(move || {
            for _ in 0..loops {
                sem.acquire(i);
                csp_core::yield_now();
                sem.release(i);
            }
        });
    }
    wg.wait();
}

#[test]
fn weighted_plain_both() {
    both(weighted_plain);
}

/// TestWeightedPanic.
#[test]
fn weighted_panic() {
    let w = Semaphore::new(1);
    let r = catch_unwind(AssertUnwindSafe(|| w.release(1)));
    let p = r.expect_err("release of an unacquired weighted semaphore did not panic");
    assert_eq!(
        p.downcast_ref::<&str>().copied(),
        Some("semaphore: released more than held")
    );
}

/// TestWeightedTryAcquire.
#[test]
fn weighted_try_acquire() {
    let ctx = context::background();
    let sem = Semaphore::new(2);
    let mut tries = vec![];
    sem.acquire_ctx(&ctx, 1).unwrap();
    tries.push(sem.try_acquire(1));
    tries.push(sem.try_acquire(1));
    sem.release(2);
    tries.push(sem.try_acquire(1));
    sem.acquire_ctx(&ctx, 1).unwrap();
    tries.push(sem.try_acquire(1));
    assert_eq!(tries, [true, false, true, false]);
}

/// TestWeightedAcquire.
fn weighted_acquire() {
    let ctx = context::background();
    let sem = Semaphore::new(2);
    let try_acquire = |n| {
        let (ctx, cancel) = context::with_timeout(&ctx, Duration::from_millis(10));
        let r = sem.acquire_ctx(&ctx, n).is_ok();
        cancel.cancel();
        r
    };
    let mut tries = vec![try_acquire(1), try_acquire(1)];
    sem.release(2);
    tries.push(try_acquire(1));
    sem.acquire_ctx(&ctx, 1).unwrap();
    tries.push(try_acquire(1));
    assert_eq!(tries, [true, true, true, false]);
}

#[test]
fn weighted_acquire_both() {
    both(weighted_acquire);
}

/// TestWeightedDoesntBlockIfTooBig: a request larger than the semaphore
/// waits on its context only and holds nobody up.
fn weighted_doesnt_block_if_too_big() {
    let n = 2;
    let sem = Arc::new(Semaphore::new(n));
    let (ctx, cancel) = context::with_cancel(&context::background());
    {
        let (sem, ctx) = (sem.clone(), ctx.clone());
        go! { let _ = sem.acquire_ctx(&ctx, n + 1); };
    }
    let (g, ctx): (Group, Context) = Group::with_context(&ctx);
    for _ in 0..n * 3 {
        let (sem, ctx) = (sem.clone(), ctx.clone());
        g.go(move || {
            sem.acquire_ctx(&ctx, 1)?;
            sleep(Duration::from_millis(1));
            sem.release(1);
            Ok(())
        });
    }
    if let Err(e) = g.wait() {
        panic!(
            "NewWeighted({n}) failed to AcquireCtx(_, 1) with AcquireCtx(_, {}) pending: {e}",
            n + 1
        );
    }
    cancel.cancel();
}

#[test]
fn weighted_doesnt_block_if_too_big_both() {
    both(weighted_doesnt_block_if_too_big);
}

/// TestLargeAcquireDoesntStarve: Acquire(n) succeeds although goroutines
/// keep releasing and re-acquiring 1 unit each.
fn large_acquire_doesnt_starve() {
    let n = procs();
    let sem = Arc::new(Semaphore::new(n));
    let running = Arc::new(AtomicBool::new(true));
    let wg = WaitGroup::new();
    wg.add(n);
    for _ in 0..n {
        sem.acquire(1);
        let (sem, running, wg) = (sem.clone(), running.clone(), wg.clone());
        go! {
            while running.load(Ordering::SeqCst) {
                sleep(Duration::from_millis(1));
                sem.release(1);
                sem.acquire(1);
            }
            sem.release(1);
            wg.done();
        };
    }
    sem.acquire(n);
    running.store(false, Ordering::SeqCst);
    sem.release(n);
    wg.wait();
}

#[test]
fn large_acquire_doesnt_starve_both() {
    both(large_acquire_doesnt_starve);
}

/// TestAllocCancelDoesntStarve: a cancelled large request at the head of the
/// queue lets the request behind it through.
fn alloc_cancel_doesnt_starve() {
    let sem = Arc::new(Semaphore::new(10));
    // Block off a portion so that Acquire(_, 10) can eventually succeed.
    sem.acquire(1);
    let (ctx, cancel) = context::with_cancel(&context::background());
    {
        let (sem, ctx) = (sem.clone(), ctx.clone());
        go! { let _ = sem.acquire_ctx(&ctx, 10); };
    }
    // Wait until the Acquire(_, 10) call blocks.
    while sem.try_acquire(1) {
        sem.release(1);
        csp_core::yield_now();
    }
    // Grab one unit while the large request is cancelled: both return.
    go!(cancel.cancel());
    sem.acquire_ctx(&context::background(), 1)
        .expect("Acquire(_, 1) failed unexpectedly");
    sem.release(1);
}

#[test]
fn alloc_cancel_doesnt_starve_both() {
    both(alloc_cancel_doesnt_starve);
}

/// A large waiter at the head of the queue holds back the small ones that
/// arrive after it, even when they would fit.
fn large_waiter_first() {
    let sem = Arc::new(Semaphore::new(3));
    sem.acquire(3);
    let order = csp_core::Chan::new(10);
    let mut hs = vec![];
    for (i, w) in [(0, 3), (1, 1), (2, 1)] {
        let (s2, order) = (sem.clone(), order.clone());
        hs.push(go! {
            s2.acquire(w);
            order.send(i);
            s2.release(w);
        });
        if i == 0 {
            // Let the large one queue first.
            while sem.try_acquire(0) {
                sleep(Duration::from_millis(1));
            }
        }
    }
    sem.release(1); // 1 free: the small ones would fit, but wait behind 0
    sleep(Duration::from_millis(5));
    assert!(
        order.try_recv().is_err(),
        "a small request overtook the large one"
    );
    sem.release(2);
    for h in hs {
        h.join().unwrap();
    }
    order.close();
    let got: Vec<_> = order.iter().collect();
    assert_eq!(got[0], 0, "{got:?}");
    assert_eq!(got.len(), 3);
}

#[test]
fn large_waiter_first_both() {
    both(large_waiter_first);
}
