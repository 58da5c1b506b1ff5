#[csp_core::main(workers = true)]
fn main() {}
