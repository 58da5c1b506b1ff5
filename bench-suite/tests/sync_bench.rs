//! Every sync case (mutex contention, context-tree cancellation) on every
//! implementation the catalog lists, at smoke size: the counter must be
//! goroutines × operations per goroutine and every watcher must have seen
//! the cancel. The `sync_bench` program lists and runs the same cases.

use bench_suite::catalog::{sync_cases, Mode, SyncCase, SyncWorkload};
use bench_suite::sync_bench::{measure, run_once, Run};
use std::process::Command;
use std::time::Duration;

fn cases(w: SyncWorkload) -> Vec<SyncCase> {
    sync_cases(Mode::Smoke)
        .into_iter()
        .filter(|c| c.workload == w)
        .collect()
}

fn check_all(w: SyncWorkload, expected_cases: usize) {
    let cases = cases(w);
    assert_eq!(cases.len(), expected_cases);
    assert!(!w.implementations().is_empty());
    for case in &cases {
        for imp in w.implementations() {
            let run =
                run_once(case, imp).unwrap_or_else(|| panic!("{} has no {imp}", case.id(imp)));
            assert_eq!(run.got, run.want, "{}", case.id(imp));
            assert_eq!(run.want, case.elements());
            assert!(run.want > 0);
            run.check(case, imp).expect("a correct run checks");
        }
    }
}

#[test]
fn mutex_counts_every_increment_on_every_implementation() {
    check_all(SyncWorkload::Mutex, 3);
    let ns: Vec<u64> = cases(SyncWorkload::Mutex)
        .iter()
        .map(|c| c.param("goroutines"))
        .collect();
    assert_eq!(ns, [1, 4, 64]);
}

#[test]
#[cfg(feature = "csp-goroutines")]
fn context_cancel_reaches_every_watcher() {
    check_all(SyncWorkload::ContextCancel, 1);
}

#[test]
fn a_wrong_result_fails_the_check() {
    let case = &cases(SyncWorkload::Mutex)[1];
    let run = Run {
        got: case.elements() - 1,
        want: case.elements(),
        elapsed: Duration::ZERO,
    };
    let err = run.check(case, "std").unwrap_err();
    assert!(err.contains("mutex/std/goroutines=4"), "{err}");
}

#[test]
fn an_unknown_implementation_is_an_error() {
    let case = &cases(SyncWorkload::ContextCancel)[0];
    assert!(run_once(case, "std").is_none());
    assert!(measure(case, "std", 1).is_err());
}

#[test]
fn the_program_lists_and_runs_the_chosen_cases() {
    let exe = env!("CARGO_BIN_EXE_sync_bench");
    let out = Command::new(exe)
        .arg("--list")
        .env("CSP_BENCH_MODE", "smoke")
        .output()
        .expect("run sync_bench --list");
    let ids = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        ids.lines().any(|l| l == "mutex/std/goroutines=64,ops=6400"),
        "{ids}"
    );
    let chosen = "mutex/std/goroutines=4,ops=6400;mutex/tokio/goroutines=1,ops=6400";
    let out = Command::new(exe)
        .env("CSP_BENCH_MODE", "smoke")
        .env("CSP_SYNC_IDS", chosen)
        .output()
        .expect("run sync_bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // In catalog order, whatever the order of CSP_SYNC_IDS.
    assert_eq!(lines[0]["implementation"], "tokio");
    assert_eq!(lines[1]["implementation"], "std");
    assert_eq!(lines[1]["params"], "goroutines=4,ops=6400");
    assert_eq!(lines[1]["elements"], 6400);
    assert_eq!(lines[0]["workload"], "mutex");
    assert_eq!(lines[0]["runs_ns"].as_array().map(Vec::len), Some(1));
}
