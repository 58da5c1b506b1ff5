//! `go!` and `#[csp_core::test]`: the block and call forms, Go's argument
//! evaluation for `go f(x)`, join values, and nesting with `select!`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use csp_core::{csp, go, select, Chan, WaitGroup};

#[csp_core::test]
fn block_form_runs_in_a_goroutine_and_returns_its_value() {
    let ch = Chan::new(0);
    let tx = ch.clone();
    let h = go! {
        for i in 1..=3 {
            tx <- i;
        }
        tx.close();
        "done"
    };
    let sum: i32 = ch.iter().sum();
    assert_eq!(sum, 6);
    assert_eq!(h.join().unwrap(), "done");
}

fn worker(id: usize, jobs: Chan<usize>, results: Chan<(usize, usize)>) -> usize {
    let mut n = 0;
    for j in &jobs {
        results.send((id, j * j));
        n += 1;
    }
    n
}

#[csp_core::test(workers = 2)]
fn call_form_evaluates_arguments_in_the_caller() {
    let jobs = Chan::new(10);
    let results = Chan::new(10);
    // `jobs.clone()` runs here, so `jobs` is still ours afterwards.
    let handles: Vec<_> = (0..3)
        .map(|id| go!(worker(id, jobs.clone(), results.clone())))
        .collect();
    for j in 0..10 {
        jobs.send(j);
    }
    jobs.close();
    let mut squares: Vec<usize> = (0..10).map(|_| results.recv().unwrap().1).collect();
    squares.sort_unstable();
    assert_eq!(squares, (0..10).map(|j| j * j).collect::<Vec<_>>());
    let done: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(done, 10);
}

#[csp_core::test]
fn call_form_receives_in_the_caller() {
    // Go's `go f(<-ch)` receives before the goroutine starts.
    let ch = Chan::new(1);
    ch.send(41);
    let h = go!(i32::checked_add((<-ch).unwrap(), 1));
    assert!(ch.is_empty(), "the argument was received by the caller");
    assert_eq!(h.join().unwrap(), Some(42));
}

#[csp_core::test]
fn call_form_counts_evaluations_once() {
    let evals = Arc::new(AtomicUsize::new(0));
    let arg = |v: usize| {
        evals.fetch_add(1, Ordering::SeqCst);
        v
    };
    let h = go!(usize::pow(arg(2), 10));
    assert_eq!(
        evals.load(Ordering::SeqCst),
        1,
        "evaluated before go! returned"
    );
    assert_eq!(h.join().unwrap(), 1024);
}

#[csp_core::test]
fn call_form_evaluates_the_receiver_in_the_caller() {
    // Go's `go wg.Done()` evaluates `wg` first: `wg.clone()` runs here, so
    // `wg` is still ours to wait on.
    let wg = WaitGroup::new();
    wg.add(2);
    go!(wg.clone().done());
    fn finish(wg: WaitGroup) {
        wg.done();
    }
    let funcs = [finish];
    go!(funcs[0](wg.clone())); // a computed function value, evaluated here too
    wg.wait();
}

#[csp_core::test]
fn select_inside_go_and_go_inside_select() {
    let a = Chan::new(0);
    let quit: Chan<()> = Chan::new(0);
    let out = Chan::new(0);
    let (ra, rq, ro) = (a.clone(), quit.clone(), out.clone());
    go! {
        let mut n = 0;
        loop {
            select! {
                case v = <-ra => n += v.unwrap(),
                case <-rq => break,
            }
        }
        ro <- n;
    };
    for i in 0..5 {
        csp! { a <- i; }
    }
    let spawned = select! {
        case quit <- () => go! { 7 },
        case v = <-out => panic!("out before quit: {v:?}"),
    };
    assert_eq!(out.recv(), Some(10));
    assert_eq!(spawned.join().unwrap(), 7);
}

#[csp_core::test]
#[should_panic(expected = "boom")]
fn a_panic_in_the_body_fails_the_test() {
    panic!("boom");
}

#[csp_core::test]
fn body_may_return_a_result() -> Result<(), String> {
    let ch: Chan<u8> = Chan::new(1);
    ch.send(1);
    let v = ch.recv().ok_or("closed")?;
    assert_eq!(v, 1);
    Ok(())
}

fn wait_forever(ch: Chan<u8>) {
    ch.recv();
}

#[test]
fn the_deadlock_dump_names_the_user_s_go_site() {
    use std::sync::atomic::AtomicU32;
    static LINES: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];
    let r = std::panic::catch_unwind(|| {
        csp_core::run(|| {
            let ch: Chan<i32> = Chan::new(0);
            let c2 = ch.clone();
            let (_h, line) = (go! { c2.recv(); }, line!());
            LINES[0].store(line, Ordering::SeqCst);
            let (_h, line) = (go!(wait_forever(Chan::new(0))), line!());
            LINES[1].store(line, Ordering::SeqCst);
            ch.recv(); // main blocks too: every goroutine is asleep
        })
    });
    let msg = *r
        .unwrap_err()
        .downcast::<String>()
        .expect("a formatted panic message");
    assert!(
        msg.contains("all goroutines are asleep - deadlock!"),
        "{msg}"
    );
    for line in &LINES {
        let site = format!("{}:{}:", file!(), line.load(Ordering::SeqCst));
        assert!(msg.contains(&site), "no goroutine spawned at {site}: {msg}");
    }
}
