package benchkit

import (
	"crypto/sha256"
	"testing"
)

// work hashes n times: CPU time in proportion to n.
func work(n int) func() {
	return func() {
		var sum [32]byte
		for range n {
			sum = sha256.Sum256(sum[:])
		}
	}
}

func TestInterleave(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a benchmark for a second")
	}
	r := testing.Benchmark(func(b *testing.B) {
		Interleave(b, 10, Loop(work(2000)), Loop(work(1000)))
	})
	got, ok := r.Extra["cpu-ratio"]
	if !supported {
		if ok {
			t.Errorf("cpu-ratio %v reported where CPU time is unknown", got)
		}
		return
	}
	if !ok || got < 1.5 || got > 2.5 {
		t.Errorf("cpu-ratio %v (reported %t), want about 2", got, ok)
	}
}

func TestCPU(t *testing.T) {
	var c CPU
	c.Stop() // not started: nothing happens
	c.Start()
	work(20000)()
	c.Stop()
	if supported && (c.Total() <= 0 || c.Wall() <= 0) {
		t.Errorf("CPU %v, wall %v after some work", c.Total(), c.Wall())
	}
	total := c.Total()
	work(20000)()
	if c.Total() != total {
		t.Error("time counted while stopped")
	}
}
