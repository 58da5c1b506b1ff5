//! What is benchmarked: the cases (workload × parameters), their sizes per
//! [`Mode`], the implementations with what each supports, and the notes that
//! the report prints beside a figure.

use crate::workloads::{fan_in, mpmc, ping_pong, pipeline, select4, sieve, spawn, spsc};
use crate::{Check, Flavor, Select4};
use std::time::{Duration, Instant};

/// How long a run may take: the size of every workload scales with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every workload at a tiny size: checks that everything runs (CI).
    Smoke,
    /// A short run (a few minutes in all).
    Quick,
    /// The real measurement.
    Full,
}

impl Mode {
    /// The mode named by `CSP_BENCH_MODE` (`smoke`, `quick`, `full`); full if unset.
    pub fn from_env() -> Mode {
        match std::env::var("CSP_BENCH_MODE").as_deref() {
            Ok("smoke") => Mode::Smoke,
            Ok("quick") => Mode::Quick,
            _ => Mode::Full,
        }
    }

    /// The name used in `CSP_BENCH_MODE` and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Smoke => "smoke",
            Mode::Quick => "quick",
            Mode::Full => "full",
        }
    }

    /// The per-run sizes of this mode.
    pub fn sizes(self) -> Sizes {
        match self {
            Mode::Smoke => Sizes {
                msgs: 2_000,
                rounds: 500,
                goroutines: 2_000,
                threads: 100,
                sieve_limit: 300,
            },
            Mode::Quick => Sizes {
                msgs: 20_000,
                rounds: 5_000,
                goroutines: 100_000,
                threads: 1_000,
                sieve_limit: 1_000,
            },
            // Sized so that the slowest pairs (OS threads on unbuffered or
            // capacity-1 channels, microseconds per message when the two cores
            // are oversubscribed) still fit the 20-minute budget.
            Mode::Full => Sizes {
                msgs: 50_000,
                rounds: 10_000,
                goroutines: 100_000,
                threads: 1_000,
                sieve_limit: 2_000,
            },
        }
    }
}

/// Sizes of one run of each workload. The Go module uses the same numbers
/// (bench-suite/go/workloads_test.go, `sizes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// Messages per run of the streaming workloads (a multiple of 8).
    pub msgs: u64,
    /// Round trips per run of ping-pong.
    pub rounds: u64,
    /// Tasks started per run of spawn, on green threads.
    pub goroutines: u64,
    /// Tasks started per run of spawn, on OS threads.
    pub threads: u64,
    /// Largest candidate of the sieve (one task per prime below it).
    pub sieve_limit: u64,
}

/// Sizes of the sync workloads ([`SyncWorkload`]). The Go command
/// `bench-suite/go/cmd/syncbench` uses the same numbers
/// (bench-suite/go/workloads.go, `SyncSizesFor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncSizes {
    /// Lock–increment–unlock operations per run of `mutex`, shared among its
    /// goroutines (a multiple of every count in [`MUTEX_GOROUTINES`]).
    pub mutex_ops: u64,
    /// Contexts in the tree of one `context_cancel` run.
    pub contexts: u64,
    /// Timed runs per case (after one untimed warm-up run).
    pub runs: u64,
}

impl Mode {
    /// The sizes of the sync workloads in this mode.
    pub fn sync_sizes(self) -> SyncSizes {
        match self {
            Mode::Smoke => SyncSizes {
                mutex_ops: 6_400,
                contexts: 1_000,
                runs: 1,
            },
            Mode::Quick => SyncSizes {
                mutex_ops: 64_000,
                contexts: 10_000,
                runs: 3,
            },
            Mode::Full => SyncSizes {
                mutex_ops: 256_000,
                contexts: 10_000,
                runs: 7,
            },
        }
    }
}

/// Goroutine (thread, task) counts of the `mutex` workload.
pub const MUTEX_GOROUTINES: [u64; 3] = [1, 4, 64];
/// Children per context in the `context_cancel` tree (node `i`'s parent is
/// node `(i - 1) / CONTEXT_FANOUT`).
pub const CONTEXT_FANOUT: u64 = 10;

/// The workloads of csp's `sync` and `context` packages. They are not
/// channel workloads ([`Flavor`] has no lock or context), so the `sync_bench`
/// binary measures them in a fresh process, as `latency` does, and the Go
/// command `bench-suite/go/cmd/syncbench` measures Go's twins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncWorkload {
    /// N goroutines each incrementing a shared counter under a mutex.
    Mutex,
    /// Cancel the root of a tree of contexts, each watched by a goroutine in `select!`.
    ContextCancel,
}

