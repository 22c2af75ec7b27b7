package oidctest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStartConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"unknown algorithm", Config{Algorithm: "none"}},
		{"client without ID", Config{Clients: []Client{{Secret: "x"}}}},
		{"public client with secret", Config{Clients: []Client{{ID: "a", Secret: "x", AuthMethod: AuthNone}}}},
		{"basic client without secret", Config{Clients: []Client{{ID: "a", AuthMethod: AuthSecretBasic}}}},
		{"unknown auth method", Config{Clients: []Client{{ID: "a", Secret: "x", AuthMethod: "private_key_jwt"}}}},
		{"relative redirect URI", Config{Clients: []Client{{ID: "a", RedirectURIs: []string{"/cb"}}}}},
		{"redirect URI with fragment", Config{Clients: []Client{{ID: "a", RedirectURIs: []string{"https://rp.example/cb#x"}}}}},
		{"duplicate client", Config{Clients: []Client{{ID: "a"}, {ID: "a"}}}},
		{"issuer path with trailing slash", Config{IssuerPath: "/realm/"}},
		{"issuer and issuer path", Config{Issuer: "https://idp.example", IssuerPath: "/realm"}},
		{"relative issuer", Config{Issuer: "idp.example"}},
		{"issuer with query", Config{Issuer: "https://idp.example/?x=1"}},
		{"discovery moved", Config{Endpoints: map[Endpoint]string{DiscoveryEndpoint: "/meta"}}},
		{"unknown endpoint", Config{Endpoints: map[Endpoint]string{"/nope": "/x"}}},
		{"endpoint with query", Config{Endpoints: map[Endpoint]string{TokenEndpoint: "https://idp.example/token?x=1"}}},
		{"two endpoints at one URL", Config{Endpoints: map[Endpoint]string{TokenEndpoint: "/t", RevocationEndpoint: "/t"}}},
		{"nil handler", Config{Handlers: map[string]http.Handler{"/profile": nil}}},
		{"client with neither secret nor check", Config{Clients: []Client{{ID: "a", AuthMethod: AuthSecretPost}}}},
		{"user without subject", Config{User: User{Name: "x"}}},
		{"sub-second TTL", Config{CodeTTL: time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, err := Start(tc.cfg)
			if err == nil {
				srv.Close()
				t.Fatal("Start accepted the configuration")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
		})
	}
	srv := New(t)
	if err := srv.RegisterClient(Client{ID: "x", RedirectURIs: []string{"cb"}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("RegisterClient: %v", err)
	}
}

func TestStartAddresses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        Config
		wantPrefix string
	}{
		{"default", Config{}, "http://127.0.0.1:"},
		{"unspecified host", Config{Addr: ":0"}, "http://127.0.0.1:"},
		{"named host", Config{Addr: "localhost:0"}, "http://localhost:"},
		{"TLS with path", Config{TLS: true, IssuerPath: "/realms/demo"}, "https://127.0.0.1:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Algorithm = "ES256"
			srv, err := Start(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if !strings.HasPrefix(srv.Issuer(), tc.wantPrefix) || !strings.HasSuffix(srv.Issuer(), tc.cfg.IssuerPath) {
				t.Fatalf("issuer %q, want prefix %q", srv.Issuer(), tc.wantPrefix)
			}
			resp, err := srv.HTTPClient().Get(srv.URL(DiscoveryEndpoint))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("discovery: %d", resp.StatusCode)
			}
			srv.Close()
			srv.Close() // idempotent
		})
	}
}

// TestDelay checks that a delay holds the response, and that the delayed
// handler gives up when the client does or the server closes.
func TestDelay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.srv.SetFaults(Faults{Delays: map[Endpoint]time.Duration{JWKSEndpoint: 30 * time.Millisecond}})
	start := time.Now()
	h.jwks()
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("delayed response came after %v", d)
	}

	h.srv.SetFaults(Faults{Delays: map[Endpoint]time.Duration{UserInfoEndpoint: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
	if _, err := h.http.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a timeout, got %v", err)
	}
	if h.srv.Count(UserInfoEndpoint) != 1 {
		t.Errorf("delayed request not counted")
	}

	// A request held by a delay does not keep Close waiting. Start, not
	// New: a cleanup Close would hang the test if this broke.
	srv, err := Start(Config{Algorithm: "ES256"})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(Faults{Delays: map[Endpoint]time.Duration{DiscoveryEndpoint: time.Hour}})
	waiting := make(chan struct{})
	srv.mu.Lock()
	srv.delayHook = func(Endpoint) { close(waiting) }
	srv.mu.Unlock()
	done := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Get(srv.URL(DiscoveryEndpoint))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	select {
	case <-waiting:
	case err := <-done:
		t.Fatalf("request ended before its delay: %v", err)
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a delayed request")
	}
	<-done
}

func TestRequestsRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, verifier := h.login(basicClient)
	h.exchange(basicClient, code, verifier)
	reqs := h.srv.Requests(TokenEndpoint)
	if len(reqs) != 1 {
		t.Fatalf("%d token requests recorded", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Form.Get("code") != code || r.Form.Get("code_verifier") != verifier ||
		r.Form.Get("redirect_uri") != testRedirect || !strings.HasPrefix(r.Header.Get("Authorization"), "Basic ") {
		t.Errorf("recorded %+v", r)
	}
	if q := h.srv.Requests(AuthorizeEndpoint)[0].Query; q.Get("code_challenge_method") != "S256" || q.Get("client_id") != basicClient.ID {
		t.Errorf("recorded authorize query %v", q)
	}
	// Copies: changing one does not change the record.
	r.Form.Set("code", "changed")
	if h.srv.Requests(TokenEndpoint)[0].Form.Get("code") != code {
		t.Error("Requests returned the record itself")
	}
	if c := h.srv.Counts(); c[AuthorizeEndpoint] != 1 || c[TokenEndpoint] != 1 || len(c) != 2 {
		t.Errorf("Counts = %v", c)
	}
	h.srv.ResetRequests()
	if h.srv.Count(TokenEndpoint) != 0 || len(h.srv.Requests(TokenEndpoint)) != 0 {
		t.Error("ResetRequests kept something")
	}
}

// TestConcurrentUse runs logins in parallel with knob changes, key
// rotation and user changes, for the race detector.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 3 {
				verifier, challenge := pkce()
				q := authParams(basicClient, challenge)
				resp, err := h.http.Get(h.srv.URL(AuthorizeEndpoint) + "?" + q.Encode())
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				loc, _ := url.Parse(resp.Header.Get("Location"))
				form := codeForm(loc.Query().Get("code"), testRedirect, verifier)
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(basicClient.ID, url.QueryEscape(basicClient.Secret))
				resp, err = h.http.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("token: %d", resp.StatusCode)
				}
			}
		})
		wg.Go(func() {
			h.srv.UpdateFaults(func(f *Faults) { f.WrongNonce = i%2 == 0 })
			_ = h.srv.SetUser(User{Subject: "user-" + string(rune('a'+i))})
			_ = h.srv.Faults()
			_ = h.srv.Counts()
			_ = h.srv.Requests(TokenEndpoint)
			if i == 0 {
				if _, err := h.srv.RotateKey(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := h.srv.Count(TokenEndpoint); got != 24 {
		t.Errorf("Count(token) = %d, want 24", got)
	}
}
