//! Port of Go's `test/chan/select6.go` (issue 2075) with OS threads in place of
//! goroutines: a select's failed case that is last in a channel's wait queue must be
//! unlinked cleanly, or later waiters on that channel never wake. `c1` is such a channel.

use std::thread;

use csp_core::{Chan, Select};

#[test]
fn select6() {
    let c1 = Chan::<bool>::new(0);
    let c2 = Chan::<bool>::new(0);
    let c3 = Chan::<bool>::new(0);

    let a = c1.clone();
    let t1 = thread::spawn(move || a.recv());

    let (a, b, c) = (c1.clone(), c2.clone(), c3.clone());
    let t2 = thread::spawn(move || {
        let mut s = Select::new();
        let on_c1 = s.recv(&a);
        let on_c2 = s.recv(&b);
        let i = s.select().index();
        assert_ne!(i, on_c1, "dummy");
        assert_eq!(i, on_c2);
        c.send(true);
        a.recv()
    });

    let b = c2.clone();
    let t3 = thread::spawn(move || b.send(true));

    c3.recv();
    c1.send(true);
    c1.send(true);

    assert_eq!(t1.join().unwrap(), Some(true));
    assert_eq!(t2.join().unwrap(), Some(true));
    t3.join().unwrap();
}

/// The same shape repeated, so that the interleavings vary.
#[test]
fn select6_repeated() {
    for _ in 0..500 {
        select6();
    }
}
