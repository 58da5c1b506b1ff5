#[csp_core::main(stack_size = "1M")]
fn main() {}
