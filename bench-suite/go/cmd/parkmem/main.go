// Command parkmem parks n goroutines (-n, default 10 000) on a channel receive
// and prints one JSON line with the resident memory per parked goroutine, read
// from VmRSS in /proc/self/status: the Go twin of bench-suite's park_memory.
// It exits 1 when some goroutines are still alive after their release.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func rssKB() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := s.Text(); strings.HasPrefix(line, "VmRSS:") {
			v := strings.TrimPrefix(line, "VmRSS:")
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				panic(err)
			}
			return n
		}
	}
	panic("no VmRSS in /proc/self/status")
}

func main() {
	n := flag.Int("n", 10000, "goroutines to park")
	flag.Parse()
	if *n <= 0 {
		fmt.Fprintf(os.Stderr, "parkmem: -n must be positive, not %d\n", *n)
		os.Exit(2)
	}

	// Warm-up, as on the Rust side.
	var warm sync.WaitGroup
	for i := 0; i < 64; i++ {
		warm.Add(1)
		go func() { warm.Done() }()
	}
	warm.Wait()
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	base := runtime.NumGoroutine()

	before := rssKB()
	gate := make(chan struct{})
	var ready, exited sync.WaitGroup
	ready.Add(*n)
	exited.Add(*n)
	for i := 0; i < *n; i++ {
		go func() {
			ready.Done()
			<-gate
			exited.Done()
		}()
	}
	ready.Wait()
	time.Sleep(50 * time.Millisecond)
	after := rssKB()
	close(gate)
	exited.Wait()
	// A goroutine leaves the count just after its last statement.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	unreleased := runtime.NumGoroutine() - base
	if unreleased < 0 {
		unreleased = 0
	}
	per := 0.0
	if after > before {
		per = float64(after-before) * 1024 / float64(*n)
	}
	fmt.Printf("{\"implementation\":\"go\",\"goroutines\":%d,\"rss_before_kb\":%d,\"rss_after_kb\":%d,\"bytes_per_goroutine\":%.1f,\"unreleased\":%d}\n",
		*n, before, after, per, unreleased)
	if unreleased != 0 {
		fmt.Fprintf(os.Stderr, "parkmem: %d of %d goroutines still alive after release\n", unreleased, *n)
		os.Exit(1)
	}
}
