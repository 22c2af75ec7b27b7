package core

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// secrets are the values that must never show in an error or a log line.
var secrets = []string{"s3cret-value", "the-code", "the-verifier", "at-123", "rt-456", "leaked-token"}

func assertNoSecrets(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range secrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s reveals %q: %s", where, sec, s)
		}
	}
}

func TestBadAnswers(t *testing.T) {
	t.Parallel()
	big := `{"access_token":"` + strings.Repeat("x", DefaultMaxResponseBytes) + `","token_type":"Bearer"}`
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		dialect     *Dialect
		want        error
	}{
		{"malformed JSON", 200, "application/json", `{"access_token":"at-123",`, nil, ErrMalformedResponse},
		{"empty JSON", 200, "application/json", `{}`, nil, ErrMissingAccessToken},
		{"empty body", 200, "application/json", ``, nil, ErrMissingAccessToken},
		{"JSON array", 200, "application/json", `["at-123"]`, nil, ErrMalformedResponse},
		{"HTML error page 200", 200, "text/html", `<!DOCTYPE html><html>at-123</html>`, nil, ErrMalformedResponse},
		{"HTML error page 500", 500, "text/html", `<html><body>Internal error leaked-token</body></html>`, nil, ErrUnexpectedStatus},
		{"bare 503", 503, "", ``, nil, ErrUnexpectedStatus},
		{"over the cap", 200, "application/json", big, nil, ErrResponseTooLarge},
		{"missing access_token", 200, "application/json", `{"token_type":"Bearer","refresh_token":"rt-456"}`, nil, ErrMissingAccessToken},
		{"token type mac", 200, "application/json", `{"access_token":"at-123","token_type":"mac"}`, nil, ErrUnsupportedTokenTypeLocal},
		{"token type DPoP", 200, "application/json", `{"access_token":"at-123","token_type":"DPoP"}`, nil, ErrUnsupportedTokenTypeLocal},
		{"token type missing", 200, "application/json", `{"access_token":"at-123"}`, nil, ErrUnsupportedTokenTypeLocal},
		{"negative expires_in", 200, "application/json", `{"access_token":"at-123","token_type":"Bearer","expires_in":-5}`, nil, ErrInvalidExpiry},
		{"absurd expires_in", 200, "application/json", `{"access_token":"at-123","token_type":"Bearer","expires_in":99999999999}`, nil, ErrInvalidExpiry},
		{"invalid UTF-8", 200, "application/json", "\xff\xfe{\"access_token\":1}", nil, ErrMalformedResponse},
		{"wrong type for access_token", 200, "application/json", `{"access_token":{"x":1},"token_type":"Bearer"}`, nil, ErrMissingAccessToken},
		{"RFC 6749 error 400", 400, "application/json", `{"error":"invalid_grant","error_description":"code the-code was used"}`, nil, ErrInvalidGrant},
		{"JSONP garbage", 200, "", `callback(`, &Dialect{Response: FormatJSONP}, ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", tt.status, tt.contentType, tt.body)
			var logs bytes.Buffer
			c := newTestClient(t, f, func(cfg *Config) {
				cfg.Dialect = tt.dialect
				cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			tok, err := c.Exchange(context.Background(), "the-code", WithPKCE("the-verifier"))
			if tok != nil || !errors.Is(err, tt.want) {
				t.Fatalf("tok %v err %v, want %v", tok, err, tt.want)
			}
			assertNoSecrets(t, "error", err.Error())
			assertNoSecrets(t, "log", logs.String())
			if !strings.Contains(logs.String(), "op=exchange") {
				t.Errorf("no debug log line: %q", logs.String())
			}
		})
	}
}