impl SyncWorkload {
    /// Every sync workload, in report order.
    pub const ALL: [SyncWorkload; 2] = [SyncWorkload::Mutex, SyncWorkload::ContextCancel];

    /// The name in ids and in `results.json`.
    pub fn name(self) -> &'static str {
        match self {
            SyncWorkload::Mutex => "mutex",
            SyncWorkload::ContextCancel => "context_cancel",
        }
    }

    /// The workload of `name`, if it is one.
    pub fn from_name(name: &str) -> Option<SyncWorkload> {
        SyncWorkload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// What one figure is per.
    pub fn unit(self) -> &'static str {
        match self {
            SyncWorkload::Mutex => "lock–increment–unlock",
            SyncWorkload::ContextCancel => "context",
        }
    }

    /// The Rust implementations that run it, in report order (Go, measured
    /// by the Go module, comes last: [`GO`]).
    pub fn implementations(self) -> &'static [&'static str] {
        match self {
            SyncWorkload::Mutex => &[
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines",
                "std",
                "parking_lot",
                "may",
                "tokio",
            ],
            SyncWorkload::ContextCancel => &[
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines",
            ],
        }
    }
}

/// One case of a sync workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncCase {
    /// The workload.
    pub workload: SyncWorkload,
    /// Its parameters, in id order (`goroutines=4`).
    pub params: Vec<(&'static str, u64)>,
}

impl SyncCase {
    /// The value of parameter `key`.
    pub fn param(&self, key: &str) -> u64 {
        self.params
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{}: no parameter {key}", self.workload.name()))
    }

    /// The parameter part of the id (`goroutines=4`).
    pub fn param_id(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.join(",")
    }

    /// The benchmark id of this case on `implementation`
    /// (`mutex/csp-goroutines/goroutines=4`).
    pub fn id(&self, implementation: &str) -> String {
        format!(
            "{}/{implementation}/{}",
            self.workload.name(),
            self.param_id()
        )
    }

    /// The figure's unit count in one run: operations for `mutex` (each
    /// goroutine does `mutex_ops / goroutines`), contexts for `context_cancel`.
    pub fn elements(&self) -> u64 {
        match self.workload {
            SyncWorkload::Mutex => {
                let n = self.param("goroutines");
                n * (self.param("ops") / n)
            }
            SyncWorkload::ContextCancel => self.param("contexts"),
        }
    }
}

/// Every sync case of a mode, in report order.
pub fn sync_cases(mode: Mode) -> Vec<SyncCase> {
    let sizes = mode.sync_sizes();
    let mut out: Vec<SyncCase> = MUTEX_GOROUTINES
        .iter()
        .map(|&n| SyncCase {
            workload: SyncWorkload::Mutex,
            params: vec![("goroutines", n), ("ops", sizes.mutex_ops)],
        })
        .collect();
    out.push(SyncCase {
        workload: SyncWorkload::ContextCancel,
        params: vec![("contexts", sizes.contexts), ("fanout", CONTEXT_FANOUT)],
    });
    out
}

/// Sizes of the network workloads ([`NetWorkload`]). The Go command
/// `bench-suite/go/cmd/netbench` uses the same numbers
/// (bench-suite/go/net.go, `NetSizesFor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetSizes {
    /// Round trips of one `echo` run, shared among its connections (a
    /// multiple of every count in [`ECHO_CONNS`]).
    pub echo_round_trips: u64,
    /// Calls of one `blocking` run.
    pub blocking_calls: u64,
    /// Timed runs per case (after one untimed warm-up run).
    pub runs: u64,
}

impl Mode {
    /// The sizes of the network workloads in this mode.
    pub fn net_sizes(self) -> NetSizes {
        match self {
            Mode::Smoke => NetSizes {
                echo_round_trips: 2_000,
                blocking_calls: 10_000,
                runs: 1,
            },
            Mode::Quick => NetSizes {
                echo_round_trips: 10_000,
                blocking_calls: 200_000,
                runs: 3,
            },
            // About a second per run on two shared cores for csp, tokio and
            // std at every connection count (loopback TCP costs some 20 us a
            // round trip here, in the kernel); may needs about 150 us a round
            // trip with one connection.
            Mode::Full => NetSizes {
                echo_round_trips: 30_000,
                blocking_calls: 1_000_000,
                runs: 5,
            },
        }
    }
}

/// Concurrent connections of the `echo` workload.
pub const ECHO_CONNS: [u64; 3] = [1, 100, 1_000];
/// Bytes of one `echo` message (and of its echo).
pub const ECHO_MSG: usize = 64;

