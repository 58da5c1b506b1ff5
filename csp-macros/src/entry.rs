//! `#[csp_core::main]` and `#[csp_core::test]`: the function body runs as the
//! main goroutine inside `::csp_core::run`, or inside a `Builder` given the
//! attribute's arguments (`workers = N`, `stack_size = BYTES`,
//! `deadlock_detection = BOOL`). `#[csp_core::test]` also takes `leaks =
//! "check" | "allow"`: by default the body runs inside
//! `::csp_core::testing::check_leaks`, which fails the test if goroutines it
//! started are still there at its end.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{quote, ToTokens};

use crate::tokens::{is_arrow, is_ident, is_punct};

/// What an argument's value is.
#[derive(Clone, Copy)]
enum Kind {
    /// A count, at least 1.
    Count,
    /// A number of bytes.
    Bytes,
    Bool,
    /// `"check"` or `"allow"`: not a `Builder` setting (`#[csp_core::test]` only).
    Leaks,
}

/// The attribute's arguments: each is the `Builder` method of its name, and
/// what its value is written as in messages.
/// `leaks` (the last) is an argument of `#[csp_core::test]` only.
const ARGS: [(&str, &str, Kind); 5] = [
    ("workers", "N", Kind::Count),
    ("stack_size", "BYTES", Kind::Bytes),
    ("deadlock_detection", "BOOL", Kind::Bool),
    ("max_threads", "N", Kind::Count),
    ("leaks", "\"check\" | \"allow\"", Kind::Leaks),
];

/// The arguments, as a list for messages: "`workers = N`, `stack_size =
/// BYTES`, `deadlock_detection = BOOL`, `max_threads = N`" (and `leaks = ..`
/// for a test).
fn accepted(test: bool) -> String {
    let list: Vec<String> = ARGS
        .iter()
        .filter(|(_, _, k)| test || !matches!(k, Kind::Leaks))
        .map(|(n, v, _)| format!("`{n} = {v}`"))
        .collect();
    list.join(", ")
}

/// What the attribute's arguments ask for.
struct Settings {
    /// `Builder` calls, in the order given.
    builder: Vec<(syn::Ident, syn::Expr)>,
    /// `leaks = "allow"`: no leak check at the end of the test.
    allow_leaks: bool,
}

/// The expansion, or the error next to a stub of the function, so that the
/// error is not followed by "`main` function not found".
pub(crate) fn expand_or_stub(attr: TokenStream, item: TokenStream, test: bool) -> TokenStream {
    match expand(attr, item.clone(), test) {
        Ok(ts) => ts,
        Err(e) => {
            let mut out = e.to_compile_error();
            out.extend(stub(item));
            out
        }
    }
}

