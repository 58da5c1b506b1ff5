// The one error, and no warning about the placeholder left in its place
// (its unused parameter) or about `#[should_panic]` on what is no test.
#[csp_core::test]
#[should_panic]
async fn panics(n: u32) {
    assert_eq!(n, 0);
}

fn main() {}
