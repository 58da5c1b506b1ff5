//! Targeted stress tests of the runtime's park/ready hand-off, where loom cannot
//! reach: the scheduler switches stacks with corosensei and parks OS threads, which
//! loom does not model.
//!
//! `blocked_m_with_outside_thread`: a goroutine spawns a server goroutine (which
//! lands in its P's `runnext`), then blocks its M in `std::thread::JoinHandle::join`
//! on an OS thread that talks to that server. Only another M can run the server:
//! sysmon must notice the stuck P and wake an idle M, which steals `runnext`. This
//! caught a leak of `nmspinning` (an M that found work on its way to sleep while a
//! `wakep` was choosing it) that stopped every later wake-up.
//!
//! `cross_thread_ping_pong`: goroutines and OS threads readying each other in
//! every combination, with select and timers, counting every message.

use std::time::Duration;

use csp_core::{after, go, select, spawn, Builder, Chan};

/// A lost wake-up shows up as a hang: turn it into a failure instead.
fn watchdog(name: &'static str) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(120));
        eprintln!("{name}: no progress in 120 s: a wake-up was lost");
        std::process::exit(101);
    });
}

#[test]
fn blocked_m_with_outside_thread() {
    watchdog("blocked_m_with_outside_thread");
    Builder::new().workers(2).deadlock_detection(false).run(|| {
        for _ in 0..1000 {
            let h = spawn(move || {
                let (req, resp) = (Chan::new(0), Chan::new(0));
                let server = {
                    let (req, resp) = (req.clone(), resp.clone());
                    spawn(move || {
                        for v in &req {
                            resp.send(v * 2u64);
                        }
                    })
                };
                let client = std::thread::spawn(move || {
                    for i in 0..20u64 {
                        req.send(i);
                        assert_eq!(resp.recv(), Some(i * 2));
                    }
                    req.close();
                });
                client.join().unwrap();
                server.join().unwrap();
            });
            h.join().unwrap();
        }
    });
}

#[test]
fn cross_thread_ping_pong() {
    watchdog("cross_thread_ping_pong");
    Builder::new().workers(2).deadlock_detection(false).run(|| {
        const N: u64 = 20_000;
        let (a, b) = (Chan::new(0), Chan::new(0));
        // A goroutine and an OS thread bounce a counter; a second goroutine
        // selects between the bounce and a timer.
        let (a2, b2) = (a.clone(), b.clone());
        let t = std::thread::spawn(move || {
            for v in &a2 {
                b2.send(v + 1);
            }
            b2.close();
        });
        let (a3, b3) = (a.clone(), b.clone());
        let g = go! {
            let mut v = 0u64;
            let mut timeouts = 0u64;
            while v < N {
                a3.send(v);
                loop {
                    let timer = after(Duration::from_millis(50));
                    select! {
                        case r = <-b3 => { v = r.unwrap(); break },
                        case <-timer => timeouts += 1,
                    }
                }
            }
            a3.close();
            (v, timeouts)
        };
        let (v, _timeouts) = g.join().unwrap();
        assert_eq!(v, N);
        t.join().unwrap();
        assert_eq!(b.recv(), None);
    });
}