/// The function as written with its body replaced, made from the tokens
/// rather than parsed: the body may be what failed to parse (`let v = <-ch;`).
/// The placeholder never runs: rustc's warning that its parameters are unused
/// (the one warning it still gives after the error, as
/// `tests/ui/test_async_with_should_panic.rs` checks) would only bury the error.
fn stub(item: TokenStream) -> TokenStream {
    let mut toks: Vec<TokenTree> = item.into_iter().collect();
    if !matches!(toks.last(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace) {
        return TokenStream::new();
    }
    toks.pop();
    // The stub is not async (`async fn main` is one of the errors): drop an
    // `async` among the qualifiers before `fn`.
    let fn_at = toks
        .iter()
        .position(|t| is_ident(Some(t), "fn"))
        .unwrap_or(0);
    let toks = toks
        .into_iter()
        .enumerate()
        .filter(|(k, t)| *k >= fn_at || !is_ident(Some(t), "async"))
        .map(|(_, t)| t);
    quote! {
        #[allow(unused_variables)]
        #(#toks)* { ::core::unreachable!() }
    }
}

pub(crate) fn expand(attr: TokenStream, item: TokenStream, test: bool) -> syn::Result<TokenStream> {
    let name = if test {
        "#[csp_core::test]"
    } else {
        "#[csp_core::main]"
    };
    let Settings {
        builder: settings,
        allow_leaks,
    } = parse_args(attr, name, test)?;

    // Before parsing: syn's tokens no longer tell `ch <-1` from `ch < -1`.
    reject_arrows(item.clone(), name)?;
    let f: syn::ItemFn = syn::parse2(item)?;
    if let Some(a) = &f.sig.asyncness {
        return Err(syn::Error::new_spanned(
            a,
            format!(
                "goroutines are not async: remove `async` ({name} runs the body as a goroutine)"
            ),
        ));
    }
    if !f.sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &f.sig.inputs,
            format!("a {name} function takes no arguments"),
        ));
    }
    if !f.sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &f.sig.generics,
            format!("a {name} function has no generic parameters"),
        ));
    }

    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = f;
    let ret = match &sig.output {
        syn::ReturnType::Default => quote!(),
        syn::ReturnType::Type(_, ty) => quote!(-> #ty),
    };
    let closure = if test && !allow_leaks {
        quote!(move || #ret { ::csp_core::testing::check_leaks(move || #ret #block) })
    } else {
        quote!(move || #ret #block)
    };
    let run = if settings.is_empty() {
        quote!(::csp_core::run(#closure))
    } else {
        // The method names carry the user's spans: a value of the wrong type
        // is reported at the argument.
        let calls = settings
            .iter()
            .map(|(method, value)| quote!(.#method(#value)));
        quote!(::csp_core::Builder::new() #(#calls)* .run(#closure))
    };
    let test_attr = test.then(|| quote!(#[::core::prelude::v1::test]));
    Ok(quote! {
        #test_attr
        #(#attrs)*
        #vis #sig {
            #run
        }
    })
}

/// `workers = N, stack_size = BYTES, deadlock_detection = BOOL`, any of them,
/// in any order, each at most once: the `Builder` calls to make.
fn parse_args(attr: TokenStream, name: &str, test: bool) -> syn::Result<Settings> {
    let mut settings: Vec<(syn::Ident, syn::Expr)> = Vec::new();
    let mut leaks: Option<bool> = None;
    let parser = syn::meta::parser(|meta| {
        let known = meta.path.get_ident().and_then(|i| {
            ARGS.iter()
                .find(|(n, _, _)| i == n)
                .map(|a| (i.clone(), *a))
        });
        let Some((ident, (arg, value, kind))) = known else {
            let path = meta.path.to_token_stream().to_string().replace(' ', "");
            return Err(meta.error(format!(
                "unknown argument `{path}`: {name} takes {}",
                accepted(test)
            )));
        };
        if matches!(kind, Kind::Leaks) {
            if !test {
                return Err(meta.error(format!(
                    "`leaks` is an argument of #[csp_core::test]: {name} takes {}",
                    accepted(test)
                )));
            }
            if leaks.is_some() {
                return Err(meta.error(format!("`{arg}` is given twice: keep one")));
            }
            if !meta.input.peek(syn::Token![=]) {
                return Err(meta.error(format!("`{arg}` takes a value: write `{arg} = \"allow\"`")));
            }
            let v: syn::Expr = meta.value()?.parse()?;
            leaks = Some(leaks_value(&v)?);
            return Ok(());
        }
        if settings.iter().any(|(i, _)| i == arg) {
            return Err(meta.error(format!("`{arg}` is given twice: keep one")));
        }
        if !meta.input.peek(syn::Token![=]) {
            return Err(meta.error(format!("`{arg}` takes a value: write `{arg} = {value}`")));
        }
        let v: syn::Expr = meta.value()?.parse()?;
        check_value(&v, arg, kind)?;
        settings.push((ident, v));
        Ok(())
    });
    syn::parse::Parser::parse2(parser, attr)?;
    Ok(Settings {
        builder: settings,
        allow_leaks: leaks.unwrap_or(false),
    })
}

/// `leaks = "check"` (false) or `"allow"` (true); anything else is an error.
fn leaks_value(v: &syn::Expr) -> syn::Result<bool> {
    if let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(s),
        ..
    }) = v
    {
        match s.value().as_str() {
            "check" => return Ok(false),
            "allow" => return Ok(true),
            _ => {}
        }
    }
    Err(syn::Error::new_spanned(
        v,
        "`leaks` is \"check\" (the default: the test fails if goroutines it started are \
         still running at its end) or \"allow\"",
    ))
}

/// A literal of the wrong kind, or `workers = 0`, said in the DSL's words;
/// other expressions are left to the type checker.
fn check_value(v: &syn::Expr, arg: &str, kind: Kind) -> syn::Result<()> {
    let syn::Expr::Lit(syn::ExprLit { lit, .. }) = v else {
        return Ok(());
    };
    match (kind, lit) {
        (Kind::Count, syn::Lit::Int(i)) => {
            if i.base10_parse::<usize>()? == 0 {
                return Err(syn::Error::new_spanned(i, format!("`{arg}` is at least 1")));
            }
        }
        (Kind::Bytes, syn::Lit::Int(i)) => {
            i.base10_parse::<usize>()?;
        }
        (Kind::Bool, syn::Lit::Bool(_)) | (Kind::Leaks, _) => {}
        (Kind::Count, _) => {
            return Err(syn::Error::new_spanned(
                lit,
                format!("`{arg}` is a number of threads: `{arg} = 4`"),
            ))
        }
        (Kind::Bytes, _) => {
            return Err(syn::Error::new_spanned(
                lit,
                format!("`{arg}` is a number of bytes: `{arg} = 1 << 20`"),
            ))
        }
        (Kind::Bool, _) => {
            return Err(syn::Error::new_spanned(
                lit,
                format!("`{arg}` is `true` or `false`"),
            ))
        }
    }
    Ok(())
}

/// An attribute body is parsed as Rust before the macro sees it, so `ch <- 1;`
/// there already means `ch < -1`. Say so rather than compile a comparison.
fn reject_arrows(ts: TokenStream, name: &str) -> syn::Result<()> {
    let toks: Vec<TokenTree> = ts.into_iter().collect();
    let mut i = 0;
    while i < toks.len() {
        if is_arrow(&toks, i) {
            // Both tokens, so that the error underlines all of `<-`.
            let arrow: TokenStream = toks[i..i + 2].iter().cloned().collect();
            return Err(syn::Error::new_spanned(
                arrow,
                format!(
                    "`<-` is not available directly in a {name} body: the compiler parses \
                     the body as Rust before the attribute runs (hence the error above), and \
                     Rust has no `<-`; put channel code in `csp! {{ .. }}`, `go! {{ .. }}` or \
                     `select! {{ .. }}`, or call `ch.send(v)` / `ch.recv()`; for a comparison \
                     write `a < -b`"
                ),
            ));
        }
        let t = toks.get(i);
        // Macro arguments are not parsed as Rust (go!, select!, csp! lower
        // theirs); attributes are not code.
        let macro_call = is_punct(t, '!') && i > 0 && matches!(toks[i - 1], TokenTree::Ident(_));
        if (macro_call || is_punct(t, '#')) && matches!(toks.get(i + 1), Some(TokenTree::Group(_)))
        {
            i += 2;
            continue;
        }
        if let Some(TokenTree::Group(g)) = t {
            reject_arrows(g.stream(), name)?;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_errors, norm, show, toks};

    fn exp(attr: &str, src: &str, test: bool) -> String {
        show(expand(toks(attr), toks(src), test))
    }

    fn err(attr: &str, src: &str) -> String {
        expand_or_stub(toks(attr), toks(src), false)
            .to_string()
            .replace(' ', "")
    }

    #[test]
    fn main_runs_the_body_as_the_main_goroutine() {
        assert_eq!(
            exp("", "fn main() { let x = 1; }", false),
            norm("fn main() { ::csp_core::run(move || { let x = 1; }) }")
        );
        assert_eq!(
            exp("workers = 2", "pub fn main() -> Result<(), E> { Ok(()) }", false),
            norm("pub fn main() -> Result<(), E> { ::csp_core::Builder::new().workers(2).run(move || -> Result<(), E> { Ok(()) }) }")
        );
    }

    #[test]
    fn every_builder_setting_in_the_order_given() {
        assert_eq!(
            exp(
                "stack_size = 1 << 20, deadlock_detection = false, workers = N + 1",
                "fn main() {}",
                false
            ),
            norm(
                "fn main() { ::csp_core::Builder::new().stack_size(1 << 20)\
                 .deadlock_detection(false).workers(N + 1).run(move || {}) }"
            )
        );
        assert_eq!(
            exp("deadlock_detection = true,", "fn t() {}", true),
            norm(
                "#[::core::prelude::v1::test] fn t() { \
                 ::csp_core::Builder::new().deadlock_detection(true).run(move || \
                 { ::csp_core::testing::check_leaks(move || {}) }) }"
            )
        );
    }

    #[test]
    fn test_keeps_attributes() {
        assert_eq!(
            exp("", "#[should_panic] fn t() { f() }", true),
            norm(
                "#[::core::prelude::v1::test] #[should_panic] fn t() { ::csp_core::run(move || \
                  { ::csp_core::testing::check_leaks(move || { f() }) }) }"
            )
        );
    }

    #[test]
    fn leaks_allow_skips_the_leak_check() {
        assert_eq!(
            exp("leaks = \"allow\", workers = 2", "fn t() -> u8 { 1 }", true),
            norm(
                "#[::core::prelude::v1::test] fn t() -> u8 { \
                 ::csp_core::Builder::new().workers(2).run(move || -> u8 { 1 }) }"
            )
        );
        assert_eq!(
            exp("leaks = \"check\"", "fn t() -> u8 { 1 }", true),
            norm(
                "#[::core::prelude::v1::test] fn t() -> u8 { ::csp_core::run(move || -> u8 \
                 { ::csp_core::testing::check_leaks(move || -> u8 { 1 }) }) }"
            )
        );
        assert_errors(
            |attr| exp(attr, "fn t() {}", true),
            &[
                ("leaks = \"ignore\"", "`leaks` is \"check\""),
                ("leaks = true", "`leaks` is \"check\""),
                ("leaks", "`leaks` takes a value"),
                (
                    "leaks = \"allow\", leaks = \"allow\"",
                    "`leaks` is given twice",
                ),
            ],
        );
        assert!(exp("leaks = \"allow\"", "fn main() {}", false)
            .starts_with("ERR `leaks` is an argument of #[csp_core::test]"));
    }

    #[test]
    fn errors() {
        assert_eq!(
            exp("threads = 2", "fn main() {}", false),
            "ERR unknown argument `threads`: #[csp_core::main] takes `workers = N`, \
             `stack_size = BYTES`, `deadlock_detection = BOOL`, `max_threads = N`"
        );
        assert_errors(
            |attr| exp(attr, "fn main() {}", false),
            &[
                ("workers = 0", "`workers` is at least 1"),
                ("a::workers = 2", "unknown argument `a::workers`"),
                ("workers = 1, workers = 2", "`workers` is given twice"),
                ("stack_size", "`stack_size` takes a value"),
                ("workers(2)", "`workers` takes a value"),
                ("workers = true", "`workers` is a number of threads"),
                ("max_threads = 0", "`max_threads` is at least 1"),
                ("stack_size = \"1M\"", "`stack_size` is a number of bytes"),
                ("deadlock_detection = 0", "`deadlock_detection` is `true`"),
            ],
        );
        assert_errors(
            |src| exp("", src, false),
            &[
                ("async fn main() {}", "goroutines are not async"),
                ("fn main() { ch <- 1; }", "`<-` is not available"),
            ],
        );
        assert!(exp("", "fn t(x: u8) {}", true)
            .starts_with("ERR a #[csp_core::test] function takes no arguments"));
        assert!(!exp("", "fn main() { csp! { ch <- 1; } }", false).starts_with("ERR"));
        assert!(!exp("", "fn main() { csp!(<-ch); }", false).starts_with("ERR"));
    }

    #[test]
    fn an_error_comes_with_a_stub_of_the_function() {
        // Even when the body does not parse (a receive), `main` still exists.
        let s = err("", "fn main() { let v = <-ch; }");
        assert!(s.starts_with("::core::compile_error!"), "{s}");
        assert!(
            s.ends_with(&norm(
                "#[allow(unused_variables)] \
                 fn main() { ::core::unreachable!() }"
            )),
            "{s}"
        );
        let s = err("", "#[inline] pub async fn main() -> u8 { 1 }");
        assert!(
            s.ends_with(&norm(
                "#[allow(unused_variables)] \
                 #[inline] pub fn main() -> u8 { ::core::unreachable!() }"
            )),
            "{s}"
        );
        let s = err("threads = 1", "fn main() {}");
        assert!(s.contains("unknownargument") && s.ends_with("fnmain(){::core::unreachable!()}"));
    }
}
