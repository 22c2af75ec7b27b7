// Package benchkit holds what the comparison benchmarks share: the CPU time
// a benchmark spends, reported beside its wall time, and the ratio of two
// implementations run in turn. On a shared machine wall time also counts
// the waits for a core; the CPU time of the process (every goroutine, the
// loopback server's and the collector's included) is the steadier measure
// of what an implementation costs. And a machine that is busy for a second
// slows whichever implementation runs in that second: running the two in
// small alternating blocks gives both the same machine.
package benchkit

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// CPU accumulates the process's CPU time over the timed parts of a
// benchmark. The zero value is ready to use; it is not safe for concurrent
// use (call Start and Stop from the benchmark's goroutine).
type CPU struct {
	// Timer, when set, is the benchmark whose timer starts and stops with
	// c, so that its wall time covers the same parts.
	Timer *testing.B

	start, total time.Duration
	wallStart    time.Time
	wall         time.Duration
	running      bool
}

// Start begins a timed part.
func (c *CPU) Start() {
	if c.Timer != nil {
		c.Timer.StartTimer()
	}
	c.start, c.running = processCPU(), true
	c.wallStart = time.Now()
}

// Stop ends a timed part.
func (c *CPU) Stop() {
	if c.running {
		c.wall += time.Since(c.wallStart)
		c.total += processCPU() - c.start
		c.running = false
	}
	if c.Timer != nil {
		c.Timer.StopTimer()
	}
}

// Total returns the CPU time of the timed parts so far.
func (c *CPU) Total() time.Duration { return c.total }

// Wall returns the wall time of the timed parts so far.
func (c *CPU) Wall() time.Duration { return c.wall }

// Report stops c and reports the CPU time per operation as "cpu-ns/op".
// It reports nothing where the platform does not tell the process's CPU
// time.
func (c *CPU) Report(b *testing.B) {
	c.Stop()
	if b.N > 0 && supported {
		b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// Interleave compares impl with floor, run in turn, block operations at a
// time, b.N operations each, and reports the ratio of their CPU times as
// "cpu-ratio" (below 1: impl is cheaper). Each function runs ops operations
// and times what belongs to the comparison with its cpu (Start, Stop), so
// that preparing an operation can stay outside. It returns both timers,
// for callers that report more.
//
// It runs with GOMAXPROCS=1. The kernel brings the CPU time of a thread
// that is running on another core up to date only at its scheduler tick
// (every 4 ms at HZ=250), which is longer than the operations compared
// here; with one P, the client, an in-process server and the collector
// share one thread at a time, whose time is read exactly.
func Interleave(b *testing.B, block int, impl, floor func(cpu *CPU, ops int)) (ci, cf *CPU) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	return interleave(b, block, impl, floor)
}

// InterleaveLoad is Interleave for load tests, which need every P: each
// turn must then last many scheduler ticks (tens of milliseconds) for the
// CPU times to be exact enough.
func InterleaveLoad(b *testing.B, block int, impl, floor func(cpu *CPU, ops int)) (ci, cf *CPU) {
	return interleave(b, block, impl, floor)
}

func interleave(b *testing.B, block int, impl, floor func(cpu *CPU, ops int)) (ci, cf *CPU) {
	if block < 1 {
		block = 1
	}
	ci, cf = new(CPU), new(CPU)
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		// Which goes first is drawn at random: in a fixed order, the
		// collector, whose cycles follow the allocations, falls into the
		// same one's turns run after run.
		if rand.IntN(2) == 0 {
			impl(ci, n)
			floor(cf, n)
		} else {
			floor(cf, n)
			impl(ci, n)
		}
	}
	ci.Stop()
	cf.Stop()
	if supported && cf.total > 0 {
		b.ReportMetric(float64(ci.total)/float64(cf.total), "cpu-ratio")
	}
	return ci, cf
}

// Loop returns a function for Interleave that times ops calls of op.
func Loop(op func()) func(cpu *CPU, ops int) {
	return func(cpu *CPU, ops int) {
		cpu.Start()
		for range ops {
			op()
		}
		cpu.Stop()
	}
}
