//! The report writer on fixture results: every file, every plot inlined in the
//! HTML, every implementation named (structure, not pixels).

use std::path::{Path, PathBuf};
use xtask::report::{summary_table, write};
use xtask::results::{ParkMemory, Results};

/// The fixture's implementations and workloads, in report order.
const IMPLEMENTATIONS: [&str; 8] = [
    "csp-goroutines",
    "csp-threads",
    "crossbeam",
    "flume",
    "std-mpsc",
    "kanal",
    "may",
    "go",
];
const WORKLOADS: [&str; 8] = [
    "ping_pong",
    "spsc_unbuffered",
    "fan_in",
    "mpmc",
    "pipeline",
    "select4",
    "spawn",
    "sieve",
];

fn fixture_results() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture"))
        .expect("results.json schema")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const PLOTS: [&str; 12] = [
    "ratio_to_go",
    "overview",
    "bars_ping_pong",
    "bars_spsc_unbuffered",
    "bars_fan_in",
    "bars_mpmc",
    "bars_pipeline",
    "bars_select4",
    "bars_spawn",
    "bars_sieve",
    "fan_in_by_producers",
    "pipeline_by_cap",
];

#[test]
fn writes_every_file_plot_and_implementation() {
    let results = fixture_results();
    let dir = scratch("all");
    write(&results, &dir).expect("report written");

    for stem in PLOTS {
        for ext in ["svg", "png"] {
            let f = dir.join(format!("{stem}.{ext}"));
            let len = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
            assert!(len > 1000, "{} missing or empty", f.display());
        }
    }
    let png = std::fs::read(dir.join("overview.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    for stem in PLOTS {
        assert!(
            html.contains(&format!("<figure id=\"plot-{stem}\"><svg")),
            "{stem} not inlined"
        );
    }
    assert!(!html.contains("<?xml"), "SVG prolog left inside the HTML");
    assert!(
        !html.contains("src=\"http"),
        "the page must not load anything"
    );
    for imp in IMPLEMENTATIONS {
        assert!(
            html.contains(&format!("<td class=\"impl\">{imp}</td>")),
            "{imp} has no row"
        );
        let svg = std::fs::read_to_string(dir.join("overview.svg")).unwrap();
        // plotters writes each text on its own line.
        let in_legend = svg.lines().any(|l| l.trim() == imp);
        assert!(
            in_legend || xtask::plots::font().is_none(),
            "{imp} not in legend"
        );
    }
    for w in WORKLOADS {
        assert!(
            html.contains(&format!("<section id=\"w-{w}\">")),
            "{w} has no section"
        );
    }
    // Unsupported pairs are named with their reason, not drawn.
    assert!(html.contains("kanal has no select"));

    let md = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(md.contains(
        "| case | csp-goroutines | csp-threads | crossbeam | flume | std-mpsc | kanal | may | go |"
    ));
    assert!(md.contains("| vs Go | vs crossbeam |"));
    assert!(md.contains("![overview](overview.svg)"));

    let back: Results =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(back, results);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ratios_are_relative_to_go_and_crossbeam() {
    let mut results = fixture_results();
    results.results.retain(|e| e.workload == "ping_pong");
    for e in &mut results.results {
        e.ns_per_msg = match e.implementation.as_str() {
            "go" => 200.0,
            "crossbeam" => 400.0,
            _ => 100.0,
        };
    }
    let md = xtask::report::markdown(&results, &[]);
    let row = md
        .lines()
        .find(|l| l.starts_with("| kanal | **100** |"))
        .expect("kanal row");
    assert!(row.contains("| 2.0× faster | 4.0× faster |"), "{row}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| crossbeam | 400 |"))
        .expect("crossbeam row");
    assert!(row.contains("| 2.0× slower | same |"), "{row}");
}

#[test]
fn summary_table_has_every_case_and_implementation() {
    let results = fixture_results();
    let table = summary_table(&results);
    for imp in IMPLEMENTATIONS {
        assert!(table.lines().nth(1).unwrap().contains(imp), "{imp}");
    }
    // spawn has a row for goroutines and one for OS threads.
    assert_eq!(table.lines().count(), 2 + results.cases().len() + 1);
    assert!(
        table.contains("spawn (goroutines) · per task")
            && table.contains("spawn (OS threads) · per task")
    );
    assert!(table.contains("select4 (cap=0)") && table.contains("n/a"));
}

#[test]
fn park_memory_is_optional_and_tabled_against_go() {
    // A results.json from before the memory benchmark has no `park_memory`.
    let mut results = fixture_results();
    assert!(results.park_memory.is_empty());
    let md = xtask::report::markdown(&results, &[]);
    assert!(!md.contains("Memory per parked goroutine"));
    assert!(!xtask::report::html(&results, &[]).contains("id=\"park-memory\""));

    let row = |imp: &str, runs: &[f64]| ParkMemory {
        implementation: imp.to_string(),
        goroutines: 10_000,
        bytes_per_goroutine: runs[runs.len() / 2],
        runs: runs.to_vec(),
    };
    results.park_memory = vec![
        row("go", &[2_000.0, 2_000.0, 2_000.0]),
        row("may", &[7_000.0, 8_000.0, 9_000.0]),
        row("csp-goroutines", &[4_000.0, 4_000.0, 4_000.0]),
    ];
    results.sort();
    let order: Vec<&str> = results
        .park_memory
        .iter()
        .map(|m| m.implementation.as_str())
        .collect();
    assert_eq!(order, ["csp-goroutines", "may", "go"]);

    let md = xtask::report::markdown(&results, &[]);
    assert!(md.contains("## Memory per parked goroutine"));
    assert!(
        md.contains("| implementation | bytes per parked goroutine (median of 3) | vs Go | runs |")
    );
    assert!(md.contains("| csp-goroutines | 4\u{202f}000 | 2.0× more | 4000, 4000, 4000 |"));
    assert!(md.contains("| may | 8\u{202f}000 | 4.0× more | 7000, 8000, 9000 |"));
    assert!(md.contains("| go | 2\u{202f}000 | same |"));
    assert!(md.contains("10\u{202f}000 goroutines"));

    let html = xtask::report::html(&results, &[]);
    let section = html
        .split("<section id=\"park-memory\">")
        .nth(1)
        .expect("memory section in the HTML");
    assert!(section.contains("<td class=\"impl\">may</td><td>8\u{202f}000</td><td>4.0× more</td>"));

    // Saved and read back, the key survives; without Go there is no ratio.
    let back: Results = serde_json::from_str(&serde_json::to_string(&results).unwrap()).unwrap();
    assert_eq!(back, results);
    results.park_memory.retain(|m| m.implementation != "go");
    let md = xtask::report::markdown(&results, &[]);
    assert!(md.contains("| may | 8\u{202f}000 | – |"));
}

#[test]
fn results_without_a_catalog_still_load_and_render() {
    // results.json files from before the catalog travelled in them.
    let mut value: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json"),
        )
        .unwrap(),
    )
    .unwrap();
    value.as_object_mut().unwrap().remove("catalog");
    let old: Results = serde_json::from_value(value).expect("an old results.json loads");
    assert!(old.catalog.is_none());
    let derived = old.catalog();
    let names: Vec<&str> = derived.workloads.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, WORKLOADS);
    // Every implementation is kept, in an order consistent with every case.
    let imps = old.implementations();
    for imp in IMPLEMENTATIONS {
        assert!(imps.iter().any(|i| i == imp), "{imp} lost");
    }
    let pos = |n: &str| imps.iter().position(|i| i == n).unwrap();
    assert!(pos("csp-threads") < pos("crossbeam") && pos("may") < pos("go"));
    let md = xtask::report::markdown(&old, &[]);
    for w in WORKLOADS {
        assert!(md.contains(&format!("## {w}")), "{w} has no section");
    }
    // Saved again without a catalog, it stays without one.
    let text = serde_json::to_string(&old).unwrap();
    assert!(!text.contains("\"catalog\""));
}

