//! The channel rules of DESIGN §4 that need no goroutines, checked from OS threads.
//!
//! "Blocks" is probed as Go's own tests do: start a thread, wait a while, and check
//! that the operation has not completed. A correct channel never completes it, so
//! the probe cannot fail spuriously; it can only miss a bug on a very slow machine.
//! Threads left blocked forever (nil channels, `select {}`) are leaked on purpose.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use csp_core::{Chan, RecvTimeoutError, Select, SendTimeoutError, TryRecvError, TrySendError};

/// How long a probe waits before it decides that an operation is blocked.
const PROBE: Duration = Duration::from_millis(50);

/// Upper bound for waiting on something that must happen; generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

fn panic_message(e: &(dyn Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Runs `f`, which must panic with exactly `msg`.
fn expect_panic<R>(msg: &str, f: impl FnOnce() -> R) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic {msg:?}, but the call returned"),
        Err(e) => assert_eq!(panic_message(&*e), msg),
    }
}

/// Starts `f` on a thread and checks that it is still running after [`PROBE`].
/// Returns the flag that `f`'s thread sets when `f` returns, and the thread.
fn spawn_blocked<R: Send + 'static>(
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> (Arc<AtomicBool>, thread::JoinHandle<R>) {
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let h = thread::spawn(move || {
        let r = f();
        d.store(true, Ordering::SeqCst);
        r
    });
    thread::sleep(PROBE);
    assert!(!done.load(Ordering::SeqCst), "{what}: did not block");
    (done, h)
}

/// Retries `try_send` until it succeeds: it succeeds on an unbuffered channel only
/// once a receiver is parked, so this also waits for the receiver to park.
fn send_when_receiver_parked<T>(ch: &Chan<T>, mut v: T) {
    let start = Instant::now();
    loop {
        match ch.try_send(v) {
            Ok(()) => return,
            Err(TrySendError::Full(back)) => v = back,
            Err(TrySendError::Closed(_)) => panic!("channel closed"),
        }
        assert!(start.elapsed() < PATIENCE, "no receiver ever parked");
        thread::sleep(Duration::from_millis(1));
    }
}

// ---------------------------------------------------------------- unbuffered

#[test]
fn unbuffered_send_completes_only_when_received() {
    let ch = Chan::<i32>::new(0);
    let c = ch.clone();
    let (done, h) = spawn_blocked("send on unbuffered chan without receiver", move || {
        c.send(7)
    });
    // The value is not parked in some buffer.
    assert_eq!(ch.len(), 0);
    assert_eq!(ch.cap(), 0);
    // Still blocked now, after the probe and the checks above: only the
    // receive below can complete the send.
    assert!(
        !done.load(Ordering::SeqCst),
        "the send completed with no receiver"
    );
    assert_eq!(ch.recv(), Some(7));
    h.join().unwrap();
}

#[test]
fn unbuffered_recv_blocks_until_send() {
    let ch = Chan::<i32>::new(0);
    let c = ch.clone();
    let (_, h) = spawn_blocked("recv on empty unbuffered chan", move || c.recv());
    ch.send(11);
    assert_eq!(h.join().unwrap(), Some(11));
}

