//! A pool of workers reading jobs from one channel and writing results to
//! another; a `WaitGroup` closes the results once every worker is done.
//!
//! Run with `cargo run -p csp-core --example worker_pool`.

use csp_core::{csp, go, Chan, WaitGroup};

fn worker(id: usize, jobs: Chan<u64>, results: Chan<(usize, u64)>, wg: WaitGroup) {
    for job in &jobs {
        csp! { results <- (id, job * job); }
    }
    wg.done();
}

#[csp_core::main(workers = 2)]
fn main() {
    let jobs = Chan::new(100);
    let results = Chan::new(100);
    let wg = WaitGroup::new();
    for id in 1..=3 {
        wg.add(1);
        // The arguments are evaluated here, as Go's `go worker(..)` does.
        go!(worker(id, jobs.clone(), results.clone(), wg.clone()));
    }
    csp! {
        for job in 1..=9 {
            jobs <- job;
        }
    }
    jobs.close();
    let (w, r) = (wg.clone(), results.clone());
    go! {
        w.wait();
        r.close();
    };
    let mut sum = 0;
    for (id, square) in &results {
        println!("worker {id}: {square}");
        sum += square;
    }
    assert_eq!(sum, (1..=9).map(|j| j * j).sum::<u64>());
}
