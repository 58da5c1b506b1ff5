//! Goroutine runtime basics: run, spawn/join, ping-pong, sleep, timers,
//! yield_now, WaitGroup, num_goroutine, panics.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use csp_core::{Builder, Chan, WaitGroup};

#[test]
fn run_returns_main_value() {
    assert_eq!(csp_core::run(|| 6 * 7), 42);
}

#[test]
fn spawn_join_inside_run() {
    let v = csp_core::run(|| {
        let hs: Vec<_> = (0..100u64)
            .map(|i| csp_core::spawn(move || i * 2))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
    });
    assert_eq!(v, (0..100u64).map(|i| i * 2).sum());
}

#[test]
fn spawn_outside_run_uses_global_runtime() {
    let h = csp_core::spawn(|| {
        let c = Chan::new(0);
        let c2 = c.clone();
        let h = csp_core::spawn(move || c2.send(5));
        let v = c.recv().unwrap();
        h.join().unwrap();
        v + 1
    });
    assert_eq!(h.join().unwrap(), 6);
}

#[test]
fn ping_pong_goroutines() {
    for workers in [1, 2, 4] {
        let n = Builder::new().workers(workers).run(|| {
            let ping = Chan::new(0);
            let pong = Chan::new(0);
            let (pi, po) = (ping.clone(), pong.clone());
            csp_core::spawn(move || {
                while let Some(v) = pi.recv() {
                    po.send(v + 1);
                }
                po.close();
            });
            let mut v = 0u64;
            for _ in 0..10_000 {
                ping.send(v);
                v = pong.recv().unwrap();
            }
            ping.close();
            assert_eq!(pong.recv(), None);
            v
        });
        assert_eq!(n, 10_000);
    }
}

#[test]
fn mixed_goroutine_thread_ping_pong() {
    let ping = Chan::new(0);
    let pong = Chan::new(0);
    let (pi, po) = (ping.clone(), pong.clone());
    // The goroutine side lives in a run; the thread side is a plain thread.
    let t = std::thread::spawn(move || {
        let mut v = 0u64;
        for _ in 0..2_000 {
            pi.send(v);
            v = po.recv().unwrap();
        }
        pi.close();
        v
    });
    Builder::new()
        .workers(2)
        .deadlock_detection(false)
        .run(move || {
            while let Some(v) = ping.recv() {
                pong.send(v + 1);
            }
        });
    assert_eq!(t.join().unwrap(), 2_000);
}

#[test]
fn join_from_thread_and_goroutine() {
    let h = csp_core::spawn(|| {
        csp_core::sleep(Duration::from_millis(5));
        7
    });
    assert_eq!(h.join().unwrap(), 7);
    let v = csp_core::run(|| {
        let h = csp_core::spawn(|| {
            csp_core::sleep(Duration::from_millis(5));
            8
        });
        h.join().unwrap()
    });
    assert_eq!(v, 8);
}

#[test]
fn sleep_parks_only_the_goroutine() {
    // One worker: while main sleeps, another goroutine must still run.
    let got = Builder::new().workers(1).run(|| {
        let c = Chan::new(0);
        let c2 = c.clone();
        csp_core::spawn(move || c2.send(1));
        let t = Instant::now();
        csp_core::sleep(Duration::from_millis(20));
        assert!(t.elapsed() >= Duration::from_millis(20));
        c.recv()
    });
    assert_eq!(got, Some(1));
}

#[test]
fn after_and_tick() {
    csp_core::run(|| {
        let t = Instant::now();
        let a = csp_core::after(Duration::from_millis(10));
        let at = a.recv().unwrap();
        assert!(at >= t + Duration::from_millis(10));
        let tk = csp_core::tick(Duration::from_millis(2));
        let mut last = t;
        for _ in 0..5 {
            let x = tk.recv().unwrap();
            assert!(x >= last);
            last = x;
        }
        assert!(csp_core::tick(Duration::ZERO).is_nil());
    });
    // From a plain thread (global runtime's timers).
    let a = csp_core::after(Duration::from_millis(5));
    assert!(a.recv().is_some());
}

