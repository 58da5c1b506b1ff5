//! Go's arrow, lowered at the token level (before any Rust parsing, since
//! `<-ch` is not Rust): `ch <- v` as a statement becomes
//! `::csp_core::__private::send(&ch, v)` and `<-ch` becomes
//! `::csp_core::__private::recv(&ch)`. Every macro of the crate uses this pass.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::tokens::{
    first_span, is_arrow, is_fat_arrow, is_group, is_ident, is_joint, is_operand_end, is_path_sep,
    is_punct, is_value_ident, skip_generics,
};

/// Where a token sequence sits: a block (statements, so `ch <- v;` may start
/// at its beginning) or an expression (call arguments, brackets, a value).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Ctx {
    Block,
    Expr,
}

/// Macros that lower their own arrows: their input is left alone, so that
/// `select! { case v = <-ch => .. }` inside `go!` still sees its arrows.
const SELF_LOWERING: &[&str] = &["go", "select", "csp"];

/// Lowers every arrow in `ts`.
pub(crate) fn lower(ts: TokenStream, ctx: Ctx) -> syn::Result<TokenStream> {
    let toks: Vec<TokenTree> = ts.into_iter().collect();
    lower_slice(&toks, ctx)
}

/// A statement-level send found by the first pass: `toks[lhs..arrow] <-
/// toks[arrow + 2..rhs_end]`.
struct SendStmt {
    lhs: usize,
    arrow: usize,
    rhs_end: usize,
}

