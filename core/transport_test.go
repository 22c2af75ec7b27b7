package core

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

// TestRequestOnTheWire: what the pipeline sends for a code exchange, and
// that a hook's header map is sent as a copy with canonical names, never
// written to.
func TestRequestOnTheWire(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", okToken)
	shared := http.Header{"x-trace": {"1"}, "authorization": {"Bearer from-the-hook"}}
	tests := []struct {
		name       string
		dialect    *Dialect
		wantHeader map[string]string
	}{
		{name: "rfc6749", wantHeader: map[string]string{
			"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded",
			"Authorization": basicAuth("client-1", "s3cret-value"),
		}},
		{name: "dialect headers", dialect: &Dialect{Headers: map[string]string{"Accept": "application/vnd.x+json"}},
			wantHeader: map[string]string{"Accept": "application/vnd.x+json", "Content-Type": "application/x-www-form-urlencoded"}},
		{name: "a hook with a map of its own, names not canonical",
			dialect: &Dialect{EditRequest: func(r *Request) error { r.Header = shared; return nil }},
			wantHeader: map[string]string{
				"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded", "X-Trace": "1",
				"Authorization": "Bearer from-the-hook",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = tt.dialect })
			before := shared.Clone()
			if _, err := c.Exchange(context.Background(), "the-code", WithPKCE("the-verifier")); err != nil {
				t.Fatal(err)
			}
			got := f.last(t)
			for k, v := range tt.wantHeader {
				if got.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, got.Header.Get(k), v)
				}
			}
			if got.Body != "grant_type=authorization_code&code=the-code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&code_verifier=the-verifier" {
				t.Errorf("body %q", got.Body)
			}
			if tt.dialect != nil && !reflect.DeepEqual(shared, before) {
				t.Errorf("the hook's map was written to: %v", shared)
			}
		})
	}
}
