// A real `fn main` under every argument, compiled with warnings denied and
// run: the settings reach the runtime (a 2 MiB frame needs `stack_size`).
#![deny(warnings)]

use csp_core::{csp, go, select, Chan};

#[inline(never)]
fn deep() -> u8 {
    let frame = std::hint::black_box([7u8; 2 << 20]);
    frame[frame.len() - 1]
}

#[csp_core::main(workers = 2, stack_size = 8 << 20, deadlock_detection = true)]
fn main() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    go! { tx <- deep(); };
    let v = select! {
        case v = <-ch => { v },
    };
    assert_eq!(v, Some(7));
    csp! { println!("{v:?}"); }
}
