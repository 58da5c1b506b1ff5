//! The peer template (templates/peer.rs) compiles and runs the workloads, so
//! the guide's starting point never rots.

#[path = "../templates/peer.rs"]
mod peer;

use bench_suite::workloads::{fan_in, ping_pong, pipeline, sieve, spawn, spsc};
use bench_suite::Flavor;
use peer::MyPeer;

#[test]
fn the_template_passes_the_workloads() {
    assert_eq!(<MyPeer as Flavor>::NAME, "my-peer");
    let got = MyPeer::run(|| {
        [
            ping_pong::run::<MyPeer>(50) == ping_pong::expected(50),
            spsc::run::<MyPeer>(80) == spsc::expected(80),
            fan_in::run::<MyPeer>(4, 16, 80) == fan_in::expected(80),
            pipeline::run::<MyPeer>(3, 1, 80) == pipeline::expected(3, 80),
            spawn::run::<MyPeer>(20) == spawn::expected(20),
            sieve::run::<MyPeer>(50) == sieve::expected(50),
        ]
    });
    assert_eq!(got, [true; 6]);
}
