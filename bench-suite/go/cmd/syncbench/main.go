// Command syncbench runs the sync workloads (mutex contention with
// sync.Mutex, cancellation of a context tree) at the sizes of
// CSP_BENCH_MODE and prints one JSON line per case, the same lines as
// bench-suite's sync_bench binary: the Go twin that `cargo xtask bench` runs
// in a fresh process. -ids (separated by ';', e.g.
// "mutex/go/goroutines=4,ops=256000") chooses cases, all when empty; -list
// prints the ids. Every run is checked; a wrong result is reported on stderr
// and the command exits 1.
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
	sizes := cspbench.SyncSizesFor(os.Getenv("CSP_BENCH_MODE"))
	failed := false
	for _, c := range cspbench.SyncCases(sizes) {
		id := c.Workload + "/go/" + c.Params
		if *list {
			fmt.Println(id)
			continue
		}
		if len(wanted) > 0 && !wanted[id] {
			continue
		}
		out := line{Workload: c.Workload, Params: c.Params, Implementation: "go", Elements: c.Elements}
		ok := true
		for k := 0; k <= sizes.Runs; k++ {
			got, want, d := c.Run()
			if got != want {
				fmt.Fprintf(os.Stderr, "syncbench: %s: got %d, want %d\n", id, got, want)
				ok = false
				break
			}
			if k > 0 {
				out.RunsNs = append(out.RunsNs, float64(d.Nanoseconds()))
			}
		}
		if !ok {
			failed = true
			continue
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
