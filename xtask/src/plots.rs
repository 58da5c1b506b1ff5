//! The report's plots, drawn with plotters as SVG (inlined in index.html) and PNG.
//!
//! Text needs a TrueType font: plotters' `ab_glyph` feature renders it in pure
//! Rust from a font file registered at start, here DejaVu Sans from Debian's
//! `fonts-dejavu-core` (or the file named by `CSP_REPORT_FONT`; `none` turns
//! text off). Without a font the plots are drawn without any text (bars, lines
//! and legend swatches only) and the report says so.

use crate::results::{param_id, Results, Row};
use plotters::coord::combinators::LogCoord;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::OnceLock;

/// Where a TrueType font is looked for, in order (after `CSP_REPORT_FONT`).
const FONT_PATHS: [&str; 4] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
];

/// The font file in use, registered with plotters on first call; None = no text.
pub fn font() -> Option<&'static str> {
    static FONT: OnceLock<Option<String>> = OnceLock::new();
    FONT.get_or_init(|| {
        let env = std::env::var("CSP_REPORT_FONT").ok();
        if env.as_deref() == Some("none") {
            return None;
        }
        let candidates = env.iter().map(String::as_str).chain(FONT_PATHS);
        for path in candidates {
            if let Ok(bytes) = std::fs::read(path) {
                // plotters keeps fonts for the life of the process.
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return Some(path.to_string());
                }
            }
        }
        None
    })
    .as_deref()
}

/// Colours by position in the catalog's implementation order.
const PALETTE: [RGBColor; 12] = [
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(127, 127, 127),
    RGBColor(57, 59, 121),
    RGBColor(0, 128, 128),
    RGBColor(128, 0, 0),
];

/// Go's colour: the reference keeps one colour whatever the peers are.
const GO_COLOR: RGBColor = RGBColor(23, 190, 207);

/// The colour of an implementation, the same in every plot of a report.
pub fn color(results: &Results, imp: &str) -> RGBColor {
    let catalog = results.catalog();
    if catalog
        .implementation(imp)
        .is_some_and(|i| i.runner == "go")
    {
        return GO_COLOR;
    }
    let rank = catalog
        .implementations
        .iter()
        .filter(|i| i.runner != "go")
        .position(|i| i.name == imp)
        .unwrap_or(PALETTE.len() - 1);
    PALETTE[rank % PALETTE.len()]
}

/// An implementation as a plot draws it: name and colour.
#[derive(Clone, Debug)]
pub struct Series {
    /// Implementation name (legend text).
    pub name: String,
    /// Its colour.
    pub color: RGBColor,
}

/// A plot to draw.
#[derive(Debug)]
pub enum Chart {
    /// Grouped bars on a log axis: one group per case, one bar per implementation.
    Bars {
        /// Title.
        title: String,
        /// Y axis name.
        y_desc: String,
        /// Group labels (a second line after `\n`).
        groups: Vec<String>,
        /// Implementations, in bar order.
        impls: Vec<Series>,
        /// `values[group][impl]`, ns per unit.
        values: Vec<Vec<Option<f64>>>,
    },
    /// Lines, one per implementation, over x positions with their labels
    /// (log2 of a parameter, or the "nines" of a percentile).
    Lines {
        /// Title.
        title: String,
        /// Y axis name.
        y_desc: String,
        /// X axis name.
        x_desc: String,
        /// X positions and their tick labels.
        xs: Vec<(f64, String)>,
        /// (implementation, ns per unit at each x).
        series: Vec<(Series, Vec<Option<f64>>)>,
    },
    /// Horizontal bars of time ÷ the reference's time on a log axis, from a
    /// 1× line, each labelled with its value: one group per case.
    Ratios {
        /// Title.
        title: String,
        /// X axis name.
        x_desc: String,
        /// Group labels (a second line after `\n`).
        groups: Vec<String>,
        /// Implementations, in bar order.
        impls: Vec<Series>,
        /// `values[group][impl]`: the ratio.
        values: Vec<Vec<Option<f64>>>,
    },
}

