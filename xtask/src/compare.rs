//! `cargo xtask compare OLD.json NEW.json`: what changed between two runs,
//! case by case, with a verdict from the ranges of the runs.
//!
//! A case is *faster* or *slower* only when the two ranges (fastest to
//! slowest run, see [`crate::results::Entry`]) do not overlap; otherwise the
//! difference is within the runs' own spread and the verdict is *no change*.
//! A case *regresses* when it is slower and its median grew by more than the
//! threshold ([`DEFAULT_THRESHOLD`] unless `--threshold` says otherwise).

use crate::report::{fmt_num, fmt_ratio};
use crate::results::{param_id, Entry, Results};
use std::fmt::Write as _;

/// The default regression threshold: new median ÷ old median. On a small
/// shared VM the OS-thread workloads vary by up to 2× from run to run even
/// when their ranges do not overlap, and the green ones by about 1.3×; 1.5×
/// flags a real slowdown of the fast paths without failing on that noise.
pub const DEFAULT_THRESHOLD: f64 = 1.5;

/// What happened to one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The new range lies wholly below the old one.
    Faster,
    /// The new range lies wholly above the old one.
    Slower,
    /// The ranges overlap.
    NoChange,
    /// Only in the new results.
    Added,
    /// Only in the old results.
    Removed,
}

impl Verdict {
    /// The word in the table.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoChange => "no change",
            Verdict::Added => "new",
            Verdict::Removed => "gone",
        }
    }
}

/// One case in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// `fan_in/crossbeam/producers=4,cap=128`.
    pub id: String,
    /// The old figure (median, fastest, slowest), ns per message.
    pub old: Option<(f64, f64, f64)>,
    /// The new figure.
    pub new: Option<(f64, f64, f64)>,
    /// The verdict.
    pub verdict: Verdict,
}

impl Change {
    /// New median ÷ old median, when both exist.
    pub fn ratio(&self) -> Option<f64> {
        Some(self.new?.0 / self.old?.0)
    }

    /// Slower by more than `threshold`.
    pub fn regresses(&self, threshold: f64) -> bool {
        self.verdict == Verdict::Slower && self.ratio().is_some_and(|r| r > threshold)
    }
}

fn id(e: &Entry) -> String {
    let p = param_id(&e.params);
    if p.is_empty() {
        format!("{}/{}", e.workload, e.implementation)
    } else {
        format!("{}/{}/{p}", e.workload, e.implementation)
    }
}

fn figure(e: &Entry) -> (f64, f64, f64) {
    (e.ns_per_msg, e.ci_low, e.ci_high)
}

/// The verdict for two figures from their ranges. A figure of one run has
/// no range (fastest = slowest): then only a change of the median beyond
/// `threshold` either way counts.
pub fn verdict(old: (f64, f64, f64), new: (f64, f64, f64), threshold: f64) -> Verdict {
    if old.1 == old.2 || new.1 == new.2 {
        let r = new.0 / old.0;
        return if r > threshold {
            Verdict::Slower
        } else if r < 1.0 / threshold {
            Verdict::Faster
        } else {
            Verdict::NoChange
        };
    }
    if new.2 < old.1 {
        Verdict::Faster
    } else if new.1 > old.2 {
        Verdict::Slower
    } else {
        Verdict::NoChange
    }
}

/// Every case of either run, in the new run's order (then the old one's),
/// judged with `threshold` where a figure has a single run.
pub fn compare(old: &Results, new: &Results, threshold: f64) -> Vec<Change> {
    let mut out = Vec::new();
    for n in &new.results {
        let o = old.find(&n.workload, &n.params, &n.implementation);
        out.push(Change {
            id: id(n),
            old: o.map(figure),
            new: Some(figure(n)),
            verdict: o.map_or(Verdict::Added, |o| verdict(figure(o), figure(n), threshold)),
        });
    }
    for o in &old.results {
        if new
            .find(&o.workload, &o.params, &o.implementation)
            .is_none()
        {
            out.push(Change {
                id: id(o),
                old: Some(figure(o)),
                new: None,
                verdict: Verdict::Removed,
            });
        }
    }
    out
}

/// The comparison as Markdown: a header naming both runs, a count per
/// verdict, and a table of every case.
pub fn markdown(old: &Results, new: &Results, changes: &[Change], threshold: f64) -> String {
    let mut s = String::from("# Benchmark comparison\n\n");
    let run = |r: &Results| format!("{} (mode {}, commit {})", r.date, r.mode, r.git_commit);
    let _ = writeln!(s, "Old: {}  \nNew: {}\n", run(old), run(new));
    if old.mode != new.mode {
        let _ = writeln!(
            s,
            "> **The runs have different modes ({} and {}): their sizes differ, so the \
             figures are not comparable.**\n",
            old.mode, new.mode
        );
    }
    let count = |v: Verdict| changes.iter().filter(|c| c.verdict == v).count();
    let regressions = changes.iter().filter(|c| c.regresses(threshold)).count();
    let _ = writeln!(
        s,
        "{} faster, {} slower, {} no change, {} new, {} gone; {} regressions beyond {}× \
         (slower with disjoint ranges and a median more than {}× the old).\n",
        count(Verdict::Faster),
        count(Verdict::Slower),
        count(Verdict::NoChange),
        count(Verdict::Added),
        count(Verdict::Removed),
        regressions,
        threshold,
        threshold
    );
    s.push_str(
        "Verdicts compare the ranges (fastest to slowest run): faster or slower only when they \
         do not overlap; a figure of a single run has no range, and then only a median change \
         beyond the threshold counts.\n\n",
    );
    s.push_str("| case | old ns/msg (range) | new ns/msg (range) | change | verdict |\n");
    s.push_str("|---|---:|---:|---:|---|\n");
    let fig = |f: Option<(f64, f64, f64)>| {
        f.map_or("–".to_string(), |(m, lo, hi)| {
            format!("{} ({} – {})", fmt_num(m), fmt_num(lo), fmt_num(hi))
        })
    };
    for c in changes {
        let verdict = if c.regresses(threshold) {
            "**slower: regression**".to_string()
        } else {
            c.verdict.word().to_string()
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            c.id,
            fig(c.old),
            fig(c.new),
            c.ratio().map_or("–".to_string(), fmt_ratio),
            verdict
        );
    }
    s
}
