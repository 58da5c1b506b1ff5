//! Every network case (loopback TCP echo, `blocking`) on every
//! implementation the catalog lists, at smoke size: every echo must equal
//! its message byte for byte, the round-trip and echoed counts must be
//! connections × rounds, every `blocking` call must return its value. A
//! server that corrupts one byte is caught. The `net_bench` program lists
//! and runs the same cases.

use bench_suite::catalog::{net_cases, BlockingOp, Mode, NetCase, NetWorkload, ECHO_MSG};
use bench_suite::net_bench::{client_rounds, measure, message, run_once, serve, Run};
use std::io::{Read, Write};
use std::process::Command;
use std::time::Duration;

fn cases(w: NetWorkload) -> Vec<NetCase> {
    net_cases(Mode::Smoke)
        .into_iter()
        .filter(|c| c.workload == w)
        .collect()
}

fn check_all(w: NetWorkload, expected_cases: usize) {
    let cases = cases(w);
    assert_eq!(cases.len(), expected_cases);
    assert!(!w.implementations().is_empty());
    for case in &cases {
        for imp in w.implementations() {
            let run =
                run_once(case, imp).unwrap_or_else(|| panic!("{} has no {imp}", case.id(imp)));
            run.check(case, imp)
                .unwrap_or_else(|e| panic!("a correct run checks: {e}"));
            assert_eq!(run.got, run.want, "{}", case.id(imp));
            assert_eq!(run.echoed, run.want, "{}", case.id(imp));
            assert_eq!(run.want, case.elements());
            assert!(run.want > 0);
            if w == NetWorkload::Echo {
                assert_eq!(run.latencies_ns.len() as u64, run.want);
                assert!(run.latencies_ns.iter().all(|&ns| ns > 0));
            }
        }
    }
}

#[test]
fn echo_checks_every_byte_on_every_implementation() {
    check_all(NetWorkload::Echo, 3);
    let cs: Vec<(u64, u64)> = cases(NetWorkload::Echo)
        .iter()
        .map(|c| (c.param("conns"), c.param("rounds")))
        .collect();
    assert_eq!(cs, [(1, 2000), (100, 20), (1000, 2)]);
    assert_eq!(
        NetWorkload::Echo.implementations().last(),
        Some(&"std"),
        "every peer of the issue: csp, may, go-lib, tokio, std"
    );
}

#[test]
#[cfg(feature = "csp-goroutines")]
fn blocking_returns_every_value() {
    check_all(NetWorkload::Blocking, 3);
    let ops: Vec<Option<BlockingOp>> = cases(NetWorkload::Blocking).iter().map(|c| c.op).collect();
    assert_eq!(
        ops,
        [
            Some(BlockingOp::Empty),
            Some(BlockingOp::Getpid),
            Some(BlockingOp::RawGetpid)
        ]
    );
    assert_eq!(
        cases(NetWorkload::Blocking)[1].id("csp-goroutines"),
        "blocking/csp-goroutines/op=getpid,calls=10000"
    );
}

#[test]
fn messages_differ_per_client_and_round_and_match_go() {
    // bench-suite/go's TestEchoMessageMatchesRust asserts the same byte.
    assert_eq!(message(3, 5)[10], 84);
    assert_ne!(message(3, 5), message(3, 6));
    assert_ne!(message(3, 5), message(4, 5));
    assert_eq!(message(0, 0).len(), ECHO_MSG);
}

/// A server on an OS thread that echoes every message with byte 17 of the
/// third one flipped.
fn corrupting_server() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("local_addr");
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().expect("accept");
        let mut buf = [0u8; ECHO_MSG];
        for k in 0.. {
            if s.read_exact(&mut buf).is_err() {
                return;
            }
            if k == 2 {
                buf[17] ^= 1;
            }
            if s.write_all(&buf).is_err() {
                return;
            }
        }
    });
    addr
}

