#[csp_core::test]
fn sends() {
    let ch = csp_core::Chan::new(1);
    ch <- 1;
}

fn main() {}