/// A drawn plot: its file stem, title and SVG text.
#[derive(Debug)]
pub struct Drawn {
    /// File name without extension.
    pub stem: String,
    /// The workload whose section shows it (None: the summary).
    pub workload: Option<String>,
    /// Title (also the caption).
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("plot: {e:?}")
}

/// A log range that holds every value, widened to powers of ten.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::MAX, f64::MIN);
    for v in values.filter(|v| *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (1.0, 1000.0);
    }
    (
        10f64.powf((lo * 0.8).log10().floor()),
        10f64.powf((hi * 1.25).log10().ceil()),
    )
}

/// `1.2 µs`, `350 ns`: tick labels.
pub fn fmt_ns(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.0} ms", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0} µs", v / 1e3)
    } else if v >= 1.0 {
        format!("{v:.0} ns")
    } else {
        format!("{v:.2} ns")
    }
}

/// Draws the legend: a swatch (and the name, with text) per implementation.
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    impls: &[Series],
    text: bool,
) -> Result<(), String> {
    for (i, imp) in impls.iter().enumerate() {
        let y = 40 + 24 * i as i32;
        area.draw(&Rectangle::new([(8, y), (24, y + 14)], imp.color.filled()))
            .map_err(err)?;
        if text {
            area.draw(&Text::new(imp.name.as_str(), (30, y), ("sans-serif", 15)))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// The plot area of a chart with a log-scale y axis in nanoseconds.
type LogY = Cartesian2d<RangedCoordf64, LogCoord<f64>>;

/// Builds the frame of a log-y chart: caption, y axis with its name and
/// ticks, no x ticks (the caller labels x).
fn log_y_frame<'a, DB: DrawingBackend + 'a>(
    plot: &'a DrawingArea<DB, Shift>,
    title: &str,
    (x_lo, x_hi): (f64, f64),
    (lo, hi): (f64, f64),
    y_desc: &str,
    x_area: u32,
) -> Result<ChartContext<'a, DB, LogY>, String> {
    let text = font().is_some();
    let mut builder = ChartBuilder::on(plot);
    builder
        .margin(12)
        .x_label_area_size(if text { x_area } else { 4 })
        .y_label_area_size(if text { 72 } else { 4 });
    if text {
        builder.caption(title, ("sans-serif", 22));
    }
    let mut chart = builder
        .build_cartesian_2d(x_lo..x_hi, (lo..hi).log_scale())
        .map_err(err)?;
    if text {
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(y_desc)
            .y_label_formatter(&|v: &f64| fmt_ns(*v))
            .draw()
            .map_err(err)?;
    } else {
        // plotters' mesh measures label text even when there is none.
        let axes = vec![(x_lo, hi), (x_lo, lo), (x_hi, lo)];
        chart
            .draw_series(std::iter::once(PathElement::new(axes, BLACK)))
            .map_err(err)?;
    }
    Ok(chart)
}

/// Draws `label` (lines split at `\n`) with `style`, one line under the other.
fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    (x, y): (i32, i32),
    style: &TextStyle,
) -> Result<(), String> {
    let n = label.lines().count() as i32;
    let first = match style.pos.v_pos {
        VPos::Center => y - (n - 1) * 8,
        _ => y,
    };
    for (k, line) in label.lines().enumerate() {
        area.draw(&Text::new(line, (x, first + 16 * k as i32), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

/// `0.01×`, `1×`, `100×`: ratio axis ticks.
fn fmt_times(v: f64) -> String {
    if v >= 1.0 {
        format!("{v:.0}×")
    } else {
        let digits = (-v.log10()).ceil().max(1.0) as usize;
        format!("{v:.digits$}×")
    }
}

impl Chart {
    /// Pixel size of the chart.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Ratios { values, .. } => {
                let bars: usize = values
                    .iter()
                    .map(|r| r.iter().filter(|v| v.is_some()).count())
                    .sum();
                (960, (110 + 17 * bars + 8 * values.len()).max(300) as u32)
            }
            _ => (960, 480),
        }
    }

    /// Draws the chart on `area`.
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let text = font().is_some();
        area.fill(&WHITE).map_err(err)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w as i32 - 170);
        match self {
            Chart::Bars {
                title,
                y_desc,
                groups,
                impls,
                values,
            } => {
                let (lo, hi) = log_range(values.iter().flatten().flatten().copied());
                let x_hi = groups.len().max(1) as f64;
                let mut chart = log_y_frame(&plot, title, (0.0, x_hi), (lo, hi), y_desc, 76)?;
                let width = 0.8 / impls.len().max(1) as f64;
                for (g, row) in values.iter().enumerate() {
                    for (i, v) in row.iter().enumerate() {
                        let Some(v) = v else { continue };
                        let x0 = g as f64 + 0.1 + i as f64 * width;
                        let bar = Rectangle::new(
                            [(x0, lo), (x0 + width * 0.9, *v)],
                            impls[i].color.filled(),
                        );
                        chart.draw_series(std::iter::once(bar)).map_err(err)?;
                    }
                    if text {
                        let (px, py) = chart.backend_coord(&(g as f64 + 0.5, lo));
                        let size = if groups.len() > 6 { 12 } else { 15 };
                        let style = TextStyle::from(("sans-serif", size).into_font())
                            .pos(Pos::new(HPos::Center, VPos::Top));
                        draw_lines(&plot, &groups[g], (px, py + 6), &style)?;
                    }
                }
                let shown: Vec<Series> = impls
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| values.iter().any(|row| row[*i].is_some()))
                    .map(|(_, n)| n.clone())
                    .collect();
                legend(&side, &shown, text)?;
            }
            Chart::Lines {
                title,
                y_desc,
                x_desc,
                xs,
                series,
            } => {
                let (lo, hi) =
                    log_range(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
                let x_min = xs.iter().map(|x| x.0).fold(f64::MAX, f64::min).min(0.0);
                let x_max = xs.iter().map(|x| x.0).fold(0.0, f64::max);
                let mut chart = log_y_frame(
                    &plot,
                    title,
                    (x_min - 0.3, x_max + 0.3),
                    (lo, hi),
                    y_desc,
                    44,
                )?;
                for (imp, values) in series {
                    let pts: Vec<(f64, f64)> = xs
                        .iter()
                        .zip(values)
                        .filter_map(|(x, v)| v.map(|v| (x.0, v)))
                        .collect();
                    let c = imp.color;
                    chart
                        .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                        .map_err(err)?;
                    chart
                        .draw_series(pts.into_iter().map(|p| Circle::new(p, 4, c.filled())))
                        .map_err(err)?;
                }
                if text {
                    let style = TextStyle::from(("sans-serif", 15).into_font())
                        .pos(Pos::new(HPos::Center, VPos::Top));
                    for (x, label) in xs {
                        let (px, py) = chart.backend_coord(&(*x, lo));
                        plot.draw(&Text::new(label.as_str(), (px, py + 6), style.clone()))
                            .map_err(err)?;
                    }
                    let (px, py) = chart.backend_coord(&((x_min + x_max) / 2.0, lo));
                    plot.draw(&Text::new(x_desc.as_str(), (px, py + 24), style))
                        .map_err(err)?;
                }
                let names: Vec<Series> = series.iter().map(|(n, _)| n.clone()).collect();
                legend(&side, &names, text)?;
            }
            Chart::Ratios {
                title,
                x_desc,
                groups,
                impls,
                values,
            } => {
                // One bar per (group, implementation with a value), top down.
                let mut bars: Vec<(usize, usize, f64)> = Vec::new();
                for (g, row) in values.iter().enumerate() {
                    for (i, v) in row.iter().enumerate() {
                        if let Some(v) = v.filter(|v| *v > 0.0) {
                            bars.push((g, i, v));
                        }
                    }
                }
                let n = bars.len().max(1) as f64;
                let (vlo, vhi) = bars
                    .iter()
                    .fold((1.0f64, 1.0f64), |(a, b), (_, _, v)| (a.min(*v), b.max(*v)));
                // Room for the value labels on both sides.
                let lo = 10f64.powf((vlo / 8.0).log10().floor());
                let hi = 10f64.powf((vhi * 8.0).log10().ceil());
                let mut builder = ChartBuilder::on(&plot);
                builder
                    .margin(12)
                    .x_label_area_size(if text { 44 } else { 4 })
                    .y_label_area_size(if text { 170 } else { 4 });
                if text {
                    builder.caption(title, ("sans-serif", 22));
                }
                let mut chart = builder
                    .build_cartesian_2d((lo..hi).log_scale(), 0f64..n)
                    .map_err(err)?;
                if text {
                    chart
                        .configure_mesh()
                        .disable_y_mesh()
                        .y_labels(0)
                        .x_desc(x_desc.as_str())
                        .x_label_formatter(&|v: &f64| fmt_times(*v))
                        .draw()
                        .map_err(err)?;
                } else {
                    let axes = vec![(lo, n), (lo, 0.0), (hi, 0.0)];
                    chart
                        .draw_series(std::iter::once(PathElement::new(axes, BLACK)))
                        .map_err(err)?;
                }
                let top = |k: usize| n - k as f64;
                for (k, (g, i, v)) in bars.iter().enumerate() {
                    let y = top(k);
                    let bar =
                        Rectangle::new([(1.0, y - 0.85), (*v, y - 0.15)], impls[*i].color.filled());
                    chart.draw_series(std::iter::once(bar)).map_err(err)?;
                    if text {
                        let (px, py) = chart.backend_coord(&(*v, y - 0.5));
                        let faster = *v < 1.0;
                        let style = TextStyle::from(("sans-serif", 12).into_font()).pos(Pos::new(
                            if faster { HPos::Right } else { HPos::Left },
                            VPos::Center,
                        ));
                        let label = format!("{} {}", impls[*i].name, crate::report::fmt_ratio(*v));
                        let dx = if faster { -4 } else { 4 };
                        plot.draw(&Text::new(label, (px + dx, py), style))
                            .map_err(err)?;
                    }
                    let first_of_group = k == 0 || bars[k - 1].0 != *g;
                    if first_of_group {
                        if k > 0 {
                            let sep =
                                PathElement::new(vec![(lo, y), (hi, y)], RGBColor(200, 200, 200));
                            chart.draw_series(std::iter::once(sep)).map_err(err)?;
                        }
                        if text {
                            let last = bars.iter().rposition(|b| b.0 == *g).unwrap_or(k);
                            let mid = (top(k) + top(last) - 1.0) / 2.0;
                            let (px, py) = chart.backend_coord(&(lo, mid));
                            let style = TextStyle::from(("sans-serif", 13).into_font())
                                .pos(Pos::new(HPos::Right, VPos::Center));
                            draw_lines(&plot, &groups[*g], (px - 8, py), &style)?;
                        }
                    }
                }
                let one = PathElement::new(vec![(1.0, 0.0), (1.0, n)], BLACK.stroke_width(2));
                chart.draw_series(std::iter::once(one)).map_err(err)?;
                let shown: Vec<Series> = impls
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bars.iter().any(|b| b.1 == *i))
                    .map(|(_, s)| s.clone())
                    .collect();
                legend(&side, &shown, text)?;
            }
        }
        Ok(())
    }

    /// The title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars { title, .. }
            | Chart::Lines { title, .. }
            | Chart::Ratios { title, .. } => title,
        }
    }

    /// Writes `<stem>.svg` and `<stem>.png` into `dir` and returns the SVG text.
    pub fn render(&self, dir: &Path, stem: &str, workload: Option<&str>) -> Result<Drawn, String> {
        let size = self.size();
        let svg_path = dir.join(format!("{stem}.svg"));
        let png_path = dir.join(format!("{stem}.png"));
        {
            let area = SVGBackend::new(&svg_path, size).into_drawing_area();
            self.draw(&area)?;
            area.present().map_err(err)?;
        }
        {
            let area = BitMapBackend::new(&png_path, size).into_drawing_area();
            self.draw(&area)?;
            area.present().map_err(err)?;
        }
        let svg = std::fs::read_to_string(&svg_path)
            .map_err(|e| format!("{}: {e}", svg_path.display()))?;
        Ok(Drawn {
            stem: stem.to_string(),
            workload: workload.map(str::to_string),
            title: self.title().to_string(),
            svg,
        })
    }
}

