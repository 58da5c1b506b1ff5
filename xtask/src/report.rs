//! Writes a report directory from [`Results`]: `results.json`, `REPORT.md`,
//! `index.html` (self-contained, SVG inlined) and every plot as SVG and PNG.

use crate::plots::{self, Drawn};
use crate::results::{param_id, Entry, Results, WORKLOADS};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the workloads measure, one line each, for the report.
const ABOUT: [(&str, &str); 8] = [
    (
        "ping_pong",
        "round trip over two unbuffered channels; figure per round trip",
    ),
    (
        "spsc_unbuffered",
        "one producer, one consumer, unbuffered channel",
    ),
    (
        "fan_in",
        "P producers into one channel of capacity 128, one consumer",
    ),
    (
        "mpmc",
        "4 producers, 4 consumers, one channel of capacity 128",
    ),
    (
        "pipeline",
        "source, 4 forwarding stages, sink; every channel of the given capacity",
    ),
    (
        "select4",
        "one consumer selecting over 4 unbuffered channels, each with its own producer",
    ),
    (
        "spawn",
        "start tasks that each send one value; figure per task",
    ),
    (
        "sieve",
        "Go's concurrent prime sieve, one task per prime; figure per channel send",
    ),
];

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
    for (stem, chart) in plots::charts(results) {
        drawn.push(chart.render(dir, &stem)?);
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
        None if results
            .unsupported
            .iter()
            .any(|u| u.workload == workload && u.implementation == imp) =>
        {
            "n/a".to_string()
        }
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
        } else if let Some(u) = results
            .unsupported
            .iter()
            .find(|u| u.workload == workload && u.implementation == imp)
        {
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
    ]
}

