package core

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestRevoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"200 empty", 200, ``, nil},
		{"200 arbitrary body", 200, `<html>whatever</html>`, nil},
		{"200 even with an error member", 200, `{"error":"invalid_token"}`, nil},
		{"unsupported_token_type", 400, `{"error":"unsupported_token_type"}`, ErrUnsupportedTokenType},
		{"invalid_client", 401, `{"error":"invalid_client"}`, ErrInvalidClient},
		{"503", 503, ``, ErrUnexpectedStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/revoke", tt.status, "application/json", tt.body)
			c := newTestClient(t, f, nil)
			err := c.Revoke(context.Background(), "leaked-token", HintRefreshToken)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			r := f.last(t)
			if r.Method != "POST" || r.Body != "token=leaked-token&token_type_hint=refresh_token" {
				t.Errorf("%s %q", r.Method, r.Body)
			}
			if err != nil {
				assertNoSecrets(t, "error", err.Error())
			}
		})
	}
	f := newFakeServer(t)
	c := newTestClient(t, f, func(cfg *Config) { cfg.Endpoints.RevocationURL = "" })
	if err := c.Revoke(context.Background(), "x", ""); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("no endpoint: %v", err)
	}
}

func TestRevokeRetryAfter(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.handle("/revoke", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(503)
	})
	c := newTestClient(t, f, nil)
	err := c.Revoke(context.Background(), "t", "")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 503 || se.RetryAfter != 2*time.Second {
		t.Fatalf("err = %#v", err)
	}
}

func TestIntrospect(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/introspect", 200, "application/json", `{"active":true,"scope":"read","client_id":"c","sub":"u1","aud":["x","y"],"exp":1700003600,"iss":"https://as.example"}`)
	c := newTestClient(t, f, nil)
	in, err := c.Introspect(context.Background(), "tok", HintAccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Active || in.Subject != "u1" || len(in.Audience) != 2 || in.Expiry.Unix() != 1700003600 || in.Scope != "read" {
		t.Errorf("introspection %+v", in)
	}
	f.answer("/introspect", 200, "application/json", `{"active":false}`)
	if in, err := c.Introspect(context.Background(), "tok", ""); err != nil || in.Active {
		t.Errorf("inactive: %+v %v", in, err)
	}
	f.answer("/introspect", 200, "application/json", `{"scope":"x"}`)
	if _, err := c.Introspect(context.Background(), "tok", ""); !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("missing active: %v", err)
	}
}

func TestRevokeErrorsIn2xx(t *testing.T) {
	t.Parallel()
	d := &Dialect{RevocationErrorsIn2xx: true, ErrorDetectors: []errorDetector{okFalseDetector(nil), detectRFC6749}}
	for body, want := range map[string]error{
		`{"ok":false,"error":"invalid_auth"}`: ErrProviderError,
		`{"error":"invalid_request"}`:         ErrInvalidRequest,
		`{"ok":true}`:                         nil,
		``:                                    nil,
		`not json`:                            nil,
	} {
		f := newFakeServer(t)
		f.answer("/revoke", 200, "application/json", body)
		c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = d })
		if err := c.Revoke(context.Background(), "leaked-token", ""); !errors.Is(err, want) || (want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", body, err, want)
		}
	}
}
