use csp_core::{csp, Chan};

fn main() {
    let ch: Chan<i32> = Chan::new(1);
    csp! {
        ch <- ;
    }
}
