//! Parsing criterion's estimates and `go test -bench` output, against fixtures
//! saved from real runs.

use std::path::Path;
use xtask::criterion::{median_range, parse, parse_list, parse_samples, read_all};
use xtask::gotest::{parse_line, parse_output};
use xtask::machine::{crate_versions, format_utc};
use xtask::results::{param_id, parse_params};

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn criterion_estimates_with_parameters() {
    let dir = "criterion/fan_in/crossbeam/producers=4,cap=128/new/";
    let est = parse(
        &fixture(&format!("{dir}benchmark.json")),
        &fixture(&format!("{dir}estimates.json")),
    )
    .expect("parses");
    assert_eq!(est.full_id, "fan_in/crossbeam/producers=4,cap=128");
    assert_eq!(
        (est.group.as_str(), est.function.as_str()),
        ("fan_in", "crossbeam")
    );
    assert_eq!(est.value.as_deref(), Some("producers=4,cap=128"));
    assert_eq!(est.elements, 2000);
    let (m, lo, hi) = est.median;
    assert!(lo <= m && m <= hi, "{lo} {m} {hi}");

    let e = est.to_entry();
    assert_eq!(e.workload, "fan_in");
    assert_eq!(e.implementation, "crossbeam");
    assert_eq!(e.params["producers"], 4);
    assert_eq!(e.params["cap"], 128);
    assert!((e.ns_per_msg - m / 2000.0).abs() < 1e-9);
    assert!((e.ci_low - lo / 2000.0).abs() < 1e-9 && (e.ci_high - hi / 2000.0).abs() < 1e-9);
    assert!((e.msgs_per_sec * e.ns_per_msg - 1e9).abs() < 1.0);
}

#[test]
fn criterion_estimates_without_parameters() {
    let dir = "criterion/ping_pong/kanal/new/";
    let est = parse(
        &fixture(&format!("{dir}benchmark.json")),
        &fixture(&format!("{dir}estimates.json")),
    )
    .expect("parses");
    assert_eq!(est.value, None);
    assert_eq!(est.median, (1_212_851.5, 827_424.0, 1_720_226.0));
    let e = est.to_entry();
    assert!(e.params.is_empty());
    assert!((e.ns_per_msg - 1_212_851.5 / 500.0).abs() < 1e-9);
}

#[test]
fn criterion_rejects_missing_throughput_and_bad_json() {
    let est = fixture("criterion/ping_pong/kanal/new/estimates.json");
    let no_tp =
        r#"{"group_id":"g","function_id":"f","value_str":null,"throughput":null,"full_id":"g/f"}"#;
    assert!(parse(no_tp, &est).unwrap_err().contains("throughput"));
    assert!(parse("{", &est).is_err());
}

#[test]
fn criterion_directory_walk_finds_every_benchmark() {
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion");
    let all = read_all(&home);
    let ids: Vec<&str> = all.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "fan_in/crossbeam/producers=4,cap=128",
            "ping_pong/kanal",
            "spsc_unbuffered/flume"
        ]
    );
}

