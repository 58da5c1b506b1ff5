//! criterion benches: one group per workload, one benchmark per
//! (implementation, parameters), throughput in messages.
//!
//! Sizes and criterion's timing follow `CSP_BENCH_MODE` (smoke, quick, full).
//! When `CSP_BENCH_META` names a file, the notes and unsupported pairs are
//! written there as JSON for `cargo xtask bench`.

use bench_suite::catalog::{cases, impls, meta_json, Mode, Workload};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::time::Duration;

/// criterion's settings per mode: (samples, warm-up, measurement, resamples).
fn timing(mode: Mode) -> (usize, Duration, Duration, usize) {
    match mode {
        Mode::Smoke => (
            10,
            Duration::from_millis(1),
            Duration::from_millis(20),
            1_000,
        ),
        Mode::Quick => (
            10,
            Duration::from_millis(100),
            Duration::from_millis(700),
            10_000,
        ),
        Mode::Full => (
            20,
            Duration::from_millis(500),
            Duration::from_secs(3),
            100_000,
        ),
    }
}

fn main() {
    let mode = Mode::from_env();
    if let Ok(path) = std::env::var("CSP_BENCH_META") {
        let text = serde_json::to_string_pretty(&meta_json(mode)).expect("meta to JSON");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {path}: {e}"));
    }
    let (samples, warm_up, measure, resamples) = timing(mode);
    let mut c = Criterion::default()
        .sample_size(samples)
        .warm_up_time(warm_up)
        .measurement_time(measure)
        .nresamples(resamples)
        .without_plots()
        .configure_from_args();
    let sizes = mode.sizes();
    let all_cases = cases(mode);
    let implementations = impls();
    for workload in Workload::ALL {
        let mut group = c.benchmark_group(workload.name());
        // Runs take milliseconds each: the same iteration count per sample.
        group.sampling_mode(SamplingMode::Flat);
        for case in all_cases.iter().filter(|c| c.workload == workload) {
            for imp in &implementations {
                if (imp.unsupported)(workload).is_some() {
                    continue;
                }
                group.throughput(Throughput::Elements(case.elements(sizes, imp.kind)));
                let expected = case.expected(sizes, imp.kind);
                let mut bench = |b: &mut criterion::Bencher| {
                    b.iter_custom(|iters| {
                        let (check, time) = (imp.run)(case, sizes, iters)
                            .unwrap_or_else(|why| panic!("{}: {why}", imp.name));
                        assert_eq!(
                            check, expected,
                            "{} {:?} gave a wrong result",
                            imp.name, case
                        );
                        time
                    })
                };
                let params = case.param_id();
                if params.is_empty() {
                    group.bench_function(imp.name, &mut bench);
                } else {
                    group.bench_function(BenchmarkId::new(imp.name, params), &mut bench);
                }
            }
        }
        group.finish();
    }
    c.final_summary();
}
