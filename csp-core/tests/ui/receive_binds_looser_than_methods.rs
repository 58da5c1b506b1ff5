use csp_core::{csp, Chan};

fn main() {
    let ch: Chan<i32> = Chan::new(1);
    // `<-ch.unwrap()` is `<-(ch.unwrap())`, as in Go; write `(<-ch).unwrap()`.
    let v: i32 = csp! { <-ch.unwrap() };
    println!("{v}");
}
