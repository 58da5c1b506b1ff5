// Not a literal: the type checker reports it, at the value.
const DETECT: usize = 1;

#[csp_core::main(workers = 2, deadlock_detection = DETECT)]
fn main() {}
