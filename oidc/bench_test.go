package oidc

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// floorClaims is what a hand-written golang-jwt verifier decodes.
type floorClaims struct {
	jwt.RegisteredClaims
	Nonce  string `json:"nonce"`
	AtHash string `json:"at_hash"`
	Azp    string `json:"azp"`
}

// BenchmarkVerify compares Verify (key from the cached JWK Set through
// keyfunc, strict payload decoding, every §3.1.3.7 check, nonce and
// at_hash) with a floor: golang-jwt's ParseWithClaims with a fixed key and
// the same checks (alg allow-list, iss, aud, exp required, iat, leeway,
// nonce, at_hash, sub present).
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		clock := newClock()
		key := newKey(b, "bench-"+alg, alg)
		srv := newJWKSServer(b, key)
		v := newTestVerifier(b, srv, clock, func(c *VerifierConfig) { c.Algorithms = []string{alg} })
		c := with(claims(clock.Now()), map[string]any{
			"at_hash": atHash(alg, "access-token"), "azp": testClientID, "auth_time": clock.Now().Unix(),
			"email": "user@example.com", "email_verified": true, "name": "A User",
		})
		raw := key.sign(b, c, nil)
		want := Expectations{Nonce: testNonce, AccessToken: "access-token"}
		ctx := context.Background()
		if _, err := v.Verify(ctx, raw, want); err != nil {
			b.Fatal(err)
		}
		pub := key.priv.Public()
		parser := jwt.NewParser(
			jwt.WithValidMethods([]string{alg}), jwt.WithIssuer("https://op.example"), jwt.WithAudience(testClientID),
			jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(time.Minute), jwt.WithTimeFunc(clock.Now),
		)
		keyFn := func(*jwt.Token) (any, error) { return pub, nil }
		floor := func() {
			var fc floorClaims
			if _, err := parser.ParseWithClaims(raw, &fc, keyFn); err != nil {
				b.Fatal(err)
			}
			if fc.Subject == "" || fc.Nonce != testNonce || (fc.Azp != "" && fc.Azp != testClientID) ||
				!hashMatches(alg, "access-token", fc.AtHash) {
				b.Fatal("floor checks failed")
			}
		}
		ours := func() {
			if _, err := v.Verify(ctx, raw, want); err != nil {
				b.Fatal(err)
			}
		}
		for _, impl := range []struct {
			name string
			f    func()
		}{{"floor", floor}, {"verify", ours}} {
			b.Run(alg+"/"+impl.name+"/seq", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					impl.f()
				}
			})
			b.Run(alg+"/"+impl.name+"/parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						impl.f()
					}
				})
			})
		}
	}
}