/// The workloads of csp's netpoller and `blocking`: loopback TCP echo and
/// the cost of handing the processor off around a call. The `net_bench`
/// binary measures them in a fresh process, as `sync_bench` does the sync
/// workloads, and the Go command `bench-suite/go/cmd/netbench` Go's twins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetWorkload {
    /// C connections over loopback TCP, each doing round trips of a 64-byte
    /// message with one echo server.
    Echo,
    /// One goroutine calling `blocking` (Go: entersyscall/exitsyscall) in a
    /// loop.
    Blocking,
}

impl NetWorkload {
    /// Every network workload, in report order.
    pub const ALL: [NetWorkload; 2] = [NetWorkload::Echo, NetWorkload::Blocking];

    /// The name in ids and in `results.json`.
    pub fn name(self) -> &'static str {
        match self {
            NetWorkload::Echo => "echo",
            NetWorkload::Blocking => "blocking",
        }
    }

    /// The workload of `name`, if it is one.
    pub fn from_name(name: &str) -> Option<NetWorkload> {
        NetWorkload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// What one figure is per.
    pub fn unit(self) -> &'static str {
        match self {
            NetWorkload::Echo => "round trip",
            NetWorkload::Blocking => "call",
        }
    }

    /// The Rust implementations that run it, in report order (Go, measured
    /// by the Go module, comes last: [`GO`]).
    pub fn implementations(self) -> &'static [&'static str] {
        match self {
            NetWorkload::Echo => &[
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines",
                "may",
                "go-lib",
                "tokio",
                "std",
            ],
            NetWorkload::Blocking => &[
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines",
            ],
        }
    }
}

/// What the `blocking` workload calls in its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockingOp {
    /// `blocking(|| ())`: the hand-off alone (Go: `entersyscall();
    /// exitsyscall()`).
    Empty,
    /// `blocking(|| getpid())` (Go: `syscall.Syscall(SYS_GETPID, ..)`).
    Getpid,
    /// The bare getpid system call, no hand-off (Go: `syscall.RawSyscall`):
    /// the baseline.
    RawGetpid,
}

impl BlockingOp {
    /// Every operation, in report order.
    pub const ALL: [BlockingOp; 3] = [BlockingOp::Empty, BlockingOp::Getpid, BlockingOp::RawGetpid];

    /// The value of the `op` parameter.
    pub fn name(self) -> &'static str {
        match self {
            BlockingOp::Empty => "empty",
            BlockingOp::Getpid => "getpid",
            BlockingOp::RawGetpid => "raw_getpid",
        }
    }
}

/// One case of a network workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetCase {
    /// The workload.
    pub workload: NetWorkload,
    /// What `blocking` calls (None for `echo`); first in the id.
    pub op: Option<BlockingOp>,
    /// Its numeric parameters, in id order (`conns=100,rounds=500`).
    pub params: Vec<(&'static str, u64)>,
}

impl NetCase {
    /// The value of parameter `key`.
    pub fn param(&self, key: &str) -> u64 {
        self.params
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{}: no parameter {key}", self.workload.name()))
    }

    /// The parameter part of the id (`conns=100,rounds=500`,
    /// `op=empty,calls=1000000`).
    pub fn param_id(&self) -> String {
        let op = self.op.map(|o| format!("op={}", o.name()));
        let parts: Vec<String> = op
            .into_iter()
            .chain(self.params.iter().map(|(k, v)| format!("{k}={v}")))
            .collect();
        parts.join(",")
    }

    /// The benchmark id of this case on `implementation`
    /// (`echo/csp-goroutines/conns=100,rounds=500`).
    pub fn id(&self, implementation: &str) -> String {
        format!(
            "{}/{implementation}/{}",
            self.workload.name(),
            self.param_id()
        )
    }

    /// The figure's unit count in one run: round trips for `echo`
    /// (connections × rounds), calls for `blocking`.
    pub fn elements(&self) -> u64 {
        match self.workload {
            NetWorkload::Echo => self.param("conns") * self.param("rounds"),
            NetWorkload::Blocking => self.param("calls"),
        }
    }
}

/// Every network case of a mode, in report order: `echo` at each count of
/// [`ECHO_CONNS`] (each connection doing its share of the round trips),
/// then `blocking` for each [`BlockingOp`].
pub fn net_cases(mode: Mode) -> Vec<NetCase> {
    let sizes = mode.net_sizes();
    let mut out: Vec<NetCase> = ECHO_CONNS
        .iter()
        .map(|&c| NetCase {
            workload: NetWorkload::Echo,
            op: None,
            params: vec![
                ("conns", c),
                ("rounds", (sizes.echo_round_trips / c).max(1)),
            ],
        })
        .collect();
    out.extend(BlockingOp::ALL.iter().map(|&op| NetCase {
        workload: NetWorkload::Blocking,
        op: Some(op),
        params: vec![("calls", sizes.blocking_calls)],
    }));
    out
}

