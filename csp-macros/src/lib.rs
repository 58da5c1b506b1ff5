//! Procedural macros of csp: Go's `go`, `select` and `<-` for Rust. Use them
//! through `csp_core`, which re-exports them; the generated code names
//! `::csp_core`.
//!
//! Every macro shares one lowering of Go's arrow: `<-` written without a space
//! (the tokenizer glues the `<` to the `-`) is the channel operator, while
//! `a < -b`, with a space, stays a comparison.

mod arrow;
mod entry;
mod go;
mod select;
#[cfg(test)]
mod test_util;
mod tokens;

use proc_macro::TokenStream;

/// Starts a goroutine, as Go's `go` statement, and returns its
/// `JoinHandle<T>`.
///
/// - `go! { .. }` runs the block in a new goroutine. The block is a `move`
///   closure's body: it takes ownership of what it uses (clone a channel
///   first to keep using it here), and `return` leaves the goroutine.
/// - `go!(f(a, b))` is Go's `go f(a, b)`: the arguments are evaluated now, in
///   the calling goroutine, and the call runs in the new one. So
///   `go!(worker(jobs.clone()))` clones here, and `jobs` stays usable.
///
/// Go's arrow works inside: `ch <- v;` sends, `<-ch` receives an
/// `Option<T>` (`None` once the channel is closed and drained).
///
/// ```
/// use csp_core::{go, Chan};
///
/// let ch = Chan::new(0);
/// let tx = ch.clone();
/// let h = go! {
///     for i in 0..3 {
///         tx <- i;
///     }
///     tx.close();
/// };
/// let got: Vec<i32> = ch.iter().collect();
/// assert_eq!(got, [0, 1, 2]);
/// h.join().unwrap();
/// ```
#[proc_macro]
pub fn go(input: TokenStream) -> TokenStream {
    let call_form = invoked_with_parens();
    emit(go::expand(input.into(), call_form))
}

/// Go's `select` statement, as an expression whose value is the chosen arm's.
///
/// ```text
/// select! {
///     case v = <-ch => ..,      // receive: v is an Option<T>, None once ch is closed
///     case <-done => ..,        // receive, value dropped
///     case out <- value => ..,  // send
///     default => ..,            // taken when no case is ready (optional)
/// }
/// ```
///
/// As in Go, every channel expression and every send value is evaluated
/// once, in source order, before the select chooses; a receive's pattern is
/// bound only in the chosen arm. Among ready cases one is chosen uniformly at
/// random. A nil channel (`Chan::nil()`) never becomes ready, which disables
/// its case. Channel expressions may be `Chan<T>` or `&Chan<T>`, with a
/// different element type in each case. The pattern of a receive binds an
/// `Option<T>`, so it must accept both `Some` and `None` (write `v`, `_`, or
/// `Some(_) | None`).
///
/// `select! {}` blocks forever. One case without `default` is the plain
/// operation; one case with `default` is the non-blocking one; otherwise the
/// cases live in slots on the stack: a fixed `select!` never allocates.
///
/// **`break` and `continue`** in an arm act on the enclosing Rust loop (in Go,
/// `break` leaves the select). An arm runs at the select's place, so `return`
/// and `?` work as in a `match`.
///
/// ```
/// use csp_core::{select, Chan};
///
/// let a = Chan::new(1);
/// let b: Chan<&str> = Chan::new(1);
/// a.send(7);
/// let got = select! {
///     case v = <-a => v,
///     case <-b => None,
///     case b <- "hi" => None,
/// };
/// // `a` held a value and `b` had room: either case could be chosen.
/// assert!(got == Some(7) || got.is_none());
/// let idle = select! {
///     case v = <-Chan::<i32>::nil() => v,
///     default => Some(-1),
/// };
/// assert_eq!(idle, Some(-1));
/// ```
#[proc_macro]
pub fn select(input: TokenStream) -> TokenStream {
    emit(select::expand(input.into()))
}

/// Evaluates a block in place with Go's arrow lowered: channel code outside
/// a goroutine, in a test or in `main`.
///
/// ```
/// use csp_core::{csp, Chan};
///
/// let ch = Chan::new(1);
/// let v = csp! {
///     ch <- 5;
///     <-ch
/// };
/// assert_eq!(v, Some(5));
/// ```
#[proc_macro]
pub fn csp(input: TokenStream) -> TokenStream {
    emit(arrow::lower(input.into(), arrow::Ctx::Block).map(|b| quote::quote!({ #b })))
}

/// Runs `main` as the main goroutine inside `csp_core::run`, with deadlock
/// detection: `#[csp_core::main]`.
///
/// Arguments set the runtime as `Builder`'s methods of the same names do, in
/// any combination: `workers = N` (worker threads, Go's `GOMAXPROCS`; at
/// least 1), `stack_size = BYTES` (per goroutine) and `deadlock_detection =
/// BOOL`, as in `#[csp_core::main(workers = 4, stack_size = 1 << 20)]`. Each
/// value is any expression of the method's parameter type.
///
/// The body must already be valid Rust (the compiler parses it before the
/// attribute runs), so Go's arrow is not available directly in it: use
/// `csp! { .. }`, `go!`, `select!`, or `ch.send(v)` / `ch.recv()`.
///
/// ```
/// use csp_core::{csp, go, Chan};
///
/// #[csp_core::main(workers = 2, stack_size = 1 << 20)]
/// fn main() {
///     let ch = Chan::new(0);
///     let tx = ch.clone();
///     go! { tx <- "hello"; };
///     assert_eq!(csp! { <-ch }, Some("hello"));
/// }
/// ```
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand_or_stub(attr.into(), item.into(), false).into()
}

/// A `#[test]` whose body runs as the main goroutine inside `csp_core::run`,
/// with deadlock detection: `#[csp_core::test]`, or with the arguments of
/// [`macro@main`] (`workers = N`, `stack_size = BYTES`, `deadlock_detection =
/// BOOL`), as in `#[csp_core::test(workers = 1)]`. As with [`macro@main`], the
/// body must be valid Rust: use `csp! { .. }` for arrows.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand_or_stub(attr.into(), item.into(), true).into()
}

fn emit(r: syn::Result<proc_macro2::TokenStream>) -> TokenStream {
    r.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Whether the macro was invoked as `name!(..)` rather than `name! { .. }`. A
/// proc macro does not see its delimiter, but the invocation's source text
/// shows it; without source text (some expansions) a block is assumed, the
/// meaning that evaluates nothing early.
fn invoked_with_parens() -> bool {
    let Some(text) = proc_macro::Span::call_site().source_text() else {
        return false;
    };
    let Some(bang) = text.find('!') else {
        return false;
    };
    text[bang + 1..].trim_start().starts_with('(')
}
