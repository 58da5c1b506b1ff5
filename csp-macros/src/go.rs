//! `go!`: start a goroutine. `go! { .. }` runs the block in the new
//! goroutine; `go!(f(a, b))` is Go's `go f(a, b)`: the function value (a
//! method's receiver, a computed function) and the arguments are evaluated
//! here, in the calling goroutine, in that order; the call runs in the new one.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};

use crate::arrow::{self, Ctx};

const WRITE_GO: &str = "`go!(..)` takes a function call, like `go!(worker(jobs, results))`; \
     to run statements, write `go! { .. }`";

pub(crate) fn expand(input: TokenStream, call_form: bool) -> syn::Result<TokenStream> {
    if !call_form {
        let body = arrow::lower(input, Ctx::Block)?;
        return Ok(spawn(quote!(move || { #body })));
    }
    if input.is_empty() {
        return Err(syn::Error::new(Span::call_site(), WRITE_GO));
    }
    let lowered = arrow::lower(input, Ctx::Expr)?;
    let expr: syn::Expr = syn::parse2(lowered)?;
    let local = |name: &str| syn::Ident::new(name, Span::mixed_site());
    // What is evaluated here, in order, and the call made in the goroutine.
    let mut early: Vec<(syn::Ident, &syn::Expr)> = Vec::new();
    let (callee, args) = match &expr {
        // A named function is not evaluated; a computed one is.
        syn::Expr::Call(c) if matches!(*c.func, syn::Expr::Path(_)) => {
            (c.func.to_token_stream(), &c.args)
        }
        syn::Expr::Call(c) => {
            early.push((local("__csp_fn"), &*c.func));
            (local("__csp_fn").to_token_stream(), &c.args)
        }
        syn::Expr::MethodCall(m) => {
            let (method, turbofish) = (&m.method, &m.turbofish);
            let recv = local("__csp_recv");
            early.push((recv.clone(), &*m.receiver));
            (quote!(#recv.#method #turbofish), &m.args)
        }
        other => return Err(syn::Error::new_spanned(other.to_token_stream(), WRITE_GO)),
    };
    let names: Vec<syn::Ident> = (0..args.len())
        .map(|i| format_ident!("__csp_arg{}", i, span = Span::mixed_site()))
        .collect();
    early.extend(names.iter().cloned().zip(args.iter()));
    let (locals, values): (Vec<_>, Vec<_>) = early.into_iter().unzip();
    let spawned = spawn(quote!(move || #callee(#(#names),*)));
    Ok(quote!({
        #(let #locals = #values;)*
        #spawned
    }))
}

/// `::csp_core::spawn(f)`, spanned at the macro call so that spawn's
/// `#[track_caller]` records the user's `go!` line.
fn spawn(closure: TokenStream) -> TokenStream {
    quote!(::csp_core::spawn(#closure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_errors, norm, show, toks};

    fn exp(src: &str, call: bool) -> String {
        show(expand(toks(src), call))
    }

    #[test]
    fn block_form_moves_the_block_into_the_goroutine() {
        assert_eq!(
            exp("ch <- f(<-a);", false),
            norm("::csp_core::spawn(move || { ::csp_core::__private::send(&ch, f(::csp_core::__private::recv(&a))); })")
        );
    }

    #[test]
    fn call_form_evaluates_arguments_first() {
        assert_eq!(
            exp("worker(id, jobs.clone(), <-ready)", true),
            norm(
                "{ let __csp_arg0 = id; let __csp_arg1 = jobs.clone(); \
                 let __csp_arg2 = ::csp_core::__private::recv(&ready); \
                 ::csp_core::spawn(move || worker(__csp_arg0, __csp_arg1, __csp_arg2)) }"
            )
        );
        assert_eq!(
            exp("w.clone().run::<u8>(x)", true),
            norm(
                "{ let __csp_recv = w.clone(); let __csp_arg0 = x; \
                 ::csp_core::spawn(move || __csp_recv.run::<u8>(__csp_arg0)) }"
            )
        );
        assert_eq!(
            exp("handlers[i](x)", true),
            norm(
                "{ let __csp_fn = handlers[i]; let __csp_arg0 = x; \
                 ::csp_core::spawn(move || __csp_fn(__csp_arg0)) }"
            )
        );
    }

    #[test]
    fn call_form_rejects_non_calls() {
        assert_errors(
            |src| exp(src, true),
            &[
                ("x + 1", "`go!(..)` takes a function call"),
                ("", "`go!(..)` takes a function call"),
            ],
        );
    }
}
