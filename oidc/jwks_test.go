package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
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

// TestUnknownKIDFlood: 1000 goroutines send tokens with random kids. Each
// caller waits for a JWK Set fetch that started after it arrived and then
// fails with ErrUnknownKey; the fetches start at least a limiter window
// apart (their start times, read at the server on the injected clock), so
// 6000 tokens cost the issuer a handful of fetches, not one each. The clock
// jumps to each scheduled fetch instead of sleeping. Then a real rotation
// is picked up within one window.
func TestUnknownKIDFlood(t *testing.T) {
	t.Parallel()
	for _, window := range []time.Duration{0, 5 * time.Second} {
		t.Run(fmt.Sprint(window), func(t *testing.T) {
			t.Parallel()
			limit := window
			if limit == 0 {
				limit = DefaultKeyRefreshLimit
			}
			clock := newAutoClock()
			good := newKey(t, "good", "ES256")
			attacker := newKey(t, "", "ES256")
			srv := newJWKSServer(t, good)
			fetchTimes := recordFetchTimes(srv, clock)
			v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.KeyRefreshLimit = window })
			ctx := context.Background()
			if _, err := v.Verify(ctx, good.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
				t.Fatal(err)
			}
			base := srv.fetches.Load()
			start := clock.Now()

			// Pre-sign a pool of tokens with random kids.
			pool := make([]string, 64)
			for i := range pool {
				pool[i] = attacker.sign(t, claims(clock.Now()), map[string]any{"kid": fmt.Sprintf("rnd-%d-%d", i, time.Now().UnixNano())})
			}
			const (
				workers = 1000
				perG    = 6
			)
			var wrong atomic.Int64
			var wg sync.WaitGroup
			for g := range workers {
				wg.Go(func() {
					for i := range perG {
						_, err := v.Verify(ctx, pool[(g+i)%len(pool)], Expectations{})
						if !errors.Is(err, ErrUnknownKey) {
							wrong.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if wrong.Load() != 0 {
				t.Errorf("%d verifications did not fail with ErrUnknownKey", wrong.Load())
			}
			flood := srv.fetches.Load() - base
			elapsed := clock.Now().Sub(start)
			t.Logf("%d tokens with random kids: %d fetches over %s", workers*perG, flood, elapsed)
			if flood < 1 || flood > 4*perG+2 || flood > int64(elapsed/limit)+1 {
				t.Errorf("fetches during the flood = %d for %d tokens over %s, want 1..%d and at most one per %s",
					flood, workers*perG, elapsed, 4*perG+2, limit)
			}
			times := fetchTimes()
			for i := 2; i < len(times); i++ {
				if gap := times[i].Sub(times[i-1]); gap < limit {
					t.Errorf("fetches %d and %d only %s apart, window %s", i-1, i, gap, limit)
				}
			}

			// A real rotation: the provider publishes a new key and signs
			// with it. It verifies, within one window of the last fetch.
			rotated := newKey(t, "rotated", "ES256")
			srv.setKeys(t, good, rotated)
			raw := rotated.sign(t, claims(clock.Now()), nil)
			before := clock.Now()
			if _, err := v.Verify(ctx, raw, Expectations{}); err != nil {
				t.Fatalf("rotation not picked up: %v", err)
			}
			if waited := clock.Now().Sub(before); waited > limit {
				t.Errorf("the rotated key waited %s, more than one window", waited)
			}
		})
	}
}

// recordFetchTimes makes srv note the injected clock's time of every
// fetch.
func recordFetchTimes(srv *jwksServer, clock *testkit.Clock) func() []time.Time {
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
	return func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(times)
	}
}

// drive fires the clock's timers one after the other until done is
// closed: it stands for the time that passes while callers wait.
func drive(clock *testkit.Clock, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		default:
		}
		if !clock.AdvanceToTimer() {
			runtime.Gosched()
		}
	}
}

