#!/usr/bin/env python3
"""Generates csp-core/tests/go_select5.rs: Go's test/chan/select5.go, re-done for select!.

Go's select5.go is a generator that emits a program exercising every lowering of
`select` (1 case, 1 case + default, the general case), the order in which channel
operands, send values and receive targets are evaluated, nil and dummy cases, and
`default` before or after the other cases. This generator does the same for csp's
`select!`:

* every test logs each channel expression and send value as it is evaluated, and
  checks that all of them ran exactly once, in source order, before any arm;
* exactly one arm runs, the expected one (the only ready case, or `default`);
* a chosen receive binds `Some(v)`, or `None` on a closed channel; a chosen send
  delivers its value; cases that were not chosen leave their channels untouched;
* the shapes: ready receive with a pattern, ready receive discarding its value,
  receive on a closed channel, ready send, or no ready case; with up to two dummy
  cases (receive on an empty channel, send on a full channel, receive and send on
  nil channels) placed before and after; with `default` absent, first or last;
* wider, as Go's templates allow (4 dummies, 8 for a non-blocking select), but
  sampled to keep the file's size reasonable for CI: 3 and 4 dummies with the
  ready case first or last, `default` absent or last; and 5 to 8 dummies (the
  kinds repeated in turn) behind a `default`, with or without a ready case.

Run it from the repository root to regenerate (the output is checked in):

    python3 csp-core/tests/gen/select5.py > csp-core/tests/go_select5.rs
"""

import itertools

REAL = ["recv_pat", "recv_discard", "recv_closed", "send", None]
DUMMIES = ["empty_recv", "full_send", "nil_recv", "nil_send", "unbuf_recv"]
DEFAULTS = [None, "first", "last"]


def case_text(kind, cname, ids, arm):
    """The text of one case; `ids` are the log ids its expressions use."""
    if kind == "recv_pat":
        return f"case v = <-ch(&log, {ids[0]}, &{cname}) => {{ assert_eq!(v, Some(42)); {arm} }}"
    if kind == "recv_closed":
        return f"case v = <-ch(&log, {ids[0]}, &{cname}) => {{ assert_eq!(v, None); {arm} }}"
    if kind in ("recv_discard", "empty_recv", "nil_recv", "unbuf_recv"):
        return f"case <-ch(&log, {ids[0]}, &{cname}) => {arm}"
    if kind in ("send", "full_send", "nil_send"):
        return f"case ch(&log, {ids[0]}, &{cname}) <- val(&log, {ids[1]}, 7) => {arm}"
    raise ValueError(kind)


def n_ids(kind):
    return 2 if kind in ("send", "full_send", "nil_send") else 1


def setup(kind, cname):
    return {
        "recv_pat": f"let {cname}: Chan<i32> = Chan::new(1);\n    {cname}.send(42);",
        "recv_discard": f"let {cname}: Chan<i32> = Chan::new(1);\n    {cname}.send(42);",
        "recv_closed": f"let {cname}: Chan<i32> = Chan::new(1);\n    {cname}.close();",
        "send": f"let {cname}: Chan<i32> = Chan::new(1);",
        "empty_recv": f"let {cname}: Chan<i32> = Chan::new(1);",
        "unbuf_recv": f"let {cname}: Chan<i32> = Chan::new(0);",
        "full_send": f"let {cname}: Chan<i32> = Chan::new(1);\n    {cname}.send(1);",
        "nil_recv": f"let {cname}: Chan<i32> = Chan::nil();",
        "nil_send": f"let {cname}: Chan<i32> = Chan::nil();",
    }[kind]


def after_check(kind, cname, chosen):
    """State of the channel after the select."""
    if kind in ("recv_pat", "recv_discard"):
        return f"assert_eq!({cname}.len(), 0);"
    if kind == "send":
        return f"assert_eq!({cname}.try_recv(), Ok(7));"
    if kind in ("empty_recv", "unbuf_recv"):
        return f"assert_eq!({cname}.len(), 0);"
    if kind == "full_send":
        return f"assert_eq!({cname}.try_recv(), Ok(1));"
    return ""


