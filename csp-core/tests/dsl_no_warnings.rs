#![deny(warnings)]
#![deny(clippy::pedantic)]
//! Well-formed DSL code compiles without a single warning, from rustc or
//! from clippy with `clippy::pedantic`: CI's `cargo clippy --workspace
//! --all-targets -- -D warnings` checks this file with the two `deny`s above.
//! Each test also runs its code, so the forms are not only compiled.
//!
//! The code is written the way a Go programmer writes it: braces on every
//! arm, `break`/`continue`/`return` inside arms, nested selects, sends as
//! cases, `go!` in both forms, `csp!` as a statement and as a value, and the
//! `main`/`test` attributes with every argument.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use csp_core::{csp, go, select, Chan};

/// A channel holding `v`, ready to receive from.
fn ready<T: Send + 'static>(v: T) -> Chan<T> {
    let c = Chan::new(1);
    c.send(v);
    c
}

#[test]
fn braces_on_every_arm_of_every_select_form() {
    let mut seen: Vec<Option<i32>> = Vec::new();

    // No case, only `default`.
    select! {
        default => { seen.push(None); },
    }
    let d = select! {
        default => { 7 },
    };

    // One receive, no default: the plain operation.
    let a = ready(1);
    select! {
        case v = <-a => { seen.push(v); },
    }
    let a = ready(2);
    select! {
        case v = <-a => { println!("{v:?}") },
    }
    let a = ready(3);
    select! {
        case <-a => { seen.push(Some(3)); },
    }
    let a = ready(4);
    let four = select! {
        case v = <-a => { v },
    };

    // One send, no default.
    let out = Chan::new(1);
    select! {
        case out <- 5 => { seen.push(out.recv()); },
    }

    // One case and `default`: the non-blocking forms.
    let empty: Chan<i32> = Chan::new(1);
    select! {
        case v = <-empty => { seen.push(v); },
        default => { seen.push(Some(-1)); },
    }
    select! {
        case <-empty => { println!("received") },
        default => { println!("nothing") },
    }
    select! {
        case out <- 6 => { seen.push(out.recv()); },
        default => { seen.push(Some(-2)); },
    }

    // Several cases, with and without default, in every kind.
    let a = ready(8);
    let b: Chan<&str> = Chan::new(0);
    let got = select! {
        case v = <-a => { v },
        case <-b => { None },
        case b <- "never" => { None },
    };
    select! {
        case v = <-a => { println!("{v:?}") },
        case <-b => { println!("b") },
        case b <- "x" => { println!("sent") },
        default => { println!("default") },
    }
    select! {
        case v = <-a => { seen.push(v); },
        case w = <-b => { println!("{w:?}"); },
        default => { seen.push(Some(-3)); },
    }

    assert_eq!(d, 7);
    assert_eq!(four, Some(4));
    assert_eq!(got, Some(8));
    assert_eq!(
        seen,
        [None, Some(1), Some(3), Some(5), Some(-1), Some(6), Some(-3)]
    );
}

#[test]
fn empty_arms() {
    // Go's non-blocking idioms: `select { case v := <-ch: ..; default: }`.
    let ch = ready(1);
    let mut got = None;
    select! {
        case v = <-ch => { got = v; },
        default => {},
    }
    select! {
        case <-ch => {},
        default => {},
    }
    select! {
        case _ = <-ch => {},
        default => {},
    }
    select! {
        case ch <- 2 => {},
        default => {},
    }
    select! {
        case ch <- 3 => {},
        default => { got = Some(-1); },
    }
    select! { default => {} }
    select! {
        case <-ch => {},
        case ch <- 4 => {},
        default => {},
    }
    select! { case ch <- 5 => {} }
    assert_eq!(got, Some(-1));
    assert_eq!(ch.recv(), Some(5));
}

