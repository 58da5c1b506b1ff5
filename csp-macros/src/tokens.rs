//! Small predicates over token trees, shared by every macro.

use proc_macro2::{Delimiter, Spacing, Span, TokenTree};

/// Rust keywords that cannot end an operand (`self`, `Self`, `super`, `crate`,
/// `true`, `false` can, so they are not listed).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "try",
];

pub(crate) fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

pub(crate) fn is_joint(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c && p.spacing() == Spacing::Joint)
}

pub(crate) fn is_ident(t: Option<&TokenTree>, name: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == name)
}

/// An identifier that can be (part of) an expression: not a keyword.
pub(crate) fn is_value_ident(t: Option<&TokenTree>) -> bool {
    match t {
        Some(TokenTree::Ident(i)) => {
            let s = i.to_string();
            !KEYWORDS.contains(&s.as_str())
        }
        _ => false,
    }
}

pub(crate) fn is_group(t: Option<&TokenTree>, d: Delimiter) -> bool {
    matches!(t, Some(TokenTree::Group(g)) if g.delimiter() == d)
}

/// Go's arrow at `i`: a `<` glued to a following `-` (`<-`, no space), and not
/// the second half of `<<`. `a < -b`, with a space, is a comparison.
pub(crate) fn is_arrow(toks: &[TokenTree], i: usize) -> bool {
    is_joint(toks.get(i), '<')
        && is_punct(toks.get(i + 1), '-')
        && !(i > 0 && is_joint(toks.get(i - 1), '<'))
}

/// Whether the token can end an operand, which makes a following `<-` a send
/// (`ch <- v`) rather than a receive (`x = <-ch`).
pub(crate) fn is_operand_end(t: Option<&TokenTree>) -> bool {
    match t {
        Some(TokenTree::Ident(_)) => is_value_ident(t),
        Some(TokenTree::Literal(_)) => true,
        Some(TokenTree::Group(g)) => g.delimiter() != Delimiter::Brace,
        Some(TokenTree::Punct(p)) => p.as_char() == '?',
        None => false,
    }
}

/// `::` starting at `i`.
pub(crate) fn is_path_sep(toks: &[TokenTree], i: usize) -> bool {
    is_joint(toks.get(i), ':') && is_punct(toks.get(i + 1), ':')
}

/// `=>` starting at `i`.
pub(crate) fn is_fat_arrow(toks: &[TokenTree], i: usize) -> bool {
    is_joint(toks.get(i), '=') && is_punct(toks.get(i + 1), '>')
}

/// From a `<` at `i`, the index just past its matching `>` (generic arguments).
pub(crate) fn skip_generics(toks: &[TokenTree], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j < toks.len() {
        if is_punct(toks.get(j), '<') {
            depth += 1;
        } else if is_punct(toks.get(j), '>') && !(j > 0 && is_joint(toks.get(j - 1), '-')) {
            depth -= 1;
            if depth == 0 {
                return Some(j + 1);
            }
        } else if is_punct(toks.get(j), ';') {
            return None;
        }
        j += 1;
    }
    None
}

/// The span of a token slice: its first token's (the best a stable proc macro
/// can do; `Span::join` is nightly-only), or `fallback` when empty.
pub(crate) fn first_span(toks: &[TokenTree], fallback: Span) -> Span {
    toks.first().map_or(fallback, TokenTree::span)
}
