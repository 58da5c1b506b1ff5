//! Writes a report directory from [`Results`]: `results.json`, `REPORT.md`,
//! `index.html` (self-contained, SVG inlined) and every plot as SVG and PNG.

use crate::plots::{self, Drawn};
use crate::results::{Entry, NetEntry, Results, Row, SyncEntry};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes everything into `dir`; returns the files written.
pub fn write(results: &Results, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut put = |name: &str, text: String| -> Result<(), String> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
        Ok(())
    };
    let json = serde_json::to_string_pretty(results).map_err(|e| e.to_string())?;
    put("results.json", json + "\n")?;
    let mut drawn = Vec::new();
    for p in plots::charts(results) {
        drawn.push(p.chart.render(dir, &p.stem, p.workload.as_deref())?);
    }
    put("REPORT.md", markdown(results, &drawn))?;
    put("index.html", html(results, &drawn))?;
    for d in &drawn {
        written.push(dir.join(format!("{}.svg", d.stem)));
        written.push(dir.join(format!("{}.png", d.stem)));
    }
    Ok(written)
}

/// Three significant digits: `1.23`, `45.6`, `789`, `12 300`.
pub fn fmt_num(v: f64) -> String {
    if v >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push('\u{202f}');
            }
            out.push(c);
        }
        out
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// `12.3 M/s` style messages per second.
fn fmt_rate(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.2} G/s", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.2} M/s", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1} k/s", v / 1e3)
    } else {
        format!("{v:.0} /s")
    }
}

/// A ratio of times as words: `2.1× faster`, `469× slower`, `same` (within
/// 5 %); `–` when it cannot be computed.
pub fn fmt_ratio(r: f64) -> String {
    fmt_ratio_as(r, "faster", "slower")
}

/// [`fmt_ratio`] with other words for below and above 1 (`less`, `more`).
pub fn fmt_ratio_as(r: f64, below: &str, above: &str) -> String {
    if !r.is_finite() || r <= 0.0 {
        return "–".to_string();
    }
    let (x, word) = if r >= 1.0 {
        (r, above)
    } else {
        (1.0 / r, below)
    };
    if x < 1.05 {
        return "same".to_string();
    }
    let n = if x >= 9.95 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    format!("{n}× {word}")
}

/// One table cell: its text, whether it is the best of its row, and the
/// footnote that explains it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// The best figure of its row (bold).
    pub best: bool,
    /// The number of the footnote that explains it.
    pub note: Option<usize>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell {
            text,
            ..Cell::default()
        }
    }
}

/// A piece of a report section, rendered the same way as Markdown and HTML.
#[derive(Debug)]
pub enum Block {
    /// A sub-heading (level 3) with its anchor id.
    Heading(String, String),
    /// A paragraph of plain text.
    Para(String),
    /// A line of facts about the run (grey in HTML).
    Meta(String),
    /// A warning that stands out (smoke runs, uncommitted changes).
    Warning(String),
    /// A drawn plot, by its index in the `drawn` list.
    Figure(usize),
    /// A table: head, rows, and whether the last column is a free-text note.
    Table {
        /// Column heads.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Cell>>,
        /// Whether the last column is a note (left-aligned).
        note_column: bool,
    },
    /// Numbered notes that table cells refer to.
    Footnotes(Vec<String>),
    /// A bulleted list.
    List(Vec<String>),
    /// Links to every titled section.
    Contents,
}

/// One section of the report: an anchor id, a title (none for the front
/// matter) and its blocks.
#[derive(Debug)]
pub struct Section {
    /// The HTML id (`summary`, `w-fan_in`).
    pub id: String,
    /// The level-2 heading, None for the front matter.
    pub title: Option<String>,
    /// What the section holds.
    pub blocks: Vec<Block>,
}

impl Section {
    fn new(id: &str, title: Option<String>) -> Section {
        Section {
            id: id.to_string(),
            title,
            blocks: Vec::new(),
        }
    }
}

/// Why run-to-run differences are large here: printed in every report.
const NOISE_CAVEAT: &str = "Caveat: these figures come from one machine, often a small shared \
    virtual machine. Other processes and the hypervisor take CPU time at random moments, so a \
    workload can vary by 2× or more from run to run, most of all the OS-thread ones that park \
    and wake threads. Read differences under about 1.5× as noise unless the ranges are far \
    apart, and compare runs with `cargo xtask compare`.";

fn front_matter(results: &Results) -> Section {
    let m = &results.machine;
    let v = &results.versions;
    let mut sec = Section::new("run", None);
    if results.mode == "smoke" {
        sec.blocks.push(Block::Warning(
            "SMOKE RUN: every workload ran at a tiny size to check that the pipeline works. \
             These numbers are meaningless; do not quote or compare them."
                .to_string(),
        ));
    }
    let (commit, dirty) = match results.git_commit.strip_suffix("-dirty") {
        Some(c) => (c.to_string(), true),
        None => (results.git_commit.clone(), false),
    };
    if dirty {
        sec.blocks.push(Block::Warning(format!(
            "Uncommitted changes: the tree had changes on top of commit {commit} when this ran, \
             so these figures may not be reproducible from that commit."
        )));
    }
    sec.blocks.push(Block::Meta(format!(
        "Date: {} · mode: {} · commit: {}{} · wall time: {:.0} s",
        results.date,
        results.mode,
        commit,
        if dirty { " + uncommitted changes" } else { "" },
        results.wall_seconds
    )));
    let or_unknown = |s: &str| {
        if s.is_empty() {
            "not recorded".to_string()
        } else {
            s.to_string()
        }
    };
    let mut cpu = format!("CPU: {} · {} logical CPUs", m.cpu_model, m.cores);
    if !m.cpu_detail.is_empty() {
        cpu.push_str(&format!(" · {}", m.cpu_detail));
    }
    sec.blocks.push(Block::Meta(cpu));
    sec.blocks.push(Block::Meta(format!(
        "Memory: {} · OS: {} · frequency governor: {} · virtualization: {}",
        or_unknown(&m.memory),
        m.os,
        or_unknown(&m.governor),
        or_unknown(&m.virtualization)
    )));
    if !m.cpu_flags.is_empty() {
        sec.blocks
            .push(Block::Meta(format!("CPU flags: {}", m.cpu_flags)));
    }
    let crates: Vec<String> = v
        .crates
        .iter()
        .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("?")))
        .collect();
    sec.blocks.push(Block::Meta(format!(
        "Tools: {} · {}",
        v.rustc,
        v.go.as_deref().unwrap_or("Go: not run")
    )));
    sec.blocks
        .push(Block::Meta(format!("Crates: {}", crates.join(", "))));
    sec.blocks
        .push(Block::Meta(format!("Go: {}", results.go_status)));
    sec.blocks.push(Block::Para(NOISE_CAVEAT.to_string()));
    sec.blocks.push(Block::Contents);
    sec
}