/// The workloads, with the names used in ids and in `results.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Round trip over two unbuffered channels.
    PingPong,
    /// One producer, one consumer, unbuffered.
    SpscUnbuffered,
    /// P producers into one channel of capacity 128.
    FanIn,
    /// 4 producers and 4 consumers on one channel of capacity 128.
    Mpmc,
    /// Source, 4 forwarding stages, sink.
    Pipeline,
    /// Select over 4 channels, each with its own producer.
    Select4,
    /// Start many tasks that send one value each.
    Spawn,
    /// Go's concurrent prime sieve.
    Sieve,
}

impl Workload {
    /// Every workload, in report order.
    pub const ALL: [Workload; 8] = [
        Workload::PingPong,
        Workload::SpscUnbuffered,
        Workload::FanIn,
        Workload::Mpmc,
        Workload::Pipeline,
        Workload::Select4,
        Workload::Spawn,
        Workload::Sieve,
    ];

    /// The name in ids and in `results.json`.
    pub fn name(self) -> &'static str {
        match self {
            Workload::PingPong => "ping_pong",
            Workload::SpscUnbuffered => "spsc_unbuffered",
            Workload::FanIn => "fan_in",
            Workload::Mpmc => "mpmc",
            Workload::Pipeline => "pipeline",
            Workload::Select4 => "select4",
            Workload::Spawn => "spawn",
            Workload::Sieve => "sieve",
        }
    }

    /// What the workload measures, one line for the report.
    pub fn about(self) -> String {
        match self {
            Workload::PingPong => "round trip over two unbuffered channels".to_string(),
            Workload::SpscUnbuffered => "one producer, one consumer, unbuffered channel".to_string(),
            Workload::FanIn => {
                format!("P producers into one channel of capacity {FAN_CAP}, one consumer")
            }
            Workload::Mpmc => format!(
                "{MPMC_PRODUCERS} producers, {MPMC_CONSUMERS} consumers, one channel of capacity {FAN_CAP}"
            ),
            Workload::Pipeline => format!(
                "source, {STAGES} forwarding stages, sink; every channel of the given capacity"
            ),
            Workload::Select4 => {
                "one consumer selecting over 4 unbuffered channels, each with its own producer"
                    .to_string()
            }
            Workload::Spawn => "start tasks that each send one value".to_string(),
            Workload::Sieve => "Go's concurrent prime sieve, one task per prime".to_string(),
        }
    }

    /// Whether run sizes differ between green and OS-thread implementations
    /// (spawn starts far fewer OS threads): the report then shows the two
    /// kinds apart.
    pub fn by_kind(self) -> bool {
        self == Workload::Spawn
    }

    /// What one figure is per: the throughput unit.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::PingPong => "round trip",
            Workload::Spawn => "task",
            Workload::Sieve => "channel send",
            _ => "message",
        }
    }
}

/// Capacity of the fan-in and MPMC channels.
pub const FAN_CAP: u64 = 128;
/// Capacity of the select workload's channels (unbuffered: every receive is a
/// handoff, so the figure is the cost of a select that parks).
pub const SELECT_CAP: u64 = 0;
/// Stages of the pipeline.
pub const STAGES: u64 = 4;
/// Pipeline capacities: 64 is the headline, the others draw the capacity line.
pub const PIPELINE_CAPS: [u64; 4] = [1, 16, 64, 256];
/// Fan-in producer counts.
pub const FAN_IN_PRODUCERS: [u64; 4] = [1, 2, 4, 8];
/// The fan-in case of the overview chart.
pub const FAN_IN_HEADLINE: u64 = 4;
/// The pipeline capacity of the overview chart.
pub const PIPELINE_HEADLINE: u64 = 64;
/// Producers of the MPMC workload.
pub const MPMC_PRODUCERS: u64 = 4;
/// Consumers of the MPMC workload.
pub const MPMC_CONSUMERS: u64 = 4;

/// One benchmark: a workload with fixed parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The workload.
    pub workload: Workload,
    /// Its parameters, in id order (`producers=4,cap=128`).
    pub params: Vec<(&'static str, u64)>,
    /// Whether this case stands for its workload in the overview charts.
    pub headline: bool,
}