#[test]
fn unbuffered_try_forms_fail_without_partner() {
    let ch = Chan::<String>::new(0);
    match ch.try_send("x".to_string()) {
        Err(TrySendError::Full(v)) => assert_eq!(v, "x"),
        other => panic!("try_send on unbuffered chan without receiver: {other:?}"),
    }
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn unbuffered_try_send_reaches_parked_receiver() {
    let ch = Chan::<i32>::new(0);
    let c = ch.clone();
    let h = thread::spawn(move || c.recv());
    send_when_receiver_parked(&ch, 5);
    assert_eq!(h.join().unwrap(), Some(5));
}

#[test]
fn unbuffered_try_recv_takes_from_parked_sender() {
    let ch = Chan::<i32>::new(0);
    let c = ch.clone();
    let h = thread::spawn(move || c.send(9));
    let start = Instant::now();
    let v = loop {
        match ch.try_recv() {
            Ok(v) => break v,
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Closed) => panic!("closed"),
        }
        assert!(start.elapsed() < PATIENCE, "sender never parked");
        thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(v, 9);
    h.join().unwrap();
}

// ---------------------------------------------------------------- buffered

#[test]
fn buffered_is_fifo() {
    let ch = Chan::<i32>::new(10);
    for i in 0..10 {
        ch.send(i);
        assert_eq!(ch.len(), (i + 1) as usize);
    }
    match ch.try_send(10) {
        Err(TrySendError::Full(10)) => {}
        other => panic!("try_send on full chan: {other:?}"),
    }
    for i in 0..10 {
        assert_eq!(ch.recv(), Some(i));
    }
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
    // Wrap around the ring several times.
    for round in 0..25 {
        for i in 0..7 {
            ch.send(round * 100 + i);
        }
        for i in 0..7 {
            assert_eq!(ch.recv(), Some(round * 100 + i));
        }
    }
}

#[test]
fn buffered_send_to_parked_receiver_bypasses_buffer() {
    // A direct handoff leaves the buffer empty the moment send returns; a value that
    // went through the buffer is still there then (the woken receiver needs
    // microseconds to take it). The receiver may, on a loaded machine, not have
    // parked within the sleep, so a trial that sees len 1 is retried; a channel that
    // never bypasses the buffer fails every trial.
    let mut lens = Vec::new();
    for trial in 0..3 {
        let ch = Chan::<i32>::new(1);
        let c = ch.clone();
        let h = thread::spawn(move || c.recv());
        thread::sleep(Duration::from_millis(100 << trial));
        ch.send(3);
        let len = ch.len();
        assert_eq!(h.join().unwrap(), Some(3));
        if len == 0 {
            return;
        }
        lens.push(len);
    }
    panic!("value went through the buffer, not to the parked receiver: len {lens:?}");
}

#[test]
fn recv_from_full_buffer_with_parked_senders_keeps_fifo() {
    let ch = Chan::<i32>::new(2);
    ch.send(0);
    ch.send(1);
    // Two senders park, in order.
    let mut senders = Vec::new();
    for v in 2..4 {
        let c = ch.clone();
        let (_, h) = spawn_blocked("send on full chan", move || c.send(v));
        senders.push(h);
    }
    assert_eq!(ch.len(), 2);
    assert_eq!(ch.recv(), Some(0));
    // The first parked sender's value was moved into the freed slot under the lock.
    assert_eq!(
        ch.len(),
        2,
        "parked sender's value was not moved into the buffer"
    );
    assert_eq!(ch.recv(), Some(1));
    assert_eq!(ch.len(), 2);
    assert_eq!(ch.recv(), Some(2));
    assert_eq!(ch.recv(), Some(3));
    assert_eq!(ch.len(), 0);
    for h in senders {
        h.join().unwrap();
    }
}

#[test]
fn wait_queues_are_fifo() {
    // Receivers park in order 0, 1, 2 and are served in that order.
    let ch = Chan::<i32>::new(0);
    let mut rs = Vec::new();
    for _ in 0..3 {
        let c = ch.clone();
        let (_, h) = spawn_blocked("recv", move || c.recv());
        rs.push(h);
    }
    for i in 0..3 {
        ch.send(i);
    }
    for (i, h) in rs.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), Some(i as i32), "receiver {i}");
    }

    // Senders park in order 0, 1, 2 and are taken in that order.
    let mut ss = Vec::new();
    for i in 0..3 {
        let c = ch.clone();
        let (_, h) = spawn_blocked("send", move || c.send(i));
        ss.push(h);
    }
    for i in 0..3 {
        assert_eq!(ch.recv(), Some(i));
    }
    for h in ss {
        h.join().unwrap();
    }
}

// ---------------------------------------------------------------- close

#[test]
fn close_wakes_all_receivers() {
    for cap in [0, 3] {
        let ch = Chan::<i32>::new(cap);
        let mut rs = Vec::new();
        for _ in 0..4 {
            let c = ch.clone();
            let (_, h) = spawn_blocked("recv on empty chan", move || c.recv());
            rs.push(h);
        }
        ch.close();
        for h in rs {
            assert_eq!(h.join().unwrap(), None, "cap {cap}");
        }
        assert_eq!(ch.recv(), None);
    }
}

