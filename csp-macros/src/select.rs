//! `select!`: parsing the arms, then lowering as Go's compiler does
//! (walkSelectCases): no case blocks forever, one case is the plain
//! operation, one case and `default` is the non-blocking form, anything else
//! goes to the core's selectgo over slots on the stack.

use proc_macro2::{Delimiter, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};

use crate::arrow::{self, channel_ref, unary_end, Ctx};
use crate::tokens::{
    first_span, is_arrow, is_fat_arrow, is_group, is_ident, is_joint, is_operand_end, is_punct,
};

/// One `case` of a select.
enum Op {
    /// `case PAT = <-CH` or `case <-CH`.
    Recv {
        pat: Option<TokenStream>,
        ch: TokenStream,
    },
    /// `case CH <- VAL`.
    Send { ch: TokenStream, val: TokenStream },
}

struct Case {
    op: Op,
    body: TokenStream,
}

struct Arms {
    cases: Vec<Case>,
    default: Option<TokenStream>,
}

pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let arms = parse(input)?;
    Ok(lower(arms))
}

const WRITE_CASE: &str = "write `case v = <-ch => ..`, `case <-ch => ..` or `case ch <- v => ..`";

fn parse(input: TokenStream) -> syn::Result<Arms> {
    let toks: Vec<TokenTree> = input.into_iter().collect();
    let mut arms = Arms {
        cases: Vec::new(),
        default: None,
    };
    let mut i = 0;
    while i < toks.len() {
        let keyword = &toks[i];
        let is_default = is_ident(Some(keyword), "default");
        if !is_default && !is_ident(Some(keyword), "case") {
            return Err(syn::Error::new(
                keyword.span(),
                format!(
                    "each select! arm starts with `case` (or is `default => ..`): {WRITE_CASE}"
                ),
            ));
        }
        let fat = find_fat_arrow(&toks, i)?;
        let head = &toks[i + 1..fat];
        let (body, next) = arm_body(&toks, fat)?;
        if is_default {
            if !head.is_empty() {
                return Err(syn::Error::new(
                    head[0].span(),
                    "`default` takes no operation: write `default => ..`",
                ));
            }
            if arms.default.is_some() {
                return Err(syn::Error::new(
                    keyword.span(),
                    "a select! has at most one `default` arm: merge the two",
                ));
            }
            arms.default = Some(body);
        } else {
            let op = parse_case(head, keyword.span())?;
            arms.cases.push(Case { op, body });
        }
        i = next;
    }
    Ok(arms)
}

/// The `=>` ending the head of the arm whose keyword is at `kw`.
fn find_fat_arrow(toks: &[TokenTree], kw: usize) -> syn::Result<usize> {
    let mut j = kw + 1;
    while j < toks.len() {
        if is_fat_arrow(toks, j) {
            return Ok(j);
        }
        let t = toks.get(j);
        let lone_colon =
            is_punct(t, ':') && !is_joint(t, ':') && !is_joint(toks.get(j.wrapping_sub(1)), ':');
        if lone_colon {
            return Err(syn::Error::new(
                toks[j].span(),
                "write `=>` after a select! case, where Go writes `:`",
            ));
        }
        if is_ident(t, "case") || is_ident(t, "default") {
            break;
        }
        j += 1;
    }
    // Point just past the channel operand when there is one.
    let head = &toks[kw + 1..j];
    let after_operand = (0..head.len())
        .find(|&k| is_arrow(head, k))
        .and_then(|k| unary_end(head, k + 2))
        .and_then(|e| head.get(e));
    let at = after_operand
        .or(toks.get(j - 1))
        .map_or(toks[kw].span(), TokenTree::span);
    Err(syn::Error::new(
        at,
        "expected `=>` after the case, then the arm's expression: `case v = <-ch => expr,`",
    ))
}

