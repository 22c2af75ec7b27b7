package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/jarcoal/httpmock"
)

// waitForWaiters yields until n callers wait on the cache's fetch.
func waitForWaiters(t *testing.T, v *Verifier, n int64) {
	t.Helper()
	for v.keys.waiters.Load() < n {
		runtime.Gosched()
	}
}

// gate makes every JWKS request wait until the returned release is called.
func (s *jwksServer) hold() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.gate = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.gate = nil
			s.mu.Unlock()
			close(ch)
		})
	}
}

// TestRotationConcurrent: 1000 goroutines verify tokens signed with a key
// that was rotated in after the verifier loaded its keys. All of them wait
// on the same single refresh, and all succeed (SPEC-OIDC-26).
func TestRotationConcurrent(t *testing.T) {
	t.Parallel()
	clock := newClock()
	old := newKey(t, "old", "ES256")
	srv := newJWKSServer(t, old)
	v := newTestVerifier(t, srv, clock, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, old.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatal(err)
	}
	fresh := newKey(t, "new", "ES256")
	srv.setKeys(t, old, fresh)
	raw := fresh.sign(t, claims(clock.Now()), nil)
	release := srv.hold()
	defer release()

	const n = 1000
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := v.Verify(ctx, raw, Expectations{})
			errs <- err
		})
	}
	// Every goroutine is waiting for the one refresh before it may end.
	waitForWaiters(t, v, n)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Verify during rotation: %v", err)
		}
	}
	if got := srv.fetches.Load(); got != 2 {
		t.Errorf("JWKS fetches = %d, want 2 (initial load + one refresh)", got)
	}
}

// TestUnknownKIDFlood: 1000 goroutines send tokens with random kids while
// the injected clock runs for 3 s. Refreshes start at most once per
// limiter window (their start times, read at the server, are at least a
// window apart); then a real rotation is picked up within one window. The
// issue's 3 s of wall time are replaced by 3 s of injected time, which
// proves the same property without sleeping.
func TestUnknownKIDFlood(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		window     time.Duration
		maxFetches int64
	}{
		{0, 1}, // the default: one per 10 s
		{time.Second, 4},
	} {
		t.Run(fmt.Sprint(tc.window), func(t *testing.T) {
			t.Parallel()
			window := tc.window
			if window == 0 {
				window = DefaultKeyRefreshLimit
			}
			clock := newClock()
			good := newKey(t, "good", "ES256")
			attacker := newKey(t, "", "ES256")
			srv := newJWKSServer(t, good)
			var (
				mu    sync.Mutex
				times []time.Time
			)
			inner := srv.Config.Handler
			srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				times = append(times, clock.Now())
				mu.Unlock()
				inner.ServeHTTP(w, r)
			})
			v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.KeyRefreshLimit = tc.window })
			ctx := context.Background()
			if _, err := v.Verify(ctx, good.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
				t.Fatal(err)
			}
			base := srv.fetches.Load()

			// Pre-sign a pool of tokens with random kids.
			pool := make([]string, 64)
			for i := range pool {
				pool[i] = attacker.sign(t, claims(clock.Now()), map[string]any{"kid": fmt.Sprintf("rnd-%d-%d", i, time.Now().UnixNano())})
			}
			const (
				workers = 1000
				perG    = 6
				step    = 500 * time.Millisecond // 6 000 ops advance 3 s
			)
			var ops atomic.Int64
			var wrong atomic.Int64
			var wg sync.WaitGroup
			for g := range workers {
				wg.Go(func() {
					for i := range perG {
						_, err := v.Verify(ctx, pool[(g+i)%len(pool)], Expectations{})
						if !errors.Is(err, ErrUnknownKey) {
							wrong.Add(1)
						}
						if ops.Add(1)%workers == 0 {
							clock.Advance(step)
						}
					}
				})
			}
			wg.Wait()
			if wrong.Load() != 0 {
				t.Errorf("%d verifications did not fail with ErrUnknownKey", wrong.Load())
			}
			flood := srv.fetches.Load() - base
			if flood < 1 || flood > tc.maxFetches {
				t.Errorf("fetches during the flood = %d, want 1..%d", flood, tc.maxFetches)
			}
			mu.Lock()
			for i := 2; i < len(times); i++ {
				if gap := times[i].Sub(times[i-1]); gap < window {
					t.Errorf("fetches %d and %d only %s apart, window %s", i-1, i, gap, window)
				}
			}
			mu.Unlock()

			// A real rotation: the provider publishes a new key and signs
			// with it. Within one window it verifies.
			rotated := newKey(t, "rotated", "ES256")
			srv.setKeys(t, good, rotated)
			raw := rotated.sign(t, claims(clock.Now()), nil)
			clock.Advance(window)
			if _, err := v.Verify(ctx, raw, Expectations{}); err != nil {
				t.Fatalf("rotation not picked up within one window: %v", err)
			}
		})
	}
}