#[test]
fn the_catalog_orders_and_describes_the_report() {
    let results = fixture_results();
    let catalog = results.catalog.as_ref().expect("the fixture has a catalog");
    let names: Vec<&str> = catalog
        .implementations
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, IMPLEMENTATIONS);
    assert_eq!(results.implementations(), IMPLEMENTATIONS);
    let md = xtask::report::markdown(&results, &[]);
    // The workload descriptions come from bench-suite's catalog.
    let about = &catalog.workload("fan_in").unwrap().about;
    assert!(about.contains("capacity 128"), "{about}");
    assert!(md.contains(about.as_str()));
    // The headline cases are the catalog's.
    let p4 = xtask::results::parse_params("producers=4,cap=128");
    let p1 = xtask::results::parse_params("producers=1,cap=128");
    assert!(catalog.is_headline("fan_in", &p4) && !catalog.is_headline("fan_in", &p1));
}

#[test]
fn ratios_read_as_words_and_never_as_zero() {
    use xtask::report::fmt_ratio;
    assert_eq!(fmt_ratio(1.0 / 2.1), "2.1× faster");
    assert_eq!(fmt_ratio(469.0), "469× slower");
    assert_eq!(fmt_ratio(0.0021), "476× faster");
    assert_eq!(fmt_ratio(1.02), "same");
    assert_eq!(fmt_ratio(f64::NAN), "–");
    let results = fixture_results();
    let md = xtask::report::markdown(&results, &[]);
    assert!(!md.contains("0.00×"), "a ratio printed as 0.00×");
}

