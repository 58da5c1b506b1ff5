//! Every diagnostic of the DSL, as a trybuild UI case in `tests/ui/`. Each
//! `.stderr` holds the message users see; regenerate with `TRYBUILD=overwrite`
//! and read the result. `tests/ui/pass/` holds programs that must build with
//! `#![deny(warnings)]` and run.

#[test]
fn dsl_diagnostics() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
