//! `cargo xtask`: the benchmark harness (`bench`), report writer (`report`) and
//! run-to-run comparison (`compare`).
//!
//! The library part holds everything the tests exercise: parsing criterion's
//! estimates and `go test -bench` output, the `results.json` schema, the plots
//! and the report writer.

pub mod bench;
pub mod compare;
pub mod criterion;
pub mod gotest;
pub mod machine;
pub mod plots;
pub mod report;
pub mod results;