#[test]
fn criterion_samples_give_the_median_and_range_of_runs() {
    // The same statistic as Go's runs: median, fastest and slowest sample.
    let home = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/criterion");
    let all = read_all(&home);
    let est = &all["spsc_unbuffered/flume"];
    let samples = parse_samples(&fixture("criterion/spsc_unbuffered/flume/new/sample.json"))
        .expect("sample.json parses");
    assert_eq!(est.samples, samples);
    assert!(samples.len() >= 10);
    let e = est.to_entry();
    let per = est.elements as f64;
    let lo = samples.iter().copied().fold(f64::MAX, f64::min) / per;
    let hi = samples.iter().copied().fold(0.0, f64::max) / per;
    assert!((e.ci_low - lo).abs() < 1e-9 && (e.ci_high - hi).abs() < 1e-9);
    assert!(e.ci_low <= e.ns_per_msg && e.ns_per_msg <= e.ci_high);
    assert_eq!(median_range(&[3.0, 1.0, 2.0, 10.0]), (2.5, 1.0, 10.0));
    assert!(parse_samples(r#"{"iters":[1.0],"times":[]}"#).is_err());
}

#[test]
fn criterion_list_output() {
    let text =
        "ping_pong/crossbeam: benchmark\nfan_in/may/producers=1,cap=128: benchmark\n\nnoise\n";
    assert_eq!(
        parse_list(text),
        ["ping_pong/crossbeam", "fan_in/may/producers=1,cap=128"]
    );
}

#[test]
fn go_result_lines() {
    let l = parse_line(
        "Benchmark_fan_in/producers=4,cap=128-2   \t 361\t 88372 ns/op\t 44.18 ns/msg\t 1200 B/op",
    )
    .expect("a result line");
    assert_eq!(
        (l.workload.as_str(), l.params.as_str(), l.iterations),
        ("fan_in", "producers=4,cap=128", 361)
    );
    assert_eq!(l.ns_per_msg, 44.18);
    assert_eq!(l.id(), "fan_in/go/producers=4,cap=128");
    // GOMAXPROCS=1 has no suffix; without the custom metric ns/op is used.
    let l = parse_line("Benchmark_ping_pong   100   250 ns/op").expect("a result line");
    assert_eq!(
        (l.workload.as_str(), l.params.as_str(), l.ns_per_msg),
        ("ping_pong", "", 250.0)
    );
    assert_eq!(l.id(), "ping_pong/go");
    for noise in [
        "goos: linux",
        "PASS",
        "ok  \tcspbench\t0.8s",
        "--- FAIL: Benchmark_sieve",
        "BenchmarkX",
    ] {
        assert_eq!(parse_line(noise), None, "{noise}");
    }
}

#[test]
fn go_output_folds_repeated_runs() {
    let entries = parse_output(&fixture("go-bench.txt"));
    // 14 cases, each run twice (-count 2).
    assert_eq!(entries.len(), 14);
    assert!(entries.iter().all(|e| e.implementation == "go"));
    let pp = &entries[0];
    assert_eq!(pp.workload, "ping_pong");
    assert!(pp.params.is_empty());
    // Two runs: 275.0 and 449.2 ns/msg -> median is their mean, interval their range.
    assert_eq!((pp.ci_low, pp.ci_high), (275.0, 449.2));
    assert!((pp.ns_per_msg - 362.1).abs() < 1e-9);
    let fan = entries
        .iter()
        .find(|e| e.workload == "fan_in" && e.params["producers"] == 2)
        .expect("fan_in P=2");
    assert_eq!(fan.param_id(), "producers=2,cap=128");
    assert_eq!((fan.ci_low, fan.ci_high), (50.27, 50.64));
    let sieve = entries
        .iter()
        .find(|e| e.workload == "sieve")
        .expect("sieve");
    assert_eq!(sieve.params["limit"], 300);
}

#[test]
fn params_round_trip_in_id_order() {
    let p = parse_params("stages=4,cap=64");
    assert_eq!(p["stages"], 4);
    assert_eq!(param_id(&p), "stages=4,cap=64");
    assert!(parse_params("").is_empty());
}

#[test]
fn utc_dates_and_crate_versions() {
    assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(format_utc(1_795_834_329), "2026-11-28T02:52:09Z");
    let lock = "[[package]]\nname = \"flume\"\nversion = \"0.11.1\"\n\n[[package]]\nname = \"other\"\nversion = \"9\"\n";
    let v = crate_versions(lock, &["flume", "kanal"]);
    assert_eq!(v["flume"], "0.11.1");
    assert!(!v.contains_key("other"));
}

#[test]
fn impl_and_workload_select_ids() {
    use xtask::bench::selected;
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let id = "fan_in/crossbeam/producers=4,cap=128";
    assert!(selected(id, &[], &[]));
    assert!(selected(id, &v(&["crossbeam", "go"]), &[]));
    assert!(!selected(id, &v(&["cross"]), &[]), "names match whole");
    assert!(selected(id, &[], &v(&["ping_pong", "fan_in"])));
    assert!(!selected(id, &v(&["crossbeam"]), &v(&["ping_pong"])));
    assert!(selected("ping_pong/go", &v(&["go"]), &v(&["ping_pong"])));
    assert!(selected(
        "park_memory/may",
        &v(&["may"]),
        &v(&["park_memory"])
    ));
    assert!(!selected("park_memory/may", &[], &v(&["spawn"])));
    let m = "mutex/parking_lot/goroutines=64,ops=256000";
    assert!(selected(
        m,
        &v(&["parking_lot"]),
        &v(&["mutex", "context_cancel"])
    ));
    assert!(!selected(m, &[], &v(&["context_cancel"])));
    assert!(selected(
        "context_cancel/go/contexts=10000,fanout=10",
        &v(&["go"]),
        &v(&["context_cancel"])
    ));
    let e = "echo/go-lib/conns=1000,rounds=30";
    assert!(selected(e, &v(&["go-lib"]), &v(&["echo", "blocking"])));
    assert!(!selected(e, &v(&["go"]), &[]));
    assert!(selected(
        "blocking/csp-goroutines/op=empty,calls=1000000",
        &[],
        &v(&["blocking"])
    ));
}

#[test]
fn progress_lines_outside_a_terminal() {
    use std::time::Duration;
    use xtask::bench::progress_line;
    assert_eq!(
        progress_line(
            7,
            140,
            Duration::from_secs(65),
            "fan_in/go/producers=4,cap=128"
        ),
        "[  7/140 01:05] fan_in/go/producers=4,cap=128"
    );
    assert_eq!(
        progress_line(140, 140, Duration::from_secs(3600), "sieve/may/limit=2000"),
        "[140/140 60:00] sieve/may/limit=2000"
    );
}

#[test]
fn go_versions_compare_numerically() {
    use xtask::machine::go_version;
    assert_eq!(
        go_version("go version go1.23.5 linux/amd64"),
        Some((1, 23, 5))
    );
    assert_eq!(
        go_version("go version go1.19.8 linux/amd64"),
        Some((1, 19, 8))
    );
    assert_eq!(
        go_version("go version go1.22 linux/amd64"),
        Some((1, 22, 0))
    );
    assert_eq!(
        go_version("go version go1.24rc1 linux/amd64"),
        Some((1, 24, 0))
    );
    assert!(go_version("go version go1.23.5 linux/amd64") > go_version("go version go1.19.8 x"));
    assert!(go_version("go version go1.9.2 x") < go_version("go version go1.19.8 x"));
    assert_eq!(go_version("bash: go: command not found"), None);
}

#[test]
fn the_worker_sweep_defaults_to_powers_of_two_up_to_nproc() {
    use xtask::bench::default_workers;
    assert_eq!(default_workers(1), [1]);
    assert_eq!(default_workers(2), [1, 2]);
    assert_eq!(default_workers(6), [1, 2, 4, 6]);
    assert_eq!(default_workers(64), [1, 2, 4, 8, 16, 32, 64]);
}

#[test]
fn go_cpu_sweeps_keep_gomaxprocs_apart() {
    use xtask::gotest::parse_sweep;
    let text = "Benchmark_ping_pong   100   250 ns/op   250.0 ns/msg\n\
                Benchmark_ping_pong-2   100   300 ns/op   300.0 ns/msg\n\
                Benchmark_ping_pong-64   100   900 ns/op   900.0 ns/msg\n\
                Benchmark_fan_in/producers=4,cap=128-64   10   1 ns/op   40.0 ns/msg\n";
    let entries = parse_sweep(text);
    let ids: Vec<String> = entries
        .iter()
        .map(|e| format!("{}/{}", e.workload, e.param_id()))
        .collect();
    assert_eq!(
        ids,
        [
            "ping_pong/workers=1",
            "ping_pong/workers=2",
            "ping_pong/workers=64",
            "fan_in/producers=4,cap=128,workers=64"
        ]
    );
    assert_eq!(entries[2].ns_per_msg, 900.0);
    assert_eq!(
        parse_line("Benchmark_ping_pong-64   100   900 ns/op")
            .unwrap()
            .procs,
        64
    );
}
