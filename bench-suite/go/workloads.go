// Package cspbench holds the csp benchmark workloads written in Go, with the
// same shapes and sizes as the Rust bench-suite, so `cargo xtask bench` can put
// Go's channels and goroutines beside csp and the Rust channel libraries.
package cspbench

// Check is what a workload run produced: how many values arrived and their sum.
type Check struct {
	Count uint64
	Sum   uint64
}

func (c *Check) add(v uint64) {
	c.Count++
	c.Sum += v
}

// sumBelow is the sum of 0..n-1.
func sumBelow(n uint64) uint64 { return n * (n - 1) / 2 }

// PingPong sends i on ping and receives i+1 from an echo goroutine, rounds times.
func PingPong(rounds uint64) Check {
	ping, pong := make(chan uint64), make(chan uint64)
	go func() {
		for i := uint64(0); i < rounds; i++ {
			pong <- (<-ping) + 1
		}
	}()
	var c Check
	for i := uint64(0); i < rounds; i++ {
		ping <- i
		c.add(<-pong)
	}
	return c
}

// SpscUnbuffered streams 0..n-1 from one producer over an unbuffered channel.
func SpscUnbuffered(n uint64) Check {
	ch := make(chan uint64)
	go func() {
		for i := uint64(0); i < n; i++ {
			ch <- i
		}
	}()
	var c Check
	for i := uint64(0); i < n; i++ {
		c.add(<-ch)
	}
	return c
}

// producer sends first, first+step, ... below n on ch.
func producer(ch chan<- uint64, first, step, n uint64) {
	for v := first; v < n; v += step {
		ch <- v
	}
}

// FanIn has producers goroutines send 0..n-1 between them into one channel.
func FanIn(producers uint64, capacity int, n uint64) Check {
	ch := make(chan uint64, capacity)
	for p := uint64(0); p < producers; p++ {
		go producer(ch, p, producers, n)
	}
	var c Check
	for i := uint64(0); i < n; i++ {
		c.add(<-ch)
	}
	return c
}

// Mpmc has producers send 0..n-1 and consumers each receive n/consumers.
func Mpmc(producers, consumers uint64, capacity int, n uint64) Check {
	ch := make(chan uint64, capacity)
	done := make(chan uint64, consumers)
	for p := uint64(0); p < producers; p++ {
		go producer(ch, p, producers, n)
	}
	share := n / consumers
	for k := uint64(0); k < consumers; k++ {
		go func() {
			var sum uint64
			for i := uint64(0); i < share; i++ {
				sum += <-ch
			}
			done <- sum
		}()
	}
	var c Check
	for k := uint64(0); k < consumers; k++ {
		c.Sum += <-done
		c.Count += share
	}
	return c
}

// Pipeline passes 0..n-1 through stages goroutines that each add one.
func Pipeline(stages uint64, capacity int, n uint64) Check {
	first := make(chan uint64, capacity)
	go producer(first, 0, 1, n)
	in := first
	for s := uint64(0); s < stages; s++ {
		out := make(chan uint64, capacity)
		go func(in <-chan uint64, out chan<- uint64) {
			for i := uint64(0); i < n; i++ {
				out <- (<-in) + 1
			}
		}(in, out)
		in = out
	}
	var c Check
	for i := uint64(0); i < n; i++ {
		c.add(<-in)
	}
	return c
}

// Select4 receives n values with a select over four channels, one producer each.
func Select4(capacity int, n uint64) Check {
	var chans [4]chan uint64
	for k := range chans {
		chans[k] = make(chan uint64, capacity)
		go producer(chans[k], uint64(k), 4, n)
	}
	var c Check
	for i := uint64(0); i < n; i++ {
		var v, k uint64
		select {
		case v = <-chans[0]:
			k = 0
		case v = <-chans[1]:
			k = 1
		case v = <-chans[2]:
			k = 2
		case v = <-chans[3]:
			k = 3
		}
		if v%4 != k {
			panic("value arrived on the wrong case")
		}
		c.add(v)
	}
	return c
}

// SpawnCap is the capacity of the spawn workload's result channel.
const SpawnCap = 1024

// Spawn starts n goroutines that each send their index once.
func Spawn(n uint64) Check {
	ch := make(chan uint64, SpawnCap)
	for i := uint64(0); i < n; i++ {
		go func(i uint64) { ch <- i }(i)
	}
	var c Check
	for i := uint64(0); i < n; i++ {
		c.add(<-ch)
	}
	return c
}

// end marks the end of the sieve's stream (candidates start at 2).
const end = 0

// Sieve is the concurrent prime sieve, ending with a sentinel so every
// goroutine exits; it returns the count and sum of the primes up to limit.
func Sieve(limit uint64) Check {
	ch := make(chan uint64)
	go func(out chan<- uint64) {
		for v := uint64(2); v <= limit; v++ {
			out <- v
		}
		out <- end
	}(ch)
	var c Check
	for {
		prime := <-ch
		if prime == end {
			return c
		}
		c.add(prime)
		next := make(chan uint64)
		go func(in <-chan uint64, out chan<- uint64, p uint64) {
			for {
				v := <-in
				if v == end || v%p != 0 {
					out <- v
				}
				if v == end {
					return
				}
			}
		}(ch, next, prime)
		ch = next
	}
}

// SieveMessages is the number of channel sends of one Sieve(limit).
func SieveMessages(limit uint64) uint64 {
	var survivors []uint64
	for v := uint64(2); v <= limit; v++ {
		survivors = append(survivors, v)
	}
	total := uint64(len(survivors)) + 1
	for len(survivors) > 0 {
		p := survivors[0]
		kept := survivors[:0]
		for _, v := range survivors {
			if v%p != 0 {
				kept = append(kept, v)
			}
		}
		survivors = kept
		total += uint64(len(survivors)) + 1
	}
	return total
}
