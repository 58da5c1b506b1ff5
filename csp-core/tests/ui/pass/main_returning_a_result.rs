#![deny(warnings)]

use std::num::ParseIntError;

#[csp_core::main(deadlock_detection = false)]
fn main() -> Result<(), ParseIntError> {
    let n: i32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}
