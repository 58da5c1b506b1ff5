#[csp_core::main(threads = 4)]
fn main() {}