#[test]
fn recv_timeout_in_goroutine() {
    csp_core::run(|| {
        let c: Chan<u32> = Chan::new(0);
        let t = Instant::now();
        assert!(c.recv_timeout(Duration::from_millis(10)).is_err());
        assert!(t.elapsed() >= Duration::from_millis(10));
        let c2 = c.clone();
        csp_core::spawn(move || {
            csp_core::sleep(Duration::from_millis(2));
            c2.send(3)
        });
        assert_eq!(c.recv_timeout(Duration::from_secs(10)).unwrap(), 3);
        // Many completed timed waits leave only cancelled timers behind.
        for i in 0..1000 {
            let c2 = c.clone();
            csp_core::spawn(move || c2.send(i));
            assert_eq!(c.recv_timeout(Duration::from_secs(3600)).unwrap(), i);
        }
    });
}

#[test]
fn yield_now_lets_others_run() {
    let n = Builder::new().workers(1).run(|| {
        let count = Arc::new(AtomicUsize::new(0));
        let c2 = count.clone();
        csp_core::spawn(move || {
            c2.fetch_add(1, Ordering::SeqCst);
        });
        while count.load(Ordering::SeqCst) == 0 {
            csp_core::yield_now();
        }
        count.load(Ordering::SeqCst)
    });
    assert_eq!(n, 1);
}

#[test]
fn waitgroup_waits_for_all() {
    let total = csp_core::run(|| {
        let wg = WaitGroup::new();
        let sum = Arc::new(AtomicUsize::new(0));
        for i in 0..1000 {
            wg.add(1);
            let (wg, sum) = (wg.clone(), sum.clone());
            csp_core::spawn(move || {
                if i % 7 == 0 {
                    csp_core::yield_now();
                }
                sum.fetch_add(i, Ordering::SeqCst);
                wg.done();
            });
        }
        wg.wait();
        sum.load(Ordering::SeqCst)
    });
    assert_eq!(total, (0..1000).sum());
    // From a thread, with goroutines of the global runtime.
    let wg = WaitGroup::new();
    wg.add(3);
    for _ in 0..3 {
        let wg = wg.clone();
        csp_core::spawn(move || wg.done());
    }
    wg.wait();
}

#[test]
#[should_panic(expected = "sync: negative WaitGroup counter")]
fn waitgroup_negative_panics() {
    WaitGroup::new().done();
}

#[test]
fn num_goroutine_back_to_baseline() {
    csp_core::run(|| {
        assert_eq!(csp_core::num_goroutine(), 1);
        let stop = Chan::<()>::new(0);
        let wg = WaitGroup::new();
        for _ in 0..500 {
            let stop = stop.clone();
            wg.add(1);
            let wg = wg.clone();
            csp_core::spawn(move || {
                let _ = stop.recv();
                wg.done();
            });
        }
        assert_eq!(csp_core::num_goroutine(), 501);
        stop.close();
        wg.wait();
        // The finishing goroutines are gone once they have run to the end.
        while csp_core::num_goroutine() != 1 {
            csp_core::yield_now();
        }
    });
}

#[test]
fn readied_goroutine_is_not_stuck_behind_a_busy_waker() {
    // main readies the receiver (it lands in main's runnext, no M is woken),
    // then spins without parking until the receiver has run: another M must
    // take the receiver over.
    // (Deadlock detection off: its idle poll would also rescue the receiver.)
    let ok = Builder::new().workers(2).deadlock_detection(false).run(|| {
        let c: Chan<u32> = Chan::new(0);
        let flag = Arc::new(AtomicUsize::new(0));
        let (c2, f2) = (c.clone(), flag.clone());
        csp_core::spawn(move || {
            let v = c2.recv().unwrap();
            f2.store(v as usize, Ordering::SeqCst);
        });
        // Let the receiver park first.
        csp_core::sleep(Duration::from_millis(5));
        c.send(7);
        while flag.load(Ordering::SeqCst) == 0 {
            std::hint::spin_loop();
        }
        flag.load(Ordering::SeqCst)
    });
    assert_eq!(ok, 7);
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<csp_core::JoinHandle<String>>();
    send_sync::<WaitGroup>();
    send_sync::<Builder>();
}
