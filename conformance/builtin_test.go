package conformance_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/providers"
)

// The fake credentials the built-in providers' cassettes were recorded for.
const (
	testClientID     = builtin.ClientID
	testClientSecret = builtin.ClientSecret
	testRedirectURL  = builtin.RedirectURL
)

// TestConformance replays conformance/testdata/<name>/ against every
// provider constructor of package providers (builtin.All) and fails for a
// provider without one.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			c, err := conformance.LoadDir(filepath.Join("testdata", b.Name))
			if errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("provider %q has no cassette: record one into conformance/testdata/%s/", b.Name, b.Name)
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Provider != b.Name {
				t.Fatalf("cassette of %q says provider %q", b.Name, c.Provider)
			}
			p, err := b.New(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
			if err != nil {
				t.Fatal(err)
			}
			conformance.Run(t, p, c)
		})
	}
}
