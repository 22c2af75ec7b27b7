package oidc

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

// TestAlgorithmPolicy: the accepted algorithms are the asymmetric ones the
// provider advertises, narrowed to the client's registered algorithm when
// one is configured; HS* only through SymmetricAlgorithms, never because a
// client secret is set. The rule is the same for ID tokens, back-channel
// logout tokens and signed UserInfo (OpenID Connect Core §3.1.3.7 steps 7
// and 8, Registration §2, Back-Channel Logout §2.6, RFC 8725 §3.1;
// SPEC-OIDC-07, -08, -35, JOSE-01).
func TestAlgorithmPolicy(t *testing.T) {
	t.Parallel()
	clock := newClock()
	now := clock.Now()
	rs := newKey(t, "rs", "RS256")
	es := newKey(t, "es", "ES256")
	ps := newKey(t, "ps", "PS256")
	srv := newJWKSServer(t, rs, es, ps)
	const secret = "client-secret-long-enough-for-hs256"
	// What Keycloak, Okta and Auth0 advertise: HS256 among the rest.
	advertised := []string{"RS256", "ES256", "HS256", "none"}
	mk := func(edit func(*VerifierConfig)) *Verifier {
		return newTestVerifier(t, srv, clock, func(c *VerifierConfig) {
			c.Algorithms, c.ClientSecret = advertised, secret
			if edit != nil {
				edit(c)
			}
		})
	}
	byDefault := mk(nil)
	symmetric := mk(func(c *VerifierConfig) { c.SymmetricAlgorithms = []string{"HS256"} })
	registeredRS := mk(func(c *VerifierConfig) { c.RegisteredAlgorithm = "RS256" })
	registeredRSWithHS := mk(func(c *VerifierConfig) {
		c.RegisteredAlgorithm, c.SymmetricAlgorithms = "RS256", []string{"HS256"}
	})
	registeredHS := mk(func(c *VerifierConfig) {
		c.RegisteredAlgorithm, c.SymmetricAlgorithms = "HS256", []string{"HS256"}
	})
	userInfoES := mk(func(c *VerifierConfig) {
		c.RegisteredAlgorithm, c.RegisteredUserInfoAlgorithm = "RS256", "ES256"
	})

	id := claims(now)
	logout := map[string]any{
		"iss": "https://op.example", "aud": testClientID, "iat": now.Unix(), "jti": "j-1", "sid": "s-1",
		"events": map[string]any{backChannelLogoutEvent: map[string]any{}},
	}
	info := map[string]any{"iss": "https://op.example", "aud": testClientID, "sub": "248289761001", "iat": now.Unix()}
	hs := func(header string, c map[string]any) string {
		return hs256([]byte(header), mustJSON(t, c), []byte(secret))
	}
	idHS := hs(`{"alg":"HS256","typ":"JWT"}`, id)
	logoutHS := hs(`{"alg":"HS256","typ":"logout+jwt"}`, logout)
	infoHS := hs(`{"alg":"HS256"}`, info)
	logoutTyp := map[string]any{"typ": "logout+jwt"}

	const (
		idToken = iota
		logoutToken
		userInfo
	)
	tests := []struct {
		name string
		v    *Verifier
		kind int
		raw  string
		err  error
	}{
		// A client secret alone turns no HS* on, whatever is advertised.
		{"HS256 ID token keyed with the client secret", byDefault, idToken, idHS, ErrUnsupportedAlgorithm},
		{"HS256 logout token keyed with the client secret", byDefault, logoutToken, logoutHS, ErrUnsupportedAlgorithm},
		{"HS256 UserInfo keyed with the client secret", byDefault, userInfo, infoHS, ErrUnsupportedAlgorithm},
		{"HS256 ID token, SymmetricAlgorithms", symmetric, idToken, idHS, nil},
		{"HS256 logout token, SymmetricAlgorithms", symmetric, logoutToken, logoutHS, nil},
		{"HS256 UserInfo, SymmetricAlgorithms", symmetric, userInfo, infoHS, nil},
		// Advertised asymmetric algorithms, and only those.
		{"ES256 advertised", byDefault, idToken, es.sign(t, id, nil), nil},
		{"PS256 not advertised", byDefault, idToken, ps.sign(t, id, nil), ErrUnsupportedAlgorithm},
		{"PS256 logout token not advertised", byDefault, logoutToken, ps.sign(t, logout, logoutTyp), ErrUnsupportedAlgorithm},
		{"PS256 UserInfo not advertised", byDefault, userInfo, ps.sign(t, info, nil), ErrUnsupportedAlgorithm},
		// Narrowed to the registered id_token_signed_response_alg.
		{"RS256 ID token, registered RS256", registeredRS, idToken, rs.sign(t, id, nil), nil},
		{"RS256 logout token, registered RS256", registeredRS, logoutToken, rs.sign(t, logout, logoutTyp), nil},
		{"ES256 ID token, registered RS256", registeredRS, idToken, es.sign(t, id, nil), ErrUnsupportedAlgorithm},
		{"ES256 logout token, registered RS256", registeredRS, logoutToken, es.sign(t, logout, logoutTyp), ErrUnsupportedAlgorithm},
		{"HS256 ID token, registered RS256 with SymmetricAlgorithms", registeredRSWithHS, idToken, idHS, ErrUnsupportedAlgorithm},
		{"HS256 ID token, registered HS256", registeredHS, idToken, idHS, nil},
		{"RS256 ID token, registered HS256", registeredHS, idToken, rs.sign(t, id, nil), ErrUnsupportedAlgorithm},
		// Narrowed to the registered userinfo_signed_response_alg, apart
		// from the ID-token rule.
		{"ES256 UserInfo, registered ES256", userInfoES, userInfo, es.sign(t, info, nil), nil},
		{"RS256 UserInfo, registered ES256", userInfoES, userInfo, rs.sign(t, info, nil), ErrUnsupportedAlgorithm},
		{"ES256 ID token, UserInfo registered ES256", userInfoES, idToken, es.sign(t, id, nil), ErrUnsupportedAlgorithm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			var err error
			switch tc.kind {
			case idToken:
				_, err = tc.v.Verify(ctx, tc.raw, Expectations{})
			case logoutToken:
				_, err = tc.v.VerifyLogoutToken(ctx, tc.raw)
			case userInfo:
				_, err = ParseUserInfo(ctx, []byte(tc.raw), "248289761001", WithUserInfoVerifier(tc.v))
			}
			if (tc.err == nil && err != nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
		})
	}
}

