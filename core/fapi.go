package core

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"errors"
	"fmt"

	"github.com/go-oauth20/oauth20/internal/urls"
)

// ErrFAPI is wrapped by the errors of a FAPI 2.0 login that the profile
// does not allow (a token that is not sender-constrained, an authorization
// response without iss).
var ErrFAPI = errors.New("oauth20: not allowed by the FAPI 2.0 Security Profile")

// checkFAPI2 reports what in spec contradicts the FAPI 2.0 Security
// Profile (§5.3.2 for clients), each wrapping ErrInvalidConfig. The profile
// requires pushed authorization requests (turned on by the provider, not
// checked here), PKCE with S256, sender-constrained access tokens (DPoP
// here: this library has no mTLS), private_key_jwt client authentication
// with an allowed algorithm (PS256, ES256 or EdDSA: the library signs
// ECDSA P-256 keys with ES256 and Ed25519 keys with EdDSA, RSA keys with
// RS256, which the profile does not allow), the issuer identifier as the
// assertion's audience, and https.
func checkFAPI2(spec *ProviderSpec) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, configError("provider %q: FAPI 2.0: "+format, append([]any{spec.Name}, args...)...))
	}
	c := spec.Client
	if spec.PKCE != PKCES256 {
		bad("PKCE with S256 is required on every login")
	}
	if c.AuthMethod != AuthPrivateKeyJWT {
		bad("the client must authenticate with private_key_jwt (mutual TLS is not supported), not %q", c.AuthMethod)
	}
	switch k := c.PrivateKey.(type) {
	case nil:
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			bad("the private key must be ECDSA P-256 (ES256) or Ed25519 (EdDSA)")
		}
	case ed25519.PrivateKey:
	default:
		bad("the private key must be ECDSA P-256 (ES256) or Ed25519 (EdDSA): RSA keys sign with RS256, which the profile does not allow")
	}
	if c.DPoPKey == nil {
		bad("access tokens must be sender-constrained: give the client a DPoP key")
	}
	if c.TokenEndpointAudience {
		bad("the client assertion's audience must be the issuer identifier, not the token endpoint")
	}
	if c.InsecureAllowHTTP {
		bad("endpoints must use TLS (InsecureAllowHTTP)")
	}
	if c.Issuer == "" && spec.Discover == nil {
		bad("the issuer must be known, to check the iss of authorization responses (RFC 9207)")
	}
	if c.RedirectURL != "" && urls.CheckEndpoint(c.RedirectURL, false) != nil {
		bad("the redirect URI must use https (plain http only on loopback)")
	}
	return errs
}

// checkFAPI2Token refuses a token that FAPI 2.0 does not allow: only
// sender-constrained (DPoP) access tokens.
func checkFAPI2Token(t *Token) error {
	if t.TokenType != TokenTypeDPoP {
		return fmt.Errorf("%w: the access token is of type %q, not sender-constrained (DPoP)", ErrFAPI, truncate(t.TokenType, 40))
	}
	return nil
}

// checkFAPI2Auth reports what in an Auth contradicts the FAPI 2.0 mode of
// its Builder: every provider must run under the profile, and the
// application must use TLS (cookies without Secure are refused; a loopback
// base URL stays allowed for tests).
func checkFAPI2Auth(cfg authConfig, providers []*Provider) []error {
	var errs []error
	for _, p := range providers {
		if !p.spec.FAPI2 {
			errs = append(errs, configError("FAPI 2.0 mode: provider %q does not run under the profile (ProviderSpec.FAPI2, providers.WithFAPI2)", p.Name()))
		}
	}
	if cfg.insecureCookies {
		errs = append(errs, configError("FAPI 2.0 mode: InsecureCookies is refused: the profile requires TLS"))
	}
	return errs
}