#[test]
fn close_wakes_all_senders_and_they_panic() {
    for cap in [0, 2] {
        let ch = Chan::<i32>::new(cap);
        for i in 0..cap {
            ch.send(100 + i as i32);
        }
        let mut ss = Vec::new();
        for i in 0..4 {
            let c = ch.clone();
            let (_, h) = spawn_blocked("send on full chan", move || {
                catch_unwind(AssertUnwindSafe(|| c.send(i))).map_err(|e| panic_message(&*e))
            });
            ss.push(h);
        }
        ch.close();
        for h in ss {
            assert_eq!(
                h.join().unwrap(),
                Err("send on closed channel".to_string()),
                "cap {cap}"
            );
        }
        // The buffered values stay receivable; the parked senders' values were not delivered.
        for i in 0..cap {
            assert_eq!(ch.recv(), Some(100 + i as i32));
        }
        assert_eq!(ch.recv(), None);
    }
}

#[test]
fn buffered_values_survive_close() {
    let ch = Chan::<i32>::new(5);
    for i in 0..3 {
        ch.send(i);
    }
    ch.close();
    assert!(ch.is_closed());
    assert_eq!(ch.len(), 3);
    assert_eq!(ch.cap(), 5);
    assert_eq!(ch.try_recv(), Ok(0));
    assert_eq!(ch.recv_timeout(Duration::from_millis(10)), Ok(1));
    assert_eq!(ch.recv(), Some(2));
    assert_eq!(ch.recv(), None);
    assert_eq!(ch.recv(), None);
    assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(
        ch.recv_timeout(Duration::from_millis(10)),
        Err(RecvTimeoutError::Closed)
    );
    assert!(ch.is_empty());
}

#[test]
fn send_on_closed_channel() {
    for cap in [0, 1, 4] {
        let ch = Chan::<String>::new(cap);
        ch.close();
        expect_panic("send on closed channel", || ch.send("a".to_string()));
        match ch.try_send("b".to_string()) {
            Err(TrySendError::Closed(v)) => assert_eq!(v, "b"),
            other => panic!("try_send on closed chan: {other:?}"),
        }
        match ch.send_timeout("c".to_string(), Duration::from_millis(10)) {
            Err(SendTimeoutError::Closed(v)) => assert_eq!(v, "c"),
            other => panic!("send_timeout on closed chan: {other:?}"),
        }
        // Closed and also full: still Closed, not Full.
        assert_eq!(ch.len(), 0);
    }
    let full = Chan::<i32>::new(1);
    full.send(1);
    full.close();
    assert_eq!(full.try_send(2), Err(TrySendError::Closed(2)));
}

#[test]
fn close_of_closed_channel_panics() {
    let ch = Chan::<i32>::new(0);
    ch.close();
    expect_panic("close of closed channel", || ch.close());
    let other = ch.clone();
    expect_panic("close of closed channel", || other.close());
}

#[test]
fn close_is_seen_by_every_handle() {
    let a = Chan::<i32>::new(1);
    let b = a.clone();
    assert!(!b.is_closed());
    a.close();
    assert!(b.is_closed());
    assert_eq!(b.recv(), None);
}

// ---------------------------------------------------------------- nil

#[test]
fn nil_channel_try_forms_fail_at_once() {
    let ch = Chan::<i32>::nil();
    assert!(ch.is_nil());
    assert!(!ch.is_closed());
    assert_eq!(ch.len(), 0);
    assert_eq!(ch.cap(), 0);
    assert!(ch.is_empty());
    assert_eq!(ch.try_send(1), Err(TrySendError::Full(1)));
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        ch.send_timeout(2, Duration::from_millis(20)),
        Err(SendTimeoutError::Timeout(2))
    );
    assert_eq!(
        ch.recv_timeout(Duration::from_millis(20)),
        Err(RecvTimeoutError::Timeout)
    );
    assert!(!Chan::<i32>::new(0).is_nil());
    assert!(!Chan::<i32>::new(3).is_nil());
}

#[test]
fn nil_channel_close_panics() {
    let ch = Chan::<i32>::nil();
    expect_panic("close of nil channel", || ch.close());
}

#[test]
fn nil_channel_blocking_ops_block_forever() {
    let ch = Chan::<i32>::nil();
    let c = ch.clone();
    let (recv_done, _leaked_r) = spawn_blocked("recv on nil chan", move || c.recv());
    let c = ch.clone();
    let (send_done, _leaked_s) = spawn_blocked("send on nil chan", move || c.send(1));
    // Still blocked a while later; the threads are leaked.
    thread::sleep(PROBE);
    assert!(!recv_done.load(Ordering::SeqCst));
    assert!(!send_done.load(Ordering::SeqCst));
}

