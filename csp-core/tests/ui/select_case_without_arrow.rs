use csp_core::{select, Chan};

fn main() {
    let a: Chan<i32> = Chan::new(1);
    select! {
        case a => {}
        default => {}
    }
}
