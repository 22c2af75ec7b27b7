package oidc

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

func TestEndSessionURL(t *testing.T) {
	t.Parallel()
	got, err := EndSessionURL("https://op.example/logout?tenant=a", LogoutParams{
		IDTokenHint: "eyJ.hint.sig", PostLogoutRedirectURI: "https://rp.example/bye", State: "st 1", ClientID: testClientID,
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	q := u.Query()
	if u.Host != "op.example" || u.Path != "/logout" || q.Get("tenant") != "a" || q.Get("id_token_hint") != "eyJ.hint.sig" ||
		q.Get("post_logout_redirect_uri") != "https://rp.example/bye" || q.Get("state") != "st 1" || q.Get("client_id") != testClientID ||
		q.Has("logout_hint") {
		t.Errorf("URL = %s", got)
	}
	for _, tc := range []struct {
		name, endpoint, redirect string
		err                      error
	}{
		{"http endpoint", "http://op.example/logout", "", core.ErrInsecureEndpoint},
		{"http redirect", "https://op.example/logout", "http://rp.example/bye", core.ErrInsecureEndpoint},
		{"relative redirect", "https://op.example/logout", "/bye", nil},
		{"loopback redirect", "https://op.example/logout", "http://127.0.0.1:8080/bye", nil},
	} {
		_, err := EndSessionURL(tc.endpoint, LogoutParams{PostLogoutRedirectURI: tc.redirect, IDTokenHint: "secret-hint"})
		switch {
		case tc.name == "relative redirect":
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
			}
		case tc.err == nil && err != nil, tc.err != nil && !errors.Is(err, tc.err):
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-hint") {
			t.Errorf("%s: error leaks the hint", tc.name)
		}
	}
}

// TestVerifyLogoutToken: Back-Channel Logout §2.6 (SPEC-OIDC-35, JOSE-11).
func TestVerifyLogoutToken(t *testing.T) {
	t.Parallel()
	clock := newClock()
	now := clock.Now()
	key := newKey(t, "k", "ES256")
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, nil)
	base := map[string]any{
		"iss": "https://op.example", "aud": testClientID, "iat": now.Unix(), "jti": "j-1", "sid": "s-1", "sub": "u-1",
		"events": map[string]any{backChannelLogoutEvent: map[string]any{}},
	}
	logoutTyp := map[string]any{"typ": "logout+jwt"}
	tests := []struct {
		name  string
		raw   string
		err   error
		also  error
		nosub bool
	}{
		{name: "valid", raw: key.sign(t, base, logoutTyp)},
		{name: "valid typ JWT", raw: key.sign(t, base, nil)},
		{name: "sid only", raw: key.sign(t, with(base, map[string]any{"sub": nil}), logoutTyp), nosub: true},
		{name: "no events", raw: key.sign(t, with(base, map[string]any{"events": nil}), logoutTyp), err: ErrInvalidLogoutToken},
		{name: "other event", raw: key.sign(t, with(base, map[string]any{"events": map[string]any{"http://x": map[string]any{}}}), logoutTyp), err: ErrInvalidLogoutToken},
		{name: "event not an object", raw: key.sign(t, with(base, map[string]any{"events": map[string]any{backChannelLogoutEvent: "x"}}), logoutTyp), err: ErrInvalidLogoutToken},
		{name: "neither sub nor sid", raw: key.sign(t, with(base, map[string]any{"sub": nil, "sid": nil}), logoutTyp), err: ErrInvalidLogoutToken, also: ErrMissingClaim},
		{name: "nonce", raw: key.sign(t, with(base, map[string]any{"nonce": "n"}), logoutTyp), err: ErrInvalidLogoutToken, also: ErrNonceMismatch},
		{name: "no jti", raw: key.sign(t, with(base, map[string]any{"jti": nil}), logoutTyp), err: ErrInvalidLogoutToken},
		{name: "exp in the past", raw: key.sign(t, with(base, map[string]any{"exp": now.Add(-time.Hour).Unix()}), logoutTyp), err: ErrTokenExpired},
		{name: "no iat", raw: key.sign(t, with(base, map[string]any{"iat": nil}), logoutTyp), err: ErrMissingClaim},
		{name: "wrong aud", raw: key.sign(t, with(base, map[string]any{"aud": "x"}), logoutTyp), err: ErrAudienceMismatch},
		{name: "wrong iss", raw: key.sign(t, with(base, map[string]any{"iss": "https://x"}), logoutTyp), err: ErrIssuerMismatch},
		{name: "typ at+jwt", raw: key.sign(t, base, map[string]any{"typ": "at+jwt"}), err: ErrWrongTokenType},
		{name: "alg none", raw: b64([]byte(`{"alg":"none","typ":"logout+jwt"}`)) + "." + b64(mustJSON(t, base)) + ".", err: ErrUnsupportedAlgorithm},
		{name: "an ID token", raw: key.sign(t, claims(now), nil), err: ErrInvalidLogoutToken},
		{name: "forged", raw: newKey(t, "k", "ES256").sign(t, base, logoutTyp), err: ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lt, err := v.VerifyLogoutToken(context.Background(), tc.raw)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || lt != nil {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				if tc.also != nil && !errors.Is(err, tc.also) {
					t.Errorf("error %v does not wrap %v", err, tc.also)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if lt.SessionID != "s-1" || lt.JWTID != "j-1" || (lt.Subject == "") != tc.nosub {
				t.Errorf("token = %+v", lt)
			}
		})
	}
	// A logout token is not accepted as an ID token.
	if _, err := v.Verify(context.Background(), key.sign(t, base, logoutTyp), Expectations{}); !errors.Is(err, ErrWrongTokenType) {
		t.Errorf("logout token as ID token: %v", err)
	}
}
