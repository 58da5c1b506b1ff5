//! Two goroutines hit a ball back and forth over an unbuffered channel, as in
//! the classic Go program:
//!
//! ```go
//! func player(name string, table chan *Ball) {
//!     for {
//!         ball := <-table
//!         ball.hits++
//!         fmt.Println(name, ball.hits)
//!         table <- ball
//!     }
//! }
//! ```
//!
//! Run with `cargo run -p csp-core --example ping_pong`.

use csp_core::{csp, go, Chan};

const HITS: u32 = 10;

#[derive(Debug)]
struct Ball {
    hits: u32,
}

fn player(name: &'static str, table: Chan<Ball>, done: Chan<Ball>) {
    csp! {
        loop {
            let Some(mut ball) = <-table else { return };
            ball.hits += 1;
            println!("{name} {}", ball.hits);
            if ball.hits == HITS {
                done <- ball;
                return;
            }
            table <- ball;
        }
    }
}

#[csp_core::main]
fn main() {
    let table = Chan::new(0);
    let done = Chan::new(0);
    go!(player("ping", table.clone(), done.clone()));
    go!(player("pong", table.clone(), done.clone()));
    csp! {
        table <- Ball { hits: 0 };
        let ball = (<-done).expect("a player ends the game");
        println!("game over after {} hits", ball.hits);
        assert_eq!(ball.hits, HITS);
    }
    // The other player is still waiting at the table; returning from main
    // ends the program, as in Go.
}
