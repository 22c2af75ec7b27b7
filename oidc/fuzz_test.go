package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/urls"
)

// sentinels are the errors Verify may wrap; every failure must wrap one.
var sentinels = []error{
	ErrMalformedToken, ErrUnsupportedAlgorithm, ErrUnsupportedHeader, ErrWrongTokenType, ErrUnknownKey,
	ErrKeyNotUsable, ErrBadSignature, ErrIssuerMismatch, ErrAudienceMismatch, ErrAuthorizedPartyMismatch,
	ErrTokenExpired, ErrIssuedInFuture, ErrTokenTooOld, ErrTokenNotYetValid, ErrMissingClaim, ErrInvalidSubject,
	ErrNonceMismatch, ErrAtHashMismatch, ErrCHashMismatch, ErrAuthTimeTooOld, ErrAuthTimeMissing, ErrACRMismatch,
	ErrDecryption, ErrNotEncrypted,
}

// checkSentinel fails the test unless err, a failure of Verify or of
// another verification of this package, wraps one of sentinels.
func checkSentinel(t *testing.T, err error) {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error without a sentinel: %v", err)
}

// FuzzVerify feeds arbitrary strings to Verify. Seeds are in
// testdata/fuzz/FuzzVerify; a valid token signed with a per-run key is
// added here. Verify must not panic, must fail with a sentinel, and must
// accept only tokens whose checked claims hold.
func FuzzVerify(f *testing.F) {
	clock := newAutoClock() // unknown kids wait for the next permitted fetch

	key := newKey(f, "fz", "ES256")
	srv := newJWKSServer(f, key)
	v := newTestVerifier(f, srv, clock, nil)
	f.Add(key.sign(f, claims(clock.Now()), nil))
	f.Add(key.sign(f, with(claims(clock.Now()), map[string]any{"aud": []string{testClientID, "x"}}), nil))
	f.Fuzz(func(t *testing.T, raw string) {
		tok, err := v.Verify(context.Background(), raw, Expectations{Nonce: testNonce})
		if err != nil {
			if tok != nil {
				t.Fatal("token returned with an error")
			}
			checkSentinel(t, err)
			return
		}
		if tok.Issuer != "https://op.example" || tok.Nonce != testNonce || validSubject(tok.Subject) != nil ||
			!json.Valid(tok.Payload) {
			t.Fatalf("accepted a token with bad claims: %+v", tok)
		}
	})
}

// FuzzParseMetadata decodes arbitrary discovery documents. Seeds are in
// testdata/fuzz/FuzzParseMetadata.
func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(metadataDoc("https://op.example", "https://op.example", "")))
	f.Fuzz(func(t *testing.T, body []byte) {
		md, err := ParseMetadata(body, "https://op.example", false)
		if err != nil {
			if md != nil {
				t.Fatal("metadata returned with an error")
			}
			return
		}
		if md.Issuer != "https://op.example" {
			t.Fatalf("issuer %q accepted", md.Issuer)
		}
		for _, u := range []string{md.AuthorizationEndpoint, md.TokenEndpoint, md.JWKSURL, md.UserInfoEndpoint,
			md.RegistrationEndpoint, md.RevocationEndpoint, md.IntrospectionEndpoint, md.DeviceAuthorizationEndpoint, md.EndSessionEndpoint} {
			if u == "" {
				continue
			}
			if urls.CheckEndpoint(u, false) != nil {
				t.Fatalf("insecure endpoint %q accepted", u)
			}
			// The issuer is a public name: no endpoint may be internal.
			pu, err := url.Parse(u)
			if err != nil {
				t.Fatalf("unparsable endpoint %q accepted", u)
			}
			host := strings.ToLower(strings.TrimSuffix(pu.Hostname(), "."))
			if host == "localhost" || strings.HasSuffix(host, ".localhost") {
				t.Fatalf("localhost endpoint %q accepted", u)
			}
			if ip := net.ParseIP(strings.SplitN(host, "%", 2)[0]); ip != nil && (!ip.IsGlobalUnicast() || ip.IsPrivate()) {
				t.Fatalf("internal endpoint %q accepted", u)
			}
		}
	})
}

// FuzzClaimSet checks the strict payload reader against encoding/json: it
// never panics, and whatever it accepts, encoding/json decodes to the same
// sub whenever it read one (so case variants or duplicates cannot smuggle
// in another subject). Without an exact "sub" Verify rejects the token.
func FuzzClaimSet(f *testing.F) {
	f.Add([]byte(`{"sub":"a","aud":["x","y"],"exp":1.5}`))
	f.Add([]byte(`{"sub":"a","Sub":"b"}`))
	f.Add([]byte(`{"s\u0075b":"a"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		c := claimSet{t: new(core.IDToken)}
		_ = c.UnmarshalJSON(data)
		if c.err != nil {
			return
		}
		var std map[string]any
		if json.Unmarshal(data, &std) != nil {
			return
		}
		if s, ok := std["sub"].(string); ok && c.has&hasSub != 0 && s != c.t.Subject {
			t.Fatalf("sub %q, encoding/json says %q", c.t.Subject, s)
		}
		var st struct {
			Sub string `json:"sub"`
		}
		if json.Unmarshal(data, &st) == nil && c.has&hasSub != 0 && st.Sub != c.t.Subject {
			t.Fatalf("struct decoding gives sub %q, strict reader %q", st.Sub, c.t.Subject)
		}
	})
}
