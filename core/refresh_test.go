package core

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// subjectVerifier is a stand-in verifier: the raw token is the subject, and
// it enforces the Previous rule on sub only (the oidc package checks all).
type subjectVerifier struct{}

var errChanged = errors.New("subject changed")

func (subjectVerifier) VerifyIDToken(_ context.Context, raw string, want IDTokenExpectations) (*IDToken, error) {
	if want.Previous != nil && want.Previous.Subject != raw {
		return nil, errChanged
	}
	return &IDToken{Subject: raw}, nil
}

func TestAuthRefresh(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	p := testProvider(t, f, "fake", func(s *ProviderSpec) {
		s.OIDC = true
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Issuer: f.URL, Endpoints: f.endpoints(), Verifier: subjectVerifier{}}, nil
		}
	})
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Provider(p, nil).MustBuild()
	prev := &IDToken{Subject: "alice"}
	old := &Token{AccessToken: "a", RefreshToken: "rt-1"}

	f.answer("/token", 200, "application/json", `{"access_token":"a2","token_type":"Bearer","id_token":"alice"}`)
	tok, id, err := a.Refresh(context.Background(), "fake", old, prev)
	if err != nil || tok.AccessToken != "a2" || id.Subject != "alice" || tok.RefreshToken != "rt-1" {
		t.Fatalf("tok %v id %v err %v", tok, id, err)
	}

	// The result of a refresh token is shared with the callers that still
	// hold the access token it replaced (see TestRefreshAcrossReplicas)...
	f.answer("/token", 200, "application/json", `{"access_token":"a2-bis","token_type":"Bearer","id_token":"alice"}`)
	if again, _, err := a.Refresh(context.Background(), "fake", old, prev); err != nil || again.AccessToken != "a2" {
		t.Fatalf("a caller with the replaced token: %v %v", again, err)
	}
	// ... while the holder of the result, whose refresh token was not
	// rotated, gets a new one.
	if again, _, err := a.Refresh(context.Background(), "fake", tok, prev); err != nil || again.AccessToken != "a2-bis" {
		t.Fatalf("the holder of the result: %v %v", again, err)
	}

	// The next cases use refresh tokens of their own.
	f.answer("/token", 200, "application/json", `{"access_token":"a3","token_type":"Bearer","id_token":"mallory"}`)
	old = &Token{AccessToken: "a", RefreshToken: "rt-2"}
	tok, id, err = a.Refresh(context.Background(), "fake", old, prev)
	if !errors.Is(err, errChanged) || tok != nil || id != nil {
		t.Fatalf("a changed subject was accepted: %v %v %v", tok, id, err)
	}

	f.answer("/token", 200, "application/json", `{"access_token":"a4","token_type":"Bearer"}`)
	tok, id, err = a.Refresh(context.Background(), "fake", old, prev)
	if err != nil || tok.AccessToken != "a4" || id != prev || tok.RefreshToken != "rt-2" {
		t.Fatalf("refresh without ID token: %v %v %v", tok, id, err)
	}
	if _, _, err := a.Refresh(context.Background(), "fake", &Token{AccessToken: "x"}, prev); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v", err)
	}
}

// TestTokenSourceVerifiesIDToken: a TokenSource's refresh goes the same
// way as Auth.Refresh: a refreshed ID token naming another user is refused
// and nothing is stored; without a verifier the ID token is dropped, never
// handed back unverified.
func TestTokenSourceVerifiesIDToken(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	clock := newFakeClock()
	c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock; cfg.IDTokenVerifier = subjectVerifier{} })
	expired := &Token{AccessToken: "a", TokenType: "Bearer", RefreshToken: "rt-1", Expiry: clock.Now().Add(-time.Minute)}
	var hooked *IDToken
	ts := c.TokenSource(expired, TokenSourceOptions{IDToken: &IDToken{Subject: "alice"},
		OnRefresh: func(_ context.Context, _ *Token, id *IDToken) { hooked = id }})
	f.answer("/token", 200, "application/json", `{"access_token":"a2","token_type":"Bearer","expires_in":60,"id_token":"mallory"}`)
	if tok, err := ts.Token(context.Background()); !errors.Is(err, errChanged) || tok != nil {
		t.Fatalf("another user's ID token accepted: %v %v", tok, err)
	}
	f.answer("/token", 200, "application/json", `{"access_token":"a3","token_type":"Bearer","expires_in":60,"id_token":"alice"}`)
	if tok, err := ts.Token(context.Background()); err != nil || tok.AccessToken != "a3" || hooked == nil || hooked.Subject != "alice" {
		t.Fatalf("refresh: %v %v, hook saw %v", tok, err, hooked)
	}

	plain := newTestClient(t, f, nil)
	f.answer("/token", 200, "application/json", `{"access_token":"a4","token_type":"Bearer","id_token":"forged.by.anyone"}`)
	tok, err := plain.Refresh(context.Background(), "rt-1")
	if err != nil || tok.IDToken != "" {
		t.Fatalf("unverified ID token handed back: %+v %v", tok, err)
	}
}

