//! Helpers of the unit tests: expansions compared as token text.

use proc_macro2::TokenStream;

/// Token text without whitespace, so that spacing does not matter.
pub(crate) fn norm(src: &str) -> String {
    src.parse::<TokenStream>()
        .unwrap()
        .to_string()
        .replace(' ', "")
}

/// An expansion as `norm` writes it, or `ERR ` and the error's message.
pub(crate) fn show(r: syn::Result<TokenStream>) -> String {
    r.map(|t| t.to_string().replace(' ', ""))
        .unwrap_or_else(|e| format!("ERR {e}"))
}

/// The tokens of a source snippet (tests write their input as text).
pub(crate) fn toks(src: &str) -> TokenStream {
    src.parse().unwrap()
}

/// Asserts that each `(input, message)` case expands to an error whose
/// message starts with `message`.
pub(crate) fn assert_errors(expand: impl Fn(&str) -> String, cases: &[(&str, &str)]) {
    for (input, msg) in cases {
        let got = expand(input);
        assert!(
            got.strip_prefix("ERR ").is_some_and(|m| m.starts_with(msg)),
            "{input:?}: expected the error {msg:?}..., got {got:?}"
        );
    }
}
