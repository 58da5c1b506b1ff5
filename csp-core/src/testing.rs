//! Helpers for testing goroutine programs.
//!
//! [`check_leaks`] is Go's `goleak.VerifyNone`: it fails a test that leaves
//! goroutines running. `#[csp_core::test]` wraps every test body in it unless
//! the test says `#[csp_core::test(leaks = "allow")]`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::runtime::deadlock::format_goroutines;
use crate::runtime::sched;

/// How long the goroutines left over get to finish, counted from the last
/// time one of them did (or from the end of the test), before they count as
/// leaked.
const LEAK_GRACE: Duration = Duration::from_secs(1);

/// While goroutines keep finishing, the check waits at most this long.
const LEAK_PATIENCE: Duration = Duration::from_secs(60);

/// Runs `f`, then fails (panics) if goroutines that `f` started are still
/// there when it returns, after a grace for goroutines that are finishing: a
/// second with none of them finishing (while they keep finishing, as a
/// slow machine's thousands of exiting goroutines do, the check keeps
/// waiting, up to a minute). The panic message lists each leaked goroutine's id, wait
/// reason and spawn site, in the deadlock dump's format:
///
/// ```text
/// 1 goroutine(s) leaked: still there after the test returned
///
/// goroutine 2 [chan receive]:
///         spawned at tests/my_test.rs:12:9
/// ```
///
/// Goroutines that already existed when `check_leaks` was called, and the
/// calling goroutine, are not counted. Call it inside the runtime whose
/// goroutines it should watch: `#[csp_core::test]` does so for its body, and
/// a test that configures its own runtime writes
///
/// ```
/// # use csp_core::{Builder, Chan};
/// Builder::new().workers(2).run(|| {
///     csp_core::testing::check_leaks(|| {
///         let c = Chan::new(0);
///         let c2 = c.clone();
///         csp_core::go! { c2 <- 1; };
///         assert_eq!(c.recv(), Some(1));
///     })
/// });
/// ```
///
/// Called outside any `run`, it watches the global runtime that
/// [`spawn`](crate::spawn) uses there. If `f` panics, its panic passes
/// through unchecked.
#[track_caller]
pub fn check_leaks<F, T>(f: F) -> T
where
    F: FnOnce() -> T,
{
    let s = sched::current_sched();
    let me = sched::current_g().map(|g| {
        // SAFETY: the running goroutine is alive.
        unsafe { g.as_ref() }.id
    });
    let before: HashSet<u64> = s.goroutines().iter().map(|g| g.id).collect();
    let v = f();
    let start = Instant::now();
    let mut progress = start;
    let mut fewest = usize::MAX;
    let mut pause = Duration::from_millis(1);
    loop {
        let mut leaked = s.goroutines();
        leaked.retain(|g| Some(g.id) != me && !before.contains(&g.id));
        if leaked.is_empty() {
            return v;
        }
        if leaked.len() < fewest {
            fewest = leaked.len();
            progress = Instant::now();
        }
        if progress.elapsed() >= LEAK_GRACE || start.elapsed() >= LEAK_PATIENCE {
            panic!(
                "{} goroutine(s) leaked: still there after the test returned \
                 (`#[csp_core::test(leaks = \"allow\")]` allows it)\n{}",
                leaked.len(),
                format_goroutines(&leaked)
            );
        }
        crate::time::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}
