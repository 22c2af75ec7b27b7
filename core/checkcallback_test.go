package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

var errBadSignature = errors.New("bad signature")

// TestCheckCallback: the provider's CheckCallback sees the callback and the
// Auth's time before the exchange; what it returns travels with the
// exchange, and a refusal stops the login before the token endpoint.
func TestCheckCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		extra      url.Values
		wantErr    error
		wantStatus int
		wantForm   map[string]string
	}{
		{name: "carried", extra: url.Values{"device_id": {"dev-1"}},
			wantForm: map[string]string{"device_id": "dev-1", "state": "echoed"}},
		{name: "refused", extra: url.Values{"sig": {"forged"}}, wantErr: errBadSignature, wantStatus: http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen url.Values
			var seenAt time.Time
			e := newFlowEnv(t, func(s *ProviderSpec) {
				s.CheckCallback = func(cb url.Values, now time.Time) (*Params, error) {
					seen, seenAt = cb, now
					if cb.Get("sig") == "forged" {
						return nil, errBadSignature
					}
					p := &Params{}
					p.Set("device_id", cb.Get("device_id"))
					p.Set("state", "echoed")
					return p, nil
				}
			})
			q, c := e.begin(t, "fake", BeginOptions{})
			params := url.Values{"code": {"good-code"}, "state": {q.Get("state")}}
			for k, v := range tt.extra {
				params[k] = v
			}
			_, _, err := e.auth.Complete(context.Background(), "fake", params, jar(c))
			if seen.Get("code") != "good-code" || !seenAt.Equal(e.clock.Now()) {
				t.Errorf("CheckCallback saw %v at %v, want the callback at %v", seen, seenAt, e.clock.Now())
			}
			var tokenCalls []recorded
			for _, r := range e.f.requests() {
				if r.Path == "/token" {
					tokenCalls = append(tokenCalls, r)
				}
			}
			if tt.wantErr != nil {
				var ce *CallbackError
				if !errors.As(err, &ce) || ce.Status != tt.wantStatus || !errors.Is(err, ErrInvalidCallback) || !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want a %d CallbackError wrapping ErrInvalidCallback and %v", err, tt.wantStatus, tt.wantErr)
				}
				if len(tokenCalls) != 0 {
					t.Error("the code was exchanged although the callback was refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tokenCalls) != 1 {
				t.Fatalf("%d token calls", len(tokenCalls))
			}
			for k, v := range tt.wantForm {
				if got := tokenCalls[0].Form.Get(k); got != v {
					t.Errorf("exchange %s = %q, want %q", k, got, v)
				}
			}
		})
	}
}
