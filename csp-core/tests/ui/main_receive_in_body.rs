// A receive does not even parse as Rust: rustc's parse error comes first
// (it is emitted before any macro runs), then the DSL's, and nothing else
// (no "`main` function not found").
#[csp_core::main]
fn main() {
    let ch = csp_core::Chan::new(1);
    ch.send(1);
    let v = <-ch;
    println!("{v:?}");
}
