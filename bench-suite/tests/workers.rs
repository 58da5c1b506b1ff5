//! The worker-count sweep: with CSP_BENCH_WORKERS=1 every runtime that takes
//! a worker count still runs every workload correctly (one worker must not
//! deadlock), and go-lib's GOMAXPROCS follows. A separate test binary: the
//! variable is process-wide and may reads it once.

use bench_suite::catalog::{cases, impls, Mode};
use bench_suite::impls::GoLib;
use bench_suite::Flavor;

#[test]
fn one_worker_runs_every_workload_on_every_sweepable_runtime() {
    std::env::set_var("CSP_BENCH_WORKERS", "1");
    assert_eq!(bench_suite::workers(), Some(1));
    let sizes = Mode::Smoke.sizes();
    let sweepable: Vec<_> = impls().into_iter().filter(|i| i.workers).collect();
    let names: Vec<&str> = sweepable.iter().map(|i| i.name).collect();
    for want in ["may", "go-lib", "tokio", "async-channel"] {
        assert!(names.contains(&want), "{want} not in the sweep: {names:?}");
    }
    assert!(
        !names.contains(&"crossbeam"),
        "OS-thread peers have no workers"
    );
    for imp in &sweepable {
        for case in cases(Mode::Smoke) {
            if (imp.unsupported)(case.workload).is_some() {
                continue;
            }
            let got = imp.check(&case, sizes).expect("supported");
            assert_eq!(got, case.expected(sizes, imp.kind), "{} {case:?}", imp.name);
        }
    }
    assert_eq!(GoLib::run(go_lib::gomaxprocs), 1, "go-lib runs on one P");
    std::env::set_var("CSP_BENCH_WORKERS", "0");
    assert_eq!(bench_suite::workers(), None, "0 means the default");
}