#[test]
fn nil_channels_are_equal() {
    // Go: two nil channels of the same type compare equal.
    assert_eq!(Chan::<i32>::nil(), Chan::<i32>::nil());
    assert_ne!(Chan::<i32>::nil(), Chan::<i32>::new(0));
}

// ---------------------------------------------------------------- makechan, zero size

#[test]
fn makechan_size_out_of_range() {
    // The buffer would need more than isize::MAX bytes.
    expect_panic("makechan: size out of range", || {
        Chan::<u64>::new(isize::MAX as usize / 8 + 1)
    });
    expect_panic("makechan: size out of range", || {
        Chan::<u64>::new(usize::MAX)
    });
    expect_panic("makechan: size out of range", || {
        Chan::<[u8; 3]>::new(usize::MAX / 2)
    });
}

#[test]
fn zero_sized_elements() {
    // test/chan/zerosize.go and more: no buffer is allocated, only counts move.
    let huge = Chan::<()>::new(isize::MAX as usize);
    assert_eq!(huge.cap(), isize::MAX as usize);
    for _ in 0..1000 {
        huge.send(());
    }
    assert_eq!(huge.len(), 1000);
    for _ in 0..1000 {
        assert_eq!(huge.recv(), Some(()));
    }
    assert_eq!(huge.try_recv(), Err(TryRecvError::Empty));

    let unbuffered = Chan::<[u8; 0]>::new(0);
    let c = unbuffered.clone();
    let h = thread::spawn(move || c.recv());
    unbuffered.send([]);
    assert_eq!(h.join().unwrap(), Some([]));
}

#[test]
fn zero_sized_buffered_chan_is_a_counting_semaphore() {
    let sem = Chan::<()>::new(3);
    for _ in 0..3 {
        assert_eq!(sem.try_send(()), Ok(()));
    }
    assert_eq!(sem.try_send(()), Err(TrySendError::Full(())));
    assert_eq!(sem.len(), 3);
    // A fourth acquirer blocks until one releases.
    let s = sem.clone();
    let (_, h) = spawn_blocked("acquire of a full semaphore", move || s.send(()));
    assert_eq!(sem.recv(), Some(()));
    h.join().unwrap();
    assert_eq!(sem.len(), 3);
    sem.close();
    let mut n = 0;
    for () in &sem {
        n += 1;
    }
    assert_eq!(n, 3);
}

// ---------------------------------------------------------------- try and timeout forms

#[test]
fn try_send_hands_the_value_back() {
    let ch = Chan::<Vec<u8>>::new(1);
    assert_eq!(ch.try_send(vec![1]), Ok(()));
    match ch.try_send(vec![2, 2]) {
        Err(TrySendError::Full(v)) => assert_eq!(v, vec![2, 2]),
        other => panic!("{other:?}"),
    }
    assert_eq!(ch.try_recv(), Ok(vec![1]));
    ch.close();
    match ch.try_send(vec![3]) {
        Err(TrySendError::Closed(v)) => assert_eq!(v, vec![3]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn recv_timeout_forms() {
    let ch = Chan::<i32>::new(0);
    let t0 = Instant::now();
    assert_eq!(
        ch.recv_timeout(Duration::from_millis(30)),
        Err(RecvTimeoutError::Timeout)
    );
    // A timeout may not return early.
    assert!(t0.elapsed() >= Duration::from_millis(30));

    // The timed-out receiver left the queue: nobody is there to take a value.
    assert_eq!(ch.try_send(1), Err(TrySendError::Full(1)));

    // A value that arrives in time is received.
    let c = ch.clone();
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        c.send(42);
    });
    assert_eq!(ch.recv_timeout(PATIENCE), Ok(42));
    h.join().unwrap();

    // Close wakes a timed receiver.
    let c = ch.clone();
    let h = thread::spawn(move || c.recv_timeout(PATIENCE));
    thread::sleep(PROBE);
    ch.close();
    assert_eq!(h.join().unwrap(), Err(RecvTimeoutError::Closed));
}

#[test]
fn send_timeout_forms() {
    let ch = Chan::<String>::new(1);
    assert_eq!(
        ch.send_timeout("a".into(), Duration::from_millis(10)),
        Ok(())
    );
    let t0 = Instant::now();
    match ch.send_timeout("b".into(), Duration::from_millis(30)) {
        Err(SendTimeoutError::Timeout(v)) => assert_eq!(v, "b"),
        other => panic!("{other:?}"),
    }
    assert!(t0.elapsed() >= Duration::from_millis(30));
    // The timed-out sender left the queue: its value is not delivered.
    assert_eq!(ch.recv(), Some("a".to_string()));
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));

    // Unbuffered: a receiver that comes in time takes the value.
    let un = Chan::<i32>::new(0);
    let c = un.clone();
    let h = thread::spawn(move || {
        thread::sleep(Duration::from_millis(20));
        c.recv()
    });
    assert_eq!(un.send_timeout(8, PATIENCE), Ok(()));
    assert_eq!(h.join().unwrap(), Some(8));
    // No receiver: Timeout, and the sender is gone from the queue afterwards.
    assert_eq!(
        un.send_timeout(9, Duration::from_millis(20)),
        Err(SendTimeoutError::Timeout(9))
    );
    assert_eq!(un.try_recv(), Err(TryRecvError::Empty));

    // Close wakes a timed sender with Closed(v).
    let c = un.clone();
    let h = thread::spawn(move || c.send_timeout(10, PATIENCE));
    thread::sleep(PROBE);
    un.close();
    assert_eq!(h.join().unwrap(), Err(SendTimeoutError::Closed(10)));
}

