use csp_core::csp;

fn main() {
    let n = vec![1];
    csp! {
        n <- 2;
    }
}