/// Numbered explanations of the n/a cells of a table.
#[derive(Default)]
struct Notes(Vec<String>);

impl Notes {
    /// The number of `text`, added if new.
    fn number(&mut self, text: String) -> usize {
        match self.0.iter().position(|t| *t == text) {
            Some(i) => i + 1,
            None => {
                self.0.push(text);
                self.0.len()
            }
        }
    }
}

/// The summary table (best of each row marked, n/a cells footnoted) and the
/// footnotes.
fn summary_block(results: &Results) -> (Block, Vec<String>) {
    let catalog = results.catalog();
    let impls = results.implementations();
    let mut notes = Notes::default();
    let mut head = vec!["case".to_string()];
    head.extend(impls.iter().cloned());
    let mut rows = Vec::new();
    for row in results.rows() {
        let unit = catalog
            .workload(&row.workload)
            .map_or("message", |w| w.unit.as_str());
        let label = if unit == "message" {
            row.label()
        } else {
            format!("{} · per {unit}", row.label())
        };
        let best = impls
            .iter()
            .filter_map(|i| results.find_in(&row, i))
            .map(|e| e.ns_per_msg)
            .fold(f64::INFINITY, f64::min);
        let mut cells = vec![Cell::from(label)];
        for imp in &impls {
            let cell = match results.find_in(&row, imp) {
                Some(e) => Cell {
                    text: fmt_num(e.ns_per_msg),
                    best: e.ns_per_msg == best,
                    note: None,
                },
                None if !results.in_row(&row, imp) => Cell::from(String::new()),
                None => match results.gap(&row.workload, imp) {
                    Some(u) => Cell {
                        text: "n/a".to_string(),
                        best: false,
                        note: Some(notes.number(format!("{imp}: {}", u.note))),
                    },
                    None => Cell::from("–".to_string()),
                },
            };
            cells.push(cell);
        }
        rows.push(cells);
    }
    let table = Block::Table {
        head,
        rows,
        note_column: false,
    };
    (table, notes.0)
}

/// The per-implementation rows of one summary row: implementation, median,
/// range, rate, ratio to Go, ratio to crossbeam, note.
fn case_rows(results: &Results, row: &Row) -> Vec<Vec<Cell>> {
    let go = results.find_in(row, "go");
    let crossbeam = results.find_in(row, "crossbeam");
    let ratio = |e: &Entry, base: Option<&Entry>| {
        base.map_or("–".to_string(), |b| {
            fmt_ratio(e.ns_per_msg / b.ns_per_msg)
        })
    };
    let best = results
        .implementations()
        .iter()
        .filter_map(|i| results.find_in(row, i))
        .map(|e| e.ns_per_msg)
        .fold(f64::INFINITY, f64::min);
    let mut rows = Vec::new();
    for imp in results.implementations() {
        let imp = imp.as_str();
        if !results.in_row(row, imp) {
            continue;
        }
        let cells: Vec<String> = if let Some(e) = results.find_in(row, imp) {
            vec![
                imp.to_string(),
                fmt_num(e.ns_per_msg),
                format!("{} – {}", fmt_num(e.ci_low), fmt_num(e.ci_high)),
                fmt_rate(e.msgs_per_sec),
                ratio(e, go),
                ratio(e, crossbeam),
                e.note.clone().unwrap_or_default(),
            ]
        } else if let Some(u) = results.gap(&row.workload, imp) {
            let dash = "–".to_string();
            vec![
                imp.to_string(),
                "n/a".to_string(),
                dash.clone(),
                dash.clone(),
                dash.clone(),
                dash,
                u.note.clone(),
            ]
        } else {
            continue;
        };
        let is_best = results
            .find_in(row, imp)
            .is_some_and(|e| e.ns_per_msg == best);
        rows.push(
            cells
                .into_iter()
                .enumerate()
                .map(|(k, text)| Cell {
                    text,
                    best: is_best && k == 1,
                    note: None,
                })
                .collect(),
        );
    }
    rows
}

/// Column heads of a case table, for a workload whose figure is per `unit`.
fn columns(unit: &str) -> Vec<String> {
    vec![
        "implementation".to_string(),
        format!("ns per {unit} (median)"),
        "range (fastest – slowest)".to_string(),
        format!("{unit}s per second"),
        "vs Go".to_string(),
        "vs crossbeam".to_string(),
        "note".to_string(),
    ]
}