// ---------------------------------------------------------------- accessors, traits

#[test]
fn len_cap_is_empty_is_closed() {
    let ch = Chan::<u8>::new(4);
    assert_eq!((ch.len(), ch.cap(), ch.is_empty()), (0, 4, true));
    ch.send(1);
    ch.send(2);
    assert_eq!((ch.len(), ch.cap(), ch.is_empty()), (2, 4, false));
    assert!(!ch.is_closed());
    assert!(!ch.is_nil());
    ch.close();
    assert!(ch.is_closed());
    assert_eq!(ch.len(), 2);
    let un = Chan::<u8>::new(0);
    assert_eq!((un.len(), un.cap(), un.is_empty()), (0, 0, true));
}

#[test]
fn iter_and_for_loop_end_when_closed_and_drained() {
    let ch = Chan::<i32>::new(3);
    let c = ch.clone();
    let h = thread::spawn(move || {
        for i in 0..100 {
            c.send(i);
        }
        c.close();
    });
    let got: Vec<i32> = ch.iter().collect();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    h.join().unwrap();

    let un = Chan::<i32>::new(0);
    let c = un.clone();
    let h = thread::spawn(move || {
        for i in 0..50 {
            c.send(i);
        }
        c.close();
    });
    let mut expect = 0;
    for v in &un {
        assert_eq!(v, expect);
        expect += 1;
    }
    assert_eq!(expect, 50);
    h.join().unwrap();
    // Iterating a closed, drained channel yields nothing.
    assert_eq!(un.iter().next(), None);
}

#[test]
fn partial_eq_is_channel_identity() {
    let a = Chan::<i32>::new(1);
    let b = a.clone();
    let c = Chan::<i32>::new(1);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
}

#[test]
fn debug_is_implemented() {
    let ch = Chan::<i32>::new(2);
    let s = format!("{ch:?}");
    assert!(s.contains("Chan"), "Debug of Chan: {s}");
    let s = format!("{:?}", Chan::<i32>::nil());
    assert!(!s.is_empty());
}

#[test]
fn chan_is_send_sync_clone() {
    fn assert_traits<T: Send + Sync + Clone>() {}
    assert_traits::<Chan<i32>>();
    assert_traits::<Chan<String>>();
    assert_traits::<Chan<()>>();
}

