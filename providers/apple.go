package providers

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/golang-jwt/jwt/v5"
)

// appleIssuer is Sign in with Apple's issuer; its discovery document names
// the endpoints and the JWKS (https://appleid.apple.com/auth/keys).
const appleIssuer = "https://appleid.apple.com"

// Lifetimes of the client secret JWT. Apple accepts up to six months; a
// short one limits the damage of a leaked secret and costs one ES256
// signature per lifetime.
const (
	appleSecretLifetime = 24 * time.Hour
	// appleSecretRenewal is how long before expiry a new secret is signed.
	appleSecretRenewal = time.Hour
)

// appleSecretMarker stands in core.Config.ClientSecret, which must not be
// empty for client_secret_post; it is replaced by a signed JWT on every
// request before it leaves, and never sent.
const appleSecretMarker = "apple-client-secret-signed-per-request"

// Apple returns a provider for Sign in with Apple on the web. clientID is
// the Services ID ("com.example.web"), teamID the 10-character Team ID,
// keyID the id of the Sign in with Apple key and p8Key the key file
// downloaded from Apple (PKCS#8 PEM, P-256). It reports configuration
// problems joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O.
//
// Documentation:
// https://developer.apple.com/documentation/signinwithapple/authenticating-users-with-sign-in-with-apple
//
// # Client secret
//
// Apple's client secret is not a fixed string but an ES256 JWT (kid = key
// id, iss = team id, sub = client id, aud = https://appleid.apple.com,
// iat, exp) signed with the .p8 key. core.Config.ClientSecret is a fixed
// string, so the provider keeps a marker there and its dialect's
// EditRequest hook replaces the client_secret parameter of every token,
// refresh and revocation request with a JWT from a cache: signed on first
// use, valid for 24 hours, and re-signed once less than an hour is left,
// under a mutex, so concurrent requests share one signature. The marker is
// never sent: a request whose secret cannot be signed fails. The key is
// held in memory only; it is never logged or put in an error. The JWT's
// times come from the system clock: core.Request does not carry the
// client's injected clock to the hook.
//
// # Quirks handled here
//
//   - ID tokens are verified with Apple's JWKS from discovery (RS256);
//     nonce, at_hash, iss and aud are checked as for any OpenID provider.
//   - The scopes are sent as "name%20email": Apple refuses a '+' for the
//     space, and core encodes every space of a query as %20.
//   - Requesting the name or email scope requires response_mode=form_post:
//     Apple POSTs the callback cross-site, so the flow cookie is
//     SameSite=None (FormPost).
//   - The user's name arrives once, on the first authorization only, in
//     the user form field of the callback ({"name":{"firstName":..,
//     "lastName":..},"email":..}); it becomes User.Name and is kept in
//     User.Raw["user"]. Persist it: Apple never sends it again. The email
//     of that field is ignored (it is not signed); the ID token's is used.
//   - email_verified and is_private_email may be JSON booleans or the
//     strings "true"/"false"; EmailVerified understands both, and
//     User.Raw["is_private_email"] is normalised to a boolean. Private
//     relay addresses (@privaterelay.appleid.com) are real, verified
//     addresses.
//   - No UserInfo endpoint: the user is the ID token's claims.
//   - client_secret_post only. PKCE is not advertised and not sent; the
//     nonce in the ID token binds the code to the login.
//   - Refresh answers carry no new refresh token (the old one is kept);
//     Apple asks not to refresh more than about once a day. Revocation at
//     /auth/revoke (needed for account deletion).
//   - Errors are RFC 6749 JSON with 400 (invalid_grant, invalid_client...).
//
// Default scopes: name, email. Options: those every constructor takes (see
// Option; WithRedirectURL must be https, not localhost: Apple refuses
// others), and WithFormPost (a no-op: Apple always answers so),
// WithAdditionalIssuers and WithTrustedAudiences. The returned provider is
// immutable and safe for concurrent use.
func Apple(clientID, teamID, keyID string, p8Key []byte, opts ...Option) (*core.Provider, error) {
	var errs []error
	if teamID == "" {
		errs = append(errs, fmt.Errorf("%w: apple: team id is empty", core.ErrInvalidConfig))
	}
	if keyID == "" {
		errs = append(errs, fmt.Errorf("%w: apple: key id is empty", core.ErrInvalidConfig))
	}
	key, err := appleParseKey(p8Key)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	signer := &appleSecret{clientID: clientID, teamID: teamID, keyID: keyID, key: key, now: time.Now}
	return newOIDC(oidcParams{
		spec: spec{name: "apple", display: "Apple", issuer: appleIssuer, scopes: []string{"name", "email"},
			authOptions: []core.Option{core.WithParam("response_mode", "form_post")}, formPost: true,
			method: core.AuthSecretPost, pkce: core.PKCEUnsupported,
			dialect: &core.Dialect{EditRequest: signer.editRequest},
		},
		user:         appleUser,
		clientSecret: appleSecretMarker,
	}, clientID, "", opts)
}

