//! Drop accounting: a payload that counts its drops. Every value created is dropped
//! exactly once, whether it was received, left in a buffer when the channel dropped,
//! handed back by `try_send` / `send_timeout`, lost to a panicking send, or left in an
//! unchosen select send case.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use csp_core::{Chan, Select, SendTimeoutError, TrySendError};

/// Creates tracked values and checks their drop counts.
#[derive(Debug)]
struct Tracker {
    created: AtomicUsize,
    drops: Vec<AtomicUsize>,
}

impl Tracker {
    fn new(max: usize) -> Arc<Tracker> {
        Arc::new(Tracker {
            created: AtomicUsize::new(0),
            drops: (0..max).map(|_| AtomicUsize::new(0)).collect(),
        })
    }

    fn make(self: &Arc<Self>) -> Counted {
        let id = self.created.fetch_add(1, Ordering::SeqCst);
        assert!(id < self.drops.len(), "tracker too small");
        Counted {
            id,
            tracker: self.clone(),
        }
    }

    fn created(&self) -> usize {
        self.created.load(Ordering::SeqCst)
    }

    fn dropped(&self) -> usize {
        self.drops.iter().map(|d| d.load(Ordering::SeqCst)).sum()
    }

    /// Every value created so far was dropped exactly once.
    fn check_all_dropped_once(&self, what: &str) {
        for id in 0..self.created() {
            let n = self.drops[id].load(Ordering::SeqCst);
            assert_eq!(n, 1, "{what}: value {id} dropped {n} times");
        }
    }
}

