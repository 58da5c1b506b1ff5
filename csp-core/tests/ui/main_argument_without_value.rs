#[csp_core::main(stack_size)]
fn main() {}
