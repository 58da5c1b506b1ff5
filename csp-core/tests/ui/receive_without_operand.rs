use csp_core::{csp, Chan};

fn main() {
    let _ch: Chan<i32> = Chan::new(1);
    csp! {
        let v = <-;
    }
}