/// `REPORT.md`.
pub fn markdown(results: &Results, drawn: &[Drawn]) -> String {
    let mut s = String::from("# csp benchmark report\n\n");
    for line in header_lines(results) {
        let _ = writeln!(s, "{line}  ");
    }
    let _ = writeln!(s, "\nGo: {}\n", results.go_status);
    let impls = results.implementations();
    let _ = writeln!(s, "## Summary: ns per message, median (lower is better)\n");
    let _ = writeln!(s, "| case | {} |", impls.join(" | "));
    let _ = writeln!(s, "|---|{}", "---:|".repeat(impls.len()));
    for (w, p) in results.cases() {
        let cells: Vec<String> = impls.iter().map(|i| cell(results, &w, &p, i)).collect();
        let _ = writeln!(s, "| {} | {} |", case_name(&w, &p), cells.join(" | "));
    }
    let _ = writeln!(
        s,
        "\n`n/a`: the library lacks the feature (see the workload's table); `–`: not run.\n"
    );
    if drawn.iter().any(|d| d.stem == "overview") {
        let _ = writeln!(s, "![overview](overview.svg)\n");
    }
    for workload in WORKLOADS {
        let cases: Vec<_> = results
            .cases()
            .into_iter()
            .filter(|(w, _)| w == workload)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let about = ABOUT
            .iter()
            .find(|(w, _)| *w == workload)
            .map_or("", |(_, a)| a);
        let _ = writeln!(s, "## {workload}\n\n{about}.\n");
        for d in drawn
            .iter()
            .filter(|d| d.stem == format!("bars_{workload}") || plot_of(&d.stem) == Some(workload))
        {
            let _ = writeln!(s, "![{}]({}.svg)\n", d.title, d.stem);
        }
        for (w, p) in cases {
            let _ = writeln!(s, "### {}\n", case_name(&w, &p));
            let _ = writeln!(s, "| {} |", COLUMNS.join(" | "));
            let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---|");
            for row in case_rows(results, &w, &p) {
                let _ = writeln!(s, "| {} |", row.join(" | "));
            }
            s.push('\n');
        }
    }
    if !results.park_memory.is_empty() {
        let _ = writeln!(
            s,
            "## Memory per parked goroutine\n\n{}\n",
            park_memory_about(results)
        );
        let _ = writeln!(s, "| {} |", park_memory_columns(results).join(" | "));
        let _ = writeln!(s, "|---|---:|---:|---:|");
        for row in park_memory_rows(results) {
            let _ = writeln!(s, "| {} |", row.join(" | "));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Method\n");
    for m in &results.method {
        let _ = writeln!(s, "- {m}");
    }
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

/// The workload whose section shows a line plot.
fn plot_of(stem: &str) -> Option<&'static str> {
    match stem {
        "fan_in_scaling" => Some("fan_in"),
        "pipeline_capacity" => Some("pipeline"),
        _ => None,
    }
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

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>], note_column: bool) {
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
    for line in header_lines(results) {
        let _ = writeln!(s, "<p class=\"meta\">{}</p>", esc(&line));
    }
    let _ = writeln!(
        s,
        "<p class=\"meta\" id=\"go-status\">Go: {}</p>",
        esc(&results.go_status)
    );
    if plots::font().is_none() {
        s.push_str(
            "<p class=\"meta\">No TrueType font was found: plots are drawn without text.</p>\n",
        );
    }
    if let Some(d) = drawn.iter().find(|d| d.stem == "overview") {
        figure(&mut s, d);
    }
    let impls = results.implementations();
    s.push_str("<h2 id=\"summary\">Summary: ns per message, median (lower is better)</h2>\n");
    let mut head = vec!["case"];
    head.extend(impls.iter().copied());
    let rows: Vec<Vec<String>> = results
        .cases()
        .into_iter()
        .map(|(w, p)| {
            let mut row = vec![case_name(&w, &p)];
            row.extend(impls.iter().map(|i| cell(results, &w, &p, i)));
            row
        })
        .collect();
    table(&mut s, &head, &rows, false);
    for workload in WORKLOADS {
        let cases: Vec<_> = results
            .cases()
            .into_iter()
            .filter(|(w, _)| w == workload)
            .collect();
        if cases.is_empty() {
            continue;
        }
        let about = ABOUT
            .iter()
            .find(|(w, _)| *w == workload)
            .map_or("", |(_, a)| a);
        let _ = writeln!(
            s,
            "<section id=\"w-{workload}\"><h2>{workload}</h2><p>{}.</p>",
            esc(about)
        );
        for d in drawn
            .iter()
            .filter(|d| d.stem == format!("bars_{workload}") || plot_of(&d.stem) == Some(workload))
        {
            figure(&mut s, d);
        }
        for (w, p) in cases {
            let _ = writeln!(s, "<h3>{}</h3>", esc(&case_name(&w, &p)));
            let rows: Vec<Vec<String>> = case_rows(results, &w, &p)
                .into_iter()
                .map(Vec::from)
                .collect();
            table(&mut s, &COLUMNS, &rows, true);
        }
        s.push_str("</section>\n");
    }
    if !results.park_memory.is_empty() {
        let _ = writeln!(
            s,
            "<section id=\"park-memory\"><h2>Memory per parked goroutine</h2><p>{}</p>",
            esc(&park_memory_about(results))
        );
        let head = park_memory_columns(results);
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        table(&mut s, &head, &park_memory_rows(results), false);
        s.push_str("</section>\n");
    }
    s.push_str("<h2>Method</h2><ul>\n");
    for m in &results.method {
        let _ = writeln!(s, "<li>{}</li>", esc(m));
    }
    s.push_str("</ul></body></html>\n");
    s
}

/// The summary table for the terminal: one row per case, one column per implementation.
pub fn summary_table(results: &Results) -> String {
    let impls = results.implementations();
    let rows: Vec<(String, Vec<String>)> = results
        .cases()
        .into_iter()
        .map(|(w, p)| {
            (
                case_name(&w, &p),
                impls.iter().map(|i| cell(results, &w, &p, i)).collect(),
            )
        })
        .collect();
    let first = rows
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let widths: Vec<usize> = impls
        .iter()
        .enumerate()
        .map(|(k, i)| {
            rows.iter()
                .map(|(_, c)| c[k].chars().count())
                .max()
                .unwrap_or(0)
                .max(i.len())
        })
        .collect();
    let pad = |s: &str, w: usize, right: bool| {
        let n = s.chars().count();
        let fill = " ".repeat(w.saturating_sub(n));
        if right {
            format!("{fill}{s}")
        } else {
            format!("{s}{fill}")
        }
    };
    let mut out = format!(
        "ns per message (median; lower is better)\n{}",
        pad("case", first, false)
    );
    for (i, w) in impls.iter().zip(&widths) {
        out.push_str("  ");
        out.push_str(&pad(i, *w, true));
    }
    out.push('\n');
    for (name, cells) in rows {
        out.push_str(&pad(&name, first, false));
        for (c, w) in cells.iter().zip(&widths) {
            out.push_str("  ");
            out.push_str(&pad(c, *w, true));
        }
        out.push('\n');
    }
    out
}
