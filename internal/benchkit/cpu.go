// Package benchkit holds what the comparison benchmarks share: the CPU time
// a benchmark spends, reported beside its wall time. On a shared machine
// wall time also counts the waits for a core; the CPU time of the process
// (every goroutine, the loopback server's and the collector's included)
// is the steadier measure of what an implementation costs.
package benchkit

import (
	"testing"
	"time"
)

// CPU accumulates the process's CPU time over the timed parts of a
// benchmark. The zero value is ready to use; it is not safe for concurrent
// use (call Start and Stop from the benchmark's goroutine).
type CPU struct {
	start, total time.Duration
	running      bool
}

// Start begins a timed part.
func (c *CPU) Start() {
	c.start, c.running = processCPU(), true
}

// Stop ends a timed part.
func (c *CPU) Stop() {
	if c.running {
		c.total += processCPU() - c.start
		c.running = false
	}
}

// Report stops c and reports the CPU time per operation as "cpu-ns/op".
// It reports nothing where the platform does not tell the process's CPU
// time.
func (c *CPU) Report(b *testing.B) {
	c.Stop()
	if b.N > 0 && supported {
		b.ReportMetric(float64(c.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
