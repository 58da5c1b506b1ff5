//! Every (workload, implementation) pair at smoke size: the count and sum that
//! arrive must be the closed-form answer, and a pair the catalog marks
//! unsupported must say why instead of running.

use bench_suite::catalog::{cases, impls, Impl, Mode, Workload};

fn implementation(name: &str) -> Impl {
    impls()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("{name} is not compiled in"))
}

/// Runs every case of `workload` on `imp` and compares with the answer.
fn check(name: &str, workload: Workload) {
    let imp = implementation(name);
    let sizes = Mode::Smoke.sizes();
    for case in cases(Mode::Smoke)
        .into_iter()
        .filter(|c| c.workload == workload)
    {
        match imp.check(&case, sizes) {
            Ok(got) => {
                assert!(
                    (imp.unsupported)(workload).is_none(),
                    "{name} ran an unsupported case"
                );
                let want = case.expected(sizes, imp.kind);
                assert_eq!(got, want, "{name} {:?} {}", workload, case.param_id());
                assert!(got.count > 0);
            }
            Err(why) => {
                assert_eq!(
                    Some(why),
                    (imp.unsupported)(workload),
                    "{name} {workload:?}"
                );
                assert!(imp.note(workload, sizes).is_some_and(|n| n.contains(why)));
            }
        }
    }
}

macro_rules! pairs {
    ($($module:ident => $name:literal),* $(,)?) => {$(
        mod $module {
            use super::*;
            #[test] fn ping_pong() { check($name, Workload::PingPong) }
            #[test] fn spsc_unbuffered() { check($name, Workload::SpscUnbuffered) }
            #[test] fn fan_in() { check($name, Workload::FanIn) }
            #[test] fn mpmc() { check($name, Workload::Mpmc) }
            #[test] fn pipeline() { check($name, Workload::Pipeline) }
            #[test] fn select4() { check($name, Workload::Select4) }
            #[test] fn spawn() { check($name, Workload::Spawn) }
            #[test] fn sieve() { check($name, Workload::Sieve) }
        }
    )*};
}

pairs! {
    crossbeam => "crossbeam",
    flume => "flume",
    std_mpsc => "std-mpsc",
    kanal => "kanal",
    may => "may",
    go_lib => "go-lib",
    tokio => "tokio",
    async_channel => "async-channel",
    flume_async => "flume-async",
    kanal_async => "kanal-async",
}

#[cfg(feature = "csp-threads")]
pairs! { csp_async => "csp-async" }

#[cfg(feature = "csp-goroutines")]
pairs! { csp_async_goroutine => "csp-async-goroutine" }

#[cfg(feature = "csp-threads")]
pairs! { csp_threads => "csp-threads" }

#[cfg(feature = "csp-goroutines")]
pairs! { csp_goroutines => "csp-goroutines" }

#[test]
fn sieve_message_count_matches_a_hand_count() {
    // limit 10: generator sends 2..=10 and END (10); filter 2 forwards 3,5,7,9,END (5);
    // filter 3 forwards 5,7,END (3); filter 5 forwards 7,END (2); filter 7 forwards END (1).
    assert_eq!(bench_suite::workloads::sieve::messages(10), 21);
    let want = bench_suite::workloads::sieve::expected(10);
    assert_eq!((want.count, want.sum), (4, 2 + 3 + 5 + 7));
}

#[test]
fn unsupported_pairs_are_the_documented_ones() {
    let missing: Vec<(String, &str)> = impls()
        .into_iter()
        .flat_map(|i| {
            Workload::ALL
                .into_iter()
                .filter(move |w| (i.unsupported)(*w).is_some())
                .map(move |w| (i.name.to_string(), w.name()))
        })
        .collect();
    #[allow(unused_mut)]
    let mut want = vec![
        ("std-mpsc", "mpmc"),
        ("std-mpsc", "select4"),
        ("kanal", "select4"),
        ("may", "select4"),
        ("tokio", "mpmc"),
        ("kanal-async", "select4"),
    ];
    // The async-to-goroutine case runs ping-pong only.
    #[cfg(feature = "csp-goroutines")]
    want.extend(
        Workload::ALL
            .into_iter()
            .filter(|w| *w != Workload::PingPong)
            .map(|w| ("csp-async-goroutine", w.name())),
    );
    assert_eq!(missing.len(), want.len(), "{missing:?}");
    for (i, w) in want {
        assert!(
            missing.contains(&(i.to_string(), w)),
            "{i} {w} missing from {missing:?}"
        );
    }
}

