package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

func atHash(alg, v string) string {
	switch alg[len(alg)-3:] {
	case "256":
		s := sha256.Sum256([]byte(v))
		return b64(s[:16])
	case "384":
		s := sha512.Sum384([]byte(v))
		return b64(s[:24])
	}
	s := sha512.Sum512([]byte(v))
	return b64(s[:32])
}

// TestVerifyAlgorithms: positive verification for every supported family,
// including the at_hash and c_hash computed with the alg's own hash.
func TestVerifyAlgorithms(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			key := newKey(t, "k-"+alg, alg)
			srv := newJWKSServer(t, key)
			v := newTestVerifier(t, srv, clock, nil)
			c := with(claims(clock.Now()), map[string]any{
				"at_hash": atHash(alg, "access-token-1"),
				"c_hash":  atHash(alg, "code-1"),
				"azp":     testClientID,
				"amr":     []string{"pwd", "mfa"},
				"sid":     "session-9",
				"email":   "a@example.com",
			})
			raw := key.sign(t, c, nil)
			tok, err := v.Verify(context.Background(), raw, Expectations{Nonce: testNonce, AccessToken: "access-token-1", Code: "code-1", RequireAtHash: true})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tok.Subject != "248289761001" || tok.Issuer != "https://op.example" || tok.Nonce != testNonce ||
				tok.Algorithm != alg || tok.KeyID != "k-"+alg || tok.SessionID != "session-9" || len(tok.AMR) != 2 ||
				tok.Raw != raw || !tok.Expiry.Equal(clock.Now().Add(time.Hour)) {
				t.Errorf("token = %+v", tok)
			}
			var extra struct {
				Email string `json:"email"`
			}
			if err := tok.Claims(&extra); err != nil || extra.Email != "a@example.com" {
				t.Errorf("Claims: %v %q", err, extra.Email)
			}
			// The same token through the core interface.
			ct, err := v.VerifyIDToken(context.Background(), raw, core.IDTokenExpectations{Nonce: testNonce})
			if err != nil || ct.Subject != tok.Subject || string(ct.Payload) == "" {
				t.Fatalf("VerifyIDToken: %v %+v", err, ct)
			}
			// A wrong hash fails for this alg.
			if _, err := v.Verify(context.Background(), raw, Expectations{AccessToken: "other"}); !errors.Is(err, ErrAtHashMismatch) {
				t.Errorf("wrong access token: %v", err)
			}
			if _, err := v.Verify(context.Background(), raw, Expectations{Code: "other"}); !errors.Is(err, ErrCHashMismatch) {
				t.Errorf("wrong code: %v", err)
			}
		})
	}
}

