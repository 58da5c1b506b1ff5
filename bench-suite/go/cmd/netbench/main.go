// Command netbench runs the network workloads (loopback TCP echo with Go's
// net at 1, 100 and 1000 connections; entersyscall/exitsyscall around
// nothing and around getpid, and a raw getpid) at the sizes of
// CSP_BENCH_MODE and prints one JSON line per case, the same lines as
// bench-suite's net_bench binary: the Go twin that `cargo xtask bench` runs
// in a fresh process. -ids (separated by ';', e.g.
// "echo/go/conns=100,rounds=500") chooses cases, all when empty; -list
// prints the ids. Every run is checked; a wrong result is reported on
// stderr and the command exits 1. Go raises the soft limit on open files
// to the hard one by itself.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"cspbench"
)

type line struct {
	Workload       string    `json:"workload"`
	Params         string    `json:"params"`
	Implementation string    `json:"implementation"`
	Elements       uint64    `json:"elements"`
	RunsNs         []float64 `json:"runs_ns"`
	P50Ns          *int64    `json:"p50_ns,omitempty"`
	P99Ns          *int64    `json:"p99_ns,omitempty"`
}

func main() {
	ids := flag.String("ids", "", "cases to run, separated by ';' (all when empty)")
	list := flag.Bool("list", false, "print the case ids and stop")
	flag.Parse()
	wanted := map[string]bool{}
	for _, id := range strings.Split(*ids, ";") {
		if id != "" {
			wanted[id] = true
		}
	}
	sizes := cspbench.NetSizesFor(os.Getenv("CSP_BENCH_MODE"))
	failed := false
	for _, c := range cspbench.NetCases(sizes) {
		id := c.Workload + "/go/" + c.Params
		if *list {
			fmt.Println(id)
			continue
		}
		if len(wanted) > 0 && !wanted[id] {
			continue
		}
		echo := c.Workload == "echo"
		out := line{Workload: c.Workload, Params: c.Params, Implementation: "go", Elements: c.Elements}
		var latencies []int64
		ok := true
		for k := 0; k <= sizes.Runs; k++ {
			r := c.Run()
			if err := r.Check(echo); err != nil {
				fmt.Fprintf(os.Stderr, "netbench: %s: %v\n", id, err)
				ok = false
				break
			}
			if k > 0 {
				out.RunsNs = append(out.RunsNs, float64(r.Elapsed.Nanoseconds()))
				latencies = append(latencies, r.LatenciesNs...)
			}
		}
		if !ok {
			failed = true
			continue
		}
		if echo {
			sorted := cspbench.SortLatencies(latencies)
			p50, p99 := cspbench.Percentile(sorted, 0.5), cspbench.Percentile(sorted, 0.99)
			out.P50Ns, out.P99Ns = &p50, &p99
		}
		b, err := json.Marshal(out)
		if err != nil {
			panic(err)
		}
		fmt.Println(string(b))
	}
	if failed {
		os.Exit(1)
	}
}
