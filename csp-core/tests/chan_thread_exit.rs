//! Channels keep working while a thread exits: a blocking channel operation
//! inside a thread-local's destructor, whether that thread-local was
//! registered before csp's own thread parker (so the parker is destroyed
//! first, and the operation must fall back to a parker of its own) or after
//! it. Each operation blocks for real: its partner acts from another thread
//! after the destructor has started.

use std::cell::RefCell;
use std::thread;
use std::time::Duration;

use csp_core::{Chan, RecvTimeoutError, Select, SendTimeoutError};

/// A thread-local whose destructor runs the job left in it.
struct OnExit(RefCell<Option<Box<dyn FnOnce()>>>);

impl Drop for OnExit {
    fn drop(&mut self) {
        if let Some(job) = self.0.borrow_mut().take() {
            job();
        }
    }
}

thread_local! {
    static ON_EXIT: OnExit = const { OnExit(RefCell::new(None)) };
}

/// When the user's thread-local is registered relative to csp's parker.
#[derive(Clone, Copy, Debug)]
enum Order {
    /// The thread-local first: destroyed after the parker.
    Before,
    /// A channel operation first (it creates the parker), then the thread-local.
    After,
}

/// Runs `job` in a thread-local destructor of a new thread and returns what it
/// reported on `out`; `partner` runs on another thread once the destructor
/// has started.
fn in_destructor<T: Send + 'static>(
    order: Order,
    job: impl FnOnce(&Chan<T>) + Send + 'static,
    partner: impl FnOnce() + Send + 'static,
) -> T {
    let out: Chan<T> = Chan::new(1);
    let started: Chan<()> = Chan::new(1);
    let (o2, s2) = (out.clone(), started.clone());
    let t = thread::spawn(move || {
        let arm = move || {
            ON_EXIT.with(|e| {
                *e.0.borrow_mut() = Some(Box::new(move || {
                    s2.send(());
                    job(&o2);
                }))
            })
        };
        match order {
            Order::Before => {
                arm();
                // Creates csp's parker after the thread-local above.
                let warm: Chan<u8> = Chan::new(0);
                assert_eq!(
                    warm.recv_timeout(Duration::from_millis(1)),
                    Err(RecvTimeoutError::Timeout)
                );
            }
            Order::After => {
                let warm: Chan<u8> = Chan::new(0);
                assert_eq!(
                    warm.recv_timeout(Duration::from_millis(1)),
                    Err(RecvTimeoutError::Timeout)
                );
                arm();
            }
        }
    });
    started.recv().expect("the destructor ran");
    partner();
    t.join().expect("the thread exited cleanly");
    out.recv().expect("the destructor reported")
}

const ORDERS: [Order; 2] = [Order::Before, Order::After];

/// Lets the destructor reach its blocking operation before the partner acts
/// (not a correctness requirement: the operation is right either way).
fn pause() {
    thread::sleep(Duration::from_millis(20));
}

#[test]
fn send_in_a_destructor() {
    for order in ORDERS {
        let c: Chan<u32> = Chan::new(0);
        let (c1, c2) = (c.clone(), c.clone());
        let got = Chan::new(1);
        let g2 = got.clone();
        let sent = in_destructor(
            order,
            move |out| {
                c1.send(7);
                out.send(true);
            },
            move || {
                pause();
                g2.send(c2.recv());
            },
        );
        assert!(sent, "{order:?}");
        assert_eq!(got.recv(), Some(Some(7)), "{order:?}");
    }
}

#[test]
fn recv_in_a_destructor() {
    for order in ORDERS {
        let c: Chan<u32> = Chan::new(0);
        let (c1, c2) = (c.clone(), c.clone());
        let v = in_destructor(
            order,
            move |out| out.send(c1.recv()),
            move || {
                pause();
                c2.send(9);
            },
        );
        assert_eq!(v, Some(9), "{order:?}");
    }
}

#[test]
fn timed_ops_in_a_destructor() {
    for order in ORDERS {
        // Both deadlines pass: nobody is on the other side.
        let c: Chan<u32> = Chan::new(0);
        let r = in_destructor(
            order,
            move |out| {
                let a = c.recv_timeout(Duration::from_millis(5));
                let b = c.send_timeout(3, Duration::from_millis(5));
                out.send((a, b));
            },
            || {},
        );
        assert_eq!(r.0, Err(RecvTimeoutError::Timeout), "{order:?}");
        assert_eq!(r.1, Err(SendTimeoutError::Timeout(3)), "{order:?}");

        // A partner completes a timed receive before its (long) deadline.
        let c: Chan<u32> = Chan::new(0);
        let (c1, c2) = (c.clone(), c.clone());
        let v = in_destructor(
            order,
            move |out| out.send(c1.recv_timeout(Duration::from_secs(600))),
            move || {
                pause();
                c2.send(11);
            },
        );
        assert_eq!(v, Ok(11), "{order:?}");
    }
}

#[test]
fn select_in_a_destructor() {
    for order in ORDERS {
        let a: Chan<u32> = Chan::new(0);
        let b: Chan<u32> = Chan::new(0);
        let (a1, b1, b2) = (a.clone(), b.clone(), b.clone());
        let r = in_destructor(
            order,
            move |out| {
                let mut s = Select::new();
                let ia = s.recv(&a1);
                let ib = s.recv(&b1);
                let sel = s.select();
                let i = sel.index();
                assert!(i == ia || i == ib);
                let v = if i == ia {
                    sel.recv(&a1)
                } else {
                    sel.recv(&b1)
                };
                out.send((i == ib, v));
            },
            move || {
                pause();
                b2.send(5);
            },
        );
        assert_eq!(r, (true, Some(5)), "{order:?}");
        drop(a);
    }
}
