package core

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestTokenSourceSingleFlight(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	var refreshes atomic.Int32
	release := make(chan struct{})
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		refreshes.Add(1)
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"new-at","token_type":"Bearer","expires_in":3600,"refresh_token":"new-rt"}`))
	})
	clock := newFakeClock()
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock })
	var hooks atomic.Int32
	ts := c.TokenSource(&Token{AccessToken: "old", TokenType: "Bearer", RefreshToken: "old-rt", Expiry: clock.Now().Add(10 * time.Second)},
		TokenSourceOptions{OnRefresh: func(_ context.Context, t *Token, _ *IDToken) {
			if t.RefreshToken == "new-rt" {
				hooks.Add(1)
			}
		}})
	const n = 100
	var wg sync.WaitGroup
	results := make(chan *Token, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			results <- tok
		}()
	}
	// Every caller is now waiting on, or about to join, the one refresh.
	for refreshes.Load() == 0 {
		runtimeGosched()
	}
	close(release)
	wg.Wait()
	close(results)
	for tok := range results {
		if tok.AccessToken != "new-at" {
			t.Errorf("token %q", tok.AccessToken)
		}
	}
	if got := refreshes.Load(); got != 1 {
		t.Errorf("%d refresh requests, want 1", got)
	}
	if hooks.Load() != 1 {
		t.Errorf("OnRefresh called %d times", hooks.Load())
	}
	if got := f.last(t).Form.Get("refresh_token"); got != "old-rt" {
		t.Errorf("refreshed with %q", got)
	}
	// The rotated refresh token is used next time; the old one never again.
	clock.Advance(2 * time.Hour)
	f.answer("/token", 200, "application/json", `{"access_token":"third","token_type":"Bearer","expires_in":3600}`)
	tok, err := ts.Token(context.Background())
	if err != nil || tok.AccessToken != "third" || tok.RefreshToken != "new-rt" {
		t.Fatalf("tok %v err %v", tok, err)
	}
	if got := f.last(t).Form.Get("refresh_token"); got != "new-rt" {
		t.Errorf("second refresh used %q, want the rotated token", got)
	}
}

func TestTokenSourceMarginAndErrors(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 400, "application/json", `{"error":"invalid_grant"}`)
	clock := newFakeClock()
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock })
	tok := &Token{AccessToken: "a", TokenType: "Bearer", RefreshToken: "r", Expiry: clock.Now().Add(time.Minute)}
	ts := c.TokenSource(tok, TokenSourceOptions{Margin: 30 * time.Second})
	if got, err := ts.Token(context.Background()); err != nil || got != tok {
		t.Fatalf("fresh token refreshed: %v %v", got, err)
	}
	clock.Advance(31 * time.Second) // inside the margin
	if _, err := ts.Token(context.Background()); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("err = %v", err)
	}
	// The stored token (and its refresh token) is kept: the next call
	// tries again rather than failing with ErrNoRefreshToken.
	if _, err := ts.Token(context.Background()); !errors.Is(err, ErrInvalidGrant) {
		t.Errorf("second try: %v", err)
	}
}

func TestTokenSourceCallerContext(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	release := make(chan struct{})
	f.handle("/token", func(w http.ResponseWriter, _ *http.Request) {
		<-release
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okToken))
	})
	clock := newFakeClock()
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock })
	ts := c.TokenSource(&Token{AccessToken: "a", RefreshToken: "r", Expiry: clock.Now()}, TokenSourceOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := ts.Token(ctx); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v", err)
	}
	// The refresh the cancelled caller started still serves the next one.
	close(release)
	tok, err := ts.Token(context.Background())
	if err != nil || tok.AccessToken != "at-123" {
		t.Fatalf("tok %v err %v", tok, err)
	}
}
