//! Go's arrow inside `csp!`: sends, receives, precedence, and where it is
//! lowered (closures, blocks, loops, other macros' arguments).

use csp_core::{csp, Chan};

#[test]
fn send_statement_and_receive_expression() {
    let ch = Chan::new(2);
    csp! {
        ch <- 1;
        ch <- 2;
    }
    assert_eq!(ch.len(), 2);
    let (a, b) = csp! { (<-ch, <-ch) };
    assert_eq!((a, b), (Some(1), Some(2)));
    ch.close();
    assert_eq!(
        csp! { <-ch },
        None,
        "a receive from a closed, drained channel is None"
    );
}

#[test]
fn receive_binds_like_a_unary_operator() {
    struct Holder {
        ch: Chan<i32>,
    }
    let h = Holder { ch: Chan::new(1) };
    let chans = [Chan::new(1), Chan::new(1)];
    csp! {
        h.ch <- 7;
        chans[1] <- 8;
    }
    // `<-h.ch` is `<-(h.ch)`; `.unwrap()` applies to the receive's Option only
    // with parentheses.
    let v = csp! { (<-h.ch).unwrap() };
    assert_eq!(v, 7);
    assert_eq!(csp! { <-chans[1] }, Some(8));
    assert!(chans[0].is_empty());
}

#[test]
fn comparison_with_a_space_stays_a_comparison() {
    let a = 1;
    let b = 2;
    let lt = csp! { a < -b };
    assert!(!lt);
    let shl = csp! { a << -(-b) };
    assert_eq!(shl, 4);
}

#[test]
fn channel_references_work_like_channels() {
    let ch = Chan::new(1);
    let r = &ch;
    csp! { r <- "by reference"; }
    assert_eq!(csp! { <-r }, Some("by reference"));
    let rr = &r;
    csp! { rr <- "twice"; }
    assert_eq!(csp! { <-rr }, Some("twice"));
}

#[test]
fn receive_inside_a_send_value() {
    let other = Chan::new(1);
    let ch = Chan::new(1);
    other.send(41);
    csp! {
        ch <- (<-other).unwrap() + 1;
    }
    assert_eq!(ch.recv(), Some(42));
}

#[test]
fn receive_as_a_statement_discards_the_value() {
    let ch = Chan::new(2);
    ch.send(String::from("dropped"));
    ch.send(String::from("kept"));
    csp! { <-ch; }
    assert_eq!(ch.recv().as_deref(), Some("kept"));
}

#[test]
fn lowered_in_closures_blocks_loops_and_macro_arguments() {
    let ch = Chan::new(10);
    let out = Chan::new(10);
    csp! {
        for i in 0..3 {
            if i % 2 == 0 { ch <- i } else { ch <- i * 10 }
        }
        let pump = || {
            out <- (<-ch).unwrap();
        };
        pump();
        pump();
        let rest = vec![<-ch];
        assert_eq!(rest, [Some(2)]);
        assert_eq!(format!("{:?}", <-out), "Some(0)");
        match out.len() {
            1 => out <- 99,
            n => panic!("{n} values left"),
        }
        loop {
            let v = <-out;
            if v == Some(99) {
                break;
            }
        }
    }
    assert!(out.is_empty());
}

#[test]
fn channel_of_channels() {
    // `<-cc <- 2`: send on the channel received from `cc` (Go's sendstmt.go).
    let cc = Chan::new(1);
    let c = Chan::new(1);
    cc.send(c.clone());
    csp! { <-cc <- 2; }
    assert_eq!(c.recv(), Some(2));
    // `<-<-cc`: receive from the channel received from `cc`.
    cc.send(c.clone());
    c.send(3);
    assert_eq!(csp! { <-<-cc }, Some(3));
}

#[test]
fn csp_is_an_expression_evaluated_in_place() {
    let ch = Chan::new(1);
    let mut seen = Vec::new();
    for i in 0..3 {
        let v = csp! {
            ch <- i;
            seen.push(i);
            <-ch
        };
        assert_eq!(v, Some(i));
    }
    assert_eq!(seen, [0, 1, 2]);
}

macro_rules! send_both {
    ($ch:expr, $a:expr, $b:expr) => {
        csp! {
            $ch <- $a;
            $ch <- $b;
        }
    };
}

macro_rules! poll {
    ($ch:expr) => {
        csp_core::select! {
            case v = <-$ch => v,
            default => None,
        }
    };
}

#[test]
fn arrows_work_on_macro_rules_fragments() {
    let ch = Chan::new(2);
    send_both!(ch, 1, 1 + 1);
    assert_eq!(poll!(ch), Some(1));
    assert_eq!(poll!(&ch), Some(2));
    assert_eq!(poll!(ch), None);
}