/// The arm's body after the `=>` at `fat`, lowered, and where the next arm
/// starts. Like a `match` arm: an expression ended by `,`, or a block.
fn arm_body(toks: &[TokenTree], fat: usize) -> syn::Result<(TokenStream, usize)> {
    let start = fat + 2;
    let is_arm_end = |j: usize| {
        j >= toks.len()
            || is_punct(toks.get(j), ',')
            || is_ident(toks.get(j), "case")
            || is_ident(toks.get(j), "default")
    };
    if start >= toks.len() || is_punct(toks.get(start), ',') {
        return Err(syn::Error::new(
            toks[fat + 1].span(),
            "expected an expression after `=>`; write `=> {}` for an empty arm",
        ));
    }
    let end = if is_group(toks.get(start), Delimiter::Brace) && is_arm_end(start + 1) {
        start + 1
    } else {
        let mut j = start;
        while j < toks.len() && !is_punct(toks.get(j), ',') {
            let next_arm = is_ident(toks.get(j), "case") || is_ident(toks.get(j), "default");
            if j > start
                && next_arm
                && !is_punct(toks.get(j - 1), '.')
                && !is_punct(toks.get(j - 1), ':')
            {
                return Err(syn::Error::new(
                    toks[j].span(),
                    "expected `,` after the arm's expression, before the next arm",
                ));
            }
            j += 1;
        }
        j
    };
    let raw = &toks[start..end];
    let body = arrow::lower_slice(raw, Ctx::Block)?;
    if let Err(e) = syn::parse2::<syn::Expr>(body.clone()) {
        return Err(syn::Error::new(
            first_span(raw, e.span()),
            "an arm's body is one expression: wrap several statements in `{ .. }`",
        ));
    }
    let next = if is_punct(toks.get(end), ',') {
        end + 1
    } else {
        end
    };
    Ok((body, next))
}