/// The report as a list of sections: what both `REPORT.md` and `index.html` show.
pub fn sections(results: &Results, drawn: &[Drawn]) -> Vec<Section> {
    let catalog = results.catalog();
    let plot = |stem: &str| drawn.iter().position(|d| d.stem == stem);
    let mut out = vec![front_matter(results)];
    if !drawn.is_empty() && plots::font().is_none() {
        out[0].blocks.push(Block::Meta(
            "No TrueType font was found: plots are drawn without text.".to_string(),
        ));
    }

    let mut summary = Section::new(
        "summary",
        Some("Summary: median ns per message (lower is better)".to_string()),
    );
    let size = |k: &str| catalog.sizes.get(k).and_then(|v| v.as_u64());
    let kinds = match (size("goroutines"), size("threads")) {
        (Some(g), Some(t)) => format!(
            " spawn has two rows: goroutine runtimes start {} tasks per run, OS-thread peers {}, \
             so the kinds are not compared; a blank cell is a peer of the other kind.",
            fmt_num(g as f64),
            fmt_num(t as f64)
        ),
        _ => String::new(),
    };
    summary.blocks.push(Block::Para(format!(
        "Each cell is the median time per message (per round trip for ping_pong, per task for \
         spawn, per channel send for sieve); the best of each row is in bold.{kinds}"
    )));
    let (table, notes) = summary_block(results);
    summary.blocks.push(table);
    let mut legend = notes;
    legend.push("–: not run (filtered out, or the build left it out).".to_string());
    summary.blocks.push(Block::Footnotes(legend));
    if let Some(i) = plot("ratio_to_go") {
        summary.blocks.push(Block::Figure(i));
    }
    if let Some(i) = plot("overview") {
        summary.blocks.push(Block::Figure(i));
    }
    out.push(summary);

    for workload in &catalog.workloads {
        let rows: Vec<Row> = results
            .rows()
            .into_iter()
            .filter(|r| r.workload == workload.name)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let mut sec = Section::new(
            &format!("w-{}", workload.name),
            Some(format!("Workload {}", workload.name)),
        );
        if !workload.about.is_empty() {
            sec.blocks.push(Block::Para(format!(
                "{}; figure per {}.",
                workload.about, workload.unit
            )));
        }
        for (i, d) in drawn.iter().enumerate() {
            if d.workload.as_deref() == Some(workload.name.as_str()) {
                sec.blocks.push(Block::Figure(i));
            }
        }
        for row in rows {
            sec.blocks.push(Block::Heading(row.label(), row.anchor()));
            sec.blocks.push(Block::Table {
                head: columns(&workload.unit),
                rows: case_rows(results, &row),
                note_column: true,
            });
        }
        out.push(sec);
    }

    if !results.park_memory.is_empty() {
        let mut sec = Section::new(
            "park-memory",
            Some("Memory per parked goroutine".to_string()),
        );
        sec.blocks.push(Block::Para(park_memory_about(results)));
        sec.blocks.push(Block::Table {
            head: park_memory_columns(results).to_vec(),
            rows: park_memory_rows(results)
                .into_iter()
                .map(|r| r.into_iter().map(Cell::from).collect())
                .collect(),
            note_column: false,
        });
        out.push(sec);
    }

    if !results.latency.is_empty() {
        out.push(latency_section(results, drawn));
    }
    if let Some(sec) = mutex_section(results) {
        out.push(sec);
    }
    if let Some(sec) = context_cancel_section(results) {
        out.push(sec);
    }
    if let Some(sec) = echo_section(results) {
        out.push(sec);
    }
    if let Some(sec) = blocking_section(results) {
        out.push(sec);
    }
    if !results.scaling.is_empty() {
        out.push(scaling_section(results, drawn));
    }
    out.push(peers_section(results));

    let mut method = Section::new("method", Some("Method".to_string()));
    method.blocks.push(Block::List(results.method.clone()));
    out.push(method);
    out
}

/// The sync figures of `workload`, in the order they were measured.
fn sync_of<'a>(results: &'a Results, workload: &str) -> Vec<&'a SyncEntry> {
    results
        .sync
        .iter()
        .filter(|e| e.workload == workload)
        .collect()
}

/// The distinct values of `names`, in order of first appearance.
fn distinct<'a>(names: impl Iterator<Item = &'a String>) -> Vec<&'a String> {
    let mut out: Vec<&String> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// A count: `7`, `10 000`.
fn fmt_count(n: u64) -> String {
    if n >= 1000 {
        fmt_num(n as f64)
    } else {
        n.to_string()
    }
}

/// The most timed runs of any figure.
fn sync_runs(entries: &[&SyncEntry]) -> usize {
    entries.iter().map(|e| e.runs_ns.len()).max().unwrap_or(0)
}

/// `mutex`: ns per lock–increment–unlock, one row per implementation, one
/// column per goroutine count, then the ratio to Go at each count.
fn mutex_section(results: &Results) -> Option<Section> {
    let mine = sync_of(results, "mutex");
    let first = mine.first()?;
    let mut sec = Section::new("sync-mutex", Some("Mutex contention".to_string()));
    let ops = first.param_map().get("ops").and_then(|v| v.as_u64());
    sec.blocks.push(Block::Para(format!(
        "N goroutines (OS threads for std and parking_lot, tasks for tokio, coroutines for may) \
         released together, each incrementing one shared counter under the lock until the run \
         has done {} lock–increment–unlock operations ({} / N each); the counter is checked. \
         csp: csp_core::sync::Mutex on csp goroutines; std: std::sync::Mutex; parking_lot: \
         parking_lot::Mutex; may: may::sync::Mutex; tokio: tokio::sync::Mutex on the \
         multi-thread runtime; go: sync.Mutex. Median ns per operation of {} timed runs (after \
         one warm-up run), timed from just before the release until the last goroutine finished; \
         lower is better, the best of each column in bold.",
        ops.map_or("?".to_string(), fmt_count),
        ops.map_or("?".to_string(), fmt_count),
        sync_runs(&mine)
    )));
    let params = distinct(mine.iter().map(|e| &e.params));
    let label = |p: &String| {
        crate::results::parse_params(p)
            .get("goroutines")
            .map_or(p.clone(), |n| format!("N={n}"))
    };
    let find = |imp: &str, p: &String| {
        mine.iter()
            .find(|e| e.implementation == imp && &e.params == p)
            .copied()
    };
    let mut head = vec!["implementation".to_string()];
    head.extend(params.iter().map(|p| format!("{} ns/op", label(p))));
    head.extend(params.iter().map(|p| format!("{} vs Go", label(p))));
    let best: Vec<f64> = params
        .iter()
        .map(|p| {
            mine.iter()
                .filter(|e| &e.params == *p)
                .map(|e| e.ns_per_element)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let mut rows = Vec::new();
    for imp in distinct(mine.iter().map(|e| &e.implementation)) {
        let mut row = vec![Cell::from(imp.clone())];
        for (k, p) in params.iter().enumerate() {
            row.push(match find(imp, p) {
                Some(e) => Cell {
                    text: fmt_num(e.ns_per_element),
                    best: e.ns_per_element == best[k],
                    note: None,
                },
                None => Cell::from("–".to_string()),
            });
        }
        for p in &params {
            let ratio = match (find(imp, p), find("go", p)) {
                (Some(e), Some(g)) => fmt_ratio(e.ns_per_element / g.ns_per_element),
                _ => "–".to_string(),
            };
            row.push(Cell::from(ratio));
        }
        rows.push(row);
    }
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: false,
    });
    let mut ranges = vec!["implementation".to_string()];
    ranges.extend(params.iter().map(|p| format!("{} range ns/op", label(p))));
    let range_rows = distinct(mine.iter().map(|e| &e.implementation))
        .into_iter()
        .map(|imp| {
            let mut row = vec![Cell::from(imp.clone())];
            row.extend(params.iter().map(|p| {
                Cell::from(find(imp, p).map_or("–".to_string(), |e| {
                    format!(
                        "{} – {}",
                        fmt_num(e.low_ns_per_element),
                        fmt_num(e.high_ns_per_element)
                    )
                }))
            }));
            row
        })
        .collect();
    sec.blocks.push(Block::Para(
        "Fastest and slowest run, ns per operation:".to_string(),
    ));
    sec.blocks.push(Block::Table {
        head: ranges,
        rows: range_rows,
        note_column: false,
    });
    Some(sec)
}

