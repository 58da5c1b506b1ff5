//! Goroutines and tokio side by side: a tokio runtime serves TCP echo with
//! tokio's own sockets, goroutines drive tokio I/O futures through
//! `csp_core::block_on`, and a tokio task and a goroutine share one csp
//! channel. Waiting on a tokio future parks only the goroutine: 50 clients
//! run on 2 csp workers.
//!
//! `cargo run -p csp-core --example tokio_bridge`

use std::io;

use csp_core::{block_on, go, Chan, WaitGroup};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENTS: usize = 50;

fn main() -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tokio_rt = rt.handle().clone();

    // A tokio echo server, on tokio's threads.
    let ln = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = ln.local_addr()?;
    rt.spawn(async move {
        while let Ok((mut conn, _)) = ln.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = conn.read(&mut buf).await {
                    if n == 0 || conn.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });

    // A tokio task sends results into a csp channel that a goroutine reads.
    let results: Chan<(usize, Vec<u8>)> = Chan::new(0);

    csp_core::Builder::new().workers(2).run(move || {
        let wg = WaitGroup::new();
        for i in 0..CLIENTS {
            let (tokio_rt, results) = (tokio_rt.clone(), results.clone());
            wg.go(move || {
                // tokio sockets need tokio's reactor: the future runs as a
                // tokio task, and the goroutine parks until it is done.
                let io = tokio_rt.spawn(async move {
                    let mut s = tokio::net::TcpStream::connect(addr).await?;
                    let msg = format!("hello from goroutine {i}");
                    s.write_all(msg.as_bytes()).await?;
                    let mut reply = vec![0u8; msg.len()];
                    s.read_exact(&mut reply).await?;
                    results.send_async((i, reply)).await; // async side of the channel
                    io::Result::Ok(())
                });
                block_on(io).expect("tokio task").expect("echo round trip");
            });
        }
        let collector = go! {
            let mut seen = [false; CLIENTS];
            for (i, reply) in results.iter().take(CLIENTS) {
                assert_eq!(reply, format!("hello from goroutine {i}").as_bytes());
                seen[i] = true;
            }
            seen.iter().filter(|&&s| s).count()
        };
        wg.wait();
        let n = collector.join().unwrap();
        assert_eq!(n, CLIENTS);
        println!("{n} goroutines echoed through tokio, every reply checked");
    });
    Ok(())
}