/// A chart and where it goes.
#[derive(Debug)]
pub struct Plot {
    /// File name without extension.
    pub stem: String,
    /// The workload whose section shows it (None: the summary).
    pub workload: Option<String>,
    /// What to draw.
    pub chart: Chart,
}

/// A row's label in lines: the workload, then its parameters and kind (one
/// per line when they are long).
fn two_lines(row: &Row) -> String {
    let label = row.label();
    match label.split_once(" (") {
        Some((w, rest)) => {
            let rest = rest.trim_end_matches(')');
            let rest = if rest.len() > 18 {
                rest.replace(',', ",\n")
            } else {
                rest.to_string()
            };
            format!("{w}\n{rest}")
        }
        None => label,
    }
}

/// A row's label inside its workload's chart: the parameters and kind only.
fn in_workload(row: &Row) -> String {
    let two = two_lines(row);
    two.split_once('\n')
        .map_or(two.clone(), |(_, r)| r.to_string())
}

/// Every chart of a report: the ratio to Go and the overview (the catalog's
/// headline case of each workload), one bar chart per workload, and a line
/// chart per numeric parameter that varies within a workload (fan-in
/// producers, pipeline capacity).
pub fn charts(results: &Results) -> Vec<Plot> {
    let catalog = results.catalog();
    let smoke = if results.mode == "smoke" {
        " (SMOKE RUN)"
    } else {
        ""
    };
    let impls: Vec<Series> = results
        .implementations()
        .into_iter()
        .filter(|i| results.results.iter().any(|e| e.implementation == *i))
        .map(|name| Series {
            color: color(results, &name),
            name,
        })
        .collect();
    let rows = results.rows();
    let value = |row: &Row, i: &str| results.find_in(row, i).map(|e| e.ns_per_msg);
    let unit = |w: &str| {
        catalog
            .workload(w)
            .map_or("message".to_string(), |w| w.unit.clone())
    };
    let bars = |title: String, y_desc: String, rows: &[&Row], label: &dyn Fn(&Row) -> String| {
        Chart::Bars {
            title,
            y_desc,
            groups: rows.iter().map(|r| label(r)).collect(),
            impls: impls.clone(),
            values: rows
                .iter()
                .map(|r| impls.iter().map(|i| value(r, &i.name)).collect())
                .collect(),
        }
    };
    let plot = |stem: String, workload: Option<&str>, chart: Chart| Plot {
        stem,
        workload: workload.map(str::to_string),
        chart,
    };
    let mut out = Vec::new();
    let heads: Vec<&Row> = rows
        .iter()
        .filter(|r| catalog.is_headline(&r.workload, &r.params))
        .collect();
    let go = catalog
        .implementations
        .iter()
        .find(|i| i.runner == "go")
        .map(|i| i.name.clone());
    if let Some(go) = go {
        let with_go: Vec<&Row> = heads
            .iter()
            .copied()
            .filter(|r| value(r, &go).is_some())
            .collect();
        let others: Vec<Series> = impls.iter().filter(|i| i.name != go).cloned().collect();
        if !with_go.is_empty() && !others.is_empty() {
            out.push(plot(
                "ratio_to_go".to_string(),
                None,
                Chart::Ratios {
                    title: format!(
                        "Time per message ÷ Go's, headline case of each workload{smoke}"
                    ),
                    x_desc: "× Go's time (log scale): left of the 1× line is faster than Go"
                        .to_string(),
                    groups: with_go.iter().map(|r| two_lines(r)).collect(),
                    values: with_go
                        .iter()
                        .map(|r| {
                            let g = value(r, &go);
                            others
                                .iter()
                                .map(|i| Some(value(r, &i.name)? / g?))
                                .collect()
                        })
                        .collect(),
                    impls: others,
                },
            ));
        }
    }
    if !heads.is_empty() {
        out.push(plot(
            "overview".to_string(),
            None,
            bars(
                format!("Headline case of each workload: ns per unit, lower is better{smoke}"),
                "ns per message, round trip or task (log scale)".into(),
                &heads,
                &two_lines,
            ),
        ));
    }
    for workload in &catalog.workloads {
        let workload = workload.name.as_str();
        let mine: Vec<&Row> = rows.iter().filter(|r| r.workload == workload).collect();
        if mine.is_empty() {
            continue;
        }
        let u = unit(workload);
        out.push(plot(
            format!("bars_{workload}"),
            Some(workload),
            bars(
                format!("{workload}: ns per {u}{smoke}"),
                format!("ns per {u} (log scale)"),
                &mine,
                &in_workload,
            ),
        ));
    }
    for workload in &catalog.workloads {
        let workload = workload.name.as_str();
        let mine: Vec<&Row> = rows.iter().filter(|r| r.workload == workload).collect();
        let u = unit(workload);
        for (key, xs) in varying_params(&mine) {
            let fixed = mine
                .first()
                .map(|r| {
                    let rest: serde_json::Map<_, _> = r
                        .params
                        .iter()
                        .filter(|(k, _)| **k != key)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    param_id(&rest)
                })
                .unwrap_or_default();
            let title = if fixed.is_empty() {
                format!("{workload}: ns per {u} by {key}{smoke}")
            } else {
                format!("{workload} ({fixed}): ns per {u} by {key}{smoke}")
            };
            let series = impls
                .iter()
                .map(|i| {
                    let ys = xs
                        .iter()
                        .map(|x| {
                            mine.iter()
                                .find(|r| r.params.get(&key).and_then(|v| v.as_u64()) == Some(*x))
                                .and_then(|r| value(r, &i.name))
                        })
                        .collect::<Vec<_>>();
                    (i.clone(), ys)
                })
                .filter(|(_, ys)| ys.iter().any(Option::is_some))
                .collect();
            out.push(plot(
                format!("{workload}_by_{key}"),
                Some(workload),
                Chart::Lines {
                    title,
                    y_desc: format!("ns per {u} (log scale)"),
                    x_desc: key.clone(),
                    xs: xs
                        .iter()
                        .map(|x| (((*x).max(1) as f64).log2(), x.to_string()))
                        .collect(),
                    series,
                },
            ));
        }
    }
    out.extend(latency_charts(results, &impls, smoke));
    out.extend(scaling_charts(results, &impls, smoke));
    out
}