/// The async-to-goroutine ping-pong at a size of its own (not the catalog's):
/// every round trip's answer arrives, over several runs in one csp runtime.
#[cfg(feature = "csp-goroutines")]
#[test]
fn async_goroutine_ping_pong_returns_every_answer() {
    use bench_suite::catalog::Sizes;
    let imp = implementation("csp-async-goroutine");
    let case = cases(Mode::Smoke)
        .into_iter()
        .find(|c| c.workload == Workload::PingPong)
        .unwrap();
    for rounds in [1, 7, 1_000] {
        let sizes = Sizes {
            rounds,
            ..Mode::Smoke.sizes()
        };
        let (got, _) = (imp.run)(&case, sizes, 3).expect("ping_pong runs");
        assert_eq!(got, bench_suite::workloads::ping_pong::expected(rounds));
    }
    assert_eq!(
        (imp.run)(&case, Mode::Smoke.sizes(), 1).map(|(c, _)| c),
        Ok(case.expected(Mode::Smoke.sizes(), imp.kind))
    );
}

#[test]
fn meta_json_lists_notes_and_gaps() {
    let meta = bench_suite::catalog::meta_json(Mode::Smoke);
    assert_eq!(meta["mode"], "smoke");
    let unsupported = meta["unsupported"].as_array().unwrap();
    assert!(unsupported
        .iter()
        .any(|u| u["implementation"] == "kanal" && u["workload"] == "select4"));
    let notes = meta["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["implementation"] == "may"
        && n["workload"] == "pipeline"
        && n["note"].as_str().unwrap().contains("unbounded")));
}

#[test]
fn go_module_uses_the_same_sizes() {
    // bench-suite/go/workloads_test.go lists smoke, quick, then full (default).
    let go = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/go/workloads_test.go"))
        .expect("Go benchmarks");
    let found: Vec<String> = go
        .lines()
        .filter_map(|l| l.trim().strip_prefix("return sizes{"))
        .map(|l| l.trim_end_matches('}').to_string())
        .collect();
    let want: Vec<String> = [Mode::Smoke, Mode::Quick, Mode::Full]
        .into_iter()
        .map(|m| {
            let s = m.sizes();
            format!(
                "msgs: {}, rounds: {}, goroutines: {}, sieveLimit: {}",
                s.msgs, s.rounds, s.goroutines, s.sieve_limit
            )
        })
        .collect();
    assert_eq!(found, want);
}

#[test]
fn catalog_json_lists_every_workload_case_and_implementation() {
    let meta = bench_suite::catalog::meta_json(Mode::Smoke);
    let names: Vec<&str> = meta["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
    assert_eq!(names, want);
    assert!(meta["workloads"][2]["about"]
        .as_str()
        .unwrap()
        .contains(&bench_suite::catalog::FAN_CAP.to_string()));
    let listed = meta["cases"].as_array().unwrap();
    assert_eq!(listed.len(), cases(Mode::Smoke).len());
    // Exactly one headline case per workload, and parameters in id order.
    for w in &want {
        let heads = listed
            .iter()
            .filter(|c| c["workload"] == *w && c["headline"] == true)
            .count();
        assert_eq!(heads, 1, "{w}");
    }
    assert!(listed
        .iter()
        .any(|c| c["workload"] == "fan_in" && c["params"] == "producers=4,cap=128"));
    let imps: Vec<&str> = meta["implementations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    for imp in impls() {
        assert!(imps.contains(&imp.name), "{} not in the catalog", imp.name);
    }
    assert_eq!(imps.last(), Some(&"go"), "Go comes last");
}

#[test]
fn every_flavor_in_the_catalog_passes_every_workload() {
    // Covers a new peer as soon as it is in catalog::impls(), before anyone
    // adds it to the per-pair modules above.
    let all = impls();
    assert!(
        all.len() >= 6,
        "only {} implementations compiled in",
        all.len()
    );
    for imp in all {
        for w in Workload::ALL {
            check(imp.name, w);
        }
    }
}

#[test]
fn latency_runs_record_every_message_for_every_flavor() {
    use bench_suite::latency::{to_json, Latency, QUANTILES};
    for imp in impls() {
        for w in Latency::ALL {
            let workload = match w {
                Latency::PingPong => Workload::PingPong,
                Latency::SpscUnbuffered => Workload::SpscUnbuffered,
                Latency::FanIn => Workload::FanIn,
            };
            if (imp.unsupported)(workload).is_some() {
                continue;
            }
            let n = 200;
            let (h, check) = (imp.latency)(w, n);
            assert_eq!(check.count, n, "{} {}", imp.name, w.name());
            assert_eq!(h.len(), n, "{} {}: histogram count", imp.name, w.name());
            let j = to_json(w, imp.name, &h);
            let (p50, p99, p999) = (
                j["p50"].as_u64().unwrap(),
                j["p99"].as_u64().unwrap(),
                j["p999"].as_u64().unwrap(),
            );
            assert!(
                0 < p50 && p50 <= p99 && p99 <= p999,
                "{} {}: {j}",
                imp.name,
                w.name()
            );
            assert_eq!(j["percentiles"].as_array().unwrap().len(), QUANTILES.len());
        }
    }
}
