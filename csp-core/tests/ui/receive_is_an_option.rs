use csp_core::{csp, Chan};

fn main() {
    let ch: Chan<i32> = Chan::new(1);
    // `<-ch + 1` is `(<-ch) + 1`: an Option<i32> plus an integer.
    let v = csp! { <-ch + 1 };
    println!("{v}");
}