#[test]
fn a_corrupted_echo_is_caught() {
    let s = std::net::TcpStream::connect(corrupting_server()).expect("connect");
    let out = client_rounds(s, 7, 10);
    assert_eq!(out.ok, 2, "{out:?}");
    assert_eq!(out.latencies_ns.len(), 2);
    let err = out.error.expect("the third echo is wrong");
    assert!(
        err.contains("client 7 round 2: echo differs at byte 17"),
        "{err}"
    );
}

#[test]
fn the_echo_server_echoes_until_the_client_hangs_up() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("local_addr");
    let server = std::thread::spawn(move || serve(l.accept().expect("accept").0));
    let out = client_rounds(std::net::TcpStream::connect(addr).expect("connect"), 1, 5);
    assert_eq!((out.ok, out.error), (5, None));
    assert_eq!(server.join().expect("server thread").expect("serve"), 5);
}

#[test]
fn a_wrong_result_fails_the_check() {
    let case = &cases(NetWorkload::Echo)[1];
    let good = Run {
        got: case.elements(),
        echoed: case.elements(),
        want: case.elements(),
        latencies_ns: vec![1; case.elements() as usize],
        ..Run::default()
    };
    good.check(case, "std").expect("a correct run checks");
    let short = Run {
        got: case.elements() - 1,
        ..good.clone()
    };
    let err = short.check(case, "std").unwrap_err();
    assert!(err.contains("echo/std/conns=100,rounds=20"), "{err}");
    let unechoed = Run {
        echoed: 0,
        ..good.clone()
    };
    assert!(unechoed.check(case, "std").is_err());
    let failed = Run {
        errors: vec!["client 3 round 0: connection reset".to_string()],
        ..good.clone()
    };
    let err = failed.check(case, "tokio").unwrap_err();
    assert!(err.contains("connection reset"), "{err}");
    let unrecorded = Run {
        latencies_ns: Vec::new(),
        elapsed: Duration::from_millis(1),
        ..good
    };
    assert!(unrecorded.check(case, "std").is_err());
}

#[test]
fn an_unknown_implementation_is_an_error() {
    let case = &cases(NetWorkload::Blocking)[0];
    assert!(run_once(case, "std").is_none());
    assert!(measure(case, "std", 1).is_err());
    assert!(run_once(&cases(NetWorkload::Echo)[0], "flume").is_none());
}

#[test]
fn the_program_lists_and_runs_the_chosen_cases() {
    let exe = env!("CARGO_BIN_EXE_net_bench");
    let out = Command::new(exe)
        .arg("--list")
        .env("CSP_BENCH_MODE", "smoke")
        .output()
        .expect("run net_bench --list");
    let ids = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        ids.lines().any(|l| l == "echo/std/conns=1000,rounds=2"),
        "{ids}"
    );
    assert!(
        ids.lines().any(|l| l == "echo/go-lib/conns=1,rounds=2000"),
        "{ids}"
    );
    let chosen = "echo/std/conns=100,rounds=20;echo/tokio/conns=1,rounds=2000";
    let out = Command::new(exe)
        .env("CSP_BENCH_MODE", "smoke")
        .env("CSP_NET_IDS", chosen)
        .output()
        .expect("run net_bench");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // In catalog order, whatever the order of CSP_NET_IDS.
    assert_eq!(lines[0]["implementation"], "tokio");
    assert_eq!(lines[0]["params"], "conns=1,rounds=2000");
    assert_eq!(lines[1]["implementation"], "std");
    assert_eq!(lines[1]["workload"], "echo");
    assert_eq!(lines[1]["elements"], 2000);
    assert_eq!(lines[0]["runs_ns"].as_array().map(Vec::len), Some(1));
    for l in &lines {
        let (p50, p99) = (l["p50_ns"].as_u64(), l["p99_ns"].as_u64());
        assert!(p50.is_some_and(|v| v > 0), "{l}");
        assert!(p99 >= p50, "{l}");
    }
}
