//! The network workloads ([`NetWorkload`]): loopback TCP echo with many
//! connections, and the cost of `csp_core::blocking`, for csp and its peers.
//! The `net_bench` binary runs them in a fresh process and prints one JSON
//! line per case ([`Measurement::to_json`]); the Go twin is
//! `bench-suite/go/cmd/netbench`, which prints the same lines.
//!
//! Every run checks its result. `echo`: every client compares each echo
//! with the message it sent, byte for byte, and counts the round trips that
//! matched; the server counts the messages it echoed; both counts must be
//! connections × rounds, and no I/O error may occur. `blocking`: every call
//! must have returned its closure's value (for getpid, this process's id).
//! A run that does not is an error, and the binary exits non-zero.
//!
//! `echo` latency is recorded per round trip (from just before the write to
//! just after the last byte of the echo was read), kept by each client in a
//! vector (a histogram per client would be 200 KiB × 1 000 clients) and
//! recorded into one HDR histogram over every timed run of the case.

#[cfg(feature = "csp-goroutines")]
use crate::catalog::BlockingOp;
use crate::catalog::{NetCase, NetWorkload, ECHO_MSG};
use crate::Flavor;
use hdrhistogram::Histogram;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most this many errors of one run are kept for the report.
const MAX_ERRORS: usize = 5;

/// What one run produced: the counts to check, the errors seen, the
/// latencies and the time it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// `echo`: round trips whose echo matched the message byte for byte;
    /// `blocking`: calls that returned their closure's value.
    pub got: u64,
    /// `echo`: messages the server read and wrote back (equal to `want` in
    /// a correct run); `blocking`: equal to `got`.
    pub echoed: u64,
    /// What a correct run gives ([`NetCase::elements`]).
    pub want: u64,
    /// The first few I/O errors or wrong echoes, each naming its client.
    pub errors: Vec<String>,
    /// `echo`: nanoseconds of every checked round trip, client by client.
    pub latencies_ns: Vec<u64>,
    /// The timed part: from just before the clients are released (every
    /// client is connected and waits) until the last client finished
    /// (`echo`); the loop of calls (`blocking`).
    pub elapsed: Duration,
}

impl Run {
    /// `Err` with what went wrong when the result is not the expected one.
    pub fn check(&self, case: &NetCase, implementation: &str) -> Result<(), String> {
        let id = case.id(implementation);
        if !self.errors.is_empty() {
            return Err(format!("{id}: {}", self.errors.join("; ")));
        }
        if self.got != self.want || self.echoed != self.want {
            return Err(format!(
                "{id}: {} checked round trips and {} echoed, want {}",
                self.got, self.echoed, self.want
            ));
        }
        if case.workload == NetWorkload::Echo && self.latencies_ns.len() as u64 != self.want {
            return Err(format!(
                "{id}: {} latencies recorded, want {}",
                self.latencies_ns.len(),
                self.want
            ));
        }
        Ok(())
    }
}

/// Runs `case` once on `implementation`: None for an implementation the
/// workload does not have (see [`NetWorkload::implementations`]).
pub fn run_once(case: &NetCase, implementation: &str) -> Option<Run> {
    match case.workload {
        NetWorkload::Echo => {
            raise_fd_limit();
            let (conns, rounds) = (case.param("conns"), case.param("rounds"));
            match implementation {
                #[cfg(feature = "csp-goroutines")]
                "csp-goroutines" => Some(echo_on::<crate::impls::CspGoroutines>(conns, rounds)),
                "may" => Some(echo_on::<crate::impls::May>(conns, rounds)),
                "go-lib" => Some(echo_on::<crate::impls::GoLib>(conns, rounds)),
                "std" => Some(echo_on::<crate::impls::StdMpsc>(conns, rounds)),
                "tokio" => Some(echo_tokio(conns, rounds)),
                _ => None,
            }
        }
        NetWorkload::Blocking => match implementation {
            #[cfg(feature = "csp-goroutines")]
            "csp-goroutines" => {
                let op = case.op.expect("a blocking case has an op");
                Some(blocking_csp(op, case.param("calls")))
            }
            _ => None,
        },
    }
}

/// The timed runs of one case on one implementation.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// [`NetCase::elements`]: what the times are divided by.
    pub elements: u64,
    /// Nanoseconds of each timed run.
    pub runs_ns: Vec<f64>,
    /// `echo`: the round-trip latency of every timed run (None for
    /// `blocking`).
    pub latency: Option<Histogram<u64>>,
}

