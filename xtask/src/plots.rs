//! The report's plots, drawn with plotters as SVG (inlined in index.html) and PNG.
//!
//! Text needs a TrueType font: plotters' `ab_glyph` feature renders it in pure
//! Rust from a font file registered at start, here DejaVu Sans from Debian's
//! `fonts-dejavu-core` (or the file named by `CSP_REPORT_FONT`; `none` turns
//! text off). Without a font the plots are drawn without any text (bars, lines
//! and legend swatches only) and the report says so.

use crate::results::{param_id, Results};
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
        /// Group labels.
        groups: Vec<String>,
        /// Implementations, in bar order.
        impls: Vec<Series>,
        /// `values[group][impl]`, ns per message.
        values: Vec<Vec<Option<f64>>>,
    },
    /// Lines over a power-of-two x axis, one per implementation.
    Lines {
        /// Title.
        title: String,
        /// X axis name.
        x_desc: String,
        /// X values (powers of two).
        xs: Vec<u64>,
        /// (implementation, ns per message at each x).
        series: Vec<(Series, Vec<Option<f64>>)>,
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

impl Chart {
    /// Draws the chart on `area`.
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let text = font().is_some();
        area.fill(&WHITE).map_err(err)?;
        let (w, _) = area.dim_in_pixel();
        let (plot, side) = area.split_horizontally(w as i32 - 170);
        let y_fmt = |v: &f64| fmt_ns(*v);
        match self {
            Chart::Bars {
                title,
                groups,
                impls,
                values,
            } => {
                let (lo, hi) = log_range(values.iter().flatten().flatten().copied());
                let mut builder = ChartBuilder::on(&plot);
                builder
                    .margin(12)
                    .x_label_area_size(if text { 34 } else { 4 })
                    .y_label_area_size(if text { 72 } else { 4 });
                if text {
                    builder.caption(title, ("sans-serif", 22));
                }
                let (x_lo, x_hi) = (0f64, groups.len().max(1) as f64);
                let mut chart = builder
                    .build_cartesian_2d(x_lo..x_hi, (lo..hi).log_scale())
                    .map_err(err)?;
                if text {
                    chart
                        .configure_mesh()
                        .disable_x_mesh()
                        .x_labels(0)
                        .y_desc("ns per message (log scale)")
                        .y_label_formatter(&y_fmt)
                        .draw()
                        .map_err(err)?;
                } else {
                    // plotters' mesh measures label text even when there is none.
                    let axes = vec![(x_lo, hi), (x_lo, lo), (x_hi, lo)];
                    chart
                        .draw_series(std::iter::once(PathElement::new(axes, BLACK)))
                        .map_err(err)?;
                }
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
                        let size = if groups.len() > 6 { 13 } else { 15 };
                        let style = TextStyle::from(("sans-serif", size).into_font())
                            .pos(Pos::new(HPos::Center, VPos::Top));
                        plot.draw(&Text::new(groups[g].as_str(), (px, py + 8), style))
                            .map_err(err)?;
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
                x_desc,
                xs,
                series,
            } => {
                let (lo, hi) =
                    log_range(series.iter().flat_map(|(_, v)| v.iter().flatten().copied()));
                let lx = |x: u64| (x.max(1) as f64).log2();
                let x_max = xs.iter().copied().map(lx).fold(0.0, f64::max);
                let mut builder = ChartBuilder::on(&plot);
                builder
                    .margin(12)
                    .x_label_area_size(if text { 44 } else { 4 })
                    .y_label_area_size(if text { 72 } else { 4 });
                if text {
                    builder.caption(title, ("sans-serif", 22));
                }
                let (x_lo, x_hi) = (-0.3f64, x_max + 0.3);
                let mut chart = builder
                    .build_cartesian_2d(x_lo..x_hi, (lo..hi).log_scale())
                    .map_err(err)?;
                if text {
                    chart
                        .configure_mesh()
                        .disable_x_mesh()
                        .x_labels(0)
                        .y_desc("ns per message (log scale)")
                        .y_label_formatter(&y_fmt)
                        .draw()
                        .map_err(err)?;
                } else {
                    // plotters' mesh measures label text even when there is none.
                    let axes = vec![(x_lo, hi), (x_lo, lo), (x_hi, lo)];
                    chart
                        .draw_series(std::iter::once(PathElement::new(axes, BLACK)))
                        .map_err(err)?;
                }
                for (imp, values) in series {
                    let pts: Vec<(f64, f64)> = xs
                        .iter()
                        .zip(values)
                        .filter_map(|(x, v)| v.map(|v| (lx(*x), v)))
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
                    for x in xs {
                        let (px, py) = chart.backend_coord(&(lx(*x), lo));
                        plot.draw(&Text::new(x.to_string(), (px, py + 6), style.clone()))
                            .map_err(err)?;
                    }
                    let (px, py) = chart.backend_coord(&(x_max / 2.0, lo));
                    plot.draw(&Text::new(x_desc.as_str(), (px, py + 24), style))
                        .map_err(err)?;
                }
                let names: Vec<Series> = series.iter().map(|(n, _)| n.clone()).collect();
                legend(&side, &names, text)?;
            }
        }
        Ok(())
    }

    /// The title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Bars { title, .. } | Chart::Lines { title, .. } => title,
        }
    }

    /// Writes `<stem>.svg` and `<stem>.png` into `dir` and returns the SVG text.
    pub fn render(&self, dir: &Path, stem: &str, workload: Option<&str>) -> Result<Drawn, String> {
        let size = (960, 480);
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

/// A short label for a case inside its workload's chart.
fn case_label(workload: &str, params: &serde_json::Map<String, serde_json::Value>) -> String {
    let get = |k: &str| params.get(k).map(|v| v.to_string()).unwrap_or_default();
    match workload {
        "fan_in" => format!("P = {}", get("producers")),
        "pipeline" => format!("cap {}", get("cap")),
        "sieve" => format!("limit {}", get("limit")),
        _ if params.is_empty() => workload.to_string(),
        _ => param_id(params),
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

/// Every chart of a report: the overview (the catalog's headline case of each
/// workload), one bar chart per workload, and a line chart per numeric
/// parameter that varies within a workload (fan-in producers, pipeline
/// capacity).
pub fn charts(results: &Results) -> Vec<Plot> {
    let catalog = results.catalog();
    let impls: Vec<Series> = results
        .implementations()
        .into_iter()
        .filter(|i| results.results.iter().any(|e| e.implementation == *i))
        .map(|name| Series {
            color: color(results, &name),
            name,
        })
        .collect();
    let cases = results.cases();
    let value = |w: &str, p: &serde_json::Map<String, serde_json::Value>, i: &str| {
        results.find(w, p, i).map(|e| e.ns_per_msg)
    };
    let bars =
        |title: String,
         cases: Vec<&(String, serde_json::Map<String, serde_json::Value>)>,
         label: &dyn Fn(&str, &serde_json::Map<String, serde_json::Value>) -> String| {
            Chart::Bars {
                title,
                groups: cases.iter().map(|(w, p)| label(w, p)).collect(),
                impls: impls.clone(),
                values: cases
                    .iter()
                    .map(|(w, p)| impls.iter().map(|i| value(w, p, &i.name)).collect())
                    .collect(),
            }
        };
    let plot = |stem: String, workload: Option<&str>, chart: Chart| Plot {
        stem,
        workload: workload.map(str::to_string),
        chart,
    };
    let mut out = Vec::new();
    let heads: Vec<_> = cases
        .iter()
        .filter(|(w, p)| catalog.is_headline(w, p))
        .collect();
    if !heads.is_empty() {
        out.push(plot(
            "overview".to_string(),
            None,
            bars(
                "All workloads: ns per message (lower is better)".into(),
                heads,
                &|w, _| w.to_string(),
            ),
        ));
    }
    for workload in &catalog.workloads {
        let workload = workload.name.as_str();
        let mine: Vec<_> = cases.iter().filter(|(w, _)| w == workload).collect();
        if mine.is_empty() {
            continue;
        }
        let title = format!("{workload}: ns per message");
        out.push(plot(
            format!("bars_{workload}"),
            Some(workload),
            bars(title, mine, &case_label),
        ));
    }
    for workload in &catalog.workloads {
        let workload = workload.name.as_str();
        let mine: Vec<_> = cases.iter().filter(|(w, _)| w == workload).collect();
        for (key, xs) in varying_params(&mine) {
            let fixed = mine
                .first()
                .map(|(_, p)| {
                    let rest: serde_json::Map<_, _> = p
                        .iter()
                        .filter(|(k, _)| **k != key)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    param_id(&rest)
                })
                .unwrap_or_default();
            let title = if fixed.is_empty() {
                format!("{workload}: ns per message by {key}")
            } else {
                format!("{workload} ({fixed}): ns per message by {key}")
            };
            let series = impls
                .iter()
                .map(|i| {
                    let ys = xs
                        .iter()
                        .map(|x| {
                            mine.iter()
                                .find(|(_, p)| p.get(&key).and_then(|v| v.as_u64()) == Some(*x))
                                .and_then(|(w, p)| value(w, p, &i.name))
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
                    x_desc: key.clone(),
                    xs,
                    series,
                },
            ));
        }
    }
    out
}

/// The numeric parameters that take two or more values across `cases`, with
/// those values sorted.
fn varying_params(
    cases: &[&(String, serde_json::Map<String, serde_json::Value>)],
) -> Vec<(String, Vec<u64>)> {
    let Some((_, first)) = cases.first() else {
        return Vec::new();
    };
    first
        .keys()
        .filter_map(|key| {
            let mut xs: Vec<u64> = cases
                .iter()
                .filter_map(|(_, p)| p.get(key).and_then(|v| v.as_u64()))
                .collect();
            xs.sort_unstable();
            xs.dedup();
            (xs.len() >= 2).then(|| (key.clone(), xs))
        })
        .collect()
}
