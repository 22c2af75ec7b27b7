package core

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestProblemRender: a browser gets a small HTML page that says what
// happened in its terms and links back to the login; an API client gets
// problem+json. Neither carries the error chain.
func TestProblemRender(t *testing.T) {
	t.Parallel()
	err := &CallbackError{Status: 400, Provider: "acme", Retry: "https://app.example/auth/acme/login?return_to=%2Fme",
		Err: fmt.Errorf("%w: dial tcp 10.1.2.3:443: connection refused", ErrFlowExpired)}
	p := ProblemOf(err)
	if strings.Contains(p.Detail, "10.1.2.3") || p.Detail == "" {
		t.Errorf("detail %q", p.Detail)
	}
	h, body := p.Render("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	ct, page := h.Get("Content-Type"), string(body)
	if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("page headers %v", h)
	}
	if !strings.HasPrefix(ct, "text/html") || !strings.Contains(page, "expired") ||
		!strings.Contains(page, `href="https://app.example/auth/acme/login?return_to=%2fme"`) && !strings.Contains(page, `href="https://app.example/auth/acme/login?return_to=%2Fme"`) ||
		strings.Contains(page, "10.1.2.3") || strings.Contains(page, "dial tcp") {
		t.Errorf("HTML page %s: %s", ct, page)
	}
	for _, accept := range []string{"", "application/json", "*/*", "application/problem+json, text/html;q=0.5"} {
		h, body := p.Render(accept)
		var got Problem
		if ct := h.Get("Content-Type"); ct != ProblemContentType || json.Unmarshal(body, &got) != nil || got.Type != "urn:oauth20:flow-expired" || got.Retry == "" {
			t.Errorf("Accept %q: %v %s", accept, h, body)
		}
	}
	h401, _ := ProblemOf(&CallbackError{Status: 401, Err: ErrLoginRequired, Retry: "/login"}).Render("")
	if c := h401.Get("WWW-Authenticate"); !strings.HasPrefix(c, "Cookie ") || !strings.Contains(c, `"/login"`) {
		t.Errorf("challenge %q", c)
	}
}

// TestFailedLoginLoggedOnce: a failed callback writes one Warn line with
// the provider, the kind, the status and the provider's code, and no
// secret; a successful one writes an Info line.
func TestFailedLoginLoggedOnce(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Logger(log).
		Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	u, c, err := a.Begin(context.Background(), "fake", BeginOptions{ReturnTo: "/me"})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	state := pu.Query().Get("state")
	_, _, err = a.Complete(context.Background(), "fake", url.Values{"code": {"bad-code-secret"}, "state": {state}}, jar(c))
	var ce *CallbackError
	if !errors.As(err, &ce) || ce.Retry != "https://app.example/auth/fake/login?return_to=%2Fme" {
		t.Fatalf("err %v", err)
	}
	var warns []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["level"] == "WARN" {
			warns = append(warns, m)
		}
	}
	if len(warns) != 1 {
		t.Fatalf("%d Warn lines, want 1:\n%s", len(warns), buf.String())
	}
	w := warns[0]
	if w["provider"] != "fake" || w["kind"] != "invalid-grant" || w["status"] != float64(400) || w["code"] != "invalid_grant" || w["step"] != "callback" {
		t.Errorf("Warn line %v", w)
	}
	for _, secret := range []string{"bad-code-secret", state, "s3cret-value", c.Value} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log holds a secret: %s", buf.String())
		}
	}
}

// TestNothingPrintsSecrets: a JSON slog handler and %v / %+v never show a
// token, a client secret, a private key or a sealing key.
func TestNothingPrintsSecrets(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tok := &Token{AccessToken: "access-SECRET-1", TokenType: "Bearer", RefreshToken: "refresh-SECRET-2", IDToken: "id-SECRET-3",
		Scope: "read", Expiry: time.Unix(1_700_000_000, 0), Raw: map[string]any{"access_token": "access-SECRET-1"}}
	cfg := Config{ClientID: "client-1", ClientSecret: "client-SECRET-4", PrivateKey: key, Endpoints: f.endpoints()}
	client, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := testProvider(t, f, "fake", nil)
	a := New().SealingKeys([]byte("sealing-SECRET-5-0123456789abcdefghij")).BaseURL("https://app.example/auth").
		Provider(p, nil).MustBuild()
	s := &Session{Provider: "fake", UserID: "42", Token: tok, IDToken: "id-SECRET-3"}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	for _, v := range []any{tok, *tok, cfg, &cfg, s, *s, client, p, a} {
		log.Info("value", "v", v)
		fmt.Fprintf(&buf, "%v %+v\n", v, v)
	}
	// The types that describe themselves do so for %s as well.
	for _, v := range []any{tok, *tok, cfg, s, *s} {
		fmt.Fprintf(&buf, "%s\n", v)
	}
	out := buf.String()
	for _, secret := range []string{"SECRET", key.D.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("output shows %q:\n%s", secret, out)
		}
	}
}

