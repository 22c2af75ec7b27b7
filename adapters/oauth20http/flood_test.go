package oauth20http_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// TestCallbackFlood sends forged callbacks with random states at 10,000
// per second for 5 seconds to one instance: every one is refused with 400,
// none reaches the provider, and memory stays flat — the server stores
// nothing per callback.
func TestCallbackFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("a 5 s load test; skipped with -short")
	}
	const (
		rate    = 10000
		seconds = 5
		workers = 4
	)
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: "app", Secret: "app-secret-value", RedirectURIs: []string{"http://127.0.0.1:8000/auth/oidc/callback"},
	}))
	auth := core.New().SealingKeys(testKey).BaseURL("http://127.0.0.1:8000/auth").
		Provider(adaptertest.OIDCTestProvider(op, "oidc", "app", "app-secret-value", false)).MustBuild()
	defer auth.Close()
	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
	mux := http.NewServeMux()
	h.Mount(mux, "/auth")

	var sent, refused atomic.Int64
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	var before uint64
	start := time.Now()
	for s := range seconds {
		// Each second's share goes out as fast as the workers can send it,
		// then the next second starts on the clock.
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < rate; i += workers {
					req := httptest.NewRequest(http.MethodGet, "/auth/oidc/callback?code=stolen&state="+core.GenerateVerifier(), nil)
					req.AddCookie(&http.Cookie{Name: "oauth20_" + core.GenerateVerifier()[:16], Value: strings.Repeat(core.GenerateVerifier(), 9)})
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, req)
					sent.Add(1)
					if rec.Code == http.StatusBadRequest {
						refused.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if s == 0 {
			before = heap()
		}
		if next := start.Add(time.Duration(s+1) * time.Second); time.Now().Before(next) {
			<-time.After(time.Until(next))
		}
	}
	elapsed := time.Since(start)
	after := heap()
	t.Logf("%d callbacks in %v (%.0f/s); heap in use %d KiB after the first second, %d KiB at the end",
		sent.Load(), elapsed.Round(time.Millisecond), float64(sent.Load())/elapsed.Seconds(), before>>10, after>>10)
	if refused.Load() != sent.Load() {
		t.Errorf("%d of %d forged callbacks were not refused with 400", sent.Load()-refused.Load(), sent.Load())
	}
	if n := op.Count(oidctest.TokenEndpoint); n != 0 {
		t.Errorf("%d forged callbacks reached the token endpoint", n)
	}
	if after > before+4<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB: something is kept per callback", before>>10, after>>10)
	}
}
