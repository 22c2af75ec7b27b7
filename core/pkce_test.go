package core

import (
	"context"
	"errors"
	"net/url"
	"testing"
)

// TestPKCEModes: what Begin sends and Complete exchanges under each mode,
// for a confidential client (a secret, Basic) and a public one (AuthNone).
func TestPKCEModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     PKCEMode
		public   bool
		wantPKCE bool
	}{
		{"s256 confidential", PKCES256, false, true},
		{"s256 public", PKCES256, true, true},
		{"unsupported confidential", PKCEUnsupported, false, false},
		{"public only, confidential", PKCEPublicOnly, false, false},
		{"public only, public", PKCEPublicOnly, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", 200, "application/json", okToken)
			f.answer("/user", 200, "application/json", `{"id":42}`)
			e := &flowEnv{f: f, clock: newFakeClock()}
			p := testProvider(t, f, "fake", func(s *ProviderSpec) {
				s.PKCE = tt.mode
				if tt.public {
					s.Client.ClientSecret, s.Client.AuthMethod = "", AuthNone
				}
			})
			e.auth = New().SealingKeys(testKey).BaseURL("https://app.example/auth").Clock(e.clock).Provider(p, nil).MustBuild()
			q, c := e.begin(t, "fake", BeginOptions{})
			if got := q.Has("code_challenge") && q.Get("code_challenge_method") == "S256"; got != tt.wantPKCE {
				t.Errorf("authorization request has a challenge: %v, want %v (%v)", got, tt.wantPKCE, q)
			}
			if _, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"c"}, "state": {q.Get("state")}}, jar(c)); err != nil {
				t.Fatal(err)
			}
			var tok recorded
			for _, r := range f.requests() {
				if r.Path == "/token" {
					tok = r
				}
			}
			if got := tok.Form.Has("code_verifier"); got != tt.wantPKCE {
				t.Errorf("exchange sends a verifier: %v, want %v (%v)", got, tt.wantPKCE, tok.Form)
			}
			if got := tok.Header.Get("Authorization") != ""; got == tt.public {
				t.Errorf("exchange has Basic credentials: %v for a public client: %v", got, tt.public)
			}
		})
	}
}

// TestPKCEModeUnknown: a mode outside the constants is a configuration
// error.
func TestPKCEModeUnknown(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	_, err := NewProvider(ProviderSpec{Name: "odd", PKCE: PKCEPublicOnly + 1,
		Client:    Config{ClientID: "c", ClientSecret: "s", Endpoints: f.endpoints()},
		FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