func TestStatusErrorDetail(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.handle("/token", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := newTestClient(t, f, nil)
	_, err := c.Exchange(context.Background(), "the-code")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 429 || se.RetryAfter != 7*time.Second {
		t.Fatalf("err = %#v", err)
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	rc := &http.Client{Timeout: 50 * time.Millisecond}
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.HTTPClient = rc
		cfg.Dialect = &Dialect{TokenMethod: http.MethodGet} // secrets in the URL query
		cfg.AuthMethod = AuthSecretPost
	})
	_, err := c.Exchange(context.Background(), "the-code", WithPKCE("the-verifier"))
	if !errors.Is(err, ErrTransport) {
		t.Fatalf("err = %v, want ErrTransport", err)
	}
	assertNoSecrets(t, "error", err.Error())
	// Context cancellation is a transport error too and keeps its cause.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Exchange(ctx, "the-code")
	if !errors.Is(err, ErrTransport) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrTransport wrapping context.Canceled", err)
	}
}

func TestInjectedHTTPClient(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", okToken)
	var seen bool
	follow := func(*http.Request, []*http.Request) error { return nil }
	hc := &http.Client{CheckRedirect: follow, Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newTestClient(t, f, func(cfg *Config) { cfg.HTTPClient = hc })
	if _, err := c.Exchange(context.Background(), "c"); err != nil || !seen {
		t.Fatalf("err %v, transport used %v", err, seen)
	}
	if hc.Timeout != 0 || reflect.ValueOf(hc.CheckRedirect).Pointer() != reflect.ValueOf(follow).Pointer() {
		t.Error("the caller's client was modified")
	}
}

// TestInjectedHTTPClientKeepsSafety: a client passed in, even one that
// follows redirects and has no timeout, gets the library's rules: a 307
// from the token endpoint is not followed (it would re-send the secret,
// code and verifier to another host), and bodies are capped.
func TestInjectedHTTPClientKeepsSafety(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, okToken)
	}))
	t.Cleanup(other.Close)
	f := newFakeServer(t)
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	f.handle("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"`+strings.Repeat("a", DefaultMaxResponseBytes)+`","token_type":"Bearer"}`)
	})
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	c := newTestClient(t, f, func(cfg *Config) { cfg.HTTPClient = hc; cfg.AuthMethod = AuthSecretPost })
	_, err := c.Exchange(context.Background(), "the-code", WithPKCE("the-verifier"))
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusTemporaryRedirect || elsewhere.Load() != 0 {
		t.Fatalf("err %v, requests elsewhere %d", err, elsewhere.Load())
	}
	assertNoSecrets(t, "error", err.Error())
	big := newTestClient(t, f, func(cfg *Config) { cfg.HTTPClient = hc; cfg.Endpoints.TokenURL = f.URL + "/big" })
	if _, err := big.Exchange(context.Background(), "c"); !errors.Is(err, ErrResponseTooLarge) {
		t.Fatalf("oversized body: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	_, err := NewClient(Config{
		Endpoints:   Endpoints{TokenURL: "http://as.example/token", AuthURL: "ftp://x", RevocationURL: "https://as.example/r#frag"},
		RedirectURL: "https://rp.example/cb#x", AuthMethod: AuthPrivateKeyJWT,
	})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"client id is empty", "token_endpoint", "authorization_endpoint", "revocation_endpoint", "redirect URL", "needs a private key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not report %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, ErrInsecureEndpoint) {
		t.Error("plain http endpoint not reported as ErrInsecureEndpoint")
	}
	if _, err := NewClient(Config{ClientID: "x", Endpoints: Endpoints{TokenURL: "http://as.example/token"}, InsecureAllowHTTP: true}); err != nil {
		t.Errorf("InsecureAllowHTTP: %v", err)
	}
	for _, ok := range []string{"http://127.0.0.1:9/t", "http://localhost/t", "http://[::1]:8/t", "https://as.example/t"} {
		if _, err := NewClient(Config{ClientID: "x", Endpoints: Endpoints{TokenURL: ok}}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if _, err := NewClient(Config{ClientID: "x", ClientSecret: "", AuthMethod: AuthSecretBasic, Endpoints: Endpoints{TokenURL: "https://a.example/t"}}); !errors.Is(err, ErrInvalidConfig) {
		t.Error("basic auth without a secret accepted")
	}
}