#[test]
fn error_types_behave_like_std() {
    use std::error::Error;
    fn assert_error<E: Error + Send + Sync + 'static>() {}
    fn assert_copy<E: Copy + Eq>() {}
    assert_error::<TrySendError<i32>>();
    assert_error::<SendTimeoutError<i32>>();
    assert_error::<TryRecvError>();
    assert_error::<RecvTimeoutError>();
    assert_copy::<TryRecvError>();
    assert_copy::<RecvTimeoutError>();
    assert_copy::<TrySendError<i32>>();
    assert_copy::<SendTimeoutError<i32>>();

    // Clone and Eq for a payload that is only Clone.
    let e = TrySendError::Full("v".to_string());
    assert_eq!(e.clone(), e);
    assert_ne!(e, TrySendError::Closed("v".to_string()));
    let e = SendTimeoutError::Timeout("v".to_string());
    assert_eq!(e.clone(), e);
    assert_ne!(e, SendTimeoutError::Closed("v".to_string()));

    // Display: non-empty and different per variant.
    let shown = [
        TrySendError::Full(1).to_string(),
        TrySendError::Closed(1).to_string(),
    ];
    assert!(shown.iter().all(|s| !s.is_empty()));
    assert_ne!(shown[0], shown[1]);
    let shown = [
        SendTimeoutError::Timeout(1).to_string(),
        SendTimeoutError::Closed(1).to_string(),
    ];
    assert!(shown.iter().all(|s| !s.is_empty()));
    assert_ne!(shown[0], shown[1]);
    let shown = [
        TryRecvError::Empty.to_string(),
        TryRecvError::Closed.to_string(),
    ];
    assert!(shown.iter().all(|s| !s.is_empty()));
    assert_ne!(shown[0], shown[1]);
    let shown = [
        RecvTimeoutError::Timeout.to_string(),
        RecvTimeoutError::Closed.to_string(),
    ];
    assert!(shown.iter().all(|s| !s.is_empty()));
    assert_ne!(shown[0], shown[1]);

    // Usable as boxed errors, with Debug.
    let boxed: Vec<Box<dyn Error>> = vec![
        Box::new(TrySendError::Full(1)),
        Box::new(SendTimeoutError::Closed(1)),
        Box::new(TryRecvError::Closed),
        Box::new(RecvTimeoutError::Timeout),
    ];
    for e in &boxed {
        assert!(!format!("{e:?}").is_empty());
        assert!(!e.to_string().is_empty());
    }
}

// ---------------------------------------------------------------- Select (dynamic)

#[test]
fn select_default_only_when_nothing_ready() {
    let a = Chan::<i32>::new(1);
    let b = Chan::<i32>::new(0);
    let mut s = Select::new();
    s.recv(&a);
    s.recv(&b);
    assert!(s.try_select().is_none(), "default taken: nothing is ready");

    a.send(4);
    let mut s = Select::new();
    let ia = s.recv(&a);
    let ib = s.recv(&b);
    assert_eq!((ia, ib), (0, 1));
    let sel = s
        .try_select()
        .expect("a is ready: default must not be taken");
    assert_eq!(sel.index(), ia);
    assert_eq!(sel.recv(&a), Some(4));

    // A send case with room is ready.
    let mut s = Select::new();
    let i = s.send(&a, 5);
    let sel = s.try_select().expect("send case with buffer room is ready");
    assert_eq!(sel.index(), i);
    assert_eq!(a.recv(), Some(5));

    // An empty select with default takes default.
    assert!(Select::new().try_select().is_none());
}

#[test]
fn select_blocks_until_a_case_is_ready() {
    let a = Chan::<i32>::new(0);
    let b = Chan::<String>::new(0);
    let (a2, b2) = (a.clone(), b.clone());
    let (_, h) = spawn_blocked("select on two empty chans", move || {
        let mut s = Select::new();
        s.recv(&a2);
        s.recv(&b2);
        let sel = s.select();
        let i = sel.index();
        (i, sel.recv(&b2))
    });
    b.send("hello".to_string());
    assert_eq!(h.join().unwrap(), (1, Some("hello".to_string())));
    // The losing case's waiter was removed: nobody waits on a.
    assert_eq!(a.try_send(1), Err(TrySendError::Full(1)));
}