#[test]
fn select_in_a_goroutine_loop() {
    let jobs = Chan::new(4);
    let quit: Chan<()> = Chan::new(0);
    let results = Chan::new(4);
    let (j, q, r) = (jobs.clone(), quit.clone(), results.clone());
    let h = go! {
        let mut n = 0;
        loop {
            select! {
                case job = <-j => {
                    let Some(job) = job else { return n };
                    r <- job * 2;
                    n += 1;
                },
                case <-q => { return n; },
            }
        }
    };
    for i in 0..3 {
        jobs.send(i);
    }
    let doubled: Vec<i32> = (0..3).filter_map(|_| results.recv()).collect();
    jobs.close();
    assert_eq!(h.join().ok(), Some(3));
    assert_eq!(doubled, [0, 2, 4]);
}

#[test]
fn items_in_an_arm() {
    let a = ready(4);
    let b: Chan<i32> = Chan::new(0);
    let got = select! {
        case v = <-a => {
            const SCALE: i32 = 2;
            fn scaled(x: i32) -> i32 {
                x * SCALE
            }
            scaled(v.unwrap_or(0))
        },
        case <-b => { 0 },
    };
    assert_eq!(got, 8);
    let one = select! {
        case v = <-ready(1) => {
            fn inc(x: i32) -> i32 {
                x + 1
            }
            v.map(inc)
        },
    };
    assert_eq!(one, Some(2));
}

#[test]
fn arms_without_braces() {
    let a = ready(1);
    let b: Chan<i32> = Chan::new(0);
    let v = select! {
        case v = <-a => v.map(|x| x * 10),
        case <-b => None,
        default => Some(-1),
    };
    assert_eq!(v, Some(10));
    let v = select! { case v = <-b => v, default => Some(0) };
    assert_eq!(v, Some(0));
}

#[test]
fn identical_arms() {
    // Go programmers often write the same body in several arms.
    let a = ready(());
    let b: Chan<()> = Chan::new(0);
    let mut n = 0;
    select! {
        case <-a => { n += 1; },
        case <-b => { n += 1; },
        default => { n += 1; },
    }
    let out = Chan::new(2);
    select! {
        case out <- 1 => {},
        case out <- 2 => {},
    }
    assert_eq!(n, 1);
    assert_eq!(out.len(), 1);
}

#[test]
fn break_and_continue_in_arms_act_on_the_loop() {
    let data = Chan::new(8);
    let quit: Chan<()> = Chan::new(1);
    for i in 0..6 {
        data.send(i);
    }
    data.close();
    let mut odd = Vec::new();
    loop {
        select! {
            case v = <-data => {
                let Some(v) = v else { break };
                if v % 2 == 0 {
                    continue;
                }
                odd.push(v);
            },
            case <-quit => { break },
        }
    }
    assert_eq!(odd, [1, 3, 5]);
}

#[test]
fn labelled_loops() {
    let mut hits = Vec::new();
    'outer: for row in 0..3 {
        for col in 0..3 {
            select! {
                case <-ready(()) => {
                    if col > row {
                        continue 'outer;
                    }
                    if row == 2 {
                        break 'outer;
                    }
                    hits.push((row, col));
                },
                default => {},
            }
        }
    }
    assert_eq!(hits, [(0, 0), (1, 0), (1, 1)]);

    let a = ready(1);
    let b = ready(2);
    let mut got = 0;
    let mut rounds = 0;
    'recv: loop {
        select! {
            case v = <-a => {
                got += v.unwrap_or(0);
            },
            case v = <-b => {
                let Some(v) = v else { continue 'recv };
                got += v;
            },
            default => { break 'recv },
        }
        rounds += 1;
    }
    assert_eq!((got, rounds), (3, 2));
}

fn first_of(a: &Chan<i32>, b: &Chan<i32>) -> i32 {
    select! {
        case v = <-a => {
            if let Some(v) = v {
                return v;
            }
        },
        case v = <-b => {
            return v.unwrap_or(-1);
        },
    }
    0
}

/// Channels held by reference and in fields, as Go passes them around.
struct Pipe {
    input: Chan<i32>,
    output: Chan<i32>,
}

impl Pipe {
    fn forward(&self) -> bool {
        select! {
            case v = <-self.input => {
                let Some(v) = v else { return false };
                self.output <- v + 1;
                true
            },
            case self.output <- 0 => { true },
        }
    }
}

