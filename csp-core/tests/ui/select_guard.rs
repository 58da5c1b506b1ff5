use csp_core::{select, Chan};

fn main() {
    let ch: Chan<i32> = Chan::new(1);
    let ready = true;
    select! {
        case v = <-ch if ready => println!("{v:?}"),
        default => {}
    }
}
