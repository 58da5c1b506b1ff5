//! Writes a report directory from [`Results`]: `results.json`, `REPORT.md`,
//! `index.html` (self-contained, SVG inlined) and every plot as SVG and PNG.

use crate::plots::{self, Drawn};
use crate::results::{param_id, Entry, Results};
use serde_json::{Map, Value};
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

/// `fan_in (producers=4,cap=128)`.
fn case_name(workload: &str, params: &Map<String, Value>) -> String {
    if params.is_empty() {
        workload.to_string()
    } else {
        format!("{workload} ({})", param_id(params))
    }
}

/// The summary cell of one implementation for a case.
fn cell(results: &Results, workload: &str, params: &Map<String, Value>, imp: &str) -> String {
    match results.find(workload, params, imp) {
        Some(e) => fmt_num(e.ns_per_msg),
        None if results.gap(workload, imp).is_some() => "n/a".to_string(),
        None => "–".to_string(),
    }
}

/// The per-implementation rows of one case: (implementation, columns).
fn case_rows(results: &Results, workload: &str, params: &Map<String, Value>) -> Vec<[String; 7]> {
    let go = results.find(workload, params, "go");
    let crossbeam = results.find(workload, params, "crossbeam");
    let ratio = |e: &Entry, base: Option<&Entry>| {
        base.map_or("–".to_string(), |b| {
            format!("{:.2}×", e.ns_per_msg / b.ns_per_msg)
        })
    };
    let mut rows = Vec::new();
    for imp in results.implementations() {
        let imp = imp.as_str();
        if let Some(e) = results.find(workload, params, imp) {
            rows.push([
                imp.to_string(),
                fmt_num(e.ns_per_msg),
                format!("{} – {}", fmt_num(e.ci_low), fmt_num(e.ci_high)),
                fmt_rate(e.msgs_per_sec),
                ratio(e, go),
                ratio(e, crossbeam),
                e.note.clone().unwrap_or_default(),
            ]);
        } else if let Some(u) = results.gap(workload, imp) {
            let dash = "–".to_string();
            rows.push([
                imp.to_string(),
                dash.clone(),
                dash.clone(),
                dash.clone(),
                dash.clone(),
                dash,
                u.note.clone(),
            ]);
        }
    }
    rows
}

const COLUMNS: [&str; 7] = [
    "implementation",
    "ns/msg",
    "95% CI",
    "msgs/s",
    "÷ Go",
    "÷ crossbeam",
    "note",
];

fn header_lines(results: &Results) -> Vec<String> {
    let m = &results.machine;
    let v = &results.versions;
    let crates: Vec<String> = v
        .crates
        .iter()
        .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("?")))
        .collect();
    vec![
        format!(
            "Date: {} · mode: {} · commit: {} · wall time: {:.0} s",
            results.date, results.mode, results.git_commit, results.wall_seconds
        ),
        format!(
            "Machine: {} · {} logical CPUs · {}",
            m.cpu_model, m.cores, m.os
        ),
        format!(
            "Tools: {} · {}",
            v.rustc,
            v.go.as_deref().unwrap_or("Go: not run")
        ),
        format!("Crates: {}", crates.join(", ")),
        format!("Go: {}", results.go_status),
    ]
}

