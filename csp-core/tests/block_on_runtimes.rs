//! `block_on` polls its future in a call of its own, so a goroutine that
//! resumed on another thread between two polls reads that thread's
//! thread-locals.
//!
//! With the poll inlined into `block_on`'s loop, an optimised build computed
//! the address of tokio's context thread-local once, before the loop (the
//! compiler assumes a function stays on one thread): a poll after the
//! goroutine moved used the first thread's context. Within a few hundred of
//! the runs below tokio panicked with "The Tokio context thread-local variable
//! has been destroyed" or aborted in a worker (found by the benchmark smoke
//! run's async-to-goroutine ping-pong). Each run: a fresh csp runtime whose
//! main goroutine builds a tokio runtime, awaits a task through `block_on`,
//! and shuts tokio down in the background.
//!
//! A plain `main` (no test harness): the same loop under libtest's harness
//! did not reproduce it. Meaningful in an optimised build (CI runs it with
//! `--release`); a debug build computes the address at every access.

fn main() {
    let runs: u64 = std::env::var("RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { 200 } else { 4_000 });
    for i in 0..runs {
        let got = csp_core::Builder::new()
            .deadlock_detection(false)
            .workers(2)
            .run(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .build()
                    .expect("tokio runtime");
                let v = csp_core::block_on(rt.spawn(async move { i * 2 })).expect("tokio task");
                rt.shutdown_background();
                v
            });
        assert_eq!(got, i * 2, "run {i}");
    }
    println!("test result: ok. block_on_runtimes: {runs} runs");
}
