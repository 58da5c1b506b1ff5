//! `mutex`: N = 1, 4, 64 goroutines each incrementing a shared counter under
//! a csp `Mutex`, against std's `Mutex` with N OS threads (per element: one
//! locked increment). `context_cancel`: cancelling the root of a tree of
//! 10 000 contexts, each watched by a goroutine in `select!`, until every
//! watcher has woken (per element: one tree).

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use csp_core::context::{self, Context};
use csp_core::sync::{Mutex, WaitGroup};
use csp_core::{select, Builder, Chan};

fn csp_mutex(n: u64, iters: u64) -> Duration {
    Builder::new().run(move || {
        let m = Arc::new(Mutex::new(0u64));
        let per = iters.div_ceil(n);
        let wg = WaitGroup::new();
        let start = Chan::<()>::new(0);
        for _ in 0..n {
            let (m, start) = (m.clone(), start.clone());
            wg.go(move || {
                start.recv();
                for _ in 0..per {
                    *m.lock() += 1;
                }
            });
        }
        let t = Instant::now();
        start.close();
        wg.wait();
        let d = t.elapsed();
        assert_eq!(*m.lock(), per * n);
        d
    })
}

fn std_mutex(n: u64, iters: u64) -> Duration {
    let m = Arc::new(std::sync::Mutex::new(0u64));
    let per = iters.div_ceil(n);
    let barrier = Arc::new(std::sync::Barrier::new(n as usize + 1));
    let ts: Vec<_> = (0..n)
        .map(|_| {
            let (m, b) = (m.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                for _ in 0..per {
                    *m.lock().unwrap() += 1;
                }
            })
        })
        .collect();
    let t = Instant::now();
    barrier.wait();
    for t in ts {
        t.join().unwrap();
    }
    let d = t.elapsed();
    assert_eq!(*m.lock().unwrap(), per * n);
    d
}

fn mutex(c: &mut Criterion) {
    let mut g = c.benchmark_group("mutex");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1));
    for n in [1u64, 4, 64] {
        g.bench_with_input(BenchmarkId::new("csp_goroutines", n), &n, |b, &n| {
            b.iter_custom(|iters| csp_mutex(n, iters))
        });
        g.bench_with_input(BenchmarkId::new("std_threads", n), &n, |b, &n| {
            b.iter_custom(|iters| std_mutex(n, iters))
        });
    }
    g.finish();
}

const TREE: usize = 10_000;

/// A tree of `TREE` contexts under `root`, 10 children per node.
fn tree(root: &Context) -> Vec<Context> {
    let mut all = Vec::with_capacity(TREE);
    let mut level = vec![root.clone()];
    while all.len() < TREE {
        let mut next = vec![];
        for p in &level {
            for _ in 0..10 {
                if all.len() == TREE {
                    break;
                }
                let (c, _cancel) = context::with_cancel(p);
                all.push(c.clone());
                next.push(c);
            }
        }
        level = next;
    }
    all
}

fn cancel_tree() -> Duration {
    let (root, cancel) = context::with_cancel(&context::background());
    let all = tree(&root);
    let wg = WaitGroup::new();
    let parked = WaitGroup::new();
    let never = Chan::<()>::new(0);
    for c in all {
        let never = never.clone();
        let p = parked.clone();
        p.add(1);
        wg.go(move || {
            p.done();
            select! {
                case <-c.done() => {},
                case <-never => {},
            }
        });
    }
    parked.wait();
    csp_core::yield_now();
    let t = Instant::now();
    cancel.cancel();
    wg.wait();
    t.elapsed()
}

fn context_cancel(c: &mut Criterion) {
    let mut g = c.benchmark_group("context_cancel");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(1));
    g.bench_function("csp_tree_10000", |b| {
        b.iter_custom(|iters| {
            Builder::new().run(move || (0..iters).map(|_| cancel_tree()).sum::<Duration>())
        })
    });
    g.finish();
}

criterion_group!(benches, mutex, context_cancel);
criterion_main!(benches);