#[test]
fn the_report_reads_at_a_glance() {
    let mut results = fixture_results();
    results.mode = "smoke".to_string();
    results.git_commit = "0123abc-dirty".to_string();
    results.machine.memory = "23.5 GiB".to_string();
    results.machine.governor = "performance".to_string();
    results.machine.virtualization = "virtual machine (cpuinfo flag `hypervisor`)".to_string();
    results.machine.cpu_flags = "fpu sse2 avx2 hypervisor".to_string();
    let dir = scratch("glance");
    write(&results, &dir).expect("report written");
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();

    // A table of contents that links every section.
    let toc = html
        .split("<nav id=\"toc\">")
        .nth(1)
        .and_then(|t| t.split("</nav>").next())
        .expect("a table of contents");
    for id in ["summary", "w-fan_in", "w-spawn", "method"] {
        assert!(
            toc.contains(&format!("href=\"#{id}\"")),
            "{id} not in the contents"
        );
        assert!(html.contains(&format!("<section id=\"{id}\">")));
    }
    assert!(md.contains("Contents: [Summary"));
    // No heading twice.
    let mut headings: Vec<&str> = html
        .split("<h")
        .skip(1)
        .filter(|h| h.starts_with('2') || h.starts_with('3'))
        .filter_map(|h| h.split('>').nth(1)?.split("</h").next())
        .collect();
    let n = headings.len();
    headings.sort_unstable();
    headings.dedup();
    assert_eq!(headings.len(), n, "a heading appears twice");
    // The best of each summary row is marked; n/a cells carry a footnote.
    assert!(html.contains("<td class=\"best\"><strong>"));
    assert!(html.contains("n/a<sup><a href=\"#note-1\">[1]</a></sup>"));
    assert!(html.contains("<li id=\"note-1\">"));
    assert!(md.contains("n/a [1]") && md.contains("[1] "));
    assert!(html.contains("kanal: kanal has no select"));
    // spawn: goroutine and thread peers apart, per task.
    assert!(html.contains("spawn (goroutines) · per task"));
    assert!(html.contains("spawn (OS threads) · per task"));
    assert!(html.contains("ns per task (median)"));
    // One statistic for all: the range of runs.
    assert!(md.contains("range (fastest – slowest)") && !md.contains("95% CI"));
    // Machine, caveat, dirty tree, smoke watermark.
    for fact in ["23.5 GiB", "performance", "virtual machine", "avx2"] {
        assert!(html.contains(fact), "{fact} missing");
    }
    assert!(html.contains("Caveat:") && md.contains("Caveat:"));
    // Every peer's version and gaps.
    let peers = html
        .split("<section id=\"peers\">")
        .nth(1)
        .expect("a peers section");
    assert!(
        peers.contains("<td>crossbeam-channel 0.5.17</td>"),
        "crossbeam version"
    );
    assert!(peers.contains("go version go1.19.8"), "Go version");
    assert!(peers.contains("select4: kanal has no select"));
    assert!(peers.contains("unbounded only"), "may's channel");
    assert!(html.contains("Uncommitted changes") && html.contains("0123abc + uncommitted changes"));
    assert!(html.contains("<body class=\"smoke\">") && html.contains("SMOKE RUN"));
    assert!(md.contains("SMOKE RUN"));
    // The ratio chart is in the summary, with a 1× line and labelled values;
    // plotted cases carry their parameters.
    let summary = html.split("<section id=\"summary\">").nth(1).unwrap();
    let summary = summary.split("</section>").next().unwrap();
    assert!(summary.contains("<figure id=\"plot-ratio_to_go\"><svg"));
    if xtask::plots::font().is_some() {
        let ratio = std::fs::read_to_string(dir.join("ratio_to_go.svg")).unwrap();
        assert!(ratio.contains("1×"), "no 1× tick");
        assert!(ratio.contains("faster") || ratio.contains("slower"));
        let overview = std::fs::read_to_string(dir.join("overview.svg")).unwrap();
        // Long parameter lists are drawn one parameter a line.
        assert!(
            overview.contains("producers=4,\n") && overview.contains("cap=128"),
            "fan_in headline unlabelled"
        );
        assert!(
            overview.contains("stages=4,cap=64"),
            "pipeline headline unlabelled"
        );
        assert!(overview.contains("SMOKE RUN"));
        let spawn = std::fs::read_to_string(dir.join("bars_spawn.svg")).unwrap();
        assert!(spawn.contains("ns per task"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn latency_percentiles_are_tabled_and_plotted() {
    use xtask::results::LatencyEntry;
    let mut results = fixture_results();
    assert!(!xtask::report::markdown(&results, &[]).contains("Latency per message"));
    let entry = |w: &str, params: &str, imp: &str, base: u64| LatencyEntry {
        workload: w.to_string(),
        params: params.to_string(),
        implementation: imp.to_string(),
        count: 500,
        p50: base,
        p99: base * 10,
        p999: base * 30,
        max: base * 100,
        percentiles: [50.0, 90.0, 99.0, 99.9, 99.99]
            .iter()
            .enumerate()
            .map(|(k, q)| (*q, base * (k as u64 + 1)))
            .collect(),
    };
    results.latency = vec![
        entry("ping_pong", "", "kanal", 2_000),
        entry("ping_pong", "", "csp-goroutines", 150),
        entry("fan_in", "producers=4,cap=128", "csp-goroutines", 900),
        entry("fan_in", "producers=4,cap=128", "crossbeam", 700),
    ];
    results.sort();
    assert_eq!(results.latency[0].implementation, "csp-goroutines");
    let dir = scratch("latency");
    write(&results, &dir).expect("report written");
    let md = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(md.contains("## Latency per message"));
    assert!(md.contains("### fan_in (producers=4,cap=128) latency"));
    assert!(md.contains("| implementation | p50 ns/round trip | p99 ns/round trip | p99.9 ns/round trip | max | messages |"));
    assert!(md.contains("| csp-goroutines | **150** | **1\u{202f}500** | **4\u{202f}500** | 15\u{202f}000 | 500 |"), "{md}");
    assert!(md.contains("| crossbeam | **700** |"));
    for w in ["ping_pong", "fan_in"] {
        let svg = dir.join(format!("latency_{w}.svg"));
        assert!(
            std::fs::metadata(&svg).is_ok_and(|m| m.len() > 1000),
            "{w} curve"
        );
        let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
        let section = html.split("<section id=\"latency\">").nth(1).unwrap();
        assert!(section.contains(&format!("<figure id=\"plot-latency_{w}\"><svg")));
    }
    assert!(!dir.join("latency_spsc_unbuffered.svg").exists());
    if xtask::plots::font().is_some() {
        let svg = std::fs::read_to_string(dir.join("latency_ping_pong.svg")).unwrap();
        assert!(
            svg.contains("p99.9") && svg.contains("p50"),
            "percentile ticks"
        );
    }
    let back: Results =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(back.latency, results.latency);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn scaling_to_64_workers_is_tabled_and_plotted() {
    let mut results = fixture_results();
    assert!(!xtask::report::markdown(&results, &[]).contains("Scaling with worker threads"));
    let counts = [1u64, 2, 4, 8, 16, 32, 64];
    for imp in ["csp-goroutines", "may", "go"] {
        for n in counts {
            let mut e = results
                .results
                .iter()
                .find(|e| e.workload == "ping_pong" && e.implementation == imp)
                .unwrap()
                .clone();
            e.params.insert("workers".into(), n.into());
            e.ns_per_msg = 100.0 * n as f64;
            results.scaling.push(e);
        }
    }
    let dir = scratch("scaling");
    write(&results, &dir).expect("report written");
    let md = std::fs::read_to_string(dir.join("REPORT.md")).unwrap();
    assert!(md.contains("## Scaling with worker threads"));
    assert!(md.contains("| implementation | 1 ns/round trip | 2 ns/round trip | 4 ns/round trip | 8 ns/round trip | 16 ns/round trip | 32 ns/round trip | 64 ns/round trip |"), "{md}");
    assert!(md.contains(
        "| csp-goroutines | 100 | 200 | 400 | 800 | 1\u{202f}600 | 3\u{202f}200 | 6\u{202f}400 |"
    ));
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("<figure id=\"plot-scaling_ping_pong\"><svg"));
    if xtask::plots::font().is_some() {
        let svg = std::fs::read_to_string(dir.join("scaling_ping_pong.svg")).unwrap();
        assert!(svg.lines().any(|l| l.trim() == "64"), "a 64 tick");
    }
    let back: Results =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(back.scaling, results.scaling);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sync_workloads_are_optional_and_tabled_against_go() {
    use xtask::results::SyncEntry;
    let mut results = fixture_results();
    assert!(results.sync.is_empty());
    let md = xtask::report::markdown(&results, &[]);
    assert!(!md.contains("Mutex contention") && !md.contains("Context cancellation"));

    let line = |w: &str, p: &str, imp: &str, elements: u64, runs: &[f64]| {
        let json = serde_json::json!({
            "workload": w, "params": p, "implementation": imp,
            "elements": elements, "runs_ns": runs,
        });
        SyncEntry::from_line(&json.to_string()).expect("a sync line")
    };
    let e = line(
        "mutex",
        "goroutines=4,ops=1000",
        "std",
        1000,
        &[30_000.0, 10_000.0, 20_000.0],
    );
    assert_eq!(e.median_ns, 20_000.0);
    assert_eq!(
        (
            e.ns_per_element,
            e.low_ns_per_element,
            e.high_ns_per_element
        ),
        (20.0, 10.0, 30.0)
    );
    assert!(SyncEntry::from_line("not json").is_none());
    assert!(SyncEntry::from_line(
        r#"{"workload":"mutex","implementation":"go","elements":1,"runs_ns":[]}"#
    )
    .is_none());

    results.sync = vec![
        line(
            "mutex",
            "goroutines=1,ops=1000",
            "csp-goroutines",
            1000,
            &[10_000.0],
        ),
        line(
            "mutex",
            "goroutines=4,ops=1000",
            "csp-goroutines",
            1000,
            &[20_000.0],
        ),
        line("mutex", "goroutines=1,ops=1000", "std", 1000, &[40_000.0]),
        line("mutex", "goroutines=1,ops=1000", "go", 1000, &[20_000.0]),
        line("mutex", "goroutines=4,ops=1000", "go", 1000, &[20_000.0]),
        line(
            "context_cancel",
            "contexts=10000,fanout=10",
            "csp-goroutines",
            10_000,
            &[3e6, 2e6],
        ),
        line(
            "context_cancel",
            "contexts=10000,fanout=10",
            "go",
            10_000,
            &[5e6],
        ),
    ];
    let json = serde_json::to_string(&results).expect("serialize");
    let back: Results = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back.sync, results.sync);

    let md = xtask::report::markdown(&results, &[]);
    assert!(md.contains("## Mutex contention"), "{md}");
    assert!(
        md.contains("| implementation | N=1 ns/op | N=4 ns/op | N=1 vs Go | N=4 vs Go |"),
        "{md}"
    );
    assert!(
        md.contains("| csp-goroutines | **10.0** | **20.0** | 2.0× faster | same |"),
        "{md}"
    );
    assert!(md.contains("| std | 40.0 | – | 2.0× slower | – |"), "{md}");
    assert!(md.contains("1\u{202f}000 lock–increment–unlock operations"));
    assert!(md.contains("## Context cancellation"));
    assert!(
        md.contains("| csp-goroutines | 10000 | 2.50 ms | **250** | 200 – 300 | 2.0× faster | 2 |"),
        "{md}"
    );
    assert!(
        md.contains("| go | 10000 | 5.00 ms | 500 | 500 – 500 | same | 1 |"),
        "{md}"
    );
    assert!(md.contains("A tree of 10\u{202f}000 contexts (each with up to 10 children"));

    let html = xtask::report::html(&results, &[]);
    assert!(html.contains("<section id=\"sync-mutex\">"));
    assert!(html.contains("<section id=\"sync-context_cancel\">"));
    assert!(html.contains("<a href=\"#sync-mutex\">Mutex contention</a>"));

    let lines = xtask::report::sync_summary(&results);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("csp-goroutines 10.0, std 40.0, go 20.0"),
        "{lines:?}"
    );
    assert!(
        lines[2].contains("csp-goroutines: 2.50 ms in all, 250 ns per context"),
        "{lines:?}"
    );
}

#[test]
fn net_workloads_are_optional_and_tabled_against_go() {
    use xtask::results::NetEntry;
    let mut results = fixture_results();
    assert!(results.net.is_empty());
    let md = xtask::report::markdown(&results, &[]);
    assert!(!md.contains("TCP echo") && !md.contains("hand-off around a call"));

    let line =
        |w: &str, p: &str, imp: &str, elements: u64, runs: &[f64], lat: Option<(u64, u64)>| {
            let mut json = serde_json::json!({
                "workload": w, "params": p, "implementation": imp,
                "elements": elements, "runs_ns": runs,
            });
            if let Some((p50, p99)) = lat {
                json["p50_ns"] = p50.into();
                json["p99_ns"] = p99.into();
            }
            NetEntry::from_line(&json.to_string()).expect("a net line")
        };
    // 1 000 round trips in 20 ms: 50 000 per second.
    let e = line(
        "echo",
        "conns=1,rounds=1000",
        "csp-goroutines",
        1000,
        &[30e6, 10e6, 20e6],
        Some((14_300, 48_000)),
    );
    assert_eq!(e.median_ns, 20e6);
    assert_eq!(e.ns_per_element, 20_000.0);
    assert_eq!(e.per_second(), 50_000.0);
    assert_eq!((e.p50_ns, e.p99_ns), (Some(14_300), Some(48_000)));
    assert!(NetEntry::from_line("not json").is_none());
    assert!(NetEntry::from_line(
        r#"{"workload":"echo","implementation":"go","elements":1,"runs_ns":[]}"#
    )
    .is_none());
    // Go prints integral nanoseconds without a fraction.
    let go = NetEntry::from_line(
        r#"{"workload":"echo","params":"conns=1,rounds=1000","implementation":"go","elements":1000,"runs_ns":[40000000],"p50_ns":30000,"p99_ns":90000}"#,
    )
    .expect("Go's line");
    assert_eq!(go.per_second(), 25_000.0);

    results.net = vec![
        e,
        line(
            "echo",
            "conns=100,rounds=10",
            "csp-goroutines",
            1000,
            &[25e6],
            Some((2_200_000, 7_100_000)),
        ),
        line(
            "echo",
            "conns=1,rounds=1000",
            "std",
            1000,
            &[40e6],
            Some((21_700, 79_800)),
        ),
        go,
        line(
            "blocking",
            "op=empty,calls=1000",
            "csp-goroutines",
            1000,
            &[24_000.0],
            None,
        ),
        line(
            "blocking",
            "op=getpid,calls=1000",
            "csp-goroutines",
            1000,
            &[280_000.0],
            None,
        ),
        line(
            "blocking",
            "op=empty,calls=1000",
            "go",
            1000,
            &[60_000.0],
            None,
        ),
        line(
            "blocking",
            "op=getpid,calls=1000",
            "go",
            1000,
            &[300_000.0],
            None,
        ),
    ];
    let json = serde_json::to_string(&results).expect("serialize");
    let back: Results = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back.net, results.net);

    let md = xtask::report::markdown(&results, &[]);
    assert!(md.contains("## TCP echo over loopback"), "{md}");
    assert!(
        md.contains(
            "| implementation | C=1 round trips/s | C=100 round trips/s | C=1 vs Go | C=100 vs Go |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| csp-goroutines | **50.0 k/s** | **40.0 k/s** | 2.0× faster | – |"),
        "{md}"
    );
    assert!(md.contains("| std | 25.0 k/s | – | same | – |"), "{md}");
    assert!(
        md.contains("| csp-goroutines | 14.3 µs | 48.0 µs | 2.20 ms | 7.10 ms |"),
        "{md}"
    );
    assert!(md.contains("| go | 30.0 µs | 90.0 µs | – | – |"), "{md}");
    assert!(md.contains("connections × round trips each: 1 × 1\u{202f}000, 100 × 10"));
    assert!(
        md.contains("| csp-goroutines | 33.3 k/s – 100.0 k/s | 40.0 k/s – 40.0 k/s |"),
        "{md}"
    );
    assert!(md.contains("## blocking: the processor hand-off around a call"));
    // The pipes of `blocking(|| ())` are escaped so the cell stays one.
    assert!(
        md.contains(
            "| empty: blocking(\\|\\| ()) / entersyscall(); exitsyscall() | 24.0 | 60.0 | 24.0 – 24.0 | 60.0 – 60.0 | 2.5× faster |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| 280 | 300 | 280 – 280 | 300 – 300 | 1.1× faster |"),
        "{md}"
    );
    assert!(md.contains("Median ns per call of 1 timed runs"));

    let html = xtask::report::html(&results, &[]);
    assert!(html.contains("<section id=\"net-echo\">"));
    assert!(html.contains("<section id=\"net-blocking\">"));
    assert!(html.contains("<a href=\"#net-echo\">TCP echo over loopback</a>"));

    let lines = xtask::report::net_summary(&results);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].contains("csp-goroutines 50.0 k/s (p50 14.3 µs, p99 48.0 µs), std 25.0 k/s"),
        "{lines:?}"
    );
    assert!(
        lines[2]
            .contains("op=empty,calls=1000) ns per call (median): csp-goroutines 24.0, go 60.0"),
        "{lines:?}"
    );
}