fn relay(from: &Chan<i32>, to: &Chan<i32>) {
    csp! {
        to <- (<-from).unwrap_or(0);
    }
}

#[test]
fn channels_by_reference_and_in_fields() {
    let p = Pipe {
        input: ready(1),
        output: Chan::new(1),
    };
    assert!(p.forward());
    let got = p.output.recv();
    assert!(got == Some(2) || got == Some(0), "{got:?}");
    let (a, b) = (ready(7), Chan::new(1));
    relay(&a, &b);
    assert_eq!(b.recv(), Some(7));
}

#[test]
fn return_in_arms() {
    assert_eq!(first_of(&ready(4), &Chan::nil()), 4);
    assert_eq!(first_of(&Chan::nil(), &ready(5)), 5);
    let closed = Chan::new(0);
    closed.close();
    assert_eq!(first_of(&closed, &Chan::nil()), 0);
}

fn parse_next(lines: &Chan<String>, stop: &Chan<()>) -> Result<Option<i32>, String> {
    let n = select! {
        case line = <-lines => {
            let line = line.ok_or("closed")?;
            line.trim().parse::<i32>().map_err(|e| e.to_string())?
        },
        case <-stop => { return Ok(None) },
    };
    Ok(Some(n))
}

#[test]
fn question_mark_in_arms() {
    let stop = Chan::new(1);
    assert_eq!(parse_next(&ready(" 12 ".to_string()), &stop), Ok(Some(12)));
    assert!(parse_next(&ready("x".to_string()), &stop).is_err());
    stop.send(());
    assert_eq!(parse_next(&Chan::nil(), &stop), Ok(None));
}

#[test]
fn nested_selects() {
    let first = ready(1);
    let second = ready(2);
    let never: Chan<i32> = Chan::new(0);
    let got = select! {
        case x = <-first => {
            select! {
                case y = <-second => { x.unwrap_or(0) * 10 + y.unwrap_or(0) },
                case <-never => { -1 },
                default => { -2 },
            }
        },
        case <-never => { -3 },
    };
    assert_eq!(got, 12);
    let inner = select! {
        case x = <-ready(5) => select! { case y = <-ready(6) => x.zip(y) },
    };
    assert_eq!(inner, Some((5, 6)));
}

#[test]
fn select_as_an_expression() {
    let a = ready("a");
    let b: Chan<&str> = Chan::new(0);
    let name = select! {
        case v = <-a => { v.unwrap_or("closed") },
        case v = <-b => { v.unwrap_or("closed") },
    };
    assert_eq!(name, "a");
    let len = 1 + select! { case v = <-ready(2usize) => v.unwrap_or(0), default => 0 };
    assert_eq!(len, 3);
    let s = select! { default => { "idle" } }.len();
    assert_eq!(s, 4);
}

#[test]
fn send_cases() {
    let out = Chan::new(1);
    let other: Chan<String> = Chan::new(0);
    let sent = select! {
        case out <- 1 + 1 => { true },
        case other <- "no".to_string() => { false },
    };
    assert!(sent);
    let sent = select! { case out <- 3 => true, default => false };
    assert!(!sent, "the buffer is full");
    let v = csp! { <-out };
    assert_eq!(v, Some(2));
    let refs = [&out];
    select! { case refs[0] <- 4 => {} }
    assert_eq!(out.recv(), Some(4));
}

#[test]
fn select_forever_in_a_goroutine() {
    csp_core::run(|| {
        let started = Chan::new(0);
        let tx = started.clone();
        drop(go! {
            tx <- ();
            select! {}
        });
        assert_eq!(csp! { <-started }, Some(()));
    });
}

fn square(x: i32) -> i32 {
    x * x
}

static TICKS: AtomicUsize = AtomicUsize::new(0);

fn tick(n: &AtomicUsize) {
    n.fetch_add(1, Ordering::SeqCst);
}

struct Worker {
    base: i32,
}

impl Worker {
    fn run(&self, x: i32) -> i32 {
        self.base + x
    }
    fn id(&self) -> i32 {
        self.base
    }
}

