#[csp_core::test(leaks = "ignore")]
fn runs() {}

fn main() {}