/// `context_cancel`: total time and ns per context of each implementation.
fn context_cancel_section(results: &Results) -> Option<Section> {
    let mine = sync_of(results, "context_cancel");
    let first = mine.first()?;
    let params = first.param_map();
    let num = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.as_u64())
            .map_or("?".to_string(), fmt_count)
    };
    let mut sec = Section::new(
        "sync-context_cancel",
        Some("Context cancellation".to_string()),
    );
    sec.blocks.push(Block::Para(format!(
        "A tree of {} contexts (each with up to {} children; node i derives from node \
         (i − 1) / {}), each watched by its own goroutine selecting on its done channel and on \
         a channel nobody sends on. Once every watcher is ready (and 10 ms more, untimed), the \
         root is cancelled; the time runs until the last watcher has seen the cancel, and \
         every watcher must have seen Canceled. csp: csp_core::context with select!; go: the \
         context package with select. Median of {} timed runs (after one warm-up run); lower \
         is better.",
        num("contexts"),
        num("fanout"),
        num("fanout"),
        sync_runs(&mine)
    )));
    let go = mine.iter().find(|e| e.implementation == "go");
    let best = mine
        .iter()
        .map(|e| e.ns_per_element)
        .fold(f64::INFINITY, f64::min);
    let rows = mine
        .iter()
        .map(|e| {
            vec![
                Cell::from(e.implementation.clone()),
                Cell::from(e.elements.to_string()),
                Cell::from(format!("{} ms", fmt_num(e.median_ns / 1e6))),
                Cell {
                    text: fmt_num(e.ns_per_element),
                    best: e.ns_per_element == best,
                    note: None,
                },
                Cell::from(format!(
                    "{} – {}",
                    fmt_num(e.low_ns_per_element),
                    fmt_num(e.high_ns_per_element)
                )),
                Cell::from(go.map_or("–".to_string(), |g| {
                    fmt_ratio(e.ns_per_element / g.ns_per_element)
                })),
                Cell::from(e.runs_ns.len().to_string()),
            ]
        })
        .collect();
    sec.blocks.push(Block::Table {
        head: [
            "implementation",
            "contexts",
            "total (median)",
            "ns per context (median)",
            "range ns/context (fastest – slowest)",
            "vs Go",
            "runs",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note_column: false,
    });
    Some(sec)
}

/// The sync figures in a few lines, for the terminal after a run.
pub fn sync_summary(results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let mutex = sync_of(results, "mutex");
    for p in distinct(mutex.iter().map(|e| &e.params)) {
        let figures: Vec<String> = mutex
            .iter()
            .filter(|e| &e.params == p)
            .map(|e| format!("{} {}", e.implementation, fmt_num(e.ns_per_element)))
            .collect();
        out.push(format!(
            "mutex ({p}) ns per lock–increment–unlock (median): {}",
            figures.join(", ")
        ));
    }
    for e in sync_of(results, "context_cancel") {
        out.push(format!(
            "context_cancel ({}) {}: {} ms in all, {} ns per context (median)",
            e.params,
            e.implementation,
            fmt_num(e.median_ns / 1e6),
            fmt_num(e.ns_per_element)
        ));
    }
    out
}

/// The network figures of `workload`, in the order they were measured.
fn net_of<'a>(results: &'a Results, workload: &str) -> Vec<&'a NetEntry> {
    results
        .net
        .iter()
        .filter(|e| e.workload == workload)
        .collect()
}

/// A latency: `820 ns`, `14.3 µs`, `2.22 ms`, `1.50 s`; `–` for none.
pub fn fmt_ns(ns: Option<u64>) -> String {
    let Some(ns) = ns else {
        return "–".to_string();
    };
    let v = ns as f64;
    if v >= 1e9 {
        format!("{} s", fmt_num(v / 1e9))
    } else if v >= 1e6 {
        format!("{} ms", fmt_num(v / 1e6))
    } else if v >= 1e3 {
        format!("{} µs", fmt_num(v / 1e3))
    } else {
        format!("{v:.0} ns")
    }
}

/// `C=100` from `conns=100,rounds=300`.
fn conns_label(params: &str) -> String {
    crate::results::parse_params(params)
        .get("conns")
        .map_or(params.to_string(), |n| format!("C={n}"))
}

