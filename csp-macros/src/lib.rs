//! Procedural macros of csp. Use them through `csp_core`, which re-exports them.