// TestWaitHonoursContext: a caller waits no longer than its ctx; the fetch
// it started still answers the callers that stay.
func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k", "ES256")
	srv := newJWKSServer(t, key)
	release := srv.hold()
	defer release()
	v := newTestVerifier(t, srv, clock, nil)
	raw := key.sign(t, claims(clock.Now()), nil)

	ctx, cancel := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, raw, Expectations{})
		impatient <- err
	}()
	waitForWaiters(t, v, 1)
	patient := make(chan error, 1)
	go func() {
		_, err := v.Verify(context.Background(), raw, Expectations{})
		patient <- err
	}()
	waitForWaiters(t, v, 2)
	cancel()
	if err := <-impatient; !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("cancelled caller: %v", err)
	}
	release()
	if err := <-patient; err != nil {
		t.Fatalf("patient caller: %v", err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Errorf("fetches = %d, want 1", n)
	}
}

// TestFetchFailures: errors wrap core's sentinels; a failed fetch is not
// retried within the window, and is retried after it.
func TestFetchFailures(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k", "ES256")
	srv := newJWKSServer(t, key)
	raw := key.sign(t, claims(clock.Now()), nil)
	ctx := context.Background()

	srv.mu.Lock()
	srv.status = http.StatusInternalServerError
	srv.mu.Unlock()
	v := newTestVerifier(t, srv, clock, nil)
	if _, err := v.Verify(ctx, raw, Expectations{}); !errors.Is(err, ErrUnknownKey) || !errors.Is(err, core.ErrUnexpectedStatus) {
		t.Fatalf("500: %v", err)
	}
	srv.mu.Lock()
	srv.status = http.StatusOK
	srv.mu.Unlock()
	if _, err := v.Verify(ctx, raw, Expectations{}); !errors.Is(err, ErrUnknownKey) || !errors.Is(err, core.ErrUnexpectedStatus) {
		t.Fatalf("within the window: %v", err)
	}
	if n := srv.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d, want 1", n)
	}
	clock.Advance(DefaultKeyRefreshLimit)
	if _, err := v.Verify(ctx, raw, Expectations{}); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	srv.setBody([]byte(`<html>oops</html>`))
	v2 := newTestVerifier(t, srv, clock, nil)
	if _, err := v2.Verify(ctx, raw, Expectations{}); !errors.Is(err, core.ErrMalformedResponse) {
		t.Fatalf("HTML body: %v", err)
	}

	dead := newJWKSServer(t, key)
	dead.Close()
	v3 := newTestVerifier(t, dead, clock, nil)
	if _, err := v3.Verify(ctx, raw, Expectations{}); !errors.Is(err, core.ErrTransport) {
		t.Fatalf("closed server: %v", err)
	}
}

// TestBackgroundRefreshAndClose: stale keys are refreshed in the
// background (a revoked key disappears), and Close ends the refresh.
func TestBackgroundRefreshAndClose(t *testing.T) {
	t.Parallel()
	clock := newClock()
	k1 := newKey(t, "k1", "ES256")
	k2 := newKey(t, "k2", "ES256")
	srv := newJWKSServer(t, k1, k2)
	v := newTestVerifier(t, srv, clock, nil)
	ctx := context.Background()
	raw1 := k1.sign(t, claims(clock.Now()), nil)
	if _, err := v.Verify(ctx, raw1, Expectations{}); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, k2) // k1 revoked
	release := srv.hold()
	before := v.keys.snap.Load()
	clock.Advance(DefaultKeyRefreshInterval)
	raw1 = k1.sign(t, claims(clock.Now()), nil)
	// The stale set still answers while the refresh runs.
	if _, err := v.Verify(ctx, raw1, Expectations{}); err != nil {
		t.Fatalf("stale key during refresh: %v", err)
	}
	for srv.fetches.Load() < 2 {
		runtime.Gosched()
	}
	release()
	for v.keys.snap.Load() == before {
		runtime.Gosched()
	}
	if _, err := v.Verify(ctx, raw1, Expectations{}); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("revoked key after refresh: %v", err)
	}
	_ = v.Close()
	if _, err := v.Verify(ctx, raw1, Expectations{}); !errors.Is(err, ErrUnknownKey) || !errors.Is(err, ErrVerifierClosed) {
		t.Fatalf("revoked key after refresh and close: %v", err)
	}
	if _, err := v.Verify(ctx, k2.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatalf("cached key after close: %v", err)
	}

	// Close while a fetch hangs: it returns, and the fetch is abandoned.
	hang := newJWKSServer(t, k1)
	hangRelease := hang.hold()
	defer hangRelease()
	v2 := newTestVerifier(t, hang, clock, nil)
	done := make(chan error, 1)
	go func() {
		_, err := v2.Verify(ctx, raw1, Expectations{})
		done <- err
	}()
	waitForWaiters(t, v2, 1)
	_ = v2.Close()
	if err := <-done; !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("verify during close: %v", err)
	}
}

// TestInjectedTransport: JWKS fetches use the injected resty client, so an
// httpmock transport installed on it is honoured.
func TestInjectedTransport(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k", "EdDSA")
	mock := httpmock.NewMockTransport()
	rc := &http.Client{Transport: mock}
	mock.RegisterResponder("GET", "https://op.example/jwks",
		httpmock.NewBytesResponder(200, mustJSON(t, map[string]any{"keys": []any{key.jwk(t)}})))
	v, err := NewVerifier(VerifierConfig{
		Issuer: "https://op.example", ClientID: testClientID, JWKSURL: "https://op.example/jwks",
		Algorithms: []string{"EdDSA"}, HTTPClient: rc, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Verify(context.Background(), key.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatal(err)
	}
	if n := mock.GetTotalCallCount(); n != 1 {
		t.Errorf("mock calls = %d", n)
	}
}
