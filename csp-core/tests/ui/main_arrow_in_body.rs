#[csp_core::main]
fn main() {
    let ch = csp_core::Chan::new(1);
    ch <- 1;
}