impl Measurement {
    /// The JSON line the `net_bench` binary prints (the Go twin prints the
    /// same): `{"workload", "params", "implementation", "elements",
    /// "runs_ns"}`, and for `echo` `"p50_ns"` and `"p99_ns"`, the median
    /// and 99th percentile round trip over every timed run.
    pub fn to_json(&self, case: &NetCase, implementation: &str) -> serde_json::Value {
        let mut v = serde_json::json!({
            "workload": case.workload.name(),
            "params": case.param_id(),
            "implementation": implementation,
            "elements": self.elements,
            "runs_ns": self.runs_ns,
        });
        if let Some(h) = &self.latency {
            v["p50_ns"] = h.value_at_quantile(0.5).into();
            v["p99_ns"] = h.value_at_quantile(0.99).into();
        }
        v
    }
}

/// One untimed warm-up run and `runs` timed runs of `case`, each checked.
/// `Err` for an implementation the workload does not have or a wrong result.
pub fn measure(case: &NetCase, implementation: &str, runs: u64) -> Result<Measurement, String> {
    let mut runs_ns = Vec::new();
    let mut latency = (case.workload == NetWorkload::Echo).then(crate::latency::histogram);
    for k in 0..=runs {
        let run = run_once(case, implementation).ok_or_else(|| {
            format!(
                "{}: no implementation {implementation}",
                case.workload.name()
            )
        })?;
        run.check(case, implementation)?;
        if k > 0 {
            runs_ns.push(run.elapsed.as_nanos() as f64);
            if let Some(h) = &mut latency {
                for &ns in &run.latencies_ns {
                    h.saturating_record(ns.max(1));
                }
            }
        }
    }
    Ok(Measurement {
        elements: case.elements(),
        runs_ns,
        latency,
    })
}