impl Case {
    fn new(workload: Workload, params: &[(&'static str, u64)]) -> Case {
        Case {
            workload,
            params: params.to_vec(),
            headline: true,
        }
    }

    fn variant(workload: Workload, params: &[(&'static str, u64)], headline: bool) -> Case {
        Case {
            headline,
            ..Case::new(workload, params)
        }
    }

    /// The value of parameter `key`.
    pub fn param(&self, key: &str) -> u64 {
        self.params
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("{}: no parameter {key}", self.workload.name()))
    }

    /// The parameter part of the benchmark id (`producers=4,cap=128`), empty if none.
    pub fn param_id(&self) -> String {
        let parts: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.join(",")
    }

    /// How many tasks or messages one run of this case involves for an
    /// implementation (green or not, at most `max_tasks` tasks for spawn).
    pub fn size(&self, sizes: Sizes, imp: Kind) -> u64 {
        match self.workload {
            Workload::PingPong => sizes.rounds,
            Workload::Spawn if imp.green => sizes.goroutines.min(imp.max_tasks),
            Workload::Spawn => sizes.threads.min(imp.max_tasks),
            Workload::Sieve => self.param("limit"),
            _ => sizes.msgs,
        }
    }

    /// The throughput unit of one run: messages (round trips for ping-pong,
    /// tasks for spawn, channel sends along the chain for the sieve).
    pub fn elements(&self, sizes: Sizes, imp: Kind) -> u64 {
        match self.workload {
            Workload::Sieve => sieve::messages(self.param("limit")),
            _ => self.size(sizes, imp),
        }
    }

    /// What a correct run returns.
    pub fn expected(&self, sizes: Sizes, imp: Kind) -> Check {
        let n = self.size(sizes, imp);
        match self.workload {
            Workload::PingPong => ping_pong::expected(n),
            Workload::SpscUnbuffered => spsc::expected(n),
            Workload::FanIn => fan_in::expected(n),
            Workload::Mpmc => mpmc::expected(n),
            Workload::Pipeline => pipeline::expected(self.param("stages"), n),
            Workload::Select4 => select4::expected(n),
            Workload::Spawn => spawn::expected(n),
            Workload::Sieve => sieve::expected(n),
        }
    }
}

/// Every case of a mode, in report order.
pub fn cases(mode: Mode) -> Vec<Case> {
    let mut out = vec![
        Case::new(Workload::PingPong, &[]),
        Case::new(Workload::SpscUnbuffered, &[]),
    ];
    for p in FAN_IN_PRODUCERS {
        out.push(Case::variant(
            Workload::FanIn,
            &[("producers", p), ("cap", FAN_CAP)],
            p == FAN_IN_HEADLINE,
        ));
    }
    out.push(Case::new(
        Workload::Mpmc,
        &[
            ("producers", MPMC_PRODUCERS),
            ("consumers", MPMC_CONSUMERS),
            ("cap", FAN_CAP),
        ],
    ));
    for cap in PIPELINE_CAPS {
        out.push(Case::variant(
            Workload::Pipeline,
            &[("stages", STAGES), ("cap", cap)],
            cap == PIPELINE_HEADLINE,
        ));
    }
    out.push(Case::new(Workload::Select4, &[("cap", SELECT_CAP)]));
    out.push(Case::new(Workload::Spawn, &[]));
    out.push(Case::new(
        Workload::Sieve,
        &[("limit", mode.sizes().sieve_limit)],
    ));
    out
}

/// A workload run `iters` times inside the flavor's runtime: the last run's
/// check and the time of all runs.
pub type Runner = fn(&Case, Sizes, u64) -> Result<(Check, Duration), &'static str>;

/// What decides an implementation's workload sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    /// Green threads (goroutines, coroutines) or OS threads.
    pub green: bool,
    /// [`Flavor::MAX_TASKS`].
    pub max_tasks: u64,
}

impl Kind {
    /// The kind of flavor `F`.
    pub fn of<F: Flavor>() -> Kind {
        Kind {
            green: F::GREEN,
            max_tasks: F::MAX_TASKS,
        }
    }
}

/// An implementation as the bench harness and tests see it.
#[derive(Clone, Copy, Debug)]
pub struct Impl {
    /// The name in ids and in `results.json`.
    pub name: &'static str,
    /// The crate whose version the report records.
    pub krate: &'static str,
    /// Green threads (goroutines, coroutines) or OS threads.
    pub green: bool,
    /// Whether channels honour their capacity ([`Flavor::BOUNDED`]).
    pub bounded: bool,
    /// Whether its runtime takes a worker count ([`Flavor::WORKERS`]).
    pub workers: bool,
    /// [`Flavor::LIMIT_WHY`].
    pub limit_why: &'static str,
    /// The smallest channel capacity it has (1: no unbuffered channel).
    pub min_cap: usize,
    /// What decides its workload sizes.
    pub kind: Kind,
    /// Runs a case; `Err` names the missing feature.
    pub run: Runner,
    /// Runs a latency workload of `n` messages: the histogram of ns per
    /// message and the check (count) of what arrived.
    pub latency: fn(crate::latency::Latency, u64) -> (hdrhistogram::Histogram<u64>, Check),
    /// Why this implementation can't run a workload, if it can't.
    pub unsupported: fn(Workload) -> Option<&'static str>,
}

impl Impl {
    /// Runs `case` once and returns its check, or why it can't run.
    pub fn check(&self, case: &Case, sizes: Sizes) -> Result<Check, &'static str> {
        (self.run)(case, sizes, 1).map(|(c, _)| c)
    }

    /// The note the report prints beside this implementation's figure for a
    /// workload: where it differs from the workload as specified.
    pub fn note(&self, workload: Workload, sizes: Sizes) -> Option<String> {
        if let Some(why) = (self.unsupported)(workload) {
            return Some(why.to_string());
        }
        let mut notes = Vec::new();
        if !self.bounded && workload != Workload::Spawn {
            notes.push(format!(
                "unbounded channel: {} has no bounded or unbuffered channel",
                self.name
            ));
        }
        let unbuffered = matches!(
            workload,
            Workload::PingPong | Workload::SpscUnbuffered | Workload::Select4 | Workload::Sieve
        );
        if unbuffered && self.min_cap > 0 {
            notes.push(format!(
                "no unbuffered channel: capacity {} where the workload has 0",
                self.min_cap
            ));
        }
        if workload == Workload::Spawn {
            if self.kind.max_tasks < sizes.goroutines {
                notes.push(format!(
                    "{} tasks per run, not {}: {}",
                    self.kind.max_tasks, sizes.goroutines, self.limit_why
                ));
            } else if self.green {
                notes.push(format!("{} green tasks per run", sizes.goroutines));
            } else {
                notes.push(format!(
                    "OS threads: {} spawned per run (goroutines: {})",
                    sizes.threads, sizes.goroutines
                ));
            }
        }
        if workload == Workload::Select4 {
            match self.name {
                "csp-threads" => notes.push("dynamic csp_core::Select".to_string()),
                "flume" => notes.push("flume::Selector".to_string()),
                _ => {}
            }
        }
        if workload == Workload::Sieve && !self.green {
            notes.push("one OS thread per prime".to_string());
        }
        (!notes.is_empty()).then(|| notes.join("; "))
    }
}

/// Times `iters` runs of `body` inside `F`'s runtime and checks the last one.
fn timed<F: Flavor>(iters: u64, body: impl Fn() -> Check + Send + 'static) -> (Check, Duration) {
    F::run(move || {
        let start = Instant::now();
        let mut last = Check::default();
        for _ in 0..iters {
            last = std::hint::black_box(body());
        }
        (last, start.elapsed())
    })
}

/// The MPMC workload for one flavor: (producers, consumers, cap, n).
type MpmcFn = fn(u64, u64, usize, u64) -> Check;
/// The select workload for one flavor: (cap, n).
type SelectFn = fn(usize, u64) -> Check;

/// Runs every workload that needs only [`Flavor`]; `mpmc` and `select` are the
/// optional capabilities.
fn dispatch<F: Flavor>(
    case: &Case,
    sizes: Sizes,
    iters: u64,
    mpmc: Option<MpmcFn>,
    select: Option<SelectFn>,
    unsupported: fn(Workload) -> Option<&'static str>,
) -> Result<(Check, Duration), &'static str> {
    if let Some(why) = unsupported(case.workload) {
        return Err(why);
    }
    let n = case.size(sizes, Kind::of::<F>());
    Ok(match case.workload {
        Workload::PingPong => timed::<F>(iters, move || ping_pong::run::<F>(n)),
        Workload::SpscUnbuffered => timed::<F>(iters, move || spsc::run::<F>(n)),
        Workload::FanIn => {
            let (p, cap) = (case.param("producers"), case.param("cap") as usize);
            timed::<F>(iters, move || fan_in::run::<F>(p, cap, n))
        }
        Workload::Mpmc => {
            let f = mpmc.ok_or("no multi-consumer channel")?;
            let (p, c) = (case.param("producers"), case.param("consumers"));
            let cap = case.param("cap") as usize;
            timed::<F>(iters, move || f(p, c, cap, n))
        }
        Workload::Pipeline => {
            let (s, cap) = (case.param("stages"), case.param("cap") as usize);
            timed::<F>(iters, move || pipeline::run::<F>(s, cap, n))
        }
        Workload::Select4 => {
            let f = select.ok_or("no select")?;
            let cap = case.param("cap") as usize;
            timed::<F>(iters, move || f(cap, n))
        }
        Workload::Spawn => timed::<F>(iters, move || spawn::run::<F>(n)),
        Workload::Sieve => timed::<F>(iters, move || sieve::run::<F>(n)),
    })
}

