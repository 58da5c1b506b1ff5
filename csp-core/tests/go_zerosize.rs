//! Port of Go's `test/chan/zerosize.go`: making unbuffered and buffered channels of
//! zero-sized element types must not panic. Extended: values of those types move.

use std::thread;

use csp_core::Chan;

#[test]
fn zerosize() {
    let _ = Chan::<[u8; 0]>::new(0);
    let _ = Chan::<[u8; 0]>::new(1);
    let _ = Chan::<()>::new(0);
    let _ = Chan::<()>::new(1);
}

/// A zero-sized struct, as Go's `struct{}`.
#[derive(Debug, PartialEq)]
struct Empty;

#[test]
fn zerosize_values_move() {
    for cap in [0, 1, 5] {
        let c = Chan::<Empty>::new(cap);
        let c2 = c.clone();
        let h = thread::spawn(move || {
            for _ in 0..100 {
                c2.send(Empty);
            }
            c2.close();
        });
        assert_eq!(c.iter().count(), 100, "cap {cap}");
        h.join().unwrap();
        assert_eq!(c.recv(), None);

        let a = Chan::<[u8; 0]>::new(cap);
        let a2 = a.clone();
        let h = thread::spawn(move || a2.recv());
        a.send([]);
        assert_eq!(h.join().unwrap(), Some([]));
    }
}