// TestVerifyClaims holds one negative case (and some positive ones) for
// every claim rule of OpenID Connect Core §3.1.3.7 and RFC 7519.
func TestVerifyClaims(t *testing.T) {
	t.Parallel()
	clock := newClock()
	now := clock.Now()
	key := newKey(t, "k1", "ES256")
	srv := newJWKSServer(t, key)
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
		c.TrustedAudiences = []string{"api-trusted"}
		c.AdditionalIssuers = []string{"op.example"}
	})
	vAge := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.MaxTokenAge = time.Hour })
	base := claims(now)
	prev := &core.IDToken{Issuer: "https://op.example", Subject: "248289761001", Audience: []string{testClientID}, Nonce: testNonce}

	tests := []struct {
		name    string
		v       *Verifier
		claims  map[string]any
		payload string // raw payload JSON instead of claims
		want    Expectations
		err     error
		also    error // a second sentinel the error must wrap
	}{
		{name: "valid", claims: base},
		{name: "valid aud array", claims: with(base, map[string]any{"aud": []string{testClientID}})},
		{name: "valid trusted extra aud with azp", claims: with(base, map[string]any{"aud": []string{testClientID, "api-trusted"}, "azp": testClientID})},
		{name: "valid additional issuer", claims: with(base, map[string]any{"iss": "op.example"})},
		{name: "valid exp in skew", claims: with(base, map[string]any{"exp": now.Add(-30 * time.Second).Unix()})},
		{name: "valid fractional dates", payload: `{"iss":"https://op.example","sub":"s","aud":"client-123","exp":` + itoa(now.Add(time.Hour).Unix()) + `.5,"iat":` + itoa(now.Unix()) + `.25}`},

		// iss (SPEC-OIDC-02, JOSE-12)
		{name: "iss trailing slash", claims: with(base, map[string]any{"iss": "https://op.example/"}), err: ErrIssuerMismatch},
		{name: "iss upper-case host", claims: with(base, map[string]any{"iss": "https://OP.example"}), err: ErrIssuerMismatch},
		{name: "iss suffix", claims: with(base, map[string]any{"iss": "https://op.example1"}), err: ErrIssuerMismatch},
		{name: "iss prefix of evil", claims: with(base, map[string]any{"iss": "https://op.example.evil"}), err: ErrIssuerMismatch},
		{name: "iss missing", claims: with(base, map[string]any{"iss": nil}), err: ErrIssuerMismatch, also: ErrMissingClaim},
		// aud (SPEC-OIDC-03, JOSE-12)
		{name: "aud other", claims: with(base, map[string]any{"aud": "other"}), err: ErrAudienceMismatch},
		{name: "aud untrusted extra", claims: with(base, map[string]any{"aud": []string{testClientID, "other"}, "azp": testClientID}), err: ErrAudienceMismatch},
		{name: "aud empty array", claims: with(base, map[string]any{"aud": []string{}}), err: ErrAudienceMismatch},
		{name: "aud empty string", claims: with(base, map[string]any{"aud": ""}), err: ErrAudienceMismatch},
		{name: "aud array of empty", claims: with(base, map[string]any{"aud": []string{""}}), err: ErrAudienceMismatch},
		{name: "aud number", claims: with(base, map[string]any{"aud": 123}), err: ErrMalformedToken},
		{name: "aud missing", claims: with(base, map[string]any{"aud": nil}), err: ErrAudienceMismatch, also: ErrMissingClaim},
		// azp (SPEC-OIDC-04)
		{name: "azp other", claims: with(base, map[string]any{"azp": "other"}), err: ErrAuthorizedPartyMismatch},
		{name: "multi aud without azp", claims: with(base, map[string]any{"aud": []string{testClientID, "api-trusted"}}), err: ErrAuthorizedPartyMismatch},
		// exp (SPEC-OIDC-09, JOSE-13)
		{name: "exp 6 min ago", claims: with(base, map[string]any{"exp": now.Add(-6 * time.Minute).Unix()}), err: ErrTokenExpired},
		{name: "exp missing", claims: with(base, map[string]any{"exp": nil}), err: ErrTokenExpired, also: ErrMissingClaim},
		{name: "exp string", claims: with(base, map[string]any{"exp": "9999999999"}), err: ErrMalformedToken},
		{name: "exp bool", claims: with(base, map[string]any{"exp": true}), err: ErrMalformedToken},
		{name: "exp overflow", payload: `{"iss":"https://op.example","sub":"s","aud":"client-123","exp":1e400,"iat":1}`, err: ErrMalformedToken},
		{name: "exp negative", claims: with(base, map[string]any{"exp": -5}), err: ErrMalformedToken},
		// iat (SPEC-OIDC-10)
		{name: "iat missing", claims: with(base, map[string]any{"iat": nil}), err: ErrIssuedInFuture, also: ErrMissingClaim},
		{name: "iat in 1 h", claims: with(base, map[string]any{"iat": now.Add(time.Hour).Unix()}), err: ErrIssuedInFuture},
		{name: "iat 7 d ago without max age", claims: with(base, map[string]any{"iat": now.Add(-7 * 24 * time.Hour).Unix()})},
		{name: "iat 7 d ago with max age", v: vAge, claims: with(base, map[string]any{"iat": now.Add(-7 * 24 * time.Hour).Unix()}), err: ErrTokenTooOld},
		// nbf (JOSE-15)
		{name: "nbf in 1 h", claims: with(base, map[string]any{"nbf": now.Add(time.Hour).Unix()}), err: ErrTokenNotYetValid},
		{name: "nbf in 30 s", claims: with(base, map[string]any{"nbf": now.Add(30 * time.Second).Unix()})},
		// nonce (SPEC-OIDC-11)
		{name: "nonce altered", claims: with(base, map[string]any{"nonce": "other"}), want: Expectations{Nonce: testNonce}, err: ErrNonceMismatch},
		{name: "nonce missing", claims: with(base, map[string]any{"nonce": nil}), want: Expectations{Nonce: testNonce}, err: ErrNonceMismatch, also: ErrMissingClaim},
		{name: "nonce matches", claims: base, want: Expectations{Nonce: testNonce}},
		// acr (SPEC-OIDC-12)
		{name: "acr differs", claims: with(base, map[string]any{"acr": "urn:low"}), want: Expectations{ACR: []string{"urn:high"}}, err: ErrACRMismatch},
		{name: "acr missing", claims: base, want: Expectations{ACR: []string{"urn:high"}}, err: ErrACRMismatch, also: ErrMissingClaim},
		{name: "acr accepted", claims: with(base, map[string]any{"acr": "urn:high"}), want: Expectations{ACR: []string{"urn:mid", "urn:high"}}},
		// auth_time (SPEC-OIDC-13)
		{name: "max_age no auth_time", claims: base, want: Expectations{MaxAge: time.Minute}, err: ErrAuthTimeMissing, also: ErrMissingClaim},
		{name: "auth_time 1 h ago", claims: with(base, map[string]any{"auth_time": now.Add(-time.Hour).Unix()}), want: Expectations{MaxAge: time.Minute}, err: ErrAuthTimeTooOld},
		{name: "auth_time recent", claims: with(base, map[string]any{"auth_time": now.Add(-time.Minute).Unix()}), want: Expectations{MaxAge: time.Minute}},
		{name: "auth_time string", claims: with(base, map[string]any{"auth_time": "1"}), err: ErrMalformedToken},
		// sub (SPEC-OIDC-14)
		{name: "sub missing", claims: with(base, map[string]any{"sub": nil}), err: ErrInvalidSubject, also: ErrMissingClaim},
		{name: "sub empty", claims: with(base, map[string]any{"sub": ""}), err: ErrInvalidSubject},
		{name: "sub 300 chars", claims: with(base, map[string]any{"sub": strings.Repeat("a", 300)}), err: ErrInvalidSubject},
		{name: "sub non-ASCII", claims: with(base, map[string]any{"sub": "jos\u00e9"}), err: ErrInvalidSubject},
		{name: "sub number", claims: with(base, map[string]any{"sub": 42}), err: ErrMalformedToken},
		// case folding and duplicates (JOSE-14)
		{name: "Sub instead of sub", claims: with(base, map[string]any{"sub": nil, "Sub": "admin"}), err: ErrInvalidSubject},
		{name: "sub and Sub", claims: with(base, map[string]any{"Sub": "admin"}), err: ErrMalformedToken},
		{name: "duplicate sub", payload: `{"iss":"https://op.example","sub":"alice","sub":"admin","aud":"client-123","exp":` + itoa(now.Add(time.Hour).Unix()) + `,"iat":` + itoa(now.Unix()) + `}`, err: ErrMalformedToken},
		{name: "escaped duplicate sub", payload: `{"iss":"https://op.example","sub":"alice","s\u0075b":"admin","aud":"client-123","exp":` + itoa(now.Add(time.Hour).Unix()) + `,"iat":` + itoa(now.Unix()) + `}`, err: ErrMalformedToken},
		{name: "kelvin-sign duplicate", payload: `{"iss":"https://op.example","sub":"a","aud":"client-123","exp":` + itoa(now.Add(time.Hour).Unix()) + `,"iat":` + itoa(now.Unix()) + `,"k":1,"\u212a":2}`, err: ErrMalformedToken},
		{name: "payload array", payload: `[1,2]`, err: ErrMalformedToken},
		{name: "payload null", payload: `null`, err: ErrMalformedToken},
		// refresh (SPEC-OIDC-24)
		{name: "refresh same", claims: base, want: Expectations{Previous: prev}},
		{name: "refresh sub changed", claims: with(base, map[string]any{"sub": "other"}), want: Expectations{Previous: prev}, err: ErrRefreshMismatch},
		{name: "refresh aud changed", claims: with(base, map[string]any{"aud": []string{testClientID, "api-trusted"}, "azp": testClientID}), want: Expectations{Previous: prev}, err: ErrRefreshMismatch},
		{name: "refresh azp appeared", claims: with(base, map[string]any{"azp": testClientID}), want: Expectations{Previous: prev}, err: ErrRefreshMismatch},
		{name: "refresh auth_time changed", claims: with(base, map[string]any{"auth_time": now.Unix()}), want: Expectations{Previous: prev}, err: ErrRefreshMismatch},
		// §12.2 asks nothing of a nonce in a refreshed ID token (Gitea sends
		// the one of the user's latest login).
		{name: "refresh with another nonce", claims: with(base, map[string]any{"nonce": "other"}), want: Expectations{Previous: prev}},
		{name: "refresh iss changed", claims: with(base, map[string]any{"iss": "op.example"}), want: Expectations{Previous: prev}, err: ErrRefreshMismatch},
		// at_hash (SPEC-OIDC-16, -17)
		{name: "at_hash required missing", claims: base, want: Expectations{AccessToken: "at", RequireAtHash: true}, err: ErrAtHashMismatch, also: ErrMissingClaim},
		{name: "at_hash absent not required", claims: base, want: Expectations{AccessToken: "at"}},
		{name: "at_hash of SHA-512 on ES256", claims: with(base, map[string]any{"at_hash": atHash("RS512", "at")}), want: Expectations{AccessToken: "at"}, err: ErrAtHashMismatch},
		{name: "c_hash missing", claims: base, want: Expectations{Code: "code"}, err: ErrCHashMismatch, also: ErrMissingClaim},
		// cross-JWT confusion (JOSE-11)
		{name: "events claim in ID token", claims: with(base, map[string]any{"events": map[string]any{backChannelLogoutEvent: map[string]any{}}}), err: ErrWrongTokenType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			payload := []byte(tc.payload)
			if tc.payload == "" {
				payload = mustJSON(t, tc.claims)
			}
			raw := key.signRaw(t, []byte(`{"alg":"ES256","kid":"k1","typ":"JWT"}`), payload)
			vv := v
			if tc.v != nil {
				vv = tc.v
			}
			tok, err := vv.Verify(context.Background(), raw, tc.want)
			if tc.err == nil {
				if err != nil || tok == nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.err) || tok != nil {
				t.Fatalf("Verify error = %v, want %v", err, tc.err)
			}
			if tc.also != nil && !errors.Is(err, tc.also) {
				t.Errorf("error %v does not wrap %v", err, tc.also)
			}
			if !strings.HasPrefix(err.Error(), "oidc: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestAuthTimeMissingMessage: a provider that omits auth_time although
// max_age was requested is refused with an error that says so plainly
// (OpenID Connect Core §3.1.2.1), not as a token that is too old.
func TestAuthTimeMissingMessage(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k1", "ES256")
	v := newTestVerifier(t, newJWKSServer(t, key), clock, nil)
	_, err := v.Verify(context.Background(), key.sign(t, claims(clock.Now()), nil), Expectations{MaxAge: 5 * time.Minute})
	if !errors.Is(err, ErrAuthTimeMissing) || !errors.Is(err, ErrMissingClaim) {
		t.Fatalf("error = %v, want ErrAuthTimeMissing and ErrMissingClaim", err)
	}
	if errors.Is(err, ErrAuthTimeTooOld) {
		t.Errorf("error %v reads as an authentication that is too old", err)
	}
	for _, part := range []string{"no auth_time although max_age (5m0s) was requested", "§3.1.2.1", "some providers omit it"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not say %q", err, part)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