fn mpmc_of<F: Flavor>() -> MpmcFn
where
    F::Rx: Clone,
{
    mpmc::run::<F>
}

fn select_of<F: Select4>() -> SelectFn {
    select4::run::<F>
}

/// Builds an [`Impl`] for a flavor; `mpmc` and `select` say whether it has a
/// cloneable receiver and a select.
macro_rules! implementation {
    ($t:ty, mpmc: $m:tt, select: $s:tt, unsupported: $u:expr) => {
        Impl {
            name: <$t as Flavor>::NAME,
            krate: <$t as Flavor>::CRATE,
            green: <$t as Flavor>::GREEN,
            bounded: <$t as Flavor>::BOUNDED,
            workers: <$t as Flavor>::WORKERS,
            limit_why: <$t as Flavor>::LIMIT_WHY,
            min_cap: 0,
            kind: Kind::of::<$t>(),
            run: |case, sizes, iters| {
                dispatch::<$t>(
                    case,
                    sizes,
                    iters,
                    implementation!(@mpmc $m $t),
                    implementation!(@select $s $t),
                    $u,
                )
            },
            unsupported: $u,
            latency: crate::latency::run::<$t>,
        }
    };
    (@mpmc yes $t:ty) => { Some(mpmc_of::<$t>()) };
    (@mpmc no $t:ty) => { None };
    (@select yes $t:ty) => { Some(select_of::<$t>()) };
    (@select no $t:ty) => { None };
}