// TestBeginOnAnotherHost: a login that starts on another host than the
// base URL's is sent to the same route on the base URL's host first, with
// no flow cookie (it would be set where the callback cannot find it).
func TestBeginOnAnotherHost(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, nil)
	to, c, err := e.auth.Begin(context.Background(), "fake", BeginOptions{Host: "localhost:8000", ReturnTo: "/me"})
	if err != nil || c.Name != "" || to != "https://app.example/auth/fake/login?return_to=%2Fme" {
		t.Fatalf("to %q cookie %q err %v", to, c.Name, err)
	}
	to, c, err = e.auth.Begin(context.Background(), "fake", BeginOptions{Host: "APP.example"})
	if err != nil || c.Name == "" || !strings.HasPrefix(to, e.f.URL) {
		t.Fatalf("same host, other case: to %q cookie %q err %v", to, c.Name, err)
	}
}

// TestBeginOnAnotherPrefix: routes mounted under another prefix than the
// base URL's path are reported at the first login, before the provider.
func TestBeginOnAnotherPrefix(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, nil)
	_, c, err := e.auth.Begin(context.Background(), "fake", BeginOptions{Path: "/login/fake/login"})
	if !errors.Is(err, ErrInvalidConfig) || c.Name != "" || !strings.Contains(err.Error(), `"/auth"`) || ProblemOf(err).Status != 500 {
		t.Fatalf("err %v", err)
	}
	if _, _, err := e.auth.Begin(context.Background(), "fake", BeginOptions{Path: "/auth/fake/login"}); err != nil {
		t.Fatal(err)
	}
}

// TestBuildRefusesStartupMistakes: what can be known wrong without the
// network is refused by Build, all at once, each named; a sealing key
// never appears in the message.
func TestBuildRefusesStartupMistakes(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	endpoints := func(edit func(*Endpoints)) *Provider {
		p, err := NewProvider(ProviderSpec{Name: "p", Client: Config{ClientID: "c", ClientSecret: "s", Endpoints: func() Endpoints {
			e := f.endpoints()
			edit(&e)
			return e
		}()}, FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }})
		if err == nil {
			t.Fatal("NewProvider accepted bad endpoints")
		}
		return p
	}
	tests := []struct {
		name  string
		build func(*Builder)
		want  string
	}{
		{"no key", func(b *Builder) { b.SealingKeys() }, "no sealing key"},
		{"short key", func(b *Builder) { b.SealingKeys([]byte("short")) }, "at least 32"},
		{"one byte", func(b *Builder) { b.SealingKeys(make([]byte, 32)) }, "every byte is the same"},
		{"counting", func(b *Builder) { b.SealingKeys([]byte("abcdefghijklmnopqrstuvwxyz{|}~\x7f\x80")) }, "fixed step"},
		{"short pattern", func(b *Builder) { b.SealingKeys([]byte("secret12secret12secret12secret12")) }, "pattern of 8 bytes"},
		{"old key weak", func(b *Builder) { b.SealingKeys(testKey, []byte("passpasspasspasspasspasspasspass")) }, "sealing key 2 is not random"},
		{"session lifetime", func(b *Builder) { b.SessionLifetime(0) }, "session lifetime 0s is not positive"},
		{"flow lifetime", func(b *Builder) { b.FlowLifetime(-time.Minute) }, "flow lifetime -1m0s is not positive"},
		{"empty base", func(b *Builder) { b.BaseURL("") }, "base URL is empty"},
		{"relative base", func(b *Builder) { b.BaseURL("/auth") }, "must be an absolute http(s) URL"},
		{"plain http", func(b *Builder) { b.BaseURL("http://app.example/auth") }, "plain http is only allowed on loopback"},
		{"not a URL", func(b *Builder) { b.BaseURL("https://app example/auth") }, "must be an absolute http(s) URL"},
		{"login URL", func(b *Builder) { b.LoginURL("https://evil.example/") }, "not a safe local path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Provider(testProvider(t, f, "fake", nil), nil)
			tt.build(b)
			_, err := b.Build()
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrInvalidConfig saying %q", err, tt.want)
			}
			for _, secret := range []string{"secret12", "passpass", "abcdefgh"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the message shows the key: %v", err)
				}
			}
		})
	}
	// A random key, and keys that merely look structured (a 16-byte
	// pattern twice), are accepted.
	for _, k := range [][]byte{testKey, []byte("an example key of at least 32 bytes")} {
		if _, err := New().SealingKeys(k).BaseURL("https://app.example/auth").Provider(testProvider(t, f, "fake", nil), nil).Build(); err != nil {
			t.Errorf("key refused: %v", err)
		}
	}
	// Endpoints: relative, plain http outside loopback and non-URLs are
	// refused when the provider is made.
	for _, edit := range []func(*Endpoints){
		func(e *Endpoints) { e.TokenURL = "/token" },
		func(e *Endpoints) { e.TokenURL = "http://idp.example/token" },
		func(e *Endpoints) { e.AuthURL = "https://idp example/authorize" },
		func(e *Endpoints) { e.AuthURL = "" },
	} {
		endpoints(edit)
	}
}
