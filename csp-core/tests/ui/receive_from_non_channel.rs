use csp_core::csp;

fn main() {
    let n = 5;
    let v = csp! { <-n };
    println!("{v:?}");
}