/// `echo`: round trips per second and latency, one row per implementation,
/// one column (or two) per connection count.
fn echo_section(results: &Results) -> Option<Section> {
    let mine = net_of(results, "echo");
    mine.first()?;
    let mut sec = Section::new("net-echo", Some("TCP echo over loopback".to_string()));
    let params = distinct(mine.iter().map(|e| &e.params));
    let rounds: Vec<String> = params
        .iter()
        .map(|p| {
            let m = crate::results::parse_params(p);
            let n = |k: &str| m.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
            format!("{} × {}", fmt_count(n("conns")), fmt_count(n("rounds")))
        })
        .collect();
    sec.blocks.push(Block::Para(format!(
        "One echo server (a task accepting connections, one task per connection that reads 64 \
         bytes and writes them back) and C clients, each on a connection of its own over \
         loopback TCP (TCP_NODELAY), doing round trips of a 64-byte message (write 64, read \
         64, compare every byte); connections × round trips each: {}. The clients connect in \
         waves of 100, each accepted before the next, then are released together; the time \
         runs from the release until the last client finished, and every run must have every \
         echo right and the exact count. csp: csp_core::net on csp goroutines; may: may::net \
         on may coroutines; go-lib: go_lib::net on go-lib goroutines; tokio: tokio::net on the \
         multi-thread runtime; std: std::net with one OS thread per connection on each side; \
         go: Go's net. Round trips per second of the median of {} timed runs (after one \
         warm-up run), higher is better, the best of each column in bold; latency \
         percentiles over every round trip of the timed runs.",
        rounds.join(", "),
        net_runs(&mine)
    )));
    let find = |imp: &str, p: &String| {
        mine.iter()
            .find(|e| e.implementation == imp && &e.params == p)
            .copied()
    };
    let imps = distinct(mine.iter().map(|e| &e.implementation));
    let mut head = vec!["implementation".to_string()];
    head.extend(
        params
            .iter()
            .map(|p| format!("{} round trips/s", conns_label(p))),
    );
    head.extend(params.iter().map(|p| format!("{} vs Go", conns_label(p))));
    let best: Vec<f64> = params
        .iter()
        .map(|p| {
            mine.iter()
                .filter(|e| &e.params == *p)
                .map(|e| e.ns_per_element)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let rows = imps
        .iter()
        .map(|imp| {
            let mut row = vec![Cell::from((*imp).clone())];
            for (k, p) in params.iter().enumerate() {
                row.push(match find(imp, p) {
                    Some(e) => Cell {
                        text: fmt_rate(e.per_second()),
                        best: e.ns_per_element == best[k],
                        note: None,
                    },
                    None => Cell::from("–".to_string()),
                });
            }
            for p in &params {
                row.push(Cell::from(match (find(imp, p), find("go", p)) {
                    (Some(e), Some(g)) => fmt_ratio(e.ns_per_element / g.ns_per_element),
                    _ => "–".to_string(),
                }));
            }
            row
        })
        .collect();
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: false,
    });
    sec.blocks.push(Block::Para(
        "Round-trip latency, median and 99th percentile (lower is better):".to_string(),
    ));
    let mut head = vec!["implementation".to_string()];
    for p in &params {
        head.push(format!("{} p50", conns_label(p)));
        head.push(format!("{} p99", conns_label(p)));
    }
    let rows = imps
        .iter()
        .map(|imp| {
            let mut row = vec![Cell::from((*imp).clone())];
            for p in &params {
                let e = find(imp, p);
                row.push(Cell::from(fmt_ns(e.and_then(|e| e.p50_ns))));
                row.push(Cell::from(fmt_ns(e.and_then(|e| e.p99_ns))));
            }
            row
        })
        .collect();
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: false,
    });
    sec.blocks.push(Block::Para(
        "Slowest and fastest run, round trips per second:".to_string(),
    ));
    let mut head = vec!["implementation".to_string()];
    head.extend(params.iter().map(|p| format!("{} range", conns_label(p))));
    let rows = imps
        .iter()
        .map(|imp| {
            let mut row = vec![Cell::from((*imp).clone())];
            row.extend(params.iter().map(|p| {
                Cell::from(find(imp, p).map_or("–".to_string(), |e| {
                    format!(
                        "{} – {}",
                        fmt_rate(1e9 / e.high_ns_per_element),
                        fmt_rate(1e9 / e.low_ns_per_element)
                    )
                }))
            }));
            row
        })
        .collect();
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: false,
    });
    Some(sec)
}

/// The most timed runs of any network figure.
fn net_runs(entries: &[&NetEntry]) -> usize {
    entries.iter().map(|e| e.runs_ns.len()).max().unwrap_or(0)
}

/// What each `blocking` operation is, on each side.
fn blocking_op_label(op: &str) -> &str {
    match op {
        "empty" => "empty: blocking(|| ()) / entersyscall(); exitsyscall()",
        "getpid" => "getpid: blocking(getpid) / syscall.Syscall(SYS_GETPID)",
        "raw_getpid" => "raw_getpid: getpid alone / syscall.RawSyscall(SYS_GETPID)",
        other => other,
    }
}

/// `blocking`: ns per call, one row per operation, one column per
/// implementation, then each one's ratio to Go.
fn blocking_section(results: &Results) -> Option<Section> {
    let mine = net_of(results, "blocking");
    let first = mine.first()?;
    let calls = first.param_map().get("calls").and_then(|v| v.as_u64());
    let mut sec = Section::new(
        "net-blocking",
        Some("blocking: the processor hand-off around a call".to_string()),
    );
    sec.blocks.push(Block::Para(format!(
        "One goroutine calls an operation {} times in a loop and checks every result. empty: \
         csp_core::blocking(|| ()) against Go's runtime entersyscall and exitsyscall with \
         nothing between (the pair syscall.Syscall wraps around a call); getpid: the getpid \
         system call inside blocking against syscall.Syscall(SYS_GETPID); raw_getpid: the bare \
         system call, no hand-off, against syscall.RawSyscall (the baseline: getpid minus \
         raw_getpid is the hand-off's cost around a real call). Median ns per call of {} timed \
         runs (after one warm-up run); lower is better.",
        calls.map_or("?".to_string(), fmt_count),
        net_runs(&mine)
    )));
    let ops = distinct(mine.iter().map(|e| &e.params));
    let imps = distinct(mine.iter().map(|e| &e.implementation));
    let find = |imp: &str, p: &String| {
        mine.iter()
            .find(|e| e.implementation == imp && &e.params == p)
            .copied()
    };
    let mut head = vec!["operation".to_string()];
    head.extend(imps.iter().map(|i| format!("{i} ns/call")));
    head.extend(imps.iter().map(|i| format!("{i} range")));
    let others: Vec<&&String> = imps.iter().filter(|i| i.as_str() != "go").collect();
    head.extend(others.iter().map(|i| format!("{i} vs Go")));
    let rows = ops
        .iter()
        .map(|p| {
            let op = crate::results::parse_params(p)
                .get("op")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| (*p).clone());
            let mut row = vec![Cell::from(blocking_op_label(&op).to_string())];
            row.extend(imps.iter().map(|i| {
                Cell::from(find(i, p).map_or("–".to_string(), |e| fmt_num(e.ns_per_element)))
            }));
            row.extend(imps.iter().map(|i| {
                Cell::from(find(i, p).map_or("–".to_string(), |e| {
                    format!(
                        "{} – {}",
                        fmt_num(e.low_ns_per_element),
                        fmt_num(e.high_ns_per_element)
                    )
                }))
            }));
            row.extend(others.iter().map(|i| {
                Cell::from(match (find(i, p), find("go", p)) {
                    (Some(e), Some(g)) => fmt_ratio(e.ns_per_element / g.ns_per_element),
                    _ => "–".to_string(),
                })
            }));
            row
        })
        .collect();
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: false,
    });
    Some(sec)
}