/// The tracked payload.
#[derive(Debug)]
struct Counted {
    id: usize,
    tracker: Arc<Tracker>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.tracker.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn received_values_are_dropped_once() {
    for cap in [0, 1, 4] {
        let t = Tracker::new(100);
        let ch = Chan::<Counted>::new(cap);
        let (c, t2) = (ch.clone(), t.clone());
        let h = thread::spawn(move || {
            for _ in 0..100 {
                c.send(t2.make());
            }
        });
        for i in 0..100 {
            let v = ch.recv().unwrap();
            assert_eq!(v.id, i);
            assert_eq!(
                t.drops[i].load(Ordering::SeqCst),
                0,
                "dropped before received"
            );
        }
        h.join().unwrap();
        drop(ch);
        t.check_all_dropped_once("received");
        assert_eq!(t.created(), 100);
    }
}

#[test]
fn buffered_values_are_dropped_with_the_channel() {
    let t = Tracker::new(100);
    let ch = Chan::<Counted>::new(8);
    let other = ch.clone();
    for _ in 0..8 {
        ch.send(t.make());
    }
    // Receive some so that the ring wraps, then refill.
    for _ in 0..5 {
        drop(ch.recv());
    }
    for _ in 0..3 {
        ch.send(t.make());
    }
    assert_eq!(ch.len(), 6);
    drop(ch);
    // Another handle still holds the channel: nothing left may be dropped yet.
    assert_eq!(t.dropped(), 5);
    // The last handle dropped on another thread.
    thread::spawn(move || drop(other)).join().unwrap();
    t.check_all_dropped_once("left in the buffer");
    assert_eq!(t.dropped(), 11);
}

#[test]
fn buffered_values_of_a_closed_channel_are_dropped_with_it() {
    let t = Tracker::new(10);
    let ch = Chan::<Counted>::new(4);
    for _ in 0..3 {
        ch.send(t.make());
    }
    ch.close();
    drop(ch.recv());
    drop(ch);
    t.check_all_dropped_once("closed, buffered");
    assert_eq!(t.dropped(), 3);
}

#[test]
fn values_handed_back_are_dropped_once() {
    let t = Tracker::new(100);
    let ch = Chan::<Counted>::new(1);
    ch.send(t.make());
    match ch.try_send(t.make()) {
        Err(TrySendError::Full(v)) => assert_eq!(v.id, 1),
        other => panic!("{other:?}"),
    }
    match ch.send_timeout(t.make(), Duration::from_millis(10)) {
        Err(SendTimeoutError::Timeout(v)) => assert_eq!(v.id, 2),
        other => panic!("{other:?}"),
    }
    // Unbuffered without a receiver.
    let un = Chan::<Counted>::new(0);
    assert!(matches!(un.try_send(t.make()), Err(TrySendError::Full(_))));
    assert!(matches!(
        un.send_timeout(t.make(), Duration::from_millis(10)),
        Err(SendTimeoutError::Timeout(_))
    ));
    ch.close();
    un.close();
    assert!(matches!(
        ch.try_send(t.make()),
        Err(TrySendError::Closed(_))
    ));
    assert!(matches!(
        ch.send_timeout(t.make(), Duration::from_millis(10)),
        Err(SendTimeoutError::Closed(_))
    ));
    assert!(matches!(
        un.try_send(t.make()),
        Err(TrySendError::Closed(_))
    ));
    // Nil channel.
    let nil = Chan::<Counted>::nil();
    assert!(matches!(nil.try_send(t.make()), Err(TrySendError::Full(_))));
    assert!(matches!(
        nil.send_timeout(t.make(), Duration::from_millis(5)),
        Err(SendTimeoutError::Timeout(_))
    ));
    // Errors dropped; the one buffered value is still there.
    assert_eq!(t.dropped(), t.created() - 1);
    drop(ch);
    drop(un);
    t.check_all_dropped_once("handed back");
}

#[test]
fn value_of_a_panicking_send_is_dropped_once() {
    let t = Tracker::new(10);
    let ch = Chan::<Counted>::new(0);
    ch.close();
    let r = catch_unwind(AssertUnwindSafe(|| ch.send(t.make())));
    assert!(r.is_err());
    assert_eq!(t.created(), 1);
    t.check_all_dropped_once("send on closed channel");

    // A sender parked when the channel is closed.
    let ch = Chan::<Counted>::new(0);
    let (c, t2) = (ch.clone(), t.clone());
    let h = thread::spawn(move || catch_unwind(AssertUnwindSafe(|| c.send(t2.make()))).is_err());
    thread::sleep(Duration::from_millis(50));
    ch.close();
    assert!(h.join().unwrap(), "parked send did not panic on close");
    assert_eq!(t.created(), 2);
    t.check_all_dropped_once("parked send woken by close");
}

#[test]
fn unsent_select_send_values_are_dropped_once() {
    let t = Tracker::new(1000);
    // One send case chosen, others not.
    for _ in 0..50 {
        let a = Chan::<Counted>::new(1);
        let b = Chan::<Counted>::new(1);
        let full = Chan::<Counted>::new(1);
        full.send(t.make());
        let mut s = Select::new();
        s.send(&a, t.make());
        s.send(&b, t.make());
        s.send(&full, t.make());
        s.select();
        assert_eq!(a.len() + b.len(), 1);
        drop((a, b, full));
    }
    t.check_all_dropped_once("select with a chosen send case");

    // A receive case chosen: every send value is dropped.
    let ready = Chan::<Counted>::new(1);
    let full = Chan::<Counted>::new(0);
    let nil = Chan::nil();
    ready.send(t.make());
    let mut s = Select::new();
    s.send(&full, t.make());
    let ir = s.recv(&ready);
    s.send(&nil, t.make());
    let sel = s.select();
    assert_eq!(sel.index(), ir);
    let got = sel.recv(&ready).unwrap();
    drop(got);
    t.check_all_dropped_once("select with a chosen recv case");

    // Default taken.
    let mut s = Select::new();
    s.send(&full, t.make());
    s.send(&full, t.make());
    assert!(s.try_select().is_none());
    t.check_all_dropped_once("select default");

    // Builder dropped without selecting.
    let mut s = Select::new();
    s.send(&full, t.make());
    drop(s);
    t.check_all_dropped_once("select builder dropped");

    // A select that panics on a closed channel's send case.
    let closed = Chan::<Counted>::new(1);
    closed.close();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let mut s = Select::new();
        s.send(&closed, t.make());
        s.send(&full, t.make());
        s.select().index()
    }));
    assert!(r.is_err());
    t.check_all_dropped_once("select panicking on a closed send case");

    // A select parked on send cases, one completed by a receiver.
    let (u1, u2) = (Chan::<Counted>::new(0), Chan::<Counted>::new(0));
    let (c1, c2, t2) = (u1.clone(), u2.clone(), t.clone());
    let h = thread::spawn(move || {
        let mut s = Select::new();
        s.send(&c1, t2.make());
        s.send(&c2, t2.make());
        s.select().index()
    });
    let v = u2.recv().unwrap();
    drop(v);
    assert_eq!(h.join().unwrap(), 1);
    t.check_all_dropped_once("parked select send");

    // A chosen receive whose value is never taken out of `Selected`.
    let ch = Chan::<Counted>::new(1);
    ch.send(t.make());
    let mut s = Select::new();
    s.recv(&ch);
    let sel = s.select();
    drop(sel);
    assert_eq!(ch.len(), 0);
    t.check_all_dropped_once("Selected dropped without recv");
}