// TestAlgorithmConfig: the effective allow-lists, and the configurations
// that cannot work, reported when the verifier is built.
func TestAlgorithmConfig(t *testing.T) {
	t.Parallel()
	base := VerifierConfig{Issuer: "https://op.example", ClientID: testClientID, JWKSURL: "https://op.example/jwks"}
	tests := []struct {
		name           string
		edit           func(*VerifierConfig)
		algs, userInfo []string // nil: a configuration error is expected
	}{
		{"default", func(*VerifierConfig) {}, []string{"RS256"}, []string{"RS256"}},
		{"advertised, HS256 and none dropped", func(c *VerifierConfig) {
			c.Algorithms, c.ClientSecret = []string{"HS256", "RS256", "none", "ES256"}, "s"
		}, []string{"RS256", "ES256"}, []string{"RS256", "ES256"}},
		{"symmetric added", func(c *VerifierConfig) {
			c.Algorithms, c.SymmetricAlgorithms, c.ClientSecret = []string{"ES256"}, []string{"HS256"}, "s"
		}, []string{"ES256", "HS256"}, []string{"ES256", "HS256"}},
		{"registered narrows", func(c *VerifierConfig) {
			c.Algorithms, c.RegisteredAlgorithm = []string{"RS256", "ES256"}, "ES256"
		}, []string{"ES256"}, []string{"RS256", "ES256"}},
		{"registered without advertised list", func(c *VerifierConfig) { c.RegisteredAlgorithm = "PS256" }, []string{"PS256"}, []string{"PS256"}},
		{"UserInfo advertised apart", func(c *VerifierConfig) {
			c.Algorithms, c.UserInfoAlgorithms = []string{"RS256"}, []string{"ES256", "HS512"}
		}, []string{"RS256"}, []string{"ES256"}},
		{"UserInfo registered", func(c *VerifierConfig) {
			c.Algorithms, c.RegisteredUserInfoAlgorithm = []string{"RS256", "ES256"}, "ES256"
		}, []string{"RS256", "ES256"}, []string{"ES256"}},
		{"registered not advertised", func(c *VerifierConfig) {
			c.Algorithms, c.RegisteredAlgorithm = []string{"RS256"}, "ES256"
		}, nil, nil},
		{"registered HS256 without SymmetricAlgorithms", func(c *VerifierConfig) {
			c.Algorithms, c.RegisteredAlgorithm, c.ClientSecret = []string{"RS256", "HS256"}, "HS256", "s"
		}, nil, nil},
		{"UserInfo registered not advertised", func(c *VerifierConfig) {
			c.UserInfoAlgorithms, c.RegisteredUserInfoAlgorithm = []string{"RS256"}, "ES256"
		}, nil, nil},
		{"symmetric not HS", func(c *VerifierConfig) {
			c.SymmetricAlgorithms, c.ClientSecret = []string{"RS256"}, "s"
		}, nil, nil},
		{"symmetric without secret", func(c *VerifierConfig) { c.SymmetricAlgorithms = []string{"HS256"} }, nil, nil},
		{"only HS advertised", func(c *VerifierConfig) {
			c.Algorithms, c.ClientSecret = []string{"HS256"}, "s"
		}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			v, err := NewVerifier(cfg)
			if tc.algs == nil {
				if !errors.Is(err, core.ErrInvalidConfig) {
					t.Fatalf("error = %v, want core.ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if got := v.Algorithms(); !slices.Equal(got, tc.algs) {
				t.Errorf("Algorithms() = %q, want %q", got, tc.algs)
			}
			if got := v.UserInfoAlgorithms(); !slices.Equal(got, tc.userInfo) {
				t.Errorf("UserInfoAlgorithms() = %q, want %q", got, tc.userInfo)
			}
		})
	}

	// Discovery advertising HS256 does not turn it on for a client with a
	// secret.
	md := &Metadata{Issuer: "https://op.example", JWKSURL: "https://op.example/jwks",
		IDTokenSigningAlgValuesSupported: []string{"RS256", "HS256"}, UserInfoSigningAlgValuesSupported: []string{"HS256", "ES256"}}
	v, err := md.NewVerifier(VerifierConfig{ClientID: testClientID, ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got := v.Algorithms(); !slices.Equal(got, []string{"RS256"}) {
		t.Errorf("from discovery: Algorithms() = %q, want [RS256]", got)
	}
	if got := v.UserInfoAlgorithms(); !slices.Equal(got, []string{"ES256"}) {
		t.Errorf("from discovery: UserInfoAlgorithms() = %q, want [ES256]", got)
	}
}