/// The network figures in a few lines, for the terminal after a run.
pub fn net_summary(results: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let echo = net_of(results, "echo");
    for p in distinct(echo.iter().map(|e| &e.params)) {
        let figures: Vec<String> = echo
            .iter()
            .filter(|e| &e.params == p)
            .map(|e| {
                format!(
                    "{} {} (p50 {}, p99 {})",
                    e.implementation,
                    fmt_rate(e.per_second()),
                    fmt_ns(e.p50_ns),
                    fmt_ns(e.p99_ns)
                )
            })
            .collect();
        out.push(format!(
            "echo ({p}) round trips per second (median): {}",
            figures.join(", ")
        ));
    }
    let blocking = net_of(results, "blocking");
    for p in distinct(blocking.iter().map(|e| &e.params)) {
        let figures: Vec<String> = blocking
            .iter()
            .filter(|e| &e.params == p)
            .map(|e| format!("{} {}", e.implementation, fmt_num(e.ns_per_element)))
            .collect();
        out.push(format!(
            "blocking ({p}) ns per call (median): {}",
            figures.join(", ")
        ));
    }
    out
}

/// The worker-count sweep: a plot and a table (one column per count) per workload.
fn scaling_section(results: &Results, drawn: &[Drawn]) -> Section {
    let catalog = results.catalog();
    let counts = plots::worker_counts(results);
    let mut sec = Section::new("scaling", Some("Scaling with worker threads".to_string()));
    sec.blocks.push(Block::Para(format!(
        "The headline case of each workload on the runtimes that take a worker count \
         (csp goroutines: Builder::workers; may: config().set_workers; go-lib: \
         set_gomaxprocs; the async peers (tokio, async-channel, csp-async, flume-async, \
         kanal-async): the tokio runtime's worker_threads; csp-async-goroutine: both, the \
         tokio runtime's and csp's; Go: \
         GOMAXPROCS through go test -cpu), at {} worker threads; median ns per unit. \
         OS-thread peers have no worker count and are left out. With more workers than \
         CPUs ({} here) the runtimes are oversubscribed.",
        counts
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        results.machine.cores
    )));
    for (i, d) in drawn.iter().enumerate() {
        if d.workload.as_deref() == Some("scaling") {
            sec.blocks.push(Block::Figure(i));
        }
    }
    for workload in &catalog.workloads {
        let mine: Vec<_> = results
            .scaling
            .iter()
            .filter(|e| e.workload == workload.name)
            .collect();
        if mine.is_empty() {
            continue;
        }
        sec.blocks.push(Block::Heading(
            format!("{} by workers", workload.name),
            format!("scaling-{}", workload.name),
        ));
        let mut head = vec!["implementation".to_string()];
        head.extend(counts.iter().map(|n| format!("{n} ns/{}", workload.unit)));
        let mut rows = Vec::new();
        for imp in results.implementations() {
            let at = |n: u64| {
                results
                    .scaling_at(&workload.name, &imp, n)
                    .map(|e| e.ns_per_msg)
            };
            if counts.iter().all(|n| at(*n).is_none()) {
                continue;
            }
            let mut row = vec![Cell::from(imp.clone())];
            row.extend(
                counts
                    .iter()
                    .map(|n| Cell::from(at(*n).map_or("–".to_string(), fmt_num))),
            );
            rows.push(row);
        }
        sec.blocks.push(Block::Table {
            head,
            rows,
            note_column: false,
        });
    }
    sec
}

/// Latency percentiles per workload: a table each and the percentile curves.
fn latency_section(results: &Results, drawn: &[Drawn]) -> Section {
    let catalog = results.catalog();
    let mut sec = Section::new("latency", Some("Latency per message".to_string()));
    sec.blocks.push(Block::Para(
        "Each message carries the time it was sent; the receiver records now minus that in an \
         HDR histogram (3 significant digits), so fan-in includes the wait in the buffer. \
         ping_pong records whole round trips. One run of the mode's size per implementation \
         (bench-suite/src/latency.rs); Go is not measured (the Go module has no latency \
         harness)."
            .to_string(),
    ));
    for (i, d) in drawn.iter().enumerate() {
        if d.workload.as_deref() == Some("latency") {
            sec.blocks.push(Block::Figure(i));
        }
    }
    for workload in &catalog.workloads {
        let mine: Vec<_> = results
            .latency
            .iter()
            .filter(|l| l.workload == workload.name)
            .collect();
        let Some(first) = mine.first() else {
            continue;
        };
        let title = if first.params.is_empty() {
            format!("{} latency", workload.name)
        } else {
            format!("{} ({}) latency", workload.name, first.params)
        };
        sec.blocks
            .push(Block::Heading(title, format!("latency-{}", workload.name)));
        let best = |f: fn(&crate::results::LatencyEntry) -> u64| {
            mine.iter().map(|l| f(l)).min().unwrap_or(0)
        };
        let (b50, b99, b999) = (best(|l| l.p50), best(|l| l.p99), best(|l| l.p999));
        let ns = |v: u64, b: u64| Cell {
            text: fmt_num(v as f64),
            best: v == b,
            note: None,
        };
        let rows = mine
            .iter()
            .map(|l| {
                vec![
                    Cell::from(l.implementation.clone()),
                    ns(l.p50, b50),
                    ns(l.p99, b99),
                    ns(l.p999, b999),
                    Cell::from(fmt_num(l.max as f64)),
                    Cell::from(l.count.to_string()),
                ]
            })
            .collect();
        let unit = &workload.unit;
        sec.blocks.push(Block::Table {
            head: vec![
                "implementation".to_string(),
                format!("p50 ns/{unit}"),
                format!("p99 ns/{unit}"),
                format!("p99.9 ns/{unit}"),
                "max".to_string(),
                "messages".to_string(),
            ],
            rows,
            note_column: false,
        });
    }
    sec
}

