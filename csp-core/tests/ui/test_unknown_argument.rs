#[csp_core::test(flavor = "multi_thread")]
fn runs() {}

fn main() {}