fn supports_all(_: Workload) -> Option<&'static str> {
    None
}

fn kanal_missing(w: Workload) -> Option<&'static str> {
    (w == Workload::Select4).then_some("kanal has no select")
}

fn std_missing(w: Workload) -> Option<&'static str> {
    match w {
        Workload::Select4 => Some("std mpsc has no select"),
        Workload::Mpmc => Some("std mpsc has a single consumer (Receiver is not Clone)"),
        _ => None,
    }
}

fn may_missing(w: Workload) -> Option<&'static str> {
    (w == Workload::Select4).then_some(
        "not measured: may's select! runs each arm in its own coroutine and can lose a \
         value a losing arm already received (may issue #102)",
    )
}

/// Every implementation compiled in, in report order.
pub fn impls() -> Vec<Impl> {
    use crate::impls::*;
    #[allow(unused_mut)]
    let mut out = Vec::new();
    #[cfg(feature = "csp-goroutines")]
    out.push(implementation!(CspGoroutines, mpmc: yes, select: yes, unsupported: supports_all));
    #[cfg(feature = "csp-threads")]
    out.push(implementation!(CspThreads, mpmc: yes, select: yes, unsupported: supports_all));
    out.push(implementation!(Crossbeam, mpmc: yes, select: yes, unsupported: supports_all));
    out.push(implementation!(Flume, mpmc: yes, select: yes, unsupported: supports_all));
    out.push(implementation!(StdMpsc, mpmc: no, select: no, unsupported: std_missing));
    out.push(implementation!(Kanal, mpmc: yes, select: no, unsupported: kanal_missing));
    out.push(implementation!(May, mpmc: yes, select: no, unsupported: may_missing));
    out.push(implementation!(GoLib, mpmc: yes, select: yes, unsupported: supports_all));
    #[cfg(feature = "csp-threads")]
    out.push(crate::tasks::implementation::<crate::tasks::CspAsync>());
    out.push(crate::tasks::implementation::<crate::tasks::Tokio>());
    out.push(crate::tasks::implementation::<crate::tasks::AsyncChan>());
    out.push(crate::tasks::implementation::<crate::tasks::FlumeAsync>());
    out.push(crate::tasks::implementation::<crate::tasks::KanalAsync>());
    #[cfg(feature = "csp-goroutines")]
    out.push(crate::async_goroutine::implementation());
    out
}