#[test]
fn private_slots_drop_unsent_values_once() {
    use csp_core::__private::{select, RecvSlot, SendSlot};
    let t = Tracker::new(100);
    let full = Chan::<Counted>::new(1);
    full.send(t.make());
    let ready = Chan::<Counted>::new(1);
    ready.send(t.make());
    let mut out = SendSlot::new(t.make());
    let mut inp = RecvSlot::<Counted>::new();
    let chosen = select([out.case(&full), inp.case(&ready)], true);
    assert_eq!(chosen, Some(1));
    let v = inp.take().expect("a value");
    assert_eq!(v.id, 1);
    drop(v);
    drop(out);
    drop(inp);
    drop(full);
    t.check_all_dropped_once("__private slots, recv chosen");

    // Send chosen: the slot must not drop the value it gave away.
    let t = Tracker::new(10);
    let room = Chan::<Counted>::new(1);
    let mut out = SendSlot::new(t.make());
    let chosen = select([out.case(&room)], false);
    assert_eq!(chosen, Some(0));
    drop(out);
    assert_eq!(t.dropped(), 0, "the sent value was dropped by its slot");
    drop(room.recv());
    t.check_all_dropped_once("__private slots, send chosen");

    // Default: nothing ready; the slot keeps its value and drops it once.
    let t = Tracker::new(10);
    let un = Chan::<Counted>::new(0);
    let mut out = SendSlot::new(t.make());
    assert_eq!(select([out.case(&un)], false), None);
    drop(out);
    t.check_all_dropped_once("__private slots, default");
}

/// A zero-sized type with a drop side effect: a buffer of zero-sized values still
/// holds values that must be dropped.
#[test]
fn zero_sized_values_with_drop_are_dropped() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Z;
    impl Drop for Z {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    let ch = Chan::<Z>::new(5);
    for _ in 0..3 {
        ch.send(Z);
    }
    drop(ch.recv());
    assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    drop(ch);
    assert_eq!(DROPS.load(Ordering::SeqCst), 3);
}

/// Many threads, close in the middle, leftovers dropped with the channel.
#[test]
fn drop_counts_under_contention() {
    const P: usize = 4;
    // Under Miri (scripts/miri.sh) a few hundred per producer.
    const PER: usize = if cfg!(miri) { 300 } else { 20_000 };
    let t = Tracker::new(P * PER);
    let ch = Chan::<Counted>::new(32);
    let producers: Vec<_> = (0..P)
        .map(|_| {
            let (c, t) = (ch.clone(), t.clone());
            thread::spawn(move || {
                for _ in 0..PER {
                    let v = t.make();
                    match c.try_send(v) {
                        Ok(()) => {}
                        Err(TrySendError::Full(v)) => {
                            if catch_unwind(AssertUnwindSafe(|| c.send(v))).is_err() {
                                return;
                            }
                        }
                        Err(TrySendError::Closed(_)) => return,
                    }
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let c = ch.clone();
            thread::spawn(move || {
                let mut n = 0;
                // Together the consumers take 20 000 of the 80 000 values
                // (Miri: an eighth of them too); close strands the rest.
                while n < P * PER / 8 {
                    match c.recv() {
                        Some(v) => drop(v),
                        None => break,
                    }
                    n += 1;
                }
            })
        })
        .collect();
    for c in consumers {
        c.join().unwrap();
    }
    ch.close();
    for p in producers {
        p.join().unwrap();
    }
    drop(ch);
    t.check_all_dropped_once("contention");
    assert_eq!(t.dropped(), t.created());
}