// TestDeviceTokenIDToken: the device grant's ID token is verified like
// the others, or dropped without a verifier.
func TestDeviceTokenIDToken(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/device", 200, "application/json", sprintf(deviceAnswer, `,"interval":1`))
	f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"Bearer","id_token":"mallory"}`)
	for _, tt := range []struct {
		name     string
		verifier IDTokenVerifier
		wantErr  bool
	}{
		{"no verifier drops it", nil, false},
		{"a failing verifier refuses the answer", rejectingVerifier{}, true},
	} {
		clock := newFakeClock()
		c := newTestClient(t, f, func(cfg *Config) { cfg.Clock = clock; cfg.IDTokenVerifier = tt.verifier })
		da, err := c.DeviceAuthorize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tok, err := c.DeviceToken(context.Background(), da)
		if tt.wantErr != (err != nil) || err == nil && tok.IDToken != "" {
			t.Errorf("%s: tok %+v err %v", tt.name, tok, err)
		}
	}
}

type rejectingVerifier struct{}

func (rejectingVerifier) VerifyIDToken(context.Context, string, IDTokenExpectations) (*IDToken, error) {
	return nil, errors.New("bad signature")
}

// TestLoginAgain: every answer that means "the refresh token is no longer
// valid" matches ErrLoginAgain, whatever its shape; a malformed request, a
// bad client or an outage does not.
func TestLoginAgain(t *testing.T) {
	t.Parallel()
	xRejects := func(e *Error) bool {
		return e.Code == CodeInvalidRequest && strings.Contains(e.Description, "token was invalid")
	}
	tests := []struct {
		name    string
		status  int
		body    string
		dialect *Dialect
		want    bool
	}{
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"refresh token expired"}`, nil, true},
		{"provider code mapped to invalid_grant", 200, `{"error":"bad_refresh_token"}`, nil, true},
		{"numeric provider code mapped to invalid_grant", 200, `{"errcode":40030,"errmsg":"invalid refresh_token"}`,
			&Dialect{DefaultTokenType: "Bearer", ErrorDetectors: []errorDetector{codeDetector("errcode", "errmsg", map[string]ErrorCode{"40030": CodeInvalidGrant})}}, true},
		{"invalid_request the dialect recognises", 400, `{"error":"invalid_request","error_description":"Value passed for the token was invalid."}`,
			&Dialect{RefreshTokenRejected: xRejects}, true},
		{"a malformed request", 400, `{"error":"invalid_request","error_description":"Missing required parameter: grant_type"}`,
			&Dialect{RefreshTokenRejected: xRejects}, false},
		{"bad client", 401, `{"error":"invalid_client"}`, nil, false},
		{"outage", 503, `<html>down</html>`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", tt.status, "application/json", tt.body)
			c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = tt.dialect })
			_, err := c.Refresh(context.Background(), "rt")
			if err == nil || errors.Is(err, ErrLoginAgain) != tt.want {
				t.Fatalf("err %v: matches ErrLoginAgain %v, want %v", err, errors.Is(err, ErrLoginAgain), tt.want)
			}
		})
	}
	c := newTestClient(t, newFakeServer(t), nil)
	if _, err := c.Refresh(context.Background(), ""); !errors.Is(err, ErrLoginAgain) || !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v", err)
	}
}
