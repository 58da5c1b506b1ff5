package cspbench

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "unsafe" // go:linkname
)

// NetSizes mirrors bench-suite/src/catalog.rs (Mode::net_sizes): the sizes
// of the network workloads.
type NetSizes struct {
	// EchoRoundTrips is the round trips of one echo run, shared among its
	// connections.
	EchoRoundTrips uint64
	// BlockingCalls is the calls of one blocking run.
	BlockingCalls uint64
	// Runs is the timed runs per case (after one untimed warm-up run).
	Runs int
}

// NetSizesFor gives the network sizes of a CSP_BENCH_MODE value.
func NetSizesFor(mode string) NetSizes {
	switch mode {
	case "smoke":
		return NetSizes{EchoRoundTrips: 2000, BlockingCalls: 10000, Runs: 1}
	case "quick":
		return NetSizes{EchoRoundTrips: 10000, BlockingCalls: 200000, Runs: 3}
	default:
		return NetSizes{EchoRoundTrips: 30000, BlockingCalls: 1000000, Runs: 5}
	}
}

// EchoConns are the connection counts of the echo workload.
var EchoConns = []uint64{1, 100, 1000}

// EchoMsg is the size of one echo message.
const EchoMsg = 64

// ConnectWave is how many clients connect at once, each wave accepted
// before the next, as on the Rust side (CONNECT_WAVE).
const ConnectWave = 100

// maxErrors is how many errors of one run are kept.
const maxErrors = 5

// maxAcceptFailures is how many failed accepts an echo server retries.
const maxAcceptFailures = 100

// BlockingOps are the operations of the blocking workload, in the Rust
// side's order: entersyscall/exitsyscall alone, around getpid, and a raw
// getpid without them.
var BlockingOps = []string{"empty", "getpid", "raw_getpid"}

// NetRun is what one run of a network case produced.
type NetRun struct {
	// Got is the round trips whose echo matched (echo) or the calls that
	// returned the expected value (blocking).
	Got uint64
	// Echoed is the messages the server echoed (echo; Got for blocking).
	Echoed uint64
	// Want is what a correct run gives.
	Want uint64
	// Errors are the first few I/O errors or wrong echoes.
	Errors []string
	// LatenciesNs are the nanoseconds of every checked round trip (echo).
	LatenciesNs []int64
	// Elapsed is the timed part.
	Elapsed time.Duration
}

// Check returns what went wrong, or nil for a correct run.
func (r NetRun) Check(echo bool) error {
	if len(r.Errors) > 0 {
		return fmt.Errorf("%v", r.Errors)
	}
	if r.Got != r.Want || r.Echoed != r.Want {
		return fmt.Errorf("%d checked and %d echoed, want %d", r.Got, r.Echoed, r.Want)
	}
	if echo && uint64(len(r.LatenciesNs)) != r.Want {
		return fmt.Errorf("%d latencies recorded, want %d", len(r.LatenciesNs), r.Want)
	}
	return nil
}

// NetCase is one case of a network workload, named as on the Rust side.
type NetCase struct {
	Workload string
	Params   string
	// Elements is what the time is divided by.
	Elements uint64
	// Run runs the case once.
	Run func() NetRun
}

// NetCases are the network cases of a mode, in the Rust side's order.
func NetCases(s NetSizes) []NetCase {
	var out []NetCase
	for _, c := range EchoConns {
		c := c
		rounds := s.EchoRoundTrips / c
		if rounds == 0 {
			rounds = 1
		}
		out = append(out, NetCase{
			Workload: "echo",
			Params:   fmt.Sprintf("conns=%d,rounds=%d", c, rounds),
			Elements: c * rounds,
			Run:      func() NetRun { return Echo(c, rounds) },
		})
	}
	for _, op := range BlockingOps {
		op, calls := op, s.BlockingCalls
		out = append(out, NetCase{
			Workload: "blocking",
			Params:   fmt.Sprintf("op=%s,calls=%d", op, calls),
			Elements: calls,
			Run:      func() NetRun { return Blocking(op, calls) },
		})
	}
	return out
}

// Percentile is the q-quantile (0 < q <= 1) of sorted: the smallest value
// with at least q of the values at or below it.
func Percentile(sorted []int64, q float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	k := int(q*float64(len(sorted))+0.999999999) - 1
	if k < 0 {
		k = 0
	}
	if k >= len(sorted) {
		k = len(sorted) - 1
	}
	return sorted[k]
}

// SortLatencies sorts latencies in place and returns them.
func SortLatencies(xs []int64) []int64 {
	sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
	return xs
}

// Message is what client sends in round: the same bytes as the Rust
// side's net_bench::message.
func Message(client, round uint64) [EchoMsg]byte {
	var m [EchoMsg]byte
	for i := range m {
		m[i] = byte(client*131 ^ round*31 ^ uint64(i)*7)
	}
	return m
}

type clientOutcome struct {
	ok          uint64
	latenciesNs []int64
	err         string
}

// clientRounds does rounds round trips on c, checking every echo; it stops
// at the first error.
func clientRounds(c net.Conn, client, rounds uint64) clientOutcome {
	out := clientOutcome{latenciesNs: make([]int64, 0, rounds)}
	var buf [EchoMsg]byte
	for round := uint64(0); round < rounds; round++ {
		msg := Message(client, round)
		t0 := time.Now()
		_, err := c.Write(msg[:])
		if err == nil {
			_, err = io.ReadFull(c, buf[:])
		}
		ns := time.Since(t0).Nanoseconds()
		if err != nil {
			out.err = fmt.Sprintf("client %d round %d: %v", client, round, err)
			return out
		}
		if buf != msg {
			for k := range buf {
				if buf[k] != msg[k] {
					out.err = fmt.Sprintf("client %d round %d: echo differs at byte %d (%d instead of %d)", client, round, k, buf[k], msg[k])
					break
				}
			}
			return out
		}
		out.ok++
		out.latenciesNs = append(out.latenciesNs, ns)
	}
	return out
}