/// Raises this process's soft limit on open files to the hard limit: an
/// `echo` run with 1 000 connections holds 2 000 sockets. Failures are
/// ignored (the run then fails loudly on its first `EMFILE`).
pub fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` through a pointer to a live,
    // properly aligned local.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0
        || lim.rlim_cur >= lim.rlim_max
    {
        return;
    }
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: setrlimit reads one `rlimit` from a live local; raising the
    // soft limit up to the hard one needs no privilege.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
}

/// The message client `client` sends in round `round`: different in every
/// round and for every client, so an echo from the wrong connection or an
/// old round is caught.
pub fn message(client: u64, round: u64) -> [u8; ECHO_MSG] {
    let mut m = [0u8; ECHO_MSG];
    for (i, b) in m.iter_mut().enumerate() {
        *b = (client.wrapping_mul(131) ^ round.wrapping_mul(31) ^ (i as u64 * 7)) as u8;
    }
    m
}

/// What one client saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientOutcome {
    /// Round trips whose echo equalled the message.
    pub ok: u64,
    /// Nanoseconds of each of those round trips.
    pub latencies_ns: Vec<u64>,
    /// The error that ended the client early, if one did.
    pub error: Option<String>,
}

/// Client `client`'s `rounds` round trips on `stream`: write a 64-byte
/// [`message`], read 64 bytes back, compare. Stops at the first I/O error
/// or wrong echo, which it reports in [`ClientOutcome::error`].
pub fn client_rounds<S: Read + Write>(mut stream: S, client: u64, rounds: u64) -> ClientOutcome {
    let mut out = ClientOutcome {
        latencies_ns: Vec::with_capacity(rounds as usize),
        ..ClientOutcome::default()
    };
    let mut buf = [0u8; ECHO_MSG];
    for round in 0..rounds {
        let msg = message(client, round);
        let t0 = Instant::now();
        let io = stream
            .write_all(&msg)
            .and_then(|()| stream.read_exact(&mut buf));
        let ns = t0.elapsed().as_nanos() as u64;
        if let Err(e) = io {
            out.error = Some(format!("client {client} round {round}: {e}"));
            return out;
        }
        if let Some(k) = (0..ECHO_MSG).find(|&k| buf[k] != msg[k]) {
            out.error = Some(format!(
                "client {client} round {round}: echo differs at byte {k} ({} instead of {})",
                buf[k], msg[k]
            ));
            return out;
        }
        out.ok += 1;
        out.latencies_ns.push(ns);
    }
    out
}

/// Fills `buf` from `r`; Ok(false) when the stream ended before its first
/// byte (the client hung up), an `UnexpectedEof` error when it ended inside.
fn read_message<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// The server's side of one connection: read 64 bytes, write them back,
/// until the client hangs up; the messages echoed.
pub fn serve<S: Read + Write>(mut stream: S) -> io::Result<u64> {
    let mut buf = [0u8; ECHO_MSG];
    let mut echoed = 0;
    while read_message(&mut stream, &mut buf)? {
        stream.write_all(&buf)?;
        echoed += 1;
    }
    Ok(echoed)
}

/// What the errors and counts of a run's tasks are collected in.
#[derive(Default)]
struct Shared {
    echoed: AtomicU64,
    errors: Mutex<Vec<String>>,
    clients: Mutex<Vec<ClientOutcome>>,
}

impl Shared {
    fn error(&self, e: String) {
        let mut errors = self.errors.lock().expect("errors lock");
        if errors.len() < MAX_ERRORS {
            errors.push(e);
        }
    }

    /// The run's result, from what the tasks left here.
    fn into_run(self, want: u64, elapsed: Duration) -> Run {
        let mut errors = self.errors.into_inner().expect("errors lock");
        let clients = self.clients.into_inner().expect("clients lock");
        let mut latencies_ns = Vec::with_capacity(want as usize);
        let mut got = 0;
        for c in clients {
            got += c.ok;
            latencies_ns.extend(c.latencies_ns);
            if let Some(e) = c.error {
                if errors.len() < MAX_ERRORS {
                    errors.push(e);
                }
            }
        }
        Run {
            got,
            echoed: self.echoed.load(Ordering::Relaxed),
            want,
            errors,
            latencies_ns,
            elapsed,
        }
    }
}

/// The sockets of an implementation whose tasks block (goroutines,
/// coroutines, OS threads) and whose streams are `std::io` streams; its
/// tasks come from its [`Flavor`].
pub trait NetFlavor: Flavor {
    /// A listening socket.
    type Listener: Send + 'static;
    /// A connected stream.
    type Stream: Read + Write + Send + 'static;
    /// Listens on an ephemeral loopback port; the listener and its address.
    fn bind() -> io::Result<(Self::Listener, SocketAddr)>;
    /// Waits for the next connection.
    fn accept(l: &Self::Listener) -> io::Result<Self::Stream>;
    /// Connects to `addr`, with TCP_NODELAY set (Go's default).
    fn connect(addr: SocketAddr) -> io::Result<Self::Stream>;
}

/// The loopback address with an ephemeral port.
const LOOPBACK: &str = "127.0.0.1:0";

#[cfg(feature = "csp-goroutines")]
impl NetFlavor for crate::impls::CspGoroutines {
    type Listener = csp_core::net::TcpListener;
    type Stream = csp_core::net::TcpStream;
    fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = csp_core::net::TcpListener::bind(LOOPBACK)?;
        let a = l.local_addr()?;
        Ok((l, a))
    }
    fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.accept()?;
        s.set_nodelay(true)?;
        Ok(s)
    }
    fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = csp_core::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        Ok(s)
    }
}

impl NetFlavor for crate::impls::May {
    type Listener = may::net::TcpListener;
    type Stream = may::net::TcpStream;
    fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = may::net::TcpListener::bind(LOOPBACK)?;
        let a = l.local_addr()?;
        Ok((l, a))
    }
    fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.accept()?;
        s.set_nodelay(true)?;
        Ok(s)
    }
    fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = may::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        Ok(s)
    }
}

/// Sets TCP_NODELAY on a socket of go-lib's, whose streams have no method
/// for it.
fn go_lib_nodelay(s: &go_lib::net::TcpStream) -> io::Result<()> {
    let one: libc::c_int = 1;
    // SAFETY: the descriptor belongs to `s`, which is alive for the call;
    // setsockopt reads one c_int from a live local of the length given.
    let r = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

impl NetFlavor for crate::impls::GoLib {
    type Listener = go_lib::net::TcpListener;
    type Stream = go_lib::net::TcpStream;
    fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = go_lib::net::TcpListener::bind(LOOPBACK)?;
        let a = l.local_addr()?;
        Ok((l, a))
    }
    fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let s = l.accept()?;
        go_lib_nodelay(&s)?;
        Ok(s)
    }
    fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = go_lib::net::TcpStream::connect(addr)?;
        go_lib_nodelay(&s)?;
        Ok(s)
    }
}

/// std::net on OS threads: one thread per connection on each side.
impl NetFlavor for crate::impls::StdMpsc {
    type Listener = std::net::TcpListener;
    type Stream = std::net::TcpStream;
    fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = std::net::TcpListener::bind(LOOPBACK)?;
        let a = l.local_addr()?;
        Ok((l, a))
    }
    fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.accept()?;
        s.set_nodelay(true)?;
        Ok(s)
    }
    fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        Ok(s)
    }
}

/// Clients that connect at once, each wave waiting until the server has
/// accepted the one before: fewer than the smallest listen backlog of the
/// peers (128, std's and go-lib's). A connection that overflows the accept
/// queue is completed by the kernel only when the client sends, so a client
/// waiting for the start would wait for good, and one that does not wait
/// pays a retransmission inside the timed part.
pub const CONNECT_WAVE: u64 = 100;

/// Accept failures after which an `echo` server gives up.
const MAX_ACCEPT_FAILURES: u32 = 100;

/// Counts a failed accept (the server retries: the connection still waits
/// in the queue, and its client would wait for its echoes for good). Past
/// [`MAX_ACCEPT_FAILURES`] the process exits with the error: a run that can
/// neither finish nor fail otherwise must not hang.
fn accept_failed(failures: &mut u32, e: &io::Error) {
    *failures += 1;
    if *failures > MAX_ACCEPT_FAILURES {
        eprintln!("net_bench: the echo server cannot accept connections: {e}");
        std::process::exit(1);
    }
}

/// One `echo` run on an implementation with blocking tasks: a server task
/// accepts `conns` connections (retrying a failed accept), each served by a
/// task of its own, and says so per accept; `conns` client tasks each wait for a token to connect (in
/// waves of [`CONNECT_WAVE`], each accepted before the next connects), say
/// whether they are connected, wait for a second token, then do `rounds`
/// round trips each. The clock runs from just before the first start token
/// is sent until the last client finished.
fn echo_on<F: NetFlavor>(conns: u64, rounds: u64) -> Run {
    F::run(move || {
        let want = conns * rounds;
        let shared = Arc::new(Shared::default());
        let (listener, addr) = match F::bind() {
            Ok(x) => x,
            Err(e) => {
                shared.error(format!("bind: {e}"));
                return unwrap_shared(shared).into_run(want, Duration::ZERO);
            }
        };
        let sh = shared.clone();
        // One message per accepted connection.
        let (accepted_tx, accepted_rx) = F::chan(conns as usize);
        let server = F::spawn(move || {
            let mut handlers = Vec::new();
            let mut failures = 0;
            while (handlers.len() as u64) < conns {
                match F::accept(&listener) {
                    Ok(s) => {
                        let sh = sh.clone();
                        handlers.push(F::spawn(move || match serve(s) {
                            Ok(n) => {
                                sh.echoed.fetch_add(n, Ordering::Relaxed);
                            }
                            Err(e) => sh.error(format!("server: {e}")),
                        }));
                        F::send(&accepted_tx, 1);
                    }
                    Err(e) => {
                        sh.error(format!("accept: {e}"));
                        accept_failed(&mut failures, &e);
                    }
                }
            }
            handlers.into_iter().for_each(F::join);
        });
        // 1: connected; 0: the connect failed.
        let (ready_tx, ready_rx) = F::chan(conns as usize);
        let mut gates = Vec::with_capacity(conns as usize);
        let mut clients = Vec::with_capacity(conns as usize);
        for id in 0..conns {
            // Two tokens: connect, then start.
            let (gate_tx, gate_rx) = F::chan(2);
            gates.push(gate_tx);
            let (ready, sh) = (ready_tx.clone(), shared.clone());
            clients.push(F::spawn(move || {
                F::recv(&gate_rx);
                let stream = F::connect(addr);
                F::send(&ready, u64::from(stream.is_ok()));
                F::recv(&gate_rx);
                let outcome = match stream {
                    Ok(s) => client_rounds(s, id, rounds),
                    Err(e) => ClientOutcome {
                        error: Some(format!("client {id}: connect: {e}")),
                        ..ClientOutcome::default()
                    },
                };
                sh.clients.lock().expect("clients lock").push(outcome);
            }));
        }
        let mut connected = 0;
        for wave in gates.chunks(CONNECT_WAVE as usize) {
            wave.iter().for_each(|g| F::send(g, 1));
            let ok: u64 = wave.iter().map(|_| F::recv(&ready_rx)).sum();
            // The server accepts each connection made.
            (0..ok).for_each(|_| {
                F::recv(&accepted_rx);
            });
            connected += ok;
        }
        let start = Instant::now();
        for g in &gates {
            F::send(g, 1);
        }
        clients.into_iter().for_each(F::join);
        let elapsed = start.elapsed();
        // The server still waits for one connection per failed connect:
        // give it them (closed at once) so it ends; if even that fails,
        // leave it.
        let missing = conns - connected;
        let unblocked = (0..missing).all(|_| F::connect(addr).is_ok());
        if unblocked {
            F::join(server);
        }
        unwrap_shared(shared).into_run(want, elapsed)
    })
}

/// The [`Shared`] of a run whose tasks have all ended (or, after a failure,
/// a copy of what it holds while some task still keeps it).
fn unwrap_shared(shared: Arc<Shared>) -> Shared {
    Arc::try_unwrap(shared).unwrap_or_else(|sh| Shared {
        echoed: AtomicU64::new(sh.echoed.load(Ordering::Relaxed)),
        errors: Mutex::new(sh.errors.lock().expect("errors lock").clone()),
        clients: Mutex::new(sh.clients.lock().expect("clients lock").clone()),
    })
}

/// A multi-threaded tokio runtime with I/O enabled and
/// [`crate::workers`] worker threads (one per CPU by default).
fn io_runtime() -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    b.enable_io();
    if let Some(n) = crate::workers() {
        b.worker_threads(n);
    }
    b.build().expect("tokio runtime")
}

/// [`client_rounds`] on a tokio stream.
async fn client_rounds_tokio(
    mut stream: tokio::net::TcpStream,
    client: u64,
    rounds: u64,
) -> ClientOutcome {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut out = ClientOutcome {
        latencies_ns: Vec::with_capacity(rounds as usize),
        ..ClientOutcome::default()
    };
    let mut buf = [0u8; ECHO_MSG];
    for round in 0..rounds {
        let msg = message(client, round);
        let t0 = Instant::now();
        let io = match stream.write_all(&msg).await {
            Ok(()) => stream.read_exact(&mut buf).await.map(|_| ()),
            Err(e) => Err(e),
        };
        let ns = t0.elapsed().as_nanos() as u64;
        if let Err(e) = io {
            out.error = Some(format!("client {client} round {round}: {e}"));
            return out;
        }
        if let Some(k) = (0..ECHO_MSG).find(|&k| buf[k] != msg[k]) {
            out.error = Some(format!(
                "client {client} round {round}: echo differs at byte {k} ({} instead of {})",
                buf[k], msg[k]
            ));
            return out;
        }
        out.ok += 1;
        out.latencies_ns.push(ns);
    }
    out
}

/// [`serve`] on a tokio stream.
async fn serve_tokio(mut stream: tokio::net::TcpStream) -> io::Result<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = [0u8; ECHO_MSG];
    let mut echoed = 0;
    loop {
        let mut filled = 0;
        while filled < ECHO_MSG {
            match stream.read(&mut buf[filled..]).await? {
                0 if filled == 0 => return Ok(echoed),
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                k => filled += k,
            }
        }
        stream.write_all(&buf).await?;
        echoed += 1;
    }
}

/// One `echo` run on tokio tasks (multi-thread runtime): as [`echo_on`],
/// with tokio's channels for the tokens and the ready and accepted
/// messages.
fn echo_tokio(conns: u64, rounds: u64) -> Run {
    use tokio::sync::mpsc::{channel, unbounded_channel};
    let rt = io_runtime();
    rt.block_on(async move {
        let main = tokio::spawn(async move {
            let want = conns * rounds;
            let shared = Arc::new(Shared::default());
            let listener = match tokio::net::TcpListener::bind(LOOPBACK).await {
                Ok(l) => l,
                Err(e) => {
                    shared.error(format!("bind: {e}"));
                    return unwrap_shared(shared).into_run(want, Duration::ZERO);
                }
            };
            let addr = listener.local_addr().expect("local_addr");
            let sh = shared.clone();
            let (accepted_tx, mut accepted_rx) = unbounded_channel::<()>();
            let server = tokio::spawn(async move {
                let mut handlers = Vec::new();
                let mut failures = 0;
                while (handlers.len() as u64) < conns {
                    let accepted = listener.accept().await.and_then(|(s, _)| {
                        s.set_nodelay(true)?;
                        Ok(s)
                    });
                    match accepted {
                        Ok(s) => {
                            let sh = sh.clone();
                            handlers.push(tokio::spawn(async move {
                                match serve_tokio(s).await {
                                    Ok(n) => {
                                        sh.echoed.fetch_add(n, Ordering::Relaxed);
                                    }
                                    Err(e) => sh.error(format!("server: {e}")),
                                }
                            }));
                            let _ = accepted_tx.send(());
                        }
                        Err(e) => {
                            sh.error(format!("accept: {e}"));
                            accept_failed(&mut failures, &e);
                        }
                    }
                }
                for h in handlers {
                    h.await.expect("tokio echo handler");
                }
            });
            let (ready_tx, mut ready_rx) = unbounded_channel::<u64>();
            let mut gates = Vec::with_capacity(conns as usize);
            let mut clients = Vec::with_capacity(conns as usize);
            for id in 0..conns {
                let (gate_tx, mut gate_rx) = channel::<()>(2);
                gates.push(gate_tx);
                let (ready, sh) = (ready_tx.clone(), shared.clone());
                clients.push(tokio::spawn(async move {
                    let _ = gate_rx.recv().await;
                    let stream = tokio::net::TcpStream::connect(addr)
                        .await
                        .and_then(|s| s.set_nodelay(true).map(|()| s));
                    let _ = ready.send(u64::from(stream.is_ok()));
                    let _ = gate_rx.recv().await;
                    let outcome = match stream {
                        Ok(s) => client_rounds_tokio(s, id, rounds).await,
                        Err(e) => ClientOutcome {
                            error: Some(format!("client {id}: connect: {e}")),
                            ..ClientOutcome::default()
                        },
                    };
                    sh.clients.lock().expect("clients lock").push(outcome);
                }));
            }
            let mut connected = 0;
            for wave in gates.chunks(CONNECT_WAVE as usize) {
                for g in wave {
                    g.send(()).await.expect("tokio echo gate");
                }
                let mut ok = 0;
                for _ in wave {
                    ok += ready_rx.recv().await.expect("tokio echo ready");
                }
                for _ in 0..ok {
                    accepted_rx.recv().await.expect("tokio echo accepted");
                }
                connected += ok;
            }
            let start = Instant::now();
            for g in &gates {
                g.send(()).await.expect("tokio echo gate");
            }
            for c in clients {
                c.await.expect("tokio echo client");
            }
            let elapsed = start.elapsed();
            let missing = conns - connected;
            let mut unblocked = true;
            for _ in 0..missing {
                unblocked &= tokio::net::TcpStream::connect(addr).await.is_ok();
            }
            if unblocked {
                server.await.expect("tokio echo server");
            }
            unwrap_shared(shared).into_run(want, elapsed)
        });
        main.await.expect("tokio main task")
    })
}

/// The getpid system call itself (glibc's `getpid` is one too since 2.25,
/// but `syscall` makes it explicit).
#[cfg(feature = "csp-goroutines")]
fn getpid() -> i64 {
    // SAFETY: SYS_getpid takes no arguments, touches no memory and cannot
    // fail.
    unsafe { libc::syscall(libc::SYS_getpid) }
}

/// One `blocking` run: `calls` calls of `op` in a loop on csp's main
/// goroutine; how many returned the expected value, and the loop's time.
#[cfg(feature = "csp-goroutines")]
fn blocking_csp(op: BlockingOp, calls: u64) -> Run {
    use std::hint::black_box;
    let (got, elapsed) = crate::impls::CspGoroutines::run(move || {
        let pid = i64::from(std::process::id());
        let mut got = 0u64;
        let start = Instant::now();
        match op {
            BlockingOp::Empty => {
                for _ in 0..calls {
                    got += csp_core::blocking(|| black_box(1u64));
                }
            }
            BlockingOp::Getpid => {
                for _ in 0..calls {
                    got += u64::from(csp_core::blocking(getpid) == pid);
                }
            }
            BlockingOp::RawGetpid => {
                for _ in 0..calls {
                    got += u64::from(black_box(getpid()) == pid);
                }
            }
        }
        (got, start.elapsed())
    });
    Run {
        got,
        echoed: got,
        want: calls,
        elapsed,
        ..Run::default()
    }
}
