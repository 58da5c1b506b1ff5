package cspbench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SyncSizes mirrors bench-suite/src/catalog.rs (Mode::sync_sizes): the sizes
// of the sync workloads.
type SyncSizes struct {
	// MutexOps is the lock-increment-unlock operations of one mutex run,
	// shared among its goroutines.
	MutexOps uint64
	// Contexts is the size of the context tree of one context_cancel run.
	Contexts uint64
	// Runs is the timed runs per case (after one untimed warm-up run).
	Runs int
}

// SyncSizesFor gives the sync sizes of a CSP_BENCH_MODE value.
func SyncSizesFor(mode string) SyncSizes {
	switch mode {
	case "smoke":
		return SyncSizes{MutexOps: 6400, Contexts: 1000, Runs: 1}
	case "quick":
		return SyncSizes{MutexOps: 64000, Contexts: 10000, Runs: 3}
	default:
		return SyncSizes{MutexOps: 256000, Contexts: 10000, Runs: 7}
	}
}

// MutexGoroutines are the goroutine counts of the mutex workload.
var MutexGoroutines = []uint64{1, 4, 64}

// ContextFanout is the children per context of the context_cancel tree.
const ContextFanout = 10

// SyncCase is one case of a sync workload, named as on the Rust side.
type SyncCase struct {
	Workload string
	Params   string
	// Run runs the case once: what it counted, what it should have, and the
	// timed part.
	Run func() (got, want uint64, elapsed time.Duration)
	// Elements is what the time is divided by.
	Elements uint64
}

// SyncCases are the sync cases of a mode, in the Rust side's order.
func SyncCases(s SyncSizes) []SyncCase {
	var out []SyncCase
	for _, n := range MutexGoroutines {
		n, per := n, s.MutexOps/n
		out = append(out, SyncCase{
			Workload: "mutex",
			Params:   fmt.Sprintf("goroutines=%d,ops=%d", n, s.MutexOps),
			Elements: n * per,
			Run: func() (uint64, uint64, time.Duration) {
				got, d := MutexCounter(n, per)
				return got, n * per, d
			},
		})
	}
	contexts := s.Contexts
	out = append(out, SyncCase{
		Workload: "context_cancel",
		Params:   fmt.Sprintf("contexts=%d,fanout=%d", contexts, ContextFanout),
		Elements: contexts,
		Run: func() (uint64, uint64, time.Duration) {
			got, d := ContextCancel(contexts, ContextFanout)
			return got, contexts, d
		},
	})
	return out
}

// MutexCounter starts n goroutines that, released together, each increment
// a shared counter under a sync.Mutex per times; the counter and the time
// from the release until every goroutine finished.
func MutexCounter(n, per uint64) (uint64, time.Duration) {
	var mu sync.Mutex
	var counter uint64
	var ready, finished sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(int(n))
	finished.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func() {
			defer finished.Done()
			ready.Done()
			<-gate
			for j := uint64(0); j < per; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	finished.Wait()
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	return counter, elapsed
}

// settle is how long the watchers of ContextCancel get to park in their
// select before the cancel (untimed), as on the Rust side.
const settle = 10 * time.Millisecond

// ContextCancel builds a tree of n contexts (node i derived from node
// (i-1)/fanout), each watched by a goroutine selecting on its Done() and on
// a channel nobody sends on, cancels the root and waits for every watcher:
// how many saw context.Canceled, and the time from the cancel until the
// last watcher finished.
func ContextCancel(n, fanout uint64) (uint64, time.Duration) {
	root, cancel := context.WithCancel(context.Background())
	ctxs := make([]context.Context, 0, n)
	cancels := make([]context.CancelFunc, 0, n)
	ctxs = append(ctxs, root)
	for i := uint64(1); i < n; i++ {
		c, f := context.WithCancel(ctxs[(i-1)/fanout])
		ctxs = append(ctxs, c)
		cancels = append(cancels, f)
	}
	var observed atomic.Uint64
	var ready, finished sync.WaitGroup
	ready.Add(len(ctxs))
	finished.Add(len(ctxs))
	never := make(chan struct{})
	for _, c := range ctxs {
		c := c
		go func() {
			defer finished.Done()
			ready.Done()
			select {
			case <-c.Done():
				if c.Err() == context.Canceled {
					observed.Add(1)
				}
			case <-never:
			}
		}()
	}
	ready.Wait()
	time.Sleep(settle)
	start := time.Now()
	cancel()
	finished.Wait()
	elapsed := time.Since(start)
	for _, f := range cancels {
		f()
	}
	return observed.Load(), elapsed
}
