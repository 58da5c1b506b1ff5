use csp_core::{csp, Chan};

fn main() {
    let ch = Chan::new(1);
    csp! {
        let f = move || ch <- 1;
        f();
    }
}
