package testkit

import (
	"bytes"
	"sync"
)

// SyncBuffer is a buffer that goroutines may write to and read from at
// once: for a logger shared by the code under test, or the output of a
// child process read by two goroutines. The zero value is ready to use.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string { return b.StringFrom(0) }

// StringFrom returns what was written from offset on, a value Len
// returned earlier: what a child process wrote during one test, say.
func (b *SyncBuffer) StringFrom(offset int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf.Bytes()[min(offset, b.buf.Len()):])
}

// Len is the length of what was written so far.
func (b *SyncBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}
