//! `block_on`: runs a future on the calling goroutine (or thread), parking only
//! that goroutine between polls.
//!
//! The waker sends on a one-slot channel that `block_on` receives from, so the
//! wait is an ordinary channel wait: a goroutine parks (its thread runs other
//! goroutines), a plain thread blocks. A wake that comes while the future is
//! being polled stays in the slot, so none is lost.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crate::runtime::deadlock::ExternalWait;
use crate::Chan;

/// The waker of one `block_on`.
struct Notify {
    ch: Chan<()>,
}

impl Wake for Notify {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Full: a wake-up is already pending, which is enough.
        let _ = self.ch.try_send(());
    }
}

/// Runs `fut` to completion on the calling goroutine and returns its output.
///
/// Between polls only the calling goroutine waits: its thread goes on running
/// other goroutines. Outside a goroutine the calling thread blocks. The future
/// may be woken from anywhere: another goroutine, an OS thread, or an async
/// runtime's threads (tokio's I/O driver, say). While it waits, the deadlock
/// detector counts the goroutine as not asleep (the wake may come from
/// outside the runtime, as I/O does in Go).
///
/// Futures that need an async runtime's context when they are *created or
/// polled* (tokio's sockets and timers) are best spawned on that runtime and
/// their handle awaited here:
///
/// ```
/// let rt = tokio::runtime::Builder::new_multi_thread()
///     .worker_threads(1)
///     .enable_time()
///     .build()
///     .unwrap();
/// let handle = rt.handle().clone();
/// let g = csp_core::spawn(move || {
///     // A goroutine waits for tokio's timer without blocking its thread.
///     let slept = handle.spawn(async {
///         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
///         "slept"
///     });
///     csp_core::block_on(slept).unwrap()
/// });
/// assert_eq!(g.join().unwrap(), "slept");
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let notify = Arc::new(Notify { ch: Chan::new(1) });
    let waker = Waker::from(notify.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = poll_once(fut.as_mut(), &mut cx) {
            return v;
        }
        let _outside = ExternalWait::begin();
        notify.ch.recv();
    }
}

/// One poll of `fut`, never inlined into `block_on`'s loop: between two polls
/// the goroutine may resume on another thread, and a future that uses a
/// thread-local (tokio's runtime context, its coop budget) must find the
/// thread it runs on now. Inlined, the compiler may compute the thread-local's
/// address once before the loop (it assumes a function stays on one thread),
/// and a later poll would then read and write the first thread's copy, racing
/// with that thread.
#[inline(never)]
fn poll_once<F: Future>(fut: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    fut.poll(cx)
}