/// The first async peer in report order: where the left-out csp-async
/// adapters go in the catalog.
const FIRST_ASYNC: &str = "tokio";

/// Implementations the report knows but this build left out, with the reason.
pub fn missing_impls() -> Vec<(&'static str, &'static str)> {
    [
        (
            cfg!(feature = "csp-goroutines"),
            "csp-goroutines",
            "built without feature csp-goroutines",
        ),
        (
            cfg!(feature = "csp-threads"),
            "csp-threads",
            "built without feature csp-threads",
        ),
        (
            cfg!(feature = "csp-threads"),
            "csp-async",
            "built without feature csp-threads",
        ),
        (
            cfg!(feature = "csp-goroutines"),
            "csp-async-goroutine",
            "built without feature csp-goroutines",
        ),
    ]
    .into_iter()
    .filter(|(built, _, _)| !built)
    .map(|(_, name, why)| (name, why))
    .collect()
}

/// Go, which the xtask runs through `go test -bench` in `bench-suite/go`:
/// its place in the catalog, after every Rust implementation.
pub const GO: &str = "go";

/// Where Go differs from the workload as specified.
fn go_note(w: Workload) -> Option<&'static str> {
    (w == Workload::Spawn)
        .then_some("no join (Go has none): the run ends with the last value received")
}

/// The catalog of a mode as JSON: the only list of workloads, cases,
/// implementations and their gaps. `cargo xtask bench` stores it in
/// `results.json` (key `catalog`) and renders the report from it.
///
/// `{"mode", "sizes", "workloads": [{name, about, unit, by_kind}],
/// "cases": [{workload, params: "producers=4,cap=128", headline}],
/// "implementations": [{name, crate, green, bounded, runner}],
/// "notes": [{workload, implementation, note}],
/// "unsupported": [{workload, implementation, note}]}`
pub fn meta_json(mode: Mode) -> serde_json::Value {
    use serde_json::json;
    let sizes = mode.sizes();
    let mut notes = Vec::new();
    let mut unsupported = Vec::new();
    let mut implementations = Vec::new();
    let entry = |w: Workload, imp: &str, note: &str| json!({"workload": w.name(), "implementation": imp, "note": note});
    for imp in impls() {
        implementations.push(json!({
            "name": imp.name, "crate": imp.krate, "green": imp.green,
            "bounded": imp.bounded, "workers": imp.workers, "runner": "criterion",
        }));
        for w in Workload::ALL {
            if let Some(why) = (imp.unsupported)(w) {
                unsupported.push(entry(w, imp.name, why));
            } else if let Some(note) = imp.note(w, sizes) {
                notes.push(entry(w, imp.name, &note));
            }
        }
    }
    for (k, (name, why)) in missing_impls().into_iter().enumerate() {
        // Every left-out adapter is csp's: csp-goroutines and csp-threads come
        // first in report order, csp-async just before the other async peers
        // and csp-async-goroutine after them.
        let at = match name {
            "csp-async" => implementations
                .iter()
                .position(|i| i["name"] == FIRST_ASYNC)
                .unwrap_or(implementations.len()),
            "csp-async-goroutine" => implementations.len(),
            _ => k,
        };
        implementations.insert(
            at,
            json!({"name": name, "crate": "csp-core", "green": name != "csp-threads",
                   "bounded": true, "runner": "criterion"}),
        );
        for w in Workload::ALL {
            unsupported.push(entry(w, name, why));
        }
    }
    implementations.push(json!({
        "name": GO, "crate": "", "green": true, "bounded": true, "workers": true, "runner": "go",
    }));
    for w in Workload::ALL {
        if let Some(note) = go_note(w) {
            notes.push(entry(w, GO, note));
        }
    }
    let workloads: Vec<_> = Workload::ALL
        .iter()
        .map(|w| json!({"name": w.name(), "about": w.about(), "unit": w.unit(), "by_kind": w.by_kind()}))
        .collect();
    // Parameters as their id (`producers=4,cap=128`): a JSON object would
    // lose their order here, where serde_json sorts keys.
    let cases: Vec<_> = cases(mode)
        .iter()
        .map(|c| json!({"workload": c.workload.name(), "params": c.param_id(), "headline": c.headline}))
        .collect();
    json!({
        "mode": mode.name(),
        "sizes": {
            "msgs": sizes.msgs, "rounds": sizes.rounds, "goroutines": sizes.goroutines,
            "threads": sizes.threads, "sieve_limit": sizes.sieve_limit,
        },
        "workloads": workloads,
        "cases": cases,
        "implementations": implementations,
        "notes": notes,
        "unsupported": unsupported,
    })
}
