//! Ping-pong round trip on an unbuffered channel: two csp goroutines, two OS
//! threads on csp channels, and two OS threads on crossbeam's `bounded(0)`.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use csp_core::{Builder, Chan};

/// `iters` round trips between the calling side and an echo on the other side.
fn round_trips(ping: &Chan<u64>, pong: &Chan<u64>, iters: u64) -> Duration {
    let t = Instant::now();
    for i in 0..iters {
        ping.send(i);
        let v = pong.recv().unwrap();
        debug_assert_eq!(v, i);
    }
    t.elapsed()
}

fn echo(ping: Chan<u64>, pong: Chan<u64>) {
    while let Some(v) = ping.recv() {
        pong.send(v);
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pingpong");
    g.measurement_time(Duration::from_secs(3));

    g.bench_function("csp_goroutines", |b| {
        b.iter_custom(|iters| {
            Builder::new().workers(2).run(move || {
                let (ping, pong) = (Chan::new(0), Chan::new(0));
                let (p2, q2) = (ping.clone(), pong.clone());
                let h = csp_core::spawn(move || echo(p2, q2));
                let d = round_trips(&ping, &pong, iters);
                ping.close();
                h.join().unwrap();
                d
            })
        })
    });

    g.bench_function("csp_threads", |b| {
        b.iter_custom(|iters| {
            let (ping, pong) = (Chan::new(0), Chan::new(0));
            let (p2, q2) = (ping.clone(), pong.clone());
            let t = std::thread::spawn(move || echo(p2, q2));
            let d = round_trips(&ping, &pong, iters);
            ping.close();
            t.join().unwrap();
            d
        })
    });

    g.bench_function("crossbeam_bounded0_threads", |b| {
        b.iter_custom(|iters| {
            let (ping_tx, ping_rx) = crossbeam_channel::bounded::<u64>(0);
            let (pong_tx, pong_rx) = crossbeam_channel::bounded::<u64>(0);
            let t = std::thread::spawn(move || {
                while let Ok(v) = ping_rx.recv() {
                    pong_tx.send(v).unwrap();
                }
            });
            let start = Instant::now();
            for i in 0..iters {
                ping_tx.send(i).unwrap();
                let v = pong_rx.recv().unwrap();
                debug_assert_eq!(v, i);
            }
            let d = start.elapsed();
            drop(ping_tx);
            t.join().unwrap();
            d
        })
    });
    g.finish();
}

/// Spawn cost: start goroutines that do nothing, in batches of 1000 waited for
/// with a WaitGroup (the steady state: stacks come warm from the pool).
fn spawn_cost(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn");
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("spawn_goroutine_batch1000", |b| {
        b.iter_custom(|iters| {
            Builder::new().workers(2).run(move || {
                let t = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let n = left.min(1000);
                    left -= n;
                    let wg = csp_core::WaitGroup::new();
                    wg.add(n as usize);
                    for _ in 0..n {
                        let w = wg.clone();
                        csp_core::spawn(move || w.done());
                    }
                    wg.wait();
                }
                t.elapsed()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench, spawn_cost);
criterion_main!(benches);
