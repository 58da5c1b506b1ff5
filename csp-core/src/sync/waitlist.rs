//! An intrusive doubly-linked list of parked waiters for the sync primitives
//! (Go keeps `sudog`s in `semaRoot`'s treap and in `notifyList`).
//!
//! A [`Node`] lives in the frame of the waiter, which stays parked until a
//! waker has taken the node out of the list (under the list's lock) and
//! readied it, so the node outlives its membership. Every method needs the
//! lock that guards the list.

use std::ptr;

use crate::runtime::sudog::Sudog;
use crate::runtime::wait::{self, Wait};

/// One parked waiter: its sudog plus what the primitive needs to know.
pub(crate) struct Node {
    pub(crate) sg: Sudog,
    /// `Cond`'s ticket (Go's `sudog.ticket` in `notifyList`).
    pub(crate) ticket: u32,
    /// `Semaphore`'s weight.
    pub(crate) n: usize,
    /// Set under the lock by a waker that granted the request (semaphore).
    pub(crate) granted: bool,
    /// For a waiter that also watches a context: closed instead of readying.
    pub(crate) chan: Option<crate::Chan<()>>,
    next: *mut Node,
    prev: *mut Node,
}

impl Node {
    pub(crate) fn new(w: &Wait, owner: usize) -> Node {
        Node {
            sg: w.sudog(ptr::null_mut(), owner, false),
            ticket: 0,
            n: 0,
            granted: false,
            chan: None,
            next: ptr::null_mut(),
            prev: ptr::null_mut(),
        }
    }
}

/// The list; guarded by the lock it is kept under.
pub(crate) struct List {
    head: *mut Node,
    tail: *mut Node,
}

// SAFETY: the nodes are reached only under the lock that guards the list.
unsafe impl Send for List {}

impl Default for List {
    fn default() -> Self {
        List::new()
    }
}

impl List {
    pub(crate) const fn new() -> Self {
        List {
            head: ptr::null_mut(),
            tail: ptr::null_mut(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    pub(crate) fn front(&self) -> *mut Node {
        self.head
    }

    /// # Safety
    /// `n` is valid, in no list, and stays valid until it is taken out.
    pub(crate) unsafe fn push_back(&mut self, n: *mut Node) {
        // SAFETY: linked nodes are alive (their waiters are parked).
        unsafe {
            (*n).next = ptr::null_mut();
            (*n).prev = self.tail;
            if self.tail.is_null() {
                self.head = n;
            } else {
                (*self.tail).next = n;
            }
        }
        self.tail = n;
    }

    /// # Safety
    /// As [`List::push_back`].
    pub(crate) unsafe fn push_front(&mut self, n: *mut Node) {
        // SAFETY: linked nodes are alive.
        unsafe {
            (*n).prev = ptr::null_mut();
            (*n).next = self.head;
            if self.head.is_null() {
                self.tail = n;
            } else {
                (*self.head).prev = n;
            }
        }
        self.head = n;
    }

    /// Takes `n` out.
    ///
    /// # Safety
    /// `n` is in this list.
    pub(crate) unsafe fn remove(&mut self, n: *mut Node) {
        // SAFETY: `n` and its neighbours are linked, hence alive.
        unsafe {
            let (p, x) = ((*n).prev, (*n).next);
            if p.is_null() {
                self.head = x;
            } else {
                (*p).next = x;
            }
            if x.is_null() {
                self.tail = p;
            } else {
                (*x).prev = p;
            }
            (*n).next = ptr::null_mut();
            (*n).prev = ptr::null_mut();
        }
    }

    pub(crate) fn pop_front(&mut self) -> Option<*mut Node> {
        let n = self.head;
        if n.is_null() {
            return None;
        }
        // SAFETY: `n` is the head of this list.
        unsafe { self.remove(n) };
        Some(n)
    }

    /// The first node with `ticket == t`.
    pub(crate) fn find_ticket(&self, t: u32) -> Option<*mut Node> {
        let mut n = self.head;
        while !n.is_null() {
            // SAFETY: linked nodes are alive.
            unsafe {
                if (*n).ticket == t {
                    return Some(n);
                }
                n = (*n).next;
            }
        }
        None
    }

    /// Moves every node out into a new list (to ready them after unlocking).
    pub(crate) fn take(&mut self) -> List {
        std::mem::take(self)
    }
}

/// Readies every waiter of a list that was taken out under the lock; called
/// with no lock held.
///
/// # Safety
/// Every node's waiter is parked and the caller owns the list.
pub(crate) unsafe fn ready_all(mut l: List) {
    while let Some(n) = l.pop_front() {
        // SAFETY: taken out under the lock; the waiter is parked until we
        // ready it, after which we do not touch the node.
        unsafe { ready_node(n) };
    }
}

/// Readies the waiter of node `n`, which the caller took out of its list.
///
/// # Safety
/// No lock is held; `n`'s waiter is parked; the caller touches `n` no more.
pub(crate) unsafe fn ready_node(n: *mut Node) {
    // SAFETY: forwarded contract; the sudog is the node's first field.
    unsafe { wait::ready(ptr::addr_of_mut!((*n).sg)) };
}