def gen():
    tests = []
    for real in REAL:
        for k in range(0, 3):
            for dummies in itertools.combinations(DUMMIES, k):
                positions = range(len(dummies) + 1) if real else [None]
                for pos in positions:
                    for dflt in DEFAULTS:
                        if real is None and dflt is None:
                            continue  # would block forever
                        if real is None and not dummies:
                            continue  # `select! { default => .. }` alone: covered below
                        tests.append((real, dummies, pos, dflt))
    # Go's 3 and 4 dummies, sampled: ready case first or last.
    for real in ["recv_pat", "send", "recv_closed"]:
        for k in (3, 4):
            for dummies in itertools.combinations(DUMMIES, k):
                for pos in (0, k):
                    for dflt in (None, "last"):
                        tests.append((real, dummies, pos, dflt))
    # Go's non-blocking selects with up to 8 dummies.
    for k in range(5, 9):
        dummies = tuple(DUMMIES[i % len(DUMMIES)] for i in range(k))
        for dflt in ("first", "last"):
            tests.append((None, dummies, None, dflt))
        tests.append(("recv_discard", dummies, k // 2, "last"))
    return tests


def render(idx, real, dummies, pos, dflt):
    kinds = list(dummies)
    if real is not None:
        kinds.insert(pos, real)
    names = [f"c{i}" for i in range(len(kinds))]
    lines = []
    next_id = 1
    cases = []
    expect_log = []
    expected_arm = None
    for i, (kind, cname) in enumerate(zip(kinds, names)):
        ids = list(range(next_id, next_id + n_ids(kind)))
        next_id += len(ids)
        expect_log += ids
        if kind == real and i == pos:
            arm = f"{100 + i}"
            expected_arm = 100 + i
        else:
            arm = 'unreachable!("a case that was not ready ran")'
        cases.append(case_text(kind, cname, ids, arm))
    if dflt is not None:
        if real is None:
            darm = "999"
            expected_arm = 999
        else:
            darm = 'unreachable!("default taken while a case was ready")'
        d = f"default => {darm}"
        if dflt == "first":
            cases.insert(0, d)
        else:
            cases.append(d)
    shape = "_".join([real or "none"] + list(dummies) + [f"p{pos}" if pos is not None else "", f"d{dflt}" if dflt else "nodefault"])
    shape = shape.replace("__", "_")
    name = f"t{idx:03}_{shape}".strip("_")
    lines.append("#[test]")
    lines.append(f"fn {name}() {{")
    lines.append("    let log = RefCell::new(Vec::new());")
    for kind, cname in zip(kinds, names):
        lines.append("    " + setup(kind, cname))
    lines.append("    let arm: u32 = select! {")
    for c in cases:
        lines.append(f"        {c},")
    lines.append("    };")
    lines.append(f"    assert_eq!(arm, {expected_arm});")
    lines.append(f"    assert_eq!(*log.borrow(), vec![{', '.join(str(x) + 'u32' for x in expect_log)}]);")
    for kind, cname in zip(kinds, names):
        chk = after_check(kind, cname, kind == real)
        if chk:
            lines.append("    " + chk)
    lines.append("}")
    return "\n".join(lines)


HEADER = '''//! Go's test/chan/select5.go, re-generated for `select!`.
//!
//! GENERATED by csp-core/tests/gen/select5.py — edit the generator, not this file:
//!
//!     python3 csp-core/tests/gen/select5.py > csp-core/tests/go_select5.rs
//!
//! Every test logs each channel expression and send value as it is evaluated and
//! checks: all were evaluated once, in source order, before the chosen arm; exactly
//! the expected arm ran; the chosen case did its transfer and the others left their
//! channels alone. Shapes: one ready case (receive with a pattern, receive
//! discarding, receive on a closed channel, send) or none, among up to two dummy
//! cases (empty, full, unbuffered and nil channels) in every position, with
//! `default` absent, first or last — which covers the plain-operation lowering
//! (one case), the non-blocking lowering (one case + default) and the general one;
//! then a sample of Go's wider space: 3 and 4 dummies around a ready case first or
//! last, and non-blocking selects of 5 to 8 dummies.
#![allow(unreachable_code, clippy::diverging_sub_expression)]

use std::cell::RefCell;

use csp_core::{select, Chan};

/// A channel expression that logs its evaluation.
fn ch<'a>(log: &RefCell<Vec<u32>>, id: u32, c: &'a Chan<i32>) -> &'a Chan<i32> {
    log.borrow_mut().push(id);
    c
}

/// A send value that logs its evaluation.
fn val(log: &RefCell<Vec<u32>>, id: u32, v: i32) -> i32 {
    log.borrow_mut().push(id);
    v
}

#[test]
fn default_alone() {
    let arm: u32 = select! {
        default => 7,
    };
    assert_eq!(arm, 7);
}
'''


def main():
    out = [HEADER]
    for i, t in enumerate(gen()):
        out.append(render(i, *t))
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
