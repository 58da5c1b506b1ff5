use csp_core::{csp, Chan};

fn main() {
    let (inp, out): (Chan<i32>, Chan<i32>) = (Chan::new(1), Chan::new(1));
    csp! {
        // `<-inp` is an Option<i32>: None once `inp` is closed.
        out <- <-inp;
    }
}
