use csp_core::{select, Chan};

fn main() {
    let a: Chan<i32> = Chan::new(1);
    let n = 5;
    select! {
        case v = <-a => println!("{v:?}"),
        case v = <-n => println!("{v:?}"),
    }
}