pub(crate) fn lower_slice(toks: &[TokenTree], ctx: Ctx) -> syn::Result<TokenStream> {
    let sends = find_sends(toks, ctx)?;
    let mut out = TokenStream::new();
    let mut next_send = sends.iter().peekable();
    let mut i = 0;
    while i < toks.len() {
        if let Some(s) = next_send.next_if(|s| s.lhs == i) {
            out.extend(send_call(toks, s)?);
            i = s.rhs_end;
            continue;
        }
        if is_arrow(toks, i) {
            let end = recv_operand_end(toks, i)?;
            out.extend(recv_call(toks[i].span(), &toks[i + 2..end])?);
            i = end;
            continue;
        }
        match &toks[i] {
            TokenTree::Group(g) => {
                out.extend([lower_group(g)?]);
                i += 1;
            }
            // Attributes (`#[..]`, `#![..]`) are left as written.
            TokenTree::Punct(p) if p.as_char() == '#' => {
                let mut j = i + 1;
                if is_punct(toks.get(j), '!') {
                    j += 1;
                }
                let end = if is_group(toks.get(j), Delimiter::Bracket) {
                    j + 1
                } else {
                    i + 1
                };
                out.extend(toks[i..end].iter().cloned());
                i = end;
            }
            // Macro calls: their arguments are lowered too, except for the
            // macros that lower their own.
            TokenTree::Ident(name)
                if is_punct(toks.get(i + 1), '!')
                    && matches!(toks.get(i + 2), Some(TokenTree::Group(_))) =>
            {
                let Some(TokenTree::Group(g)) = toks.get(i + 2) else {
                    unreachable!()
                };
                out.extend(toks[i..i + 2].iter().cloned());
                if SELF_LOWERING.iter().any(|m| name == m) {
                    out.extend([TokenTree::Group(g.clone())]);
                } else {
                    out.extend([lower_group(g)?]);
                }
                i += 3;
            }
            t => {
                out.extend([t.clone()]);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// A group with its arrows lowered: braces hold statements, parentheses and
/// brackets expressions.
fn lower_group(g: &Group) -> syn::Result<TokenTree> {
    let inner = if g.delimiter() == Delimiter::Brace {
        Ctx::Block
    } else {
        Ctx::Expr
    };
    Ok(regroup(g, lower(g.stream(), inner)?))
}

fn regroup(g: &Group, stream: TokenStream) -> TokenTree {
    let mut new = Group::new(g.delimiter(), stream);
    new.set_span(g.span());
    TokenTree::Group(new)
}

/// First pass: every `X <- Y` at this level. A send is a statement: it must
/// start a statement (or a `match` arm's body); anywhere else it is an error.
fn find_sends(toks: &[TokenTree], ctx: Ctx) -> syn::Result<Vec<SendStmt>> {
    let mut sends = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        if is_arrow(toks, k) && k > 0 && is_operand_end(toks.get(k - 1)) {
            let lhs = send_lhs_start(toks, k);
            let Some(arm) = statement_start(toks, lhs, ctx) else {
                return Err(send_as_expression(toks, lhs, k));
            };
            let mut end = k + 2;
            while end < toks.len()
                && !is_punct(toks.get(end), ';')
                && !(arm && is_punct(toks.get(end), ','))
            {
                end += 1;
            }
            let chained =
                (k + 2..end).find(|&m| is_arrow(toks, m) && is_operand_end(toks.get(m - 1)));
            if let Some(m) = chained {
                return Err(syn::Error::new(
                    toks[m].span(),
                    "one send per statement: `a <- b <- v` would send the value of a send, \
                     which has none; write two statements: `b <- v; a <- w;`",
                ));
            }
            sends.push(SendStmt {
                lhs,
                arrow: k,
                rhs_end: end,
            });
            k = end;
        } else {
            k += 1;
        }
    }
    Ok(sends)
}

fn send_as_expression(toks: &[TokenTree], lhs: usize, arrow: usize) -> syn::Error {
    let mut msg = String::from(
        "`ch <- v` is a send statement and has no value: write it as a statement of its own \
         (`ch <- v;`), or call `ch.send(v)` where an expression is needed",
    );
    let prev = lhs.checked_sub(1).and_then(|i| toks.get(i));
    if is_punct(prev, '|') {
        msg.push_str("; in a closure, write `move || { ch <- v; }`");
    } else if !is_punct(prev, '=') {
        msg.push_str("; for a comparison with a negative number, put a space: `a < -b`");
    }
    syn::Error::new(toks[arrow].span(), msg)
}

/// Whether `toks[..lhs]` ends a statement, so that a send may start at `lhs`.
/// `Some(true)`: the send is a `match` arm's body (it ends at `,`).
fn statement_start(toks: &[TokenTree], lhs: usize, ctx: Ctx) -> Option<bool> {
    if lhs == 0 {
        return (ctx == Ctx::Block).then_some(false);
    }
    let prev = toks.get(lhs - 1);
    if is_punct(prev, ';') {
        return Some(false);
    }
    if lhs >= 2 && is_fat_arrow(toks, lhs - 2) {
        return Some(true);
    }
    // After a block-like statement (`if c { .. }`) or an attribute.
    if ctx == Ctx::Block
        && (is_group(prev, Delimiter::Brace)
            || (is_group(prev, Delimiter::Bracket) && lhs >= 2 && is_punct(toks.get(lhs - 2), '#')))
    {
        return Some(false);
    }
    None
}

/// Where the channel operand of the send whose arrow is at `arrow` starts:
/// scans back over one unary expression (`ch`, `self.chans[i]`, `<-cc`).
fn send_lhs_start(toks: &[TokenTree], arrow: usize) -> usize {
    let mut j = arrow;
    // Primary and postfix chain, right to left.
    while j > 0 {
        let t = toks.get(j - 1);
        if is_punct(t, '?') {
            j -= 1;
            continue;
        }
        match t {
            Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::Brace => {
                j -= 1;
                if j >= 2 && is_punct(toks.get(j - 1), '!') && is_value_ident(toks.get(j - 2)) {
                    j -= 1; // a macro call: its name is consumed next
                    continue;
                }
                if j > 0 && (is_operand_end(toks.get(j - 1)) || is_punct(toks.get(j - 1), '>')) {
                    if is_punct(toks.get(j - 1), '>') {
                        match turbofish_start(toks, j) {
                            Some(s) => j = s,
                            None => break,
                        }
                    }
                    continue; // a call or an index
                }
                break;
            }
            Some(TokenTree::Group(_)) => {
                if j >= 3 && is_punct(toks.get(j - 2), '!') && is_value_ident(toks.get(j - 3)) {
                    j -= 2;
                    continue;
                }
                break;
            }
            Some(TokenTree::Ident(_) | TokenTree::Literal(_)) if is_operand_end(t) => {
                j -= 1;
                if j > 0 && is_punct(toks.get(j - 1), '.') {
                    j -= 1;
                    continue;
                }
                if j >= 2 && is_path_sep(toks, j - 2) {
                    j -= 2;
                    continue;
                }
                break;
            }
            _ => break,
        }
    }
    // Prefix operators, right to left.
    while j > 0 {
        let t = toks.get(j - 1);
        if j >= 2 && is_arrow(toks, j - 2) {
            if j >= 3 && is_operand_end(toks.get(j - 3)) {
                break; // an infix arrow: `a <- b <- c`
            }
            j -= 2;
            continue;
        }
        if is_punct(t, '&') || is_punct(t, '*') {
            if j >= 2 && is_operand_end(toks.get(j - 2)) {
                break; // a binary operator
            }
            j -= 1;
            continue;
        }
        if is_ident(t, "mut") && j >= 2 && is_punct(toks.get(j - 2), '&') {
            j -= 1;
            continue;
        }
        break;
    }
    j
}

/// For a `>` just before index `end` closing `::<..>`, the index of the `::`.
fn turbofish_start(toks: &[TokenTree], end: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = end;
    while j > 0 {
        j -= 1;
        if is_punct(toks.get(j), '>') && !(j > 0 && is_joint(toks.get(j - 1), '-')) {
            depth += 1;
        } else if is_punct(toks.get(j), '<') {
            depth -= 1;
            if depth == 0 {
                return (j >= 2 && is_path_sep(toks, j - 2)).then(|| j - 2);
            }
        }
    }
    None
}

/// The end of the operand of the receive arrow at `arrow`: one unary
/// expression, so `<-a.b` is `<-(a.b)` and `<-a + 1` is `(<-a) + 1`.
fn recv_operand_end(toks: &[TokenTree], arrow: usize) -> syn::Result<usize> {
    unary_end(toks, arrow + 2).ok_or_else(|| {
        syn::Error::new(
            toks[arrow].span(),
            "`<-` needs a channel after it: write `<-ch` to receive, or `ch <- v;` to send",
        )
    })
}

/// The end of the unary expression starting at `i`.
pub(crate) fn unary_end(toks: &[TokenTree], i: usize) -> Option<usize> {
    if is_arrow(toks, i) {
        return unary_end(toks, i + 2);
    }
    let t = toks.get(i)?;
    if is_punct(Some(t), '&') {
        let j = if is_ident(toks.get(i + 1), "mut") {
            i + 2
        } else {
            i + 1
        };
        return unary_end(toks, j);
    }
    if is_punct(Some(t), '*') || is_punct(Some(t), '!') || is_punct(Some(t), '-') {
        return unary_end(toks, i + 1);
    }
    let mut j = primary_end(toks, i)?;
    loop {
        let t = toks.get(j);
        if is_punct(t, '?')
            || is_group(t, Delimiter::Parenthesis)
            || is_group(t, Delimiter::Bracket)
        {
            j += 1;
        } else if is_punct(t, '.') && !is_punct(toks.get(j + 1), '.') {
            match toks.get(j + 1) {
                Some(TokenTree::Ident(_)) => {
                    j += 2;
                    if is_path_sep(toks, j) && is_punct(toks.get(j + 2), '<') {
                        j = skip_generics(toks, j + 2)?;
                    }
                }
                Some(TokenTree::Literal(_)) => j += 2,
                _ => return Some(j),
            }
        } else {
            return Some(j);
        }
    }
}

/// The end of a primary expression: a literal, a group, or a path (with an
/// optional macro call).
fn primary_end(toks: &[TokenTree], i: usize) -> Option<usize> {
    match toks.get(i)? {
        TokenTree::Literal(_) | TokenTree::Group(_) => Some(i + 1),
        TokenTree::Ident(_) if is_value_ident(toks.get(i)) => path_end(toks, i),
        TokenTree::Punct(_) if is_path_sep(toks, i) => path_end(toks, i + 2),
        _ => None,
    }
}

fn path_end(toks: &[TokenTree], i: usize) -> Option<usize> {
    if !is_value_ident(toks.get(i)) {
        return None;
    }
    let mut j = i + 1;
    while is_path_sep(toks, j) {
        if is_punct(toks.get(j + 2), '<') {
            j = skip_generics(toks, j + 2)?;
        } else if matches!(toks.get(j + 2), Some(TokenTree::Ident(_))) {
            j += 3;
        } else {
            return None;
        }
    }
    if is_punct(toks.get(j), '!') && matches!(toks.get(j + 1), Some(TokenTree::Group(_))) {
        j += 2;
    }
    Some(j)
}

/// `&CH` for a channel operand, accepting `Chan<T>` and `&Chan<T>` values
/// (the latter by deref coercion). A channel operand that is itself a bare
/// receive, `<-cc` in `<-cc <- v` or `<-<-cc`, reads as Go's does: a closed
/// `cc` yields the zero channel, nil, whose operations block forever.
pub(crate) fn channel_ref(toks: &[TokenTree], fallback: Span) -> syn::Result<TokenStream> {
    let span = first_span(toks, fallback);
    if toks.is_empty() {
        return Err(syn::Error::new(span, "expected a channel"));
    }
    if is_arrow(toks, 0) && unary_end(toks, 2) == Some(toks.len()) {
        let recv = recv_call(toks[0].span(), &toks[2..])?;
        return Ok(quote_spanned!(span=> &#recv.unwrap_or_else(::csp_core::Chan::nil)));
    }
    let lowered = lower_slice(toks, Ctx::Expr)?;
    if unary_end(toks, 0) == Some(toks.len()) {
        Ok(quote_spanned!(span=> &#lowered))
    } else {
        // Any other expression (`if c { a } else { b }`): parentheses keep it whole.
        let mut paren = Group::new(Delimiter::Parenthesis, lowered);
        paren.set_span(span);
        Ok(quote_spanned!(span=> &#paren))
    }
}

/// `::csp_core::__private::recv(&CH)`, spanned from the user's arrow to the
/// end of the operand, so that errors underline all of `<-ch`.
fn recv_call(arrow: Span, operand: &[TokenTree]) -> syn::Result<TokenStream> {
    let ch = channel_ref(operand, arrow)?;
    let args = spanned_parens(ch, operand.last().map_or(arrow, TokenTree::span));
    Ok(quote_spanned!(arrow=> ::csp_core::__private::recv #args))
}

/// `( .. )` with the given span. The compiler spans a call from its path's
/// first token to its closing parenthesis: this is how a stable proc macro
/// makes a span that covers several of the user's tokens.
fn spanned_parens(inner: TokenStream, span: Span) -> Group {
    let mut g = Group::new(Delimiter::Parenthesis, inner);
    g.set_span(span);
    g
}

fn send_call(toks: &[TokenTree], s: &SendStmt) -> syn::Result<TokenStream> {
    let arrow = toks[s.arrow].span();
    let value = &toks[s.arrow + 2..s.rhs_end];
    if value.is_empty() {
        return Err(syn::Error::new(
            arrow,
            "`ch <-` needs a value after it: write `ch <- value;`",
        ));
    }
    let start = toks[s.lhs].span();
    let end = value.last().map_or(arrow, TokenTree::span);
    let ch = channel_ref(&toks[s.lhs..s.arrow], arrow)?;
    let value = lower_slice(value, Ctx::Expr)?;
    let args = spanned_parens(quote!(#ch, #value), end);
    Ok(quote_spanned!(start=> ::csp_core::__private::send #args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_errors, norm, show, toks};

    fn low(src: &str, ctx: Ctx) -> String {
        show(lower(toks(src), ctx))
    }

    /// Asserts that each source lowers to its expected tokens, in which
    /// `SEND(` and `RECV(` stand for the paths of the core's functions.
    fn lowers(ctx: Ctx, cases: &[(&str, &str)]) {
        for (src, want) in cases {
            let want = want
                .replace("SEND(", "::csp_core::__private::send(")
                .replace("RECV(", "::csp_core::__private::recv(");
            assert_eq!(low(src, ctx), norm(&want), "lowering {src:?}");
        }
    }

    #[test]
    fn send_statement() {
        lowers(
            Ctx::Block,
            &[
                ("ch <- 1;", "SEND(&ch, 1);"),
                ("self.chans[i] <- f(x, y)", "SEND(&self.chans[i], f(x, y))"),
            ],
        );
    }

    #[test]
    fn receive_binds_like_unary() {
        lowers(
            Ctx::Block,
            &[
                ("let v = <-ch;", "let v = RECV(&ch);"),
                ("<-ch;", "RECV(&ch);"),
            ],
        );
        lowers(
            Ctx::Expr,
            &[
                ("<-a.b", "RECV(&a.b)"),
                ("<-a + 1", "RECV(&a) + 1"),
                ("<-chans[i].x()?", "RECV(&chans[i].x()?)"),
            ],
        );
    }

    #[test]
    fn comparison_with_space_is_kept() {
        lowers(Ctx::Block, &[("if a < -b { x }", "if a < -b { x }")]);
        lowers(Ctx::Expr, &[("a << -b", "a << -b"), ("a <= -b", "a <= -b")]);
    }

    #[test]
    fn nested_receive_in_send_value() {
        lowers(
            Ctx::Block,
            &[(
                "ch <- (<-other).unwrap();",
                "SEND(&ch, (RECV(&other)).unwrap());",
            )],
        );
    }

    #[test]
    fn channel_from_channel_reads_nil_when_closed() {
        lowers(
            Ctx::Block,
            &[(
                "<-cc <- 2;",
                "SEND(&RECV(&cc).unwrap_or_else(::csp_core::Chan::nil), 2);",
            )],
        );
        lowers(
            Ctx::Expr,
            &[(
                "<-<-cc",
                "RECV(&RECV(&cc).unwrap_or_else(::csp_core::Chan::nil))",
            )],
        );
    }

    #[test]
    fn lowers_inside_closures_blocks_loops_and_macros() {
        lowers(
            Ctx::Block,
            &[
                (
                    "let f = move || { out <- <-inp; }; loop { if x { ch <- 1 } else { ch <- 2 } }",
                    "let f = move || { SEND(&out, RECV(&inp)); }; \
                     loop { if x { SEND(&ch, 1) } else { SEND(&ch, 2) } }",
                ),
                ("println!(\"{:?}\", <-ch)", "println!(\"{:?}\", RECV(&ch))"),
                (
                    "match x { 1 => ch <- 1, _ => {} }",
                    "match x { 1 => SEND(&ch, 1), _ => {} }",
                ),
            ],
        );
    }

    #[test]
    fn self_lowering_macros_are_left_alone() {
        lowers(
            Ctx::Block,
            &[
                (
                    "select! { case v = <-ch => v }",
                    "select! { case v = <-ch => v }",
                ),
                ("csp_core::go! { ch <- 1; }", "csp_core::go! { ch <- 1; }"),
            ],
        );
    }

    #[test]
    fn send_after_block_statement_and_turbofish() {
        lowers(
            Ctx::Block,
            &[
                ("if c {} ch <- 1;", "if c {} SEND(&ch, 1);"),
                (
                    "v.iter().collect::<Vec<_>>() <- 1;",
                    "SEND(&v.iter().collect::<Vec<_>>(), 1);",
                ),
            ],
        );
    }

    #[test]
    fn errors() {
        assert_errors(
            |src| low(src, Ctx::Block),
            &[
                ("let x = ch <- 1;", "`ch <- v` is a send statement"),
                ("f(ch <- 1)", "`ch <- v` is a send statement"),
                ("a <- b <- c;", "one send per statement"),
                ("let x = <-;", "`<-` needs a channel"),
                ("ch <- ;", "`ch <-` needs a value"),
            ],
        );
    }
}
