//! Property tests: random operation sequences checked against a model.
//!
//! 1. `try_send` / `try_recv` / `close` / `len` / `cap` on a channel of random
//!    capacity behave like a bounded `VecDeque` that can be closed.
//! 2. A non-blocking `Select` over a random mix of ready and not-ready cases picks a
//!    ready case whenever there is one (and then performs exactly that case), and
//!    takes `default` only when none is ready.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};

use csp_core::{Chan, Select, TryRecvError, TrySendError};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    TrySend(u32),
    TryRecv,
    Close,
    Len,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u32>().prop_map(Op::TrySend),
        4 => Just(Op::TryRecv),
        1 => Just(Op::Close),
        1 => Just(Op::Len),
    ]
}

/// The model: a bounded queue that can be closed.
struct Model {
    cap: usize,
    q: VecDeque<u32>,
    closed: bool,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn chan_matches_vecdeque_model(cap in 0usize..8, ops in proptest::collection::vec(op(), 0..64)) {
        let ch = Chan::new(cap);
        let mut m = Model { cap, q: VecDeque::new(), closed: false };
        prop_assert_eq!(ch.cap(), cap);
        for op in ops {
            match op {
                Op::TrySend(v) => {
                    let got = ch.try_send(v);
                    if m.closed {
                        prop_assert_eq!(got, Err(TrySendError::Closed(v)));
                    } else if m.q.len() < m.cap {
                        prop_assert_eq!(got, Ok(()));
                        m.q.push_back(v);
                    } else {
                        // Unbuffered with nobody waiting counts as full too.
                        prop_assert_eq!(got, Err(TrySendError::Full(v)));
                    }
                }
                Op::TryRecv => {
                    let got = ch.try_recv();
                    match m.q.pop_front() {
                        Some(v) => prop_assert_eq!(got, Ok(v)),
                        None if m.closed => prop_assert_eq!(got, Err(TryRecvError::Closed)),
                        None => prop_assert_eq!(got, Err(TryRecvError::Empty)),
                    }
                }
                Op::Close => {
                    let r = catch_unwind(AssertUnwindSafe(|| ch.close()));
                    if m.closed {
                        let msg = r.expect_err("second close must panic");
                        prop_assert_eq!(msg.downcast_ref::<&str>().copied(), Some("close of closed channel"));
                    } else {
                        prop_assert!(r.is_ok());
                        m.closed = true;
                    }
                    prop_assert!(ch.is_closed());
                }
                Op::Len => {}
            }
            prop_assert_eq!(ch.len(), m.q.len());
            prop_assert_eq!(ch.is_empty(), m.q.is_empty());
            prop_assert_eq!(ch.is_closed(), m.closed);
        }
    }
}

/// One case of a generated select.
#[derive(Clone, Debug)]
enum CaseSpec {
    /// Receive from a channel of capacity 1 that holds a value (ready) or not.
    Recv { full: bool },
    /// Receive from a closed, empty channel (ready: yields "closed").
    RecvClosed,
    /// Send on a channel of capacity 1 that has room (ready) or is full.
    Send { room: bool },
    /// A nil channel: never ready.
    Nil,
}

fn case_spec() -> impl Strategy<Value = CaseSpec> {
    prop_oneof![
        any::<bool>().prop_map(|full| CaseSpec::Recv { full }),
        Just(CaseSpec::RecvClosed),
        any::<bool>().prop_map(|room| CaseSpec::Send { room }),
        Just(CaseSpec::Nil),
    ]
}

fn is_ready(c: &CaseSpec) -> bool {
    match c {
        CaseSpec::Recv { full } => *full,
        CaseSpec::RecvClosed => true,
        CaseSpec::Send { room } => *room,
        CaseSpec::Nil => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn select_picks_a_ready_case(specs in proptest::collection::vec(case_spec(), 0..8)) {
        // Build every channel in its state.
        let chans: Vec<Chan<u32>> = specs
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                CaseSpec::Recv { full } => {
                    let c = Chan::new(1);
                    if *full { c.send(i as u32) }
                    c
                }
                CaseSpec::RecvClosed => {
                    let c = Chan::new(1);
                    c.close();
                    c
                }
                CaseSpec::Send { room } => {
                    let c = Chan::new(1);
                    if !*room { c.send(1000 + i as u32) }
                    c
                }
                CaseSpec::Nil => Chan::nil(),
            })
            .collect();
        let mut sel = Select::new();
        for (i, (s, c)) in specs.iter().zip(&chans).enumerate() {
            let idx = match s {
                CaseSpec::Send { .. } => sel.send(c, 2000 + i as u32),
                _ => sel.recv(c),
            };
            prop_assert_eq!(idx, i);
        }
        let any_ready = specs.iter().any(is_ready);
        let chosen = sel.try_select();
        match chosen {
            None => prop_assert!(!any_ready, "default taken while a case was ready"),
            Some(done) => {
                let i = done.index();
                prop_assert!(is_ready(&specs[i]), "chose case {} which was not ready", i);
                match specs[i] {
                    CaseSpec::Recv { .. } => prop_assert_eq!(done.recv(&chans[i]), Some(i as u32)),
                    CaseSpec::RecvClosed => prop_assert_eq!(done.recv(&chans[i]), None),
                    CaseSpec::Send { .. } => {
                        drop(done);
                        prop_assert_eq!(chans[i].try_recv(), Ok(2000 + i as u32));
                    }
                    CaseSpec::Nil => unreachable!(),
                }
                // No other channel was touched.
                for (j, (s, c)) in specs.iter().zip(&chans).enumerate() {
                    if j == i { continue }
                    let expect_len = match s {
                        CaseSpec::Recv { full } => usize::from(*full),
                        CaseSpec::Send { room } => usize::from(!*room),
                        _ => 0,
                    };
                    prop_assert_eq!(c.len(), expect_len, "case {} was touched", j);
                }
            }
        };
    }
}
