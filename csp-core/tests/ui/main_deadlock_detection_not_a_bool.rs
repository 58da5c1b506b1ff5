#[csp_core::main(deadlock_detection = 0)]
fn main() {}
