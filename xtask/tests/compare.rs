//! `cargo xtask compare`: verdicts from the ranges, regressions beyond the
//! threshold, and cases that appear or go.

use std::path::Path;
use xtask::compare::{compare, markdown, verdict, Verdict, DEFAULT_THRESHOLD};
use xtask::results::Results;

fn fixture() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn verdicts_come_from_the_ranges() {
    let t = DEFAULT_THRESHOLD;
    let v = |old, new| verdict(old, new, t);
    assert_eq!(v((100.0, 90.0, 110.0), (50.0, 45.0, 55.0)), Verdict::Faster);
    assert_eq!(
        v((100.0, 90.0, 110.0), (200.0, 180.0, 220.0)),
        Verdict::Slower
    );
    // Medians apart but ranges overlapping: within the runs' spread.
    assert_eq!(
        v((100.0, 90.0, 150.0), (140.0, 120.0, 160.0)),
        Verdict::NoChange
    );
    // One run each (no range): only a change beyond the threshold counts.
    assert_eq!(
        v((100.0, 100.0, 100.0), (130.0, 130.0, 130.0)),
        Verdict::NoChange
    );
    assert_eq!(
        v((100.0, 100.0, 100.0), (160.0, 160.0, 160.0)),
        Verdict::Slower
    );
    assert_eq!(
        v((100.0, 100.0, 100.0), (60.0, 60.0, 60.0)),
        Verdict::Faster
    );
}

#[test]
fn a_run_against_itself_has_no_change() {
    let r = fixture();
    let changes = compare(&r, &r, DEFAULT_THRESHOLD);
    assert_eq!(changes.len(), r.results.len());
    assert!(changes.iter().all(|c| c.verdict == Verdict::NoChange));
    assert!(!changes.iter().any(|c| c.regresses(DEFAULT_THRESHOLD)));
}

#[test]
fn slowdowns_beyond_the_threshold_regress() {
    let old = fixture();
    let mut new = old.clone();
    let scale = |e: &mut xtask::results::Entry, k: f64| {
        e.ns_per_msg *= k;
        e.ci_low *= k;
        e.ci_high *= k;
    };
    for e in &mut new.results {
        match (e.workload.as_str(), e.implementation.as_str()) {
            ("ping_pong", "kanal") => scale(e, 40.0),
            ("ping_pong", "flume") => scale(e, 0.01),
            _ => {}
        }
    }
    new.results
        .retain(|e| !(e.workload == "sieve" && e.implementation == "may"));
    let changes = compare(&old, &new, DEFAULT_THRESHOLD);
    let get = |id: &str| changes.iter().find(|c| c.id == id).unwrap();
    let kanal = get("ping_pong/kanal");
    assert_eq!(kanal.verdict, Verdict::Slower);
    assert!(kanal.regresses(DEFAULT_THRESHOLD));
    assert!(!kanal.regresses(50.0), "40× is under a 50× threshold");
    assert_eq!(get("ping_pong/flume").verdict, Verdict::Faster);
    let gone = get("sieve/may/limit=300");
    assert_eq!(gone.verdict, Verdict::Removed);
    assert_eq!(gone.new, None);
    let n_regressed = changes
        .iter()
        .filter(|c| c.regresses(DEFAULT_THRESHOLD))
        .count();
    assert_eq!(n_regressed, 1);

    let md = markdown(&old, &new, &changes, DEFAULT_THRESHOLD);
    assert!(md.contains("1 faster, 1 slower,"), "{md}");
    assert!(md.contains("1 gone; 1 regressions beyond 1.5×"));
    let row = md
        .lines()
        .find(|l| l.starts_with("| ping_pong/kanal |"))
        .unwrap();
    assert!(
        row.contains("40× slower") && row.contains("**slower: regression**"),
        "{row}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| ping_pong/flume |"))
        .unwrap();
    assert!(row.contains("100× faster | faster |"), "{row}");
}

#[test]
fn different_modes_are_flagged() {
    let old = fixture();
    let mut new = old.clone();
    new.mode = "full".to_string();
    let md = markdown(
        &old,
        &new,
        &compare(&old, &new, DEFAULT_THRESHOLD),
        DEFAULT_THRESHOLD,
    );
    assert!(md.contains("different modes"));
}
