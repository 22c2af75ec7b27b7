package main

import (
	"errors"
	"testing"

	"github.com/go-oauth20/oauth20/oidc"
)

// FuzzTokenInput feeds hostile input to what reads a token before the
// library does: the token-file parser, the JWT decoding that verify shows,
// and the report built from it. None may panic, and a parsed input yields
// a token or an error.
func FuzzTokenInput(f *testing.F) {
	for _, seed := range []string{
		`{"access_token":"at","refresh_token":"rt","id_token":"a.b.c"}`,
		`{"token":{"access_token":"at","hidden":["id_token"]}}`,
		`{"access_token":`, "plain-token", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "a.b.c.d.e",
		"eyJhbGciOiJFUzI1NiJ9.eyJleHAiOiIxMCIsImF1ZCI6W119.c2ln", "",
	} {
		f.Add([]byte(seed))
	}
	md := &oidc.Metadata{Issuer: "https://idp.example", JWKSURL: "https://idp.example/jwks", IDTokenSigningAlgValuesSupported: []string{"ES256"}}
	v, err := md.NewVerifier(oidc.VerifierConfig{ClientID: "client"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = v.Close() })
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := parseToken(data, "fuzz")
		if err == nil {
			if in.raw == "" && in.token == nil {
				t.Fatal("no token and no error")
			}
			_, _, _ = in.pick("", "refresh_token", "access_token")
			_, _ = in.idToken()
		}
		header, claims, err := jwtParts(string(data))
		if err != nil {
			return
		}
		r := &verifyRun{raw: string(data), header: header, claims: claims, md: md, v: v}
		_ = tokenAudience(claims)
		for _, fail := range []error{nil, oidc.ErrTokenExpired, errors.New("other")} {
			res := r.results(fail)
			if len(res) != len(verifyChecks) {
				t.Fatalf("%d results", len(res))
			}
		}
		_ = claimsSection("claims", claims)
	})
}
