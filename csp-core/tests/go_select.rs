//! Port of Go's test/chan/select.go (go1.23.5), at Go's size: every send
//! case's value expression is evaluated on each select, chosen or not (the
//! counter must reach 10); a nil channel disables its case; `default` runs when
//! nothing is ready.

use std::cell::Cell;

use csp_core::{select, Chan};

struct Values {
    counter: Cell<u32>,
    shift: Cell<u32>,
}

impl Values {
    fn get(&self) -> u32 {
        self.counter.set(self.counter.get() + 1);
        1 << self.shift.get()
    }

    /// Go's `Send`: loops until neither channel accepts, nil-ing a channel
    /// once it has taken a value. Returns how many values were sent.
    fn send(&self, mut a: Chan<u32>, mut b: Chan<u32>) -> u32 {
        let mut i = 0;
        loop {
            select! {
                case a <- self.get() => {
                    i += 1;
                    a = Chan::nil();
                },
                case b <- self.get() => {
                    i += 1;
                    b = Chan::nil();
                },
                default => break, // Rust's break leaves the loop: Go's `break LOOP`
            }
            self.shift.set(self.shift.get() + 1);
        }
        i
    }
}

#[test]
fn select_go() {
    let v = Values {
        counter: Cell::new(0),
        shift: Cell::new(0),
    };
    let a = Chan::new(1);
    let b = Chan::new(1);
    assert_eq!(v.send(a.clone(), b.clone()), 2);
    let (av, bv) = (a.recv().unwrap(), b.recv().unwrap());
    assert_eq!(av | bv, 3, "bad values {av} {bv}");
    assert_eq!(v.send(a.clone(), Chan::nil()), 1);
    assert_eq!(
        v.counter.get(),
        10,
        "both send values are evaluated on every select"
    );
}
