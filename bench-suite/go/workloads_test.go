package cspbench

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// sizes mirrors bench-suite/src/catalog.rs (Mode::sizes) for CSP_BENCH_MODE.
type sizes struct{ msgs, rounds, goroutines, sieveLimit uint64 }

func modeSizes() sizes {
	switch os.Getenv("CSP_BENCH_MODE") {
	case "smoke":
		return sizes{msgs: 2000, rounds: 500, goroutines: 2000, sieveLimit: 300}
	case "quick":
		return sizes{msgs: 20000, rounds: 5000, goroutines: 100000, sieveLimit: 1000}
	default:
		return sizes{msgs: 50000, rounds: 10000, goroutines: 100000, sieveLimit: 2000}
	}
}

func primes(limit uint64) Check {
	var c Check
	var ps []uint64
	for v := uint64(2); v <= limit; v++ {
		prime := true
		for _, p := range ps {
			if p*p > v {
				break
			}
			if v%p == 0 {
				prime = false
				break
			}
		}
		if prime {
			ps = append(ps, v)
			c.add(v)
		}
	}
	return c
}

func want(t *testing.T, name string, got, exp Check) {
	t.Helper()
	if got != exp || got.Count == 0 {
		t.Errorf("%s: got %+v, want %+v", name, got, exp)
	}
}

func TestWorkloads(t *testing.T) {
	const n = 2000
	all := Check{Count: n, Sum: sumBelow(n)}
	want(t, "ping_pong", PingPong(n), Check{Count: n, Sum: sumBelow(n) + n})
	want(t, "spsc_unbuffered", SpscUnbuffered(n), all)
	for _, p := range []uint64{1, 2, 4, 8} {
		want(t, fmt.Sprint("fan_in ", p), FanIn(p, 128, n), all)
	}
	want(t, "mpmc", Mpmc(4, 4, 128, n), all)
	for _, c := range []int{1, 16, 64, 256} {
		want(t, fmt.Sprint("pipeline ", c), Pipeline(4, c, n), Check{Count: n, Sum: sumBelow(n) + 4*n})
	}
	want(t, "select4", Select4(0, n), all)
	want(t, "spawn", Spawn(n), all)
	want(t, "sieve", Sieve(300), primes(300))
	if SieveMessages(10) != 21 {
		t.Errorf("SieveMessages(10) = %d, want 21", SieveMessages(10))
	}
}

// run times b.N runs of one workload and reports ns per message.
func run(b *testing.B, msgs uint64, f func() Check, exp Check) {
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var last Check
	for i := 0; i < b.N; i++ {
		last = f()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if last != exp {
		b.Fatalf("got %+v, want %+v", last, exp)
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(uint64(b.N)*msgs), "ns/msg")
}

// Benchmark names are the workload names of results.json; sub-benchmark
// names are the parameter ids of the Rust side (producers=4,cap=128).

func Benchmark_ping_pong(b *testing.B) {
	n := modeSizes().rounds
	run(b, n, func() Check { return PingPong(n) }, Check{Count: n, Sum: sumBelow(n) + n})
}

func Benchmark_spsc_unbuffered(b *testing.B) {
	n := modeSizes().msgs
	run(b, n, func() Check { return SpscUnbuffered(n) }, Check{Count: n, Sum: sumBelow(n)})
}

func Benchmark_fan_in(b *testing.B) {
	n := modeSizes().msgs
	for _, p := range []uint64{1, 2, 4, 8} {
		p := p
		b.Run(fmt.Sprintf("producers=%d,cap=128", p), func(b *testing.B) {
			run(b, n, func() Check { return FanIn(p, 128, n) }, Check{Count: n, Sum: sumBelow(n)})
		})
	}
}

func Benchmark_mpmc(b *testing.B) {
	n := modeSizes().msgs
	b.Run("producers=4,consumers=4,cap=128", func(b *testing.B) {
		run(b, n, func() Check { return Mpmc(4, 4, 128, n) }, Check{Count: n, Sum: sumBelow(n)})
	})
}

func Benchmark_pipeline(b *testing.B) {
	n := modeSizes().msgs
	for _, c := range []int{1, 16, 64, 256} {
		c := c
		b.Run(fmt.Sprintf("stages=4,cap=%d", c), func(b *testing.B) {
			run(b, n, func() Check { return Pipeline(4, c, n) }, Check{Count: n, Sum: sumBelow(n) + 4*n})
		})
	}
}

func Benchmark_select4(b *testing.B) {
	n := modeSizes().msgs
	b.Run("cap=0", func(b *testing.B) {
		run(b, n, func() Check { return Select4(0, n) }, Check{Count: n, Sum: sumBelow(n)})
	})
}

func Benchmark_spawn(b *testing.B) {
	n := modeSizes().goroutines
	run(b, n, func() Check { return Spawn(n) }, Check{Count: n, Sum: sumBelow(n)})
}

func Benchmark_sieve(b *testing.B) {
	limit := modeSizes().sieveLimit
	b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
		run(b, SieveMessages(limit), func() Check { return Sieve(limit) }, primes(limit))
	})
}

func TestSyncWorkloads(t *testing.T) {
	for _, c := range SyncCases(SyncSizesFor("smoke")) {
		got, want, _ := c.Run()
		if got != want || got == 0 || want != c.Elements {
			t.Errorf("%s/go/%s: got %d, want %d (elements %d)", c.Workload, c.Params, got, want, c.Elements)
		}
	}
}

// syncBench times b.N runs of a sync case (only the timed part of each run)
// and reports ns per element. cargo xtask bench runs cmd/syncbench instead,
// which prints every run; these are for `go test -bench`.
func syncBench(b *testing.B, workload string) {
	for _, c := range SyncCases(SyncSizesFor(os.Getenv("CSP_BENCH_MODE"))) {
		if c.Workload != workload {
			continue
		}
		c := c
		b.Run(c.Params, func(b *testing.B) {
			var total time.Duration
			for i := 0; i < b.N; i++ {
				got, want, d := c.Run()
				if got != want {
					b.Fatalf("got %d, want %d", got, want)
				}
				total += d
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(uint64(b.N)*c.Elements), "ns/op-elem")
		})
	}
}

func Benchmark_mutex(b *testing.B) { syncBench(b, "mutex") }

func Benchmark_context_cancel(b *testing.B) { syncBench(b, "context_cancel") }

func TestNetWorkloads(t *testing.T) {
	for _, c := range NetCases(NetSizesFor("smoke")) {
		r := c.Run()
		if err := r.Check(c.Workload == "echo"); err != nil || r.Want != c.Elements || r.Got == 0 {
			t.Errorf("%s/go/%s: %v (got %d, want %d, elements %d)", c.Workload, c.Params, err, r.Got, r.Want, c.Elements)
		}
	}
}

func TestEchoMessageMatchesRust(t *testing.T) {
	// The Rust side's net_bench tests assert the same byte.
	if m := Message(3, 5); m[10] != 84 {
		t.Errorf("Message(3, 5)[10] = %d, want 84", m[10])
	}
	if Percentile([]int64{1, 2, 3, 4}, 0.5) != 2 || Percentile([]int64{1, 2, 3, 4}, 0.99) != 4 {
		t.Error("Percentile")
	}
	bad := NetRun{Got: 9, Echoed: 10, Want: 10, LatenciesNs: make([]int64, 9)}
	if bad.Check(true) == nil {
		t.Error("a short count passed the check")
	}
}