// serve echoes 64-byte messages on c until the client hangs up.
func serve(c net.Conn) (uint64, error) {
	var buf [EchoMsg]byte
	var echoed uint64
	for {
		if _, err := io.ReadFull(c, buf[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return echoed, nil
			}
			return echoed, err
		}
		if _, err := c.Write(buf[:]); err != nil {
			return echoed, err
		}
		echoed++
	}
}

// Echo runs the echo workload once with Go's net: a server goroutine
// accepts conns connections, each served by its own goroutine; conns
// client goroutines connect in waves of ConnectWave (each accepted before
// the next connects), then, released together, do rounds round trips of a
// 64-byte message each. The time runs from just before the release until
// the last client finished.
func Echo(conns, rounds uint64) NetRun {
	run := NetRun{Want: conns * rounds}
	var mu sync.Mutex
	addErr := func(e string) {
		mu.Lock()
		if len(run.Errors) < maxErrors {
			run.Errors = append(run.Errors, e)
		}
		mu.Unlock()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		addErr("listen: " + err.Error())
		return run
	}
	defer ln.Close()
	addr := ln.Addr().String()
	var echoed atomic.Uint64
	accepted := make(chan struct{}, conns)
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		var handlers sync.WaitGroup
		failures := 0
		for i := uint64(0); i < conns; {
			c, err := ln.Accept()
			if err != nil {
				// Retry: the connection still waits in the queue and its
				// client for its echoes; give up loudly rather than hang.
				addErr("accept: " + err.Error())
				if failures++; failures > maxAcceptFailures {
					fmt.Fprintf(os.Stderr, "netbench: the echo server cannot accept connections: %v\n", err)
					os.Exit(1)
				}
				continue
			}
			i++
			handlers.Add(1)
			go func() {
				defer handlers.Done()
				defer c.Close()
				n, err := serve(c)
				echoed.Add(n)
				if err != nil {
					addErr("server: " + err.Error())
				}
			}()
			accepted <- struct{}{}
		}
		handlers.Wait()
	}()
	ready := make(chan bool, conns)
	gates := make([]chan struct{}, conns)
	outcomes := make([]clientOutcome, conns)
	var clients sync.WaitGroup
	clients.Add(int(conns))
	for id := range gates {
		gates[id] = make(chan struct{}, 2)
		go func(id uint64, gate chan struct{}) {
			defer clients.Done()
			<-gate
			c, err := net.Dial("tcp", addr)
			ready <- err == nil
			<-gate
			if err != nil {
				outcomes[id].err = fmt.Sprintf("client %d: connect: %v", id, err)
				return
			}
			defer c.Close()
			outcomes[id] = clientRounds(c, id, rounds)
		}(uint64(id), gates[id])
	}
	connected := uint64(0)
	for w := 0; w < len(gates); w += ConnectWave {
		end := w + ConnectWave
		if end > len(gates) {
			end = len(gates)
		}
		for _, g := range gates[w:end] {
			g <- struct{}{}
		}
		ok := uint64(0)
		for range gates[w:end] {
			if <-ready {
				ok++
			}
		}
		for i := uint64(0); i < ok; i++ {
			<-accepted
		}
		connected += ok
	}
	start := time.Now()
	for _, g := range gates {
		g <- struct{}{}
	}
	clients.Wait()
	run.Elapsed = time.Since(start)
	unblocked := true
	for i := connected; i < conns; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			unblocked = false
			break
		}
		c.Close()
	}
	if unblocked {
		<-serverDone
	}
	run.Echoed = echoed.Load()
	run.LatenciesNs = make([]int64, 0, run.Want)
	for _, o := range outcomes {
		run.Got += o.ok
		run.LatenciesNs = append(run.LatenciesNs, o.latenciesNs...)
		if o.err != "" {
			addErr(o.err)
		}
	}
	return run
}

// entersyscall and exitsyscall are the runtime's, as syscall.Syscall calls
// them (the runtime marks both for linkname use: go.dev/issue/67401).
//
//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

// handoff enters and leaves a system call with no call in between: the twin
// of csp_core::blocking(|| ()). Like syscall.Syscall, it must not grow its
// stack between the two.
//
//go:nosplit
//go:noinline
func handoff() {
	entersyscall()
	exitsyscall()
}

// Blocking runs the blocking workload once: calls calls of op in a loop on
// one goroutine, each checked.
func Blocking(op string, calls uint64) NetRun {
	pid := uintptr(os.Getpid())
	var got uint64
	start := time.Now()
	switch op {
	case "empty":
		for i := uint64(0); i < calls; i++ {
			handoff()
			got++
		}
	case "getpid":
		for i := uint64(0); i < calls; i++ {
			if r, _, _ := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0); r == pid {
				got++
			}
		}
	case "raw_getpid":
		for i := uint64(0); i < calls; i++ {
			if r, _, _ := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0); r == pid {
				got++
			}
		}
	default:
		return NetRun{Want: calls, Errors: []string{"unknown op " + op}}
	}
	return NetRun{Got: got, Echoed: got, Want: calls, Elapsed: time.Since(start)}
}
