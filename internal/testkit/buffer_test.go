package testkit_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestSyncBuffer is run with -race: writers and readers at once.
func TestSyncBuffer(t *testing.T) {
	t.Parallel()
	var b testkit.SyncBuffer
	fmt.Fprint(&b, "before ")
	mark := b.Len()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() { defer wg.Done(); fmt.Fprint(&b, i) }()
		go func() { defer wg.Done(); _ = b.String() }()
	}
	wg.Wait()
	if got := b.StringFrom(mark); len(got) != 8 || b.String() != "before "+got {
		t.Errorf("StringFrom(%d) = %q, String() = %q", mark, got, b.String())
	}
	if got := b.StringFrom(1 << 20); got != "" {
		t.Errorf("StringFrom past the end = %q", got)
	}
}