// TestRotationDuringFlood: while 200 goroutines flood the verifier with
// random kids, so that the refresh limit is closed all the time, the
// provider rotates to a new key and 100 callers bring tokens signed with
// it. None of them fails: each waits for the next permitted fetch instead
// of being turned away. The fetches stay at least a window apart (at most
// one per second by default). The test moves the injected clock from timer
// to timer; nothing sleeps.
func TestRotationDuringFlood(t *testing.T) {
	t.Parallel()
	clock := newClock()
	good := newKey(t, "good", "ES256")
	attacker := newKey(t, "", "ES256")
	srv := newJWKSServer(t, good)
	times := recordFetchTimes(srv, clock)
	v := newTestVerifier(t, srv, clock, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, good.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatal(err)
	}
	pool := make([]string, 32)
	for i := range pool {
		pool[i] = attacker.sign(t, claims(clock.Now()), map[string]any{"kid": fmt.Sprintf("flood-%d", i)})
	}

	var (
		stop        atomic.Bool
		floodWrong  atomic.Int64
		floodOps    atomic.Int64
		flood       sync.WaitGroup
		floodDone   = make(chan struct{})
		legitFailed atomic.Int64
		legit       sync.WaitGroup
		legitDone   = make(chan struct{})
	)
	for g := range 200 {
		flood.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if _, err := v.Verify(ctx, pool[(g+i)%len(pool)], Expectations{}); !errors.Is(err, ErrUnknownKey) {
					floodWrong.Add(1)
				}
				floodOps.Add(1)
			}
		})
	}
	// The flood has closed the limit: callers queue for the next fetch.
	for v.keys.queued.Load() == 0 {
		runtime.Gosched()
	}

	rotated := newKey(t, "rotated", "ES256")
	srv.setKeys(t, good, rotated)
	raw := rotated.sign(t, claims(clock.Now()), nil)
	before := srv.fetches.Load()
	for range 100 {
		legit.Go(func() {
			if _, err := v.Verify(ctx, raw, Expectations{}); err != nil {
				legitFailed.Add(1)
				t.Errorf("a token signed with the rotated key: %v", err)
			}
		})
	}
	go func() { legit.Wait(); close(legitDone) }()
	drive(clock, legitDone)
	stop.Store(true)
	go func() { flood.Wait(); close(floodDone) }()
	drive(clock, floodDone)

	if n := legitFailed.Load(); n != 0 {
		t.Errorf("%d of 100 callers with the rotated key failed", n)
	}
	if n := floodWrong.Load(); n != 0 {
		t.Errorf("%d flood verifications did not fail with ErrUnknownKey", n)
	}
	if srv.fetches.Load() == before {
		t.Error("the rotated key verified without a fetch")
	}
	ts := times()
	for i := 2; i < len(ts); i++ {
		if gap := ts[i].Sub(ts[i-1]); gap < DefaultKeyRefreshLimit {
			t.Errorf("fetches %d and %d only %s apart", i-1, i, gap)
		}
	}
	t.Logf("%d flood tokens and 100 rotated ones: %d fetches over %s", floodOps.Load(), len(ts)-1, ts[len(ts)-1].Sub(ts[0]))
}

// TestKeyWaitersBounded: callers put off by the refresh limit wait for the
// scheduled fetch only while fewer than MaxKeyWaiters wait; the next one
// fails at once. A waiter whose ctx ends leaves; Close ends the wait of the
// others.
func TestKeyWaitersBounded(t *testing.T) {
	t.Parallel()
	clock := newClock()
	good := newKey(t, "good", "ES256")
	srv := newJWKSServer(t, good)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.MaxKeyWaiters = 2 })
	ctx := context.Background()
	if _, err := v.Verify(ctx, good.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatal(err)
	}
	// An unknown kid: one fetch, and the limit is closed for a window.
	if _, err := v.Verify(ctx, newKey(t, "made-up", "ES256").sign(t, claims(clock.Now()), nil), Expectations{}); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("made-up kid: %v", err)
	}
	rotated := newKey(t, "rotated", "ES256")
	srv.setKeys(t, good, rotated)
	raw := rotated.sign(t, claims(clock.Now()), nil)

	impatientCtx, cancel := context.WithCancel(ctx)
	impatient, patient := make(chan error, 1), make(chan error, 1)
	go func() { _, err := v.Verify(impatientCtx, raw, Expectations{}); impatient <- err }()
	go func() { _, err := v.Verify(ctx, raw, Expectations{}); patient <- err }()
	for v.keys.queued.Load() < 2 {
		runtime.Gosched()
	}
	_, err := v.Verify(ctx, raw, Expectations{})
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), "2 callers already wait") {
		t.Fatalf("third waiter: %v", err)
	}
	cancel()
	if err := <-impatient; !errors.Is(err, ErrUnknownKey) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	clock.Advance(DefaultKeyRefreshLimit)
	if err := <-patient; err != nil {
		t.Fatalf("waiter after the window: %v", err)
	}
	if n := srv.fetches.Load(); n != 3 {
		t.Errorf("fetches = %d, want 3", n)
	}

	// Close ends the wait of a queued caller.
	clock.Advance(DefaultKeyRefreshLimit)
	if _, err := v.Verify(ctx, newKey(t, "made-up-2", "ES256").sign(t, claims(clock.Now()), nil), Expectations{}); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("made-up kid: %v", err)
	}
	closed := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, newKey(t, "made-up-3", "ES256").sign(t, claims(clock.Now()), nil), Expectations{})
		closed <- err
	}()
	for v.keys.queued.Load() < 1 {
		runtime.Gosched()
	}
	_ = v.Close()
	if err := <-closed; !errors.Is(err, ErrUnknownKey) || !errors.Is(err, ErrVerifierClosed) {
		t.Fatalf("queued caller at close: %v", err)
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