#[test]
fn select_blocked_send_case_is_taken_by_receiver() {
    let a = Chan::<i32>::new(0);
    let b = Chan::<i32>::new(0);
    let (a2, b2) = (a.clone(), b.clone());
    let (_, h) = spawn_blocked("select with two send cases, no receivers", move || {
        let mut s = Select::new();
        s.send(&a2, 1);
        s.send(&b2, 2);
        s.select().index()
    });
    assert_eq!(b.recv(), Some(2));
    assert_eq!(h.join().unwrap(), 1);
    // The unchosen send case's waiter is gone: its value is not delivered.
    assert_eq!(a.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn select_recv_case_sees_close() {
    let a = Chan::<i32>::new(0);
    let b = Chan::<i32>::new(2);
    let (a2, b2) = (a.clone(), b.clone());
    let (_, h) = spawn_blocked("select on empty chans", move || {
        let mut s = Select::new();
        s.recv(&a2);
        s.recv(&b2);
        let sel = s.select();
        let i = sel.index();
        (i, sel.recv(&b2))
    });
    b.close();
    assert_eq!(h.join().unwrap(), (1, None));

    // A closed recv case is ready immediately.
    let mut s = Select::new();
    s.recv(&a);
    let i = s.recv(&b);
    let sel = s.try_select().expect("closed chan is ready");
    assert_eq!(sel.index(), i);
    assert_eq!(sel.recv(&b), None);
}

#[test]
fn select_unchosen_send_values_are_not_sent() {
    for _ in 0..100 {
        let a = Chan::<i32>::new(1);
        let b = Chan::<i32>::new(1);
        let mut s = Select::new();
        let ia = s.send(&a, 1);
        let ib = s.send(&b, 2);
        let i = s.select().index();
        assert!(i == ia || i == ib);
        let (chosen, other, v) = if i == ia { (&a, &b, 1) } else { (&b, &a, 2) };
        assert_eq!(chosen.len(), 1);
        assert_eq!(other.len(), 0);
        assert_eq!(chosen.try_recv(), Ok(v));
    }
}

#[test]
fn select_duplicate_channel_cases() {
    let c = Chan::<i32>::new(4);
    let (mut first, mut second) = (0, 0);
    for round in 0..1000 {
        c.send(round);
        let mut s = Select::new();
        let i0 = s.recv(&c);
        let i1 = s.recv(&c);
        let sel = s.select();
        let i = sel.index();
        assert_eq!(sel.recv(&c), Some(round));
        if i == i0 {
            first += 1;
        } else {
            assert_eq!(i, i1);
            second += 1;
        }
        assert_eq!(c.len(), 0, "a value was received twice or lost");
    }
    // Both cases are chosen now and then (the odds of failure are 2^-999).
    assert!(first > 0 && second > 0, "first {first}, second {second}");

    // Blocked on duplicate cases of one unbuffered chan; one send wakes it once.
    let u = Chan::<i32>::new(0);
    let u2 = u.clone();
    let (_, h) = spawn_blocked("select on <-u, <-u", move || {
        let mut s = Select::new();
        s.recv(&u2);
        s.recv(&u2);
        let sel = s.select();
        let i = sel.index();
        (i, sel.recv(&u2))
    });
    u.send(77);
    let (i, v) = h.join().unwrap();
    assert!(i < 2);
    assert_eq!(v, Some(77));
    // Both of the select's waiters are gone from u's queue.
    assert_eq!(u.try_send(1), Err(TrySendError::Full(1)));
}

#[test]
fn select_nil_cases_never_fire() {
    let nil = Chan::<i32>::nil();
    let ready = Chan::<i32>::new(1);
    for _ in 0..200 {
        ready.send(1);
        let mut s = Select::new();
        s.recv(&nil);
        s.send(&nil, 3);
        let i = s.recv(&ready);
        s.recv(&nil);
        let sel = s.try_select().expect("one case is ready");
        assert_eq!(sel.index(), i);
        assert_eq!(sel.recv(&ready), Some(1));
    }
    // Only nil cases: default.
    let mut s = Select::new();
    s.recv(&nil);
    s.send(&nil, 1);
    assert!(s.try_select().is_none());
    // Only nil cases, blocking: parks forever (the thread is leaked).
    let n2 = nil.clone();
    let (_leak_flag, _leak) = spawn_blocked("select over nil chans only", move || {
        let mut s = Select::new();
        s.recv(&n2);
        s.send(&n2, 1);
        s.select().index()
    });
}

#[test]
fn select_with_no_cases_blocks_forever() {
    let (_leak_flag, _leak) = spawn_blocked("select {}", || Select::new().select().index());
}

#[test]
fn select_send_case_on_closed_channel_panics() {
    let c = Chan::<i32>::new(1);
    c.close();
    expect_panic("send on closed channel", || {
        let mut s = Select::new();
        s.send(&c, 1);
        s.try_select().map(|sel| sel.index())
    });
    expect_panic("send on closed channel", || {
        let mut s = Select::new();
        s.send(&c, 1);
        s.select().index()
    });
    // Parked on a send case when the channel is closed: panics on wake-up.
    let u = Chan::<i32>::new(0);
    let other = Chan::<i32>::new(0);
    let (u2, o2) = (u.clone(), other.clone());
    let (_, h) = spawn_blocked("select send on unbuffered chan", move || {
        catch_unwind(AssertUnwindSafe(|| {
            let mut s = Select::new();
            s.send(&u2, 1);
            s.recv(&o2);
            s.select().index()
        }))
        .map_err(|e| panic_message(&*e))
    });
    u.close();
    assert_eq!(h.join().unwrap(), Err("send on closed channel".to_string()));
}

#[test]
fn select_different_element_types() {
    let ints = Chan::<i32>::new(1);
    let strings = Chan::<String>::new(1);
    let units = Chan::<()>::new(1);
    let vecs = Chan::<Vec<u64>>::new(1);
    strings.send("s".into());
    let mut s = Select::new();
    s.recv(&ints);
    let is = s.recv(&strings);
    s.recv(&units);
    s.send(&vecs, vec![1, 2, 3]);
    let sel = s.select();
    // Both the receive from `strings` and the send to `vecs` were ready:
    // exactly the chosen one happened, the other left its channel as it was.
    if sel.index() == is {
        assert_eq!(sel.recv(&strings), Some("s".to_string()));
        assert!(vecs.is_empty(), "the unchosen send case sent too");
    } else {
        assert_eq!(sel.index(), 3);
        assert_eq!(strings.len(), 1, "the unchosen receive case received too");
        assert_eq!(vecs.recv(), Some(vec![1, 2, 3]));
    }
    units.send(());
    let mut s = Select::new();
    s.recv(&ints);
    let iu = s.recv(&units);
    let sel = s.select();
    assert_eq!(sel.index(), iu);
    assert_eq!(sel.recv(&units), Some(()));
}

#[test]
fn select_unbuffered_self_send_recv_never_matches_itself() {
    // A select that both sends and receives on one unbuffered chan cannot pair with
    // itself (chan_test.go TestSelfSelect, test/chan/select3.go).
    let u = Chan::<i32>::new(0);
    let mut s = Select::new();
    s.send(&u, 1);
    s.recv(&u);
    assert!(s.try_select().is_none());
    let u2 = u.clone();
    let (_, h) = spawn_blocked("select { u <- 1, <-u } alone", move || {
        let mut s = Select::new();
        s.send(&u2, 1);
        let ir = s.recv(&u2);
        let sel = s.select();
        let i = sel.index();
        if i == ir {
            (i, sel.recv(&u2))
        } else {
            (i, None)
        }
    });
    // Serve it from outside: either we receive its 1, or it receives our 2.
    let mut s = Select::new();
    let our_recv = s.recv(&u);
    s.send(&u, 2);
    let sel = s.select();
    let ours = sel.index();
    let got = if ours == our_recv { sel.recv(&u) } else { None };
    let (theirs, their_got) = h.join().unwrap();
    if ours == our_recv {
        assert_eq!(got, Some(1));
        assert_eq!(theirs, 0);
    } else {
        assert_eq!(theirs, 1);
        assert_eq!(their_got, Some(2));
    }
}

#[test]
fn select_chooses_uniformly() {
    // Both cases always ready; Go's bound (10 sigma) for 10 000 trials (under
    // Miri, scripts/miri.sh, 10 sigma of 1 000 trials).
    const TRIALS: usize = if cfg!(miri) { 1_000 } else { 10_000 };
    let a = Chan::<u8>::new(1);
    let b = Chan::<u8>::new(1);
    let mut na = 0;
    for _ in 0..TRIALS {
        if a.is_empty() {
            a.send(0);
        }
        if b.is_empty() {
            b.send(1);
        }
        let mut s = Select::new();
        let ia = s.recv(&a);
        s.recv(&b);
        if s.select().index() == ia {
            na += 1;
        }
    }
    // 10 sigma of a fair coin: 5 * sqrt(TRIALS), 500 for 10 000.
    let bound = (5.0 * (TRIALS as f64).sqrt()) as usize;
    assert!(
        (TRIALS / 2 - bound..=TRIALS / 2 + bound).contains(&na),
        "case a chosen {na} of {TRIALS}"
    );
}

#[test]
fn selected_recv_on_the_wrong_case_panics() {
    let a: Chan<i32> = Chan::new(1);
    let b: Chan<i32> = Chan::new(1);
    a.send(1);
    let mut sel = Select::new();
    let ia = sel.recv(&a);
    sel.recv(&b);
    let done = sel.select();
    assert_eq!(done.index(), ia);
    expect_panic(
        "Selected::recv: case 0 is not a receive on this channel",
        || done.recv(&b),
    );
}