#[csp_core::test]
fn go_block_and_call_forms() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    go! {
        for i in 0..3 {
            tx <- i;
        }
        tx.close();
    };
    let got: Vec<i32> = ch.iter().collect();
    assert_eq!(got, [0, 1, 2]);

    let h = go! { 40 + 2 };
    assert_eq!(h.join().ok(), Some(42));
    let h = go! {
        let v = 1;
        v + 1
    };
    assert_eq!(h.join().ok(), Some(2));

    let h = go!(square(7));
    assert_eq!(h.join().ok(), Some(49));
    go!(tick(&TICKS)).join().ok();
    assert_eq!(TICKS.load(Ordering::SeqCst), 1);
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = Arc::clone(&n);
    go!(Arc::clone(&n2).fetch_add(2, Ordering::SeqCst))
        .join()
        .ok();
    assert_eq!(n.load(Ordering::SeqCst), 2);
    let w = Worker { base: 10 };
    let h = go!(w.run(5));
    assert_eq!(h.join().ok(), Some(15));
    let w = Worker { base: 3 };
    let h = go!(w.id());
    assert_eq!(h.join().ok(), Some(3));
    let fs: [fn(i32) -> i32; 1] = [square];
    let h = go!(fs[0](3));
    assert_eq!(h.join().ok(), Some(9));
    let h = go!(std::convert::identity(1));
    assert_eq!(h.join().ok(), Some(1));
    let h = go!(String::new());
    assert_eq!(h.join().ok(), Some(String::new()));
}

#[test]
fn csp_blocks() {
    let ch = Chan::new(2);
    csp! {
        ch <- 1;
        ch <- 2;
    }
    let v = csp! { <-ch };
    assert_eq!(v, Some(1));
    let sum = csp! {
        let a = (<-ch).unwrap_or(0);
        a + 1
    };
    assert_eq!(sum, 3);
    csp! { ch <- 3; };
    csp! {
        ch <- 4;
        <-ch; // a receive as a statement: the value is dropped, as in Go
    }
    let x = csp! { 5 };
    assert_eq!(x, 5);
    csp! {}
    assert_eq!(ch.recv(), Some(4), "the receive statement took the 3");
}

#[csp_core::test]
fn test_attribute() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    go! { tx <- "hello"; };
    assert_eq!(csp! { <-ch }, Some("hello"));
}

#[csp_core::test]
fn test_attribute_returning_a_result() -> Result<(), String> {
    let v: i32 = "5"
        .parse()
        .map_err(|e: std::num::ParseIntError| e.to_string())?;
    assert_eq!(v, 5);
    Ok(())
}

#[csp_core::test(workers = 2, stack_size = 1 << 20, deadlock_detection = true)]
fn test_attribute_with_every_argument() {
    let h = go! { 1 };
    assert_eq!(h.join().ok(), Some(1));
}

#[csp_core::test]
#[should_panic(expected = "all goroutines are asleep - deadlock!")]
fn test_attribute_keeps_other_attributes() {
    let ch: Chan<i32> = Chan::new(0);
    let _ = ch.recv();
}

#[should_panic(expected = "boom")]
#[csp_core::test(workers = 1)]
fn test_attribute_below_other_attributes() {
    panic!("boom");
}

#[csp_core::test]
#[ignore = "shows that #[ignore] is kept; it has nothing to run"]
fn test_attribute_with_ignore() {}

#[csp_core::main]
fn main_like() -> i32 {
    let ch = Chan::new(1);
    csp! { ch <- 9; };
    csp! { <-ch }.unwrap_or(0)
}

#[csp_core::main(workers = 1, deadlock_detection = false)]
fn main_like_with_arguments() {
    let h = go! { 2 };
    assert_eq!(h.join().ok(), Some(2));
}

#[csp_core::main]
fn main_like_with_question_mark() -> Result<i32, String> {
    let v: i32 = "8"
        .parse()
        .map_err(|e: std::num::ParseIntError| e.to_string())?;
    Ok(v)
}

#[test]
fn main_attribute() {
    assert_eq!(main_like(), 9);
    main_like_with_arguments();
    assert_eq!(main_like_with_question_mark(), Ok(8));
}
