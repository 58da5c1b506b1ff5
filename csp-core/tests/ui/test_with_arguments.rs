#[csp_core::test]
fn takes_a_value(n: u32) {
    assert_eq!(n, 1);
}

fn main() {}
