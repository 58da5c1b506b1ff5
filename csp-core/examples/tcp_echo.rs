//! A TCP echo server and its clients in one program: one goroutine per
//! connection on each side, all over loopback, every reply checked. The
//! reads and writes park only their goroutine on the runtime's netpoller, so
//! the connections need no thread each.
//!
//! `cargo run -p csp-core --example tcp_echo [clients] [messages]`

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use csp_core::net::{TcpListener, TcpStream};
use csp_core::{go, WaitGroup};

fn serve(mut conn: TcpStream) -> io::Result<()> {
    // Drop connections that stay idle for too long, as a real server would.
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = [0u8; 4096];
    loop {
        let n = conn.read(&mut buf)?;
        if n == 0 {
            return Ok(()); // the client closed its end
        }
        conn.write_all(&buf[..n])?;
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().map_or(100, |a| a.parse().expect("clients"));
    let messages: usize = args.next().map_or(100, |a| a.parse().expect("messages"));

    csp_core::run(move || {
        let ln = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = ln.local_addr().unwrap();
        println!("echo server on {addr}");

        go! {
            for conn in ln.incoming().take(clients) {
                match conn {
                    Ok(conn) => {
                        go! {
                            if let Err(e) = serve(conn) {
                                eprintln!("server: {e}");
                            }
                        };
                    }
                    Err(e) => eprintln!("accept: {e}"),
                }
            }
        };

        let start = Instant::now();
        let wg = WaitGroup::new();
        for id in 0..clients {
            wg.add(1);
            let wg = wg.clone();
            go! {
                let mut s = TcpStream::connect(addr).expect("connect");
                s.set_nodelay(true).unwrap();
                let mut reply = [0u8; 32];
                for i in 0..messages {
                    let msg = format!("{id:>10}:{i:>20}!");
                    s.write_all(msg.as_bytes()).expect("write");
                    s.read_exact(&mut reply).expect("read");
                    assert_eq!(&reply[..], msg.as_bytes());
                }
                wg.done();
            };
        }
        wg.wait();
        println!(
            "{clients} clients x {messages} round trips in {:.2?}",
            start.elapsed()
        );
    });
}