// appleParseKey reads a .p8 file: PEM "PRIVATE KEY" holding a PKCS#8 P-256
// key. Errors never quote the key.
func appleParseKey(p8 []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(p8)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%w: apple: the key is not a PEM \"PRIVATE KEY\" block (a .p8 file)", core.ErrInvalidConfig)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: apple: the key is not PKCS#8", core.ErrInvalidConfig)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: apple: the key is not a P-256 (ES256) key", core.ErrInvalidConfig)
	}
	return ec, nil
}

// appleSecret signs and caches the client secret JWT.
type appleSecret struct {
	clientID, teamID, keyID string
	key                     *ecdsa.PrivateKey
	now                     func() time.Time

	mu      sync.Mutex
	jwt     string
	expires time.Time
}

// current returns a client secret valid for at least appleSecretRenewal.
func (a *appleSecret) current(now time.Time) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.jwt != "" && now.Add(appleSecretRenewal).Before(a.expires) {
		return a.jwt, nil
	}
	iat := now.Truncate(time.Second)
	exp := iat.Add(appleSecretLifetime)
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": a.teamID,
		"iat": iat.Unix(),
		"exp": exp.Unix(),
		"aud": appleIssuer,
		"sub": a.clientID,
	})
	t.Header["kid"] = a.keyID
	s, err := t.SignedString(a.key)
	if err != nil {
		return "", fmt.Errorf("providers: apple: signing the client secret: %w", err)
	}
	a.jwt, a.expires = s, exp
	return s, nil
}

// editRequest puts a signed client secret in place of the marker.
func (a *appleSecret) editRequest(r *core.Request) error {
	if r.Params.Get("client_secret") == "" {
		return nil
	}
	now := a.now
	if r.Clock != nil {
		now = r.Clock.Now
	}
	s, err := a.current(now())
	if err != nil {
		return err
	}
	r.Params.Set("client_secret", s)
	return nil
}

// appleUser builds the user from the verified ID token, normalises
// is_private_email, and takes the name from the callback's user field.
func appleUser(ctx context.Context, r core.UserRequest, _ string) (*core.User, error) {
	u, err := oidcUser(ctx, r, "", oidc.WithStringEmailVerified())
	if err != nil {
		return nil, err
	}
	if v, ok := u.Raw["is_private_email"]; ok {
		u.Raw["is_private_email"] = jsonmap.BoolValue(v)
	}
	if raw := r.Callback.Get("user"); raw != "" {
		var field struct {
			Name struct {
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
			} `json:"name"`
		}
		var obj map[string]any
		// A malformed field is ignored: it is unsigned decoration, and the
		// login itself rests on the verified ID token.
		if json.Unmarshal([]byte(raw), &field) == nil && json.Unmarshal([]byte(raw), &obj) == nil {
			u.Name = strings.TrimSpace(field.Name.FirstName + " " + field.Name.LastName)
			u.Raw["user"] = obj
		}
	}
	return u, nil
}