/// The worker counts of a scaling sweep, sorted.
pub fn worker_counts(results: &Results) -> Vec<u64> {
    let mut xs: Vec<u64> = results
        .scaling
        .iter()
        .filter_map(|e| e.params.get("workers").and_then(|v| v.as_u64()))
        .collect();
    xs.sort_unstable();
    xs.dedup();
    xs
}

/// One line per implementation over the worker counts, for each workload
/// of the sweep.
fn scaling_charts(results: &Results, impls: &[Series], smoke: &str) -> Vec<Plot> {
    let catalog = results.catalog();
    let counts = worker_counts(results);
    let mut out = Vec::new();
    if counts.len() < 2 {
        return out;
    }
    for workload in &catalog.workloads {
        let mine: Vec<_> = results
            .scaling
            .iter()
            .filter(|e| e.workload == workload.name)
            .collect();
        let Some(first) = mine.first() else {
            continue;
        };
        let mut case = first.params.clone();
        case.remove("workers");
        let at = |imp: &str, n: u64| {
            results
                .scaling_at(&workload.name, imp, n)
                .map(|e| e.ns_per_msg)
        };
        let series: Vec<_> = impls
            .iter()
            .map(|i| {
                (
                    i.clone(),
                    counts.iter().map(|n| at(&i.name, *n)).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, ys)| ys.iter().any(Option::is_some))
            .collect();
        let label = if case.is_empty() {
            workload.name.clone()
        } else {
            format!("{} ({})", workload.name, param_id(&case))
        };
        out.push(Plot {
            stem: format!("scaling_{}", workload.name),
            workload: Some("scaling".to_string()),
            chart: Chart::Lines {
                title: format!("{label}: ns per {} by worker threads{smoke}", workload.unit),
                y_desc: format!("ns per {} (log scale)", workload.unit),
                x_desc: "worker threads (GOMAXPROCS for Go)".to_string(),
                xs: counts
                    .iter()
                    .map(|n| ((*n as f64).log2(), n.to_string()))
                    .collect(),
                series,
            },
        });
    }
    out
}

/// The "nines" of a percentile: 90 → 1, 99 → 2, 99.9 → 3 (50 → 0.3).
fn nines(percentile: f64) -> f64 {
    -(1.0 - percentile / 100.0).max(1e-9).log10()
}

/// One percentile curve per implementation for each latency workload.
fn latency_charts(results: &Results, impls: &[Series], smoke: &str) -> Vec<Plot> {
    let mut out = Vec::new();
    let catalog = results.catalog();
    for workload in &catalog.workloads {
        let mine: Vec<_> = results
            .latency
            .iter()
            .filter(|l| l.workload == workload.name)
            .collect();
        let Some(first) = mine.first() else {
            continue;
        };
        let xs: Vec<(f64, String)> = first
            .percentiles
            .iter()
            .map(|(q, _)| (nines(*q), format!("p{q}")))
            .collect();
        let series = impls
            .iter()
            .filter_map(|i| {
                let l = mine.iter().find(|l| l.implementation == i.name)?;
                let ys = xs
                    .iter()
                    .map(|(x, _)| {
                        l.percentiles
                            .iter()
                            .find(|(q, _)| (nines(*q) - x).abs() < 1e-9)
                            .map(|(_, ns)| *ns as f64)
                    })
                    .collect();
                Some((i.clone(), ys))
            })
            .collect();
        let case = if first.params.is_empty() {
            workload.name.clone()
        } else {
            format!("{} ({})", workload.name, first.params)
        };
        out.push(Plot {
            stem: format!("latency_{}", workload.name),
            workload: Some("latency".to_string()),
            chart: Chart::Lines {
                title: format!("{case}: latency by percentile{smoke}"),
                y_desc: format!("ns per {} (log scale)", workload.unit),
                x_desc: "percentile (log scale of 1 − p)".to_string(),
                xs,
                series,
            },
        });
    }
    out
}

/// The numeric parameters that take two or more values across `rows`, with
/// those values sorted.
fn varying_params(rows: &[&Row]) -> Vec<(String, Vec<u64>)> {
    let Some(first) = rows.first() else {
        return Vec::new();
    };
    first
        .params
        .keys()
        .filter_map(|key| {
            let mut xs: Vec<u64> = rows
                .iter()
                .filter_map(|r| r.params.get(key).and_then(|v| v.as_u64()))
                .collect();
            xs.sort_unstable();
            xs.dedup();
            (xs.len() >= 2).then(|| (key.clone(), xs))
        })
        .collect()
}
