use csp_core::{select, Chan};

fn main() {
    let ch: Chan<i32> = Chan::new(1);
    select! {
        case v = <-ch println!("{v:?}"),
    }
}
