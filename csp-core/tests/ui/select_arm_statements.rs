use csp_core::{select, Chan};

fn main() {
    let a: Chan<i32> = Chan::new(1);
    let b: Chan<i32> = Chan::new(1);
    select! {
        case v = <-a => let w = v; println!("{w:?}"),
        case <-b => {}
    }
}
