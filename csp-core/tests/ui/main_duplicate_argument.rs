#[csp_core::main(workers = 1, stack_size = 65536, workers = 2)]
fn main() {}
