use csp_core::{csp, Chan};

fn main() {
    let (a, b) = (Chan::new(1), Chan::new(1));
    csp! {
        a <- b <- 1;
    }
}
