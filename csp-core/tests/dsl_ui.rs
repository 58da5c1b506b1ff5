//! Every diagnostic of the DSL, as a trybuild UI case in `tests/ui/`. Each
//! `.stderr` holds the message users see; regenerate with `TRYBUILD=overwrite`
//! and read the result.

#[test]
fn dsl_diagnostics() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