fn parse_case(head: &[TokenTree], case_span: Span) -> syn::Result<Op> {
    if head.is_empty() {
        return Err(syn::Error::new(
            case_span,
            format!("`case` needs a channel operation: {WRITE_CASE}"),
        ));
    }
    let first_arrow = (0..head.len())
        .find(|&k| is_arrow(head, k))
        .unwrap_or(head.len());
    for (j, t) in head.iter().enumerate() {
        // `if` after an operand: a guard (`ch <- if c { 1 } else { 2 }` is a value).
        if is_ident(Some(t), "if") && j > 0 && is_operand_end(head.get(j - 1)) {
            return Err(syn::Error::new(
                t.span(),
                "select! arms have no guards: test inside the arm, or disable the case \
                 with a nil channel (`Chan::nil()`)",
            ));
        }
        if is_joint(Some(t), ':') && is_punct(head.get(j + 1), '=') {
            return Err(syn::Error::new(
                t.span(),
                "write `=` where Go writes `:=`: `case v = <-ch => ..`",
            ));
        }
        if is_punct(Some(t), ',') && j < first_arrow {
            return Err(syn::Error::new(
                t.span(),
                "a receive case binds one pattern, an `Option<T>` that is `None` once the \
                 channel is closed: write `case v = <-ch`, not Go's `case v, ok := <-ch`",
            ));
        }
    }
    // The first top-level send arrow, if any.
    let send_at = (1..head.len()).find(|&k| is_arrow(head, k) && is_operand_end(head.get(k - 1)));
    // A lone `=`: not `==`, and not the end of `<=`, `+=`, `..=`, ...
    let assign_at = (0..head.len()).find(|&k| {
        let glued_to_prev =
            k > 0 && matches!(&head[k - 1], TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
        is_punct(head.get(k), '=') && !is_joint(head.get(k), '=') && !glued_to_prev
    });
    match (assign_at, send_at) {
        (Some(eq), Some(k)) if eq < k => Err(syn::Error::new(
            head[0].span(),
            "a send case has no pattern: write `case ch <- v => ..`",
        )),
        (Some(eq), None) => {
            let pat = &head[..eq];
            let rest = &head[eq + 1..];
            if pat.is_empty() {
                return Err(syn::Error::new(
                    head[eq].span(),
                    "expected a pattern before `=`: `case v = <-ch`",
                ));
            }
            if !is_arrow(rest, 0) {
                return Err(syn::Error::new(
                    first_span(rest, head[eq].span()),
                    "expected `<-` after `=`: a receive case is written `case v = <-ch`",
                ));
            }
            if is_ident(pat.first(), "Some") || is_ident(pat.first(), "None") {
                return Err(syn::Error::new(
                    pat[0].span(),
                    "the pattern of a receive case binds an `Option<T>` and must accept both \
                     outcomes: write `case v = <-ch => match v { Some(x) => .., None => .. }`",
                ));
            }
            let ch = channel_ref(&rest[2..], rest[0].span()).map_err(|_| {
                syn::Error::new(
                    rest[0].span(),
                    "`<-` needs a channel after it: `case v = <-ch`",
                )
            })?;
            Ok(Op::Recv {
                pat: Some(pat.iter().cloned().collect()),
                ch,
            })
        }
        (_, Some(k)) => {
            let val = &head[k + 2..];
            if val.is_empty() {
                return Err(syn::Error::new(
                    head[k].span(),
                    "`ch <-` needs a value after it: `case ch <- v`",
                ));
            }
            let ch = channel_ref(&head[..k], head[k].span())?;
            let val = arrow::lower_slice(val, Ctx::Expr)?;
            Ok(Op::Send { ch, val })
        }
        (None, None) if is_arrow(head, 0) => {
            if head.len() == 2 {
                return Err(syn::Error::new(
                    head[0].span(),
                    "`<-` needs a channel after it: `case <-ch`",
                ));
            }
            let ch = channel_ref(&head[2..], head[0].span())?;
            Ok(Op::Recv { pat: None, ch })
        }
        (None, None) => Err(syn::Error::new(
            head[0].span(),
            format!("a select! case is a channel operation with `<-`: {WRITE_CASE}"),
        )),
    }
}

fn some(i: usize) -> TokenStream {
    quote!(::core::option::Option::Some(#i))
}

/// `{ PREFIX BODY }`. An arm written with braces, as Go programmers write
/// every arm, has its statements moved into this block rather than nested in
/// it: `{ let v = ..; { f(v) } }` would draw rustc's "unnecessary braces
/// around block return value" on the user's braces. The block's own braces
/// are the macro's; the user's inner attributes (`#![..]`) stay first.
fn block(prefix: TokenStream, body: TokenStream) -> TokenStream {
    let mut toks: Vec<TokenTree> = body.into_iter().collect();
    let inner = match toks.as_slice() {
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Brace => g.stream(),
        _ => return quote!({ #prefix #(#toks)* }),
    };
    toks = inner.into_iter().collect();
    let mut attrs_end = 0;
    while is_punct(toks.get(attrs_end), '#')
        && is_punct(toks.get(attrs_end + 1), '!')
        && is_group(toks.get(attrs_end + 2), Delimiter::Bracket)
    {
        attrs_end += 3;
    }
    let (attrs, rest) = toks.split_at(attrs_end);
    quote!({ #(#attrs)* #prefix #(#rest)* })
}

fn lower(arms: Arms) -> TokenStream {
    let Arms { mut cases, default } = arms;
    let n = cases.len();
    match (n, default) {
        (0, None) => quote!(::csp_core::__private::block_forever()),
        (0, Some(d)) => block(TokenStream::new(), d),
        (1, None) => {
            let Case { op, body } = cases.pop().expect("one case");
            let prefix = match op {
                Op::Recv { pat: Some(pat), ch } => {
                    quote!(let #pat = ::csp_core::__private::recv(#ch);)
                }
                Op::Recv { pat: None, ch } => {
                    quote!(let _ = ::csp_core::__private::recv(#ch);)
                }
                Op::Send { ch, val } => quote!(::csp_core::__private::send(#ch, #val);),
            };
            block(prefix, body)
        }
        (1, Some(d)) => {
            let Case { op, body } = cases.pop().expect("one case");
            let d = block(TokenStream::new(), d);
            match op {
                Op::Recv { pat, ch } => {
                    let got = Ident::new("__csp_got", Span::mixed_site());
                    let bind = pat.map(|pat| quote!(let #pat = #got;));
                    let body = block(bind.unwrap_or_default(), body);
                    quote!(
                        if let ::core::option::Option::Some(#got) =
                            ::csp_core::__private::select_nb_recv(#ch) #body else #d
                    )
                }
                Op::Send { ch, val } => {
                    let body = block(TokenStream::new(), body);
                    quote!(if ::csp_core::__private::select_nb_send(#ch, #val) #body else #d)
                }
            }
        }
        (_, d) => general(cases, d),
    }
}

/// Two or more cases: evaluate every channel and send value once, in source
/// order; put one slot per case on the stack; let the core choose.
fn general(cases: Vec<Case>, default: Option<TokenStream>) -> TokenStream {
    let mut eval = TokenStream::new();
    let mut slots = TokenStream::new();
    let mut case_list = Vec::new();
    let mut arms = TokenStream::new();
    let mut has_send = false;
    for (i, Case { op, body }) in cases.into_iter().enumerate() {
        let ch = format_ident!("__csp_ch{}", i, span = Span::mixed_site());
        let slot = format_ident!("__csp_slot{}", i, span = Span::mixed_site());
        let chosen = some(i);
        match op {
            Op::Recv { pat, ch: ch_ref } => {
                let at = ch_ref
                    .clone()
                    .into_iter()
                    .next()
                    .map_or(Span::call_site(), |t| t.span());
                eval.extend(quote!(let #ch = #ch_ref;));
                slots.extend(quote!(let mut #slot = ::csp_core::__private::RecvSlot::new();));
                let use_ch = Ident::new(&ch.to_string(), Span::mixed_site().located_at(at));
                case_list.push(quote_spanned!(at=> #slot.case(#use_ch)));
                let bind = match pat {
                    Some(pat) => quote!(let #pat = #slot.take();),
                    None => quote!(let _ = #slot.take();),
                };
                let body = block(bind, body);
                arms.extend(quote!(#chosen => #body));
            }
            Op::Send { ch: ch_ref, val } => {
                let at = ch_ref
                    .clone()
                    .into_iter()
                    .next()
                    .map_or(Span::call_site(), |t| t.span());
                let val_at = val.clone().into_iter().next().map_or(at, |t| t.span());
                let v = format_ident!("__csp_val{}", i, span = Span::mixed_site());
                eval.extend(quote!(let #ch = #ch_ref; let #v = #val;));
                let use_v = Ident::new(&v.to_string(), Span::mixed_site().located_at(val_at));
                let make = quote_spanned!(val_at=> __csp_send_slot(#ch, #use_v));
                slots.extend(quote!(let mut #slot = #make;));
                has_send = true;
                let use_ch = Ident::new(&ch.to_string(), Span::mixed_site().located_at(at));
                case_list.push(quote_spanned!(at=> #slot.case(#use_ch)));
                let body = block(TokenStream::new(), body);
                arms.extend(quote!(#chosen => #body));
            }
        }
    }
    // Types the send slot from the channel, so that a value of the wrong type
    // is the error, at the value, rather than the channel.
    let send_slot_fn = has_send.then(|| {
        quote!(
            fn __csp_send_slot<T>(
                _: &::csp_core::Chan<T>,
                v: T,
            ) -> ::csp_core::__private::SendSlot<T> {
                ::csp_core::__private::SendSlot::new(v)
            }
        )
    });
    let blocking = default.is_none();
    let default_arm = default.map(|d| {
        let d = block(TokenStream::new(), d);
        quote!(::core::option::Option::None => #d)
    });
    quote!({
        #send_slot_fn
        #eval
        #slots
        match ::csp_core::__private::select([#(#case_list),*], #blocking) {
            #arms
            #default_arm
            _ => ::core::unreachable!(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{assert_errors, norm, show, toks};

    fn exp(src: &str) -> String {
        show(expand(toks(src)))
    }

    #[test]
    fn empty_blocks_forever() {
        assert_eq!(exp(""), norm("::csp_core::__private::block_forever()"));
    }

    #[test]
    fn one_case_is_the_plain_operation() {
        assert_eq!(
            exp("case v = <-ch => v"),
            norm("{ let v = ::csp_core::__private::recv(&ch); v }")
        );
        assert_eq!(
            exp("case out <- 1 => {}"),
            norm("{ ::csp_core::__private::send(&out, 1); }")
        );
        assert_eq!(
            exp("case <-ch => 1"),
            norm("{ let _ = ::csp_core::__private::recv(&ch); 1 }")
        );
    }

    #[test]
    fn braced_arms_are_not_nested_in_another_block() {
        // `{ let v = ..; { f(v) } }` would warn "unnecessary braces".
        assert_eq!(
            exp("case v = <-ch => { f(v) }"),
            norm("{ let v = ::csp_core::__private::recv(&ch); f(v) }")
        );
        assert_eq!(
            exp("case v = <-ch => { #![allow(unused)] f(v) }"),
            norm("{ #![allow(unused)] let v = ::csp_core::__private::recv(&ch); f(v) }")
        );
        assert_eq!(exp("default => { 7 }"), norm("{ 7 }"));
        assert_eq!(
            exp("case out <- 1 => { true }, default => { false }"),
            norm("if ::csp_core::__private::select_nb_send(&out, 1) { true } else { false }")
        );
        let s = exp("case v = <-a => { f(v) }, case b <- 1 => { g() }, default => { h() }");
        assert!(
            s.contains("Some(0usize)=>{letv=__csp_slot0.take();f(v)}"),
            "{s}"
        );
        assert!(s.contains("Some(1usize)=>{g()}"), "{s}");
        assert!(s.contains("None=>{h()}"), "{s}");
        // A block followed by more of the expression is not the arm's block.
        assert_eq!(
            exp("case v = <-ch => { 1 } + 1"),
            norm("{ let v = ::csp_core::__private::recv(&ch); { 1 } + 1 }")
        );
    }

    #[test]
    fn one_case_and_default_is_non_blocking() {
        let s = exp("case out <- f() => 1, default => 2");
        assert_eq!(
            s,
            norm("if ::csp_core::__private::select_nb_send(&out, f()) { 1 } else { 2 }")
        );
        let s = exp("case v = <-ch => v, default => None");
        assert!(s.contains("select_nb_recv(&ch)"), "{s}");
    }

    #[test]
    fn general_evaluates_in_source_order_on_stack_slots() {
        let s = exp("case v = <-a => 1, case b <- g() => 2, case <-c => 3, default => 4");
        let pos = |needle: &str| s.find(needle).unwrap_or_else(|| panic!("{needle} in {s}"));
        assert!(pos("let__csp_ch0=&a") < pos("let__csp_ch1=&b"));
        assert!(pos("let__csp_ch1=&b") < pos("let__csp_val1=g()"));
        assert!(pos("let__csp_val1=g()") < pos("let__csp_ch2=&c"));
        assert!(pos("let__csp_ch2=&c") < pos("RecvSlot::new"));
        assert!(s.contains("select([__csp_slot0.case(__csp_ch0),__csp_slot1.case(__csp_ch1),__csp_slot2.case(__csp_ch2)],false)"), "{s}");
        assert!(
            s.contains("Some(0usize)=>{letv=__csp_slot0.take();1}"),
            "{s}"
        );
        assert!(!s.contains("Box") && !s.contains("vec"), "{s}");
    }

    #[test]
    fn errors() {
        assert_errors(
            exp,
            &[
                ("v = <-ch => 1", "each select! arm starts with `case`"),
                ("case v = <-ch 1", "expected `=>`"),
                ("case v = <-ch: 1", "write `=>`"),
                ("default => 1, default => 2", "a select! has at most one"),
                ("case x = ch <- 1 => 1", "a send case has no pattern"),
                ("case v, ok = <-ch => 1", "a receive case binds one pattern"),
                ("case v := <-ch => 1", "write `=` where Go writes `:=`"),
                (
                    "case v = <-ch if v.is_some() => 1",
                    "select! arms have no guards",
                ),
                ("case Some(v) = <-ch => 1", "the pattern of a receive case"),
                ("case <- => 1", "`<-` needs a channel"),
                ("case v = <-a => 1 case <-b => 2", "expected `,`"),
                (
                    "case v = <-a => let x = 1; x",
                    "an arm's body is one expression",
                ),
                ("case v = <-a =>", "expected an expression after `=>`"),
            ],
        );
    }

    #[test]
    fn commas_and_ifs_in_send_values_are_not_mistakes() {
        let s =
            exp("case ch <- HashMap::<K, V>::new() => 1, case ch <- if c { 1 } else { 2 } => 2");
        assert!(s.contains("let__csp_val0=HashMap::<K,V>::new();"), "{s}");
        assert!(s.contains("let__csp_val1=ifc{1}else{2};"), "{s}");
    }
}
