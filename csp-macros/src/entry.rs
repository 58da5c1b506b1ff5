//! `#[csp_core::main]` and `#[csp_core::test]`: the function body runs as the
//! main goroutine inside `::csp_core::run` (or a `Builder` with `workers = N`).

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::tokens::{is_arrow, is_punct};

/// The expansion, or the error next to a stub of the function, so that the
/// error is not followed by "`main` function not found".
pub(crate) fn expand_or_stub(attr: TokenStream, item: TokenStream, test: bool) -> TokenStream {
    match expand(attr, item.clone(), test) {
        Ok(ts) => ts,
        Err(e) => {
            let err = e.to_compile_error();
            let Ok(f) = syn::parse2::<syn::ItemFn>(item) else {
                return err;
            };
            let syn::ItemFn {
                attrs,
                vis,
                mut sig,
                ..
            } = f;
            sig.asyncness = None;
            quote! {
                #err
                #(#attrs)*
                #[allow(unused_variables)]
                #vis #sig { ::core::unreachable!() }
            }
        }
    }
}

pub(crate) fn expand(attr: TokenStream, item: TokenStream, test: bool) -> syn::Result<TokenStream> {
    let name = if test {
        "#[csp_core::test]"
    } else {
        "#[csp_core::main]"
    };
    let mut workers: Option<syn::Expr> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("workers") {
            let n: syn::Expr = meta.value()?.parse()?;
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) = &n
            {
                if i.base10_parse::<usize>()? == 0 {
                    return Err(syn::Error::new_spanned(i, "`workers` is at least 1"));
                }
            }
            workers = Some(n);
            Ok(())
        } else {
            Err(meta.error(format!("unknown argument: {name} takes only `workers = N`")))
        }
    });
    syn::parse::Parser::parse2(parser, attr)?;

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
    let closure = match &sig.output {
        syn::ReturnType::Default => quote!(move || #block),
        syn::ReturnType::Type(_, ty) => quote!(move || -> #ty #block),
    };
    let run = match workers {
        Some(n) => quote!(::csp_core::Builder::new().workers(#n).run(#closure)),
        None => quote!(::csp_core::run(#closure)),
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

/// An attribute body is parsed as Rust before the macro sees it, so `ch <- 1;`
/// there already means `ch < -1`. Say so rather than compile a comparison.
fn reject_arrows(ts: TokenStream, name: &str) -> syn::Result<()> {
    let toks: Vec<TokenTree> = ts.into_iter().collect();
    let mut i = 0;
    while i < toks.len() {
        if is_arrow(&toks, i) {
            return Err(syn::Error::new(
                toks[i].span(),
                format!(
                    "`<-` is not available directly in a {name} body (it is parsed as Rust \
                     first, where `a <-b` means `a < -b`): put channel code in `csp! {{ .. }}`, \
                     `go! {{ .. }}` or `select! {{ .. }}`, or call `ch.send(v)` / `ch.recv()`; \
                     for a comparison write `a < -b`"
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

    fn exp(attr: &str, src: &str, test: bool) -> String {
        expand(attr.parse().unwrap(), src.parse().unwrap(), test)
            .map(|t| t.to_string().replace(' ', ""))
            .unwrap_or_else(|e| format!("ERR {e}"))
    }

    /// Token text without whitespace, so that spacing does not matter.
    fn norm(src: &str) -> String {
        src.parse::<TokenStream>()
            .unwrap()
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
    fn test_keeps_attributes() {
        assert_eq!(
            exp("", "#[should_panic] fn t() { f() }", true),
            norm("#[::core::prelude::v1::test] #[should_panic] fn t() { ::csp_core::run(move || { f() }) }")
        );
    }

    #[test]
    fn errors() {
        assert!(
            exp("workers = 0", "fn main() {}", false).starts_with("ERR `workers` is at least 1")
        );
        assert!(exp("threads = 2", "fn main() {}", false).starts_with("ERR unknown argument"));
        assert!(exp("", "async fn main() {}", false).starts_with("ERR goroutines are not async"));
        assert!(exp("", "fn t(x: u8) {}", true)
            .starts_with("ERR a #[csp_core::test] function takes no arguments"));
        assert!(exp("", "fn main() { ch <- 1; }", false).starts_with("ERR `<-` is not available"));
        assert!(!exp("", "fn main() { csp! { ch <- 1; } }", false).starts_with("ERR"));
    }
}