/// Every implementation with its version, kind of task, channel, and every
/// workload it cannot run or runs differently.
fn peers_section(results: &Results) -> Section {
    let catalog = results.catalog();
    let mut sec = Section::new(
        "peers",
        Some("Implementations: versions and gaps".to_string()),
    );
    let head = [
        "implementation",
        "version",
        "tasks",
        "channel",
        "cannot run",
        "runs differently",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for imp in results.implementations() {
        let info = catalog.implementation(&imp).cloned().unwrap_or_default();
        let version = match info.krate.as_str() {
            "" if info.runner == "go" => results.versions.go.clone().unwrap_or_else(|| "–".into()),
            "" => "–".to_string(),
            "std" => format!("std ({})", results.versions.rustc),
            k => results
                .versions
                .crates
                .get(k)
                .and_then(|v| v.as_str())
                .map_or(format!("{k} (version not recorded)"), |v| {
                    format!("{k} {v}")
                }),
        };
        let gaps: Vec<String> = results
            .unsupported
            .iter()
            .filter(|u| u.implementation == imp)
            .map(|u| format!("{}: {}", u.workload, u.note))
            .collect();
        let notes: Vec<String> = catalog
            .notes
            .iter()
            .filter(|n| n.implementation == imp)
            .map(|n| format!("{}: {}", n.workload, n.note))
            .collect();
        let cell = |v: Vec<String>| {
            if v.is_empty() {
                "–".to_string()
            } else {
                v.join("; ")
            }
        };
        rows.push(
            [
                imp.clone(),
                version,
                if info.green {
                    "green threads"
                } else {
                    "OS threads"
                }
                .to_string(),
                if info.bounded {
                    "bounded"
                } else {
                    "unbounded only"
                }
                .to_string(),
                cell(gaps),
                cell(notes),
            ]
            .into_iter()
            .map(Cell::from)
            .collect(),
        );
    }
    sec.blocks.push(Block::Table {
        head,
        rows,
        note_column: true,
    });
    sec
}

/// A Markdown cell: bold when best, with its footnote number.
fn md_cell(c: &Cell) -> String {
    // A `|` in a cell (`blocking(|| ())`) would end it.
    let text = c.text.replace('|', "\\|");
    let mut t = if c.best && !text.is_empty() {
        format!("**{text}**")
    } else {
        text
    };
    if let Some(n) = c.note {
        t.push_str(&format!(" [{n}]"));
    }
    t
}

/// `REPORT.md`.
pub fn markdown(results: &Results, drawn: &[Drawn]) -> String {
    let sections = sections(results, drawn);
    let mut s = String::from("# csp benchmark report\n\n");
    for sec in &sections {
        if let Some(t) = &sec.title {
            let _ = writeln!(s, "## {t}\n");
        }
        for b in &sec.blocks {
            match b {
                Block::Heading(t, _) => {
                    let _ = writeln!(s, "### {t}\n");
                }
                Block::Para(t) => {
                    let _ = writeln!(s, "{t}\n");
                }
                Block::Meta(t) => {
                    let _ = writeln!(s, "{t}  ");
                }
                Block::Warning(t) => {
                    let _ = writeln!(s, "> **{t}**\n");
                }
                Block::Figure(i) => {
                    let d = &drawn[*i];
                    let _ = writeln!(s, "![{}]({0}.svg)\n", d.stem);
                }
                Block::Table {
                    head,
                    rows,
                    note_column,
                } => {
                    let _ = writeln!(s, "| {} |", head.join(" | "));
                    let align: Vec<&str> = (0..head.len())
                        .map(|k| {
                            if k == 0 || (*note_column && k + 1 == head.len()) {
                                "---"
                            } else {
                                "---:"
                            }
                        })
                        .collect();
                    let _ = writeln!(s, "|{}|", align.join("|"));
                    for row in rows {
                        let cells: Vec<String> = row.iter().map(md_cell).collect();
                        let _ = writeln!(s, "| {} |", cells.join(" | "));
                    }
                    s.push('\n');
                }
                Block::Footnotes(items) => {
                    for (k, m) in items.iter().enumerate() {
                        if m.starts_with('–') {
                            let _ = writeln!(s, "{m}  ");
                        } else {
                            let _ = writeln!(s, "[{}] {m}  ", k + 1);
                        }
                    }
                    s.push('\n');
                }
                Block::List(items) => {
                    for m in items {
                        let _ = writeln!(s, "- {m}");
                    }
                    s.push('\n');
                }
                Block::Contents => {
                    s.push_str("\nContents: ");
                    let links: Vec<String> = sections
                        .iter()
                        .filter_map(|x| x.title.as_ref().map(|t| format!("[{t}](#{})", x.id)))
                        .collect();
                    let _ = writeln!(s, "{}\n", links.join(" · "));
                }
            }
        }
        if sec.title.is_none() {
            s.push('\n');
        }
    }
    s.truncate(s.trim_end().len());
    s.push('\n');
    s
}

fn park_memory_about(results: &Results) -> String {
    let n = results
        .park_memory
        .iter()
        .map(|m| m.goroutines)
        .max()
        .unwrap_or(0);
    format!(
        "Resident memory per parked goroutine: each run is a fresh process that warms up its \
         runtime, reads VmRSS from /proc/self/status, starts {} goroutines (may: coroutines) \
         that each block on a receive from one channel, reads VmRSS again once all are parked, \
         and divides the growth by their number (bench-suite/src/park_memory.rs; \
         bench-suite/go/cmd/parkmem). Median of the runs; lower is better.",
        fmt_num(n as f64)
    )
}

/// Column heads of the parked-goroutine memory table.
fn park_memory_columns(results: &Results) -> [String; 4] {
    let runs = results
        .park_memory
        .iter()
        .map(|m| m.runs.len())
        .max()
        .unwrap_or(0);
    [
        "implementation".to_string(),
        format!("bytes per parked goroutine (median of {runs})"),
        "vs Go".to_string(),
        "runs".to_string(),
    ]
}

/// Rows of the parked-goroutine memory table.
fn park_memory_rows(results: &Results) -> Vec<Vec<String>> {
    let go = results
        .park_memory
        .iter()
        .find(|m| m.implementation == "go")
        .map(|m| m.bytes_per_goroutine);
    results
        .park_memory
        .iter()
        .map(|m| {
            let ratio = go.map_or("–".to_string(), |g| {
                fmt_ratio_as(m.bytes_per_goroutine / g, "less", "more")
            });
            let runs: Vec<String> = m.runs.iter().map(|r| format!("{r:.0}")).collect();
            vec![
                m.implementation.clone(),
                fmt_num(m.bytes_per_goroutine),
                ratio,
                runs.join(", "),
            ]
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG document without its XML prolog, for inlining.
fn inline_svg(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

fn figure(out: &mut String, d: &Drawn) {
    let _ = writeln!(
        out,
        "<figure id=\"plot-{}\">{}<figcaption>{} (<a href=\"{0}.png\">PNG</a>, <a href=\"{0}.svg\">SVG</a>)</figcaption></figure>",
        esc(&d.stem),
        inline_svg(&d.svg),
        esc(&d.title)
    );
}

fn table(out: &mut String, head: &[String], rows: &[Vec<Cell>], note_column: bool) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if i == 0 {
                " class=\"impl\""
            } else if note_column && i + 1 == row.len() {
                " class=\"note\""
            } else if c.best {
                " class=\"best\""
            } else {
                ""
            };
            let mut text = esc(&c.text);
            if c.best {
                text = format!("<strong>{text}</strong>");
            }
            if let Some(n) = c.note {
                let _ = write!(text, "<sup><a href=\"#note-{n}\">[{n}]</a></sup>");
            }
            let _ = write!(out, "<td{class}>{text}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// `index.html`: readable from disk without a server.
pub fn html(results: &Results, drawn: &[Drawn]) -> String {
    let sections = sections(results, drawn);
    let smoke = results.mode == "smoke";
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <title>csp benchmark report</title>\n<style>\n\
         body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n\
         table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\n\
         td.impl,th:first-child{text-align:left}td.note{text-align:left;color:#555}td.best{background:#e6f4e6}\n\
         figure{margin:1em 0}figure svg{max-width:100%;height:auto}.meta{color:#555;font-size:.9em;overflow-wrap:anywhere}\n\
         .warning{background:#fff3cd;border:2px solid #c90;padding:.6em 1em;font-weight:bold}\n\
         nav#toc{background:#f6f6f6;padding:.5em 1em}nav#toc li{display:inline;margin-right:1em}\n\
         body.smoke{background-image:repeating-linear-gradient(-45deg,transparent 0 120px,rgba(200,0,0,.06) 120px 240px)}\n\
         </style></head>",
    );
    let _ = writeln!(
        s,
        "<body{}>\n<h1>csp benchmark report{}</h1>",
        if smoke { " class=\"smoke\"" } else { "" },
        if smoke {
            " (smoke run: meaningless numbers)"
        } else {
            ""
        }
    );
    for sec in &sections {
        let _ = writeln!(s, "<section id=\"{}\">", esc(&sec.id));
        if let Some(t) = &sec.title {
            let _ = writeln!(s, "<h2>{}</h2>", esc(t));
        }
        for b in &sec.blocks {
            match b {
                Block::Heading(t, id) => {
                    let _ = writeln!(s, "<h3 id=\"{}\">{}</h3>", esc(id), esc(t));
                }
                Block::Para(t) => {
                    let _ = writeln!(s, "<p>{}</p>", esc(t));
                }
                Block::Meta(t) => {
                    let _ = writeln!(s, "<p class=\"meta\">{}</p>", esc(t));
                }
                Block::Warning(t) => {
                    let _ = writeln!(s, "<p class=\"warning\" id=\"warning\">{}</p>", esc(t));
                }
                Block::Figure(i) => figure(&mut s, &drawn[*i]),
                Block::Table {
                    head,
                    rows,
                    note_column,
                } => table(&mut s, head, rows, *note_column),
                Block::Footnotes(items) => {
                    s.push_str("<ol class=\"notes\">\n");
                    for (k, m) in items.iter().enumerate() {
                        let _ = writeln!(s, "<li id=\"note-{}\">{}</li>", k + 1, esc(m));
                    }
                    s.push_str("</ol>\n");
                }
                Block::List(items) => {
                    s.push_str("<ul>\n");
                    for m in items {
                        let _ = writeln!(s, "<li>{}</li>", esc(m));
                    }
                    s.push_str("</ul>\n");
                }
                Block::Contents => {
                    s.push_str("<nav id=\"toc\"><b>Contents</b><ul>\n");
                    for x in &sections {
                        if let Some(t) = &x.title {
                            let _ =
                                writeln!(s, "<li><a href=\"#{}\">{}</a></li>", esc(&x.id), esc(t));
                        }
                    }
                    s.push_str("</ul></nav>\n");
                }
            }
        }
        s.push_str("</section>\n");
    }
    s.push_str("</body></html>\n");
    s
}

/// The summary table for the terminal: the report's summary, padded.
pub fn summary_table(results: &Results) -> String {
    let (Block::Table { head, rows, .. }, _) = summary_block(results) else {
        unreachable!("the summary is a table")
    };
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.clone()).collect())
        .collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|k| {
            rows.iter()
                .map(|r| r[k].chars().count())
                .chain([head[k].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (k, (c, w)) in cells.iter().zip(&widths).enumerate() {
            let fill = " ".repeat(w.saturating_sub(c.chars().count()));
            if k == 0 {
                out.push_str(&format!("{c}{fill}"));
            } else {
                out.push_str(&format!("  {fill}{c}"));
            }
        }
        out.push('\n');
        out
    };
    let mut out = String::from("ns per message (median; lower is better)\n");
    out.push_str(&line(&head));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}
