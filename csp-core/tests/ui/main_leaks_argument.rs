#[csp_core::main(leaks = "allow")]
fn main() {}