/// A piece of a report section, rendered the same way as Markdown and HTML.
#[derive(Debug)]
pub enum Block {
    /// A sub-heading (level 3).
    Heading(String),
    /// A paragraph of plain text.
    Para(String),
    /// A line of facts about the run (grey in HTML).
    Meta(String),
    /// A drawn plot, by its index in the `drawn` list.
    Figure(usize),
    /// A table: head, rows, and whether the last column is a free-text note.
    Table {
        /// Column heads.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
        /// Whether the last column is a note (left-aligned).
        note_column: bool,
    },
    /// A bulleted list.
    List(Vec<String>),
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

/// The report as a list of sections: what both `REPORT.md` and `index.html` show.
pub fn sections(results: &Results, drawn: &[Drawn]) -> Vec<Section> {
    let catalog = results.catalog();
    let plot = |stem: &str| drawn.iter().position(|d| d.stem == stem);
    let mut out = Vec::new();

    let mut front = Section::new("run", None);
    front.blocks = header_lines(results).into_iter().map(Block::Meta).collect();
    if !drawn.is_empty() && plots::font().is_none() {
        front.blocks.push(Block::Meta(
            "No TrueType font was found: plots are drawn without text.".to_string(),
        ));
    }
    out.push(front);

    let mut summary = Section::new(
        "summary",
        Some("Summary: ns per message, median (lower is better)".to_string()),
    );
    summary.blocks.push(summary_block(results));
    summary.blocks.push(Block::Para(
        "n/a: the library lacks the feature (see the workload's table); –: not run.".to_string(),
    ));
    if let Some(i) = plot("overview") {
        summary.blocks.push(Block::Figure(i));
    }
    out.push(summary);

    for workload in &catalog.workloads {
        let cases: Vec<_> = results
            .cases()
            .into_iter()
            .filter(|(w, _)| *w == workload.name)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let mut sec = Section::new(&format!("w-{}", workload.name), Some(workload.name.clone()));
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
        for (w, p) in cases {
            sec.blocks.push(Block::Heading(case_name(&w, &p)));
            sec.blocks.push(Block::Table {
                head: COLUMNS.iter().map(|c| c.to_string()).collect(),
                rows: case_rows(results, &w, &p)
                    .into_iter()
                    .map(Vec::from)
                    .collect(),
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
            rows: park_memory_rows(results),
            note_column: false,
        });
        out.push(sec);
    }

    let mut method = Section::new("method", Some("Method".to_string()));
    method.blocks.push(Block::List(results.method.clone()));
    out.push(method);
    out
}

/// The summary table: one row per case, one column per implementation.
fn summary_block(results: &Results) -> Block {
    let impls = results.implementations();
    let mut head = vec!["case".to_string()];
    head.extend(impls.iter().cloned());
    let rows = results
        .cases()
        .into_iter()
        .map(|(w, p)| {
            let mut row = vec![case_name(&w, &p)];
            row.extend(impls.iter().map(|i| cell(results, &w, &p, i)));
            row
        })
        .collect();
    Block::Table {
        head,
        rows,
        note_column: false,
    }
}

/// `REPORT.md`.
pub fn markdown(results: &Results, drawn: &[Drawn]) -> String {
    let mut s = String::from("# csp benchmark report\n\n");
    for sec in sections(results, drawn) {
        if let Some(t) = &sec.title {
            let _ = writeln!(s, "## {t}\n");
        }
        for b in &sec.blocks {
            match b {
                Block::Heading(t) => {
                    let _ = writeln!(s, "### {t}\n");
                }
                Block::Para(t) => {
                    let _ = writeln!(s, "{t}\n");
                }
                Block::Meta(t) => {
                    let _ = writeln!(s, "{t}  ");
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
                        let _ = writeln!(s, "| {} |", row.join(" | "));
                    }
                    s.push('\n');
                }
                Block::List(items) => {
                    for m in items {
                        let _ = writeln!(s, "- {m}");
                    }
                    s.push('\n');
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

/// How the parked-goroutine memory figures are made (one paragraph).
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
        "÷ Go".to_string(),
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
                format!("{:.2}×", m.bytes_per_goroutine / g)
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
        "<figure id=\"plot-{}\">{}<figcaption>{} (<a href=\"{0}.png\">PNG</a>)</figcaption></figure>",
        esc(&d.stem),
        inline_svg(&d.svg),
        esc(&d.title)
    );
}

fn table(out: &mut String, head: &[String], rows: &[Vec<String>], note_column: bool) {
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
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// `index.html`: readable from disk without a server.
pub fn html(results: &Results, drawn: &[Drawn]) -> String {
    let mut s = String::from(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <title>csp benchmark report</title>\n<style>\n\
         body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n\
         table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\n\
         td.impl,th:first-child{text-align:left}td.note{text-align:left;color:#555}\n\
         figure{margin:1em 0}figure svg{max-width:100%;height:auto}.meta{color:#555}\n\
         </style></head><body>\n<h1>csp benchmark report</h1>\n",
    );
    for sec in sections(results, drawn) {
        let _ = writeln!(s, "<section id=\"{}\">", esc(&sec.id));
        if let Some(t) = &sec.title {
            let _ = writeln!(s, "<h2>{}</h2>", esc(t));
        }
        for b in &sec.blocks {
            match b {
                Block::Heading(t) => {
                    let _ = writeln!(s, "<h3>{}</h3>", esc(t));
                }
                Block::Para(t) => {
                    let _ = writeln!(s, "<p>{}</p>", esc(t));
                }
                Block::Meta(t) => {
                    let _ = writeln!(s, "<p class=\"meta\">{}</p>", esc(t));
                }
                Block::Figure(i) => figure(&mut s, &drawn[*i]),
                Block::Table {
                    head,
                    rows,
                    note_column,
                } => table(&mut s, head, rows, *note_column),
                Block::List(items) => {
                    s.push_str("<ul>\n");
                    for m in items {
                        let _ = writeln!(s, "<li>{}</li>", esc(m));
                    }
                    s.push_str("</ul>\n");
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
    let Block::Table { head, rows, .. } = summary_block(results) else {
        unreachable!("the summary is a table")
    };
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
