#[csp_core::main(workers = 0)]
fn main() {}
