package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// IDToken is a verified ID token: the standard claims (in the embedded
// core.IDToken) and what the JOSE header said.
type IDToken struct {
	core.IDToken
	// Algorithm is the alg the token was signed with.
	Algorithm string
	// KeyID is the kid of the key that verified it ("" if none was named).
	KeyID string
}

// Claims decodes the token's payload into v (a pointer to a struct or map),
// for claims beyond the standard ones.
func (t *IDToken) Claims(v any) error {
	if t == nil || len(t.Payload) == 0 {
		return errors.New("oidc: ID token has no payload")
	}
	return json.Unmarshal(t.Payload, v)
}

// Verify checks raw as OpenID Connect Core §3.1.3.7 requires and returns the
// parsed token. In order: size and shape, the header (alg in the
// allow-list, never "none"; no crit; typ absent or "JWT"), the key (only
// from the issuer's JWK Set or, for HS*, the client secret; never from jku,
// jwk, x5u or x5c), the signature, and then the claims: iss exactly, aud
// with the client id and no untrusted audience, azp, exp (required), iat
// (required, not in the future), nbf, MaxTokenAge, sub (1 to 255 printable
// ASCII characters), and from want the nonce, at_hash and c_hash (hashed
// with the alg's hash), auth_time against max_age, acr, and the claims that
// must not change on refresh (§12.2).
//
// An encrypted ID token (a JWE, OpenID Connect Core §10.2) is decrypted
// with VerifierConfig.DecryptionKeys first and must hold a signed JWT,
// which is then verified as above; the returned token's Raw is that signed
// JWT (the one to send as id_token_hint). When the client registered
// IDTokenEncryption, an ID token that is not encrypted so is refused with
// ErrNotEncrypted.
//
// Every failure wraps the sentinel of the failed check; a token whose
// signature fails is reported as ErrBadSignature whatever its claims say.
// Verify does not call the UserInfo endpoint and does not remember nonces:
// single use of the nonce is the caller's login flow's job.
func (v *Verifier) Verify(ctx context.Context, raw string, want Expectations) (*IDToken, error) {
	switch {
	case isCompactJWE(raw):
		inner, err := v.decrypt(raw, v.idTokenEnc)
		if err != nil {
			return nil, err
		}
		if !isCompactJWS(inner) {
			// Signed, then encrypted (§10.2): a JWE that holds anything
			// else (claims in the clear) is not a signed token.
			return nil, fmt.Errorf("%w: the encrypted ID token holds no signed JWT", ErrMalformedToken)
		}
		raw = inner
	case v.idTokenEnc.registered():
		return nil, fmt.Errorf("%w: the ID token is not encrypted (%s was registered)", ErrNotEncrypted, v.idTokenEnc.Alg)
	}
	r, err := v.verifyJWS(ctx, raw, kindIDToken)
	if err != nil {
		return nil, err
	}
	c := &r.c
	if c.has&hasEvents != 0 {
		return nil, fmt.Errorf("%w: an ID token has no events claim (is it a logout token?)", ErrWrongTokenType)
	}
	if err := v.checkCommon(c, r.tok.Algorithm, true); err != nil {
		return nil, err
	}
	if err := checkSubject(c); err != nil {
		return nil, err
	}
	if want.Nonce != "" {
		if c.has&hasNonce == 0 {
			return nil, fmt.Errorf("%w: %w: %q", ErrNonceMismatch, ErrMissingClaim, "nonce")
		}
		if subtle.ConstantTimeCompare([]byte(c.t.Nonce), []byte(want.Nonce)) != 1 {
			return nil, fmt.Errorf("%w: the token's nonce is not the one sent", ErrNonceMismatch)
		}
	}
	if want.AccessToken != "" && (c.has&hasAtHash != 0 || want.RequireAtHash) {
		if c.has&hasAtHash == 0 {
			return nil, fmt.Errorf("%w: %w: %q", ErrAtHashMismatch, ErrMissingClaim, "at_hash")
		}
		if !hashMatches(r.tok.Algorithm, want.AccessToken, c.t.AccessTokenHash) {
			return nil, fmt.Errorf("%w: at_hash does not match the access token (%s)", ErrAtHashMismatch, r.tok.Algorithm)
		}
	} else if want.RequireAtHash {
		return nil, fmt.Errorf("%w: at_hash required but no access token given", ErrAtHashMismatch)
	}
	if want.Code != "" {
		if c.has&hasCHash == 0 {
			return nil, fmt.Errorf("%w: %w: %q", ErrCHashMismatch, ErrMissingClaim, "c_hash")
		}
		if !hashMatches(r.tok.Algorithm, want.Code, c.cHash) {
			return nil, fmt.Errorf("%w: c_hash does not match the code (%s)", ErrCHashMismatch, r.tok.Algorithm)
		}
	}
	if want.MaxAge > 0 || want.MaxAgeSet {
		if c.has&hasAuthTime == 0 {
			return nil, fmt.Errorf("%w: %w: the provider sent no auth_time although max_age (%s) was requested, "+
				"which OpenID Connect Core §3.1.2.1 requires; some providers omit it (Dex, dexidp/dex#1052): "+
				"leave max_age unset for such a provider", ErrAuthTimeMissing, ErrMissingClaim, want.MaxAge)
		}
		if age := v.now().Sub(c.t.AuthTime); age > want.MaxAge+v.skew {
			return nil, fmt.Errorf("%w: authenticated %s ago, max_age %s", ErrAuthTimeTooOld, age.Truncate(time.Second), want.MaxAge)
		}
	}
	if len(want.ACR) > 0 {
		if c.has&hasACR == 0 {
			return nil, fmt.Errorf("%w: %w: %q", ErrACRMismatch, ErrMissingClaim, "acr")
		}
		if !slices.Contains(want.ACR, c.t.ACR) {
			return nil, fmt.Errorf("%w: acr %s is not one of %q", ErrACRMismatch, quote(c.t.ACR), want.ACR)
		}
	}
	if want.Previous != nil {
		if err := checkRefresh(c, want.Previous); err != nil {
			return nil, err
		}
	}
	r.tok.Raw = raw
	r.tok.Payload = c.payload
	return &r.tok, nil
}

// VerifyIDToken implements core.IDTokenVerifier with Verify.
func (v *Verifier) VerifyIDToken(ctx context.Context, raw string, want core.IDTokenExpectations) (*core.IDToken, error) {
	t, err := v.Verify(ctx, raw, want)
	if err != nil {
		return nil, err
	}
	return &t.IDToken, nil
}

// checkCommon checks iss, aud, azp and the time claims. exp is required
// when requireExp; iat is always required.
func (v *Verifier) checkCommon(c *claimSet, alg string, requireExp bool) error {
	if err := v.checkIssuer(c); err != nil {
		return err
	}
	if err := v.checkAudience(c, alg); err != nil {
		return err
	}
	now := v.now()
	switch {
	case c.has&hasExp != 0:
		if !now.Before(c.t.Expiry.Add(v.skew)) {
			return fmt.Errorf("%w: expired %s ago", ErrTokenExpired, now.Sub(c.t.Expiry).Truncate(time.Second))
		}
	case requireExp:
		return fmt.Errorf("%w: %w: %q", ErrTokenExpired, ErrMissingClaim, "exp")
	}
	if c.has&hasIat == 0 {
		return fmt.Errorf("%w: %w: %q", ErrIssuedInFuture, ErrMissingClaim, "iat")
	}
	if c.t.IssuedAt.After(now.Add(v.skew)) {
		return fmt.Errorf("%w: iat is %s ahead of the clock", ErrIssuedInFuture, c.t.IssuedAt.Sub(now).Truncate(time.Second))
	}
	if v.maxTokenAge > 0 && now.Sub(c.t.IssuedAt) > v.maxTokenAge+v.skew {
		return fmt.Errorf("%w: issued %s ago, limit %s", ErrTokenTooOld, now.Sub(c.t.IssuedAt).Truncate(time.Second), v.maxTokenAge)
	}
	if c.has&hasNbf != 0 && c.t.NotBefore.After(now.Add(v.skew)) {
		return fmt.Errorf("%w: nbf is %s ahead of the clock", ErrTokenNotYetValid, c.t.NotBefore.Sub(now).Truncate(time.Second))
	}
	return nil
}

// checkIssuer compares iss byte for byte with the issuer, the additional
// spellings, or the tenant template filled with the token's tid.
func (v *Verifier) checkIssuer(c *claimSet) error {
	if c.has&hasIss == 0 {
		return fmt.Errorf("%w: %w: %q", ErrIssuerMismatch, ErrMissingClaim, "iss")
	}
	if v.tenantPrefix == "" && v.tenantSuffix == "" {
		if c.t.Issuer == v.issuer {
			return nil
		}
	} else if c.has&hasTID != 0 && validTenant(c.tid) &&
		len(c.t.Issuer) == len(v.tenantPrefix)+len(c.tid)+len(v.tenantSuffix) &&
		c.t.Issuer[:len(v.tenantPrefix)] == v.tenantPrefix &&
		c.t.Issuer[len(v.tenantPrefix):len(v.tenantPrefix)+len(c.tid)] == c.tid &&
		c.t.Issuer[len(v.tenantPrefix)+len(c.tid):] == v.tenantSuffix {
		return nil
	}
	if slices.Contains(v.altIssuers, c.t.Issuer) {
		return nil
	}
	return fmt.Errorf("%w: got %s, want %s", ErrIssuerMismatch, quote(c.t.Issuer), quote(v.issuer))
}

// validTenant accepts tenant ids made of letters, digits, '-' and '.', so
// a tid cannot add path segments to the issuer.
func validTenant(tid string) bool {
	if tid == "" || len(tid) > 64 {
		return false
	}
	for i := 0; i < len(tid); i++ {
		b := tid[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '.') {
			return false
		}
	}
	return true
}

// checkAudience: the client id is in aud, every other audience is trusted,
// azp equals the client id when present and is present when aud has
// several values, and an HMAC token has a single audience.
func (v *Verifier) checkAudience(c *claimSet, alg string) error {
	if c.has&hasAud == 0 || len(c.t.Audience) == 0 {
		return fmt.Errorf("%w: %w: %q", ErrAudienceMismatch, ErrMissingClaim, "aud")
	}
	found := false
	for _, a := range c.t.Audience {
		switch {
		case a == v.clientID:
			found = true
		case !slices.Contains(v.trusted, a):
			return fmt.Errorf("%w: untrusted audience %s", ErrAudienceMismatch, quote(a))
		}
	}
	if !found {
		return fmt.Errorf("%w: client id %s is not in aud", ErrAudienceMismatch, quote(v.clientID))
	}
	if isHMAC(alg) && len(c.t.Audience) > 1 {
		return fmt.Errorf("%w: %s token with %d audiences", ErrAudienceMismatch, alg, len(c.t.Audience))
	}
	if c.has&hasAzp != 0 && c.t.AuthorizedParty != v.clientID {
		return fmt.Errorf("%w: azp %s", ErrAuthorizedPartyMismatch, quote(c.t.AuthorizedParty))
	}
	if c.has&hasAzp == 0 && len(c.t.Audience) > 1 {
		return fmt.Errorf("%w: %w: %q (aud has %d values)", ErrAuthorizedPartyMismatch, ErrMissingClaim, "azp", len(c.t.Audience))
	}
	return nil
}

// checkSubject: sub present, at most 255 printable ASCII characters.
func checkSubject(c *claimSet) error {
	if c.has&hasSub == 0 {
		return fmt.Errorf("%w: %w: %q", ErrInvalidSubject, ErrMissingClaim, "sub")
	}
	return validSubject(c.t.Subject)
}

func validSubject(sub string) error {
	if sub == "" || len(sub) > 255 {
		return fmt.Errorf("%w: length %d, want 1 to 255", ErrInvalidSubject, len(sub))
	}
	for i := 0; i < len(sub); i++ {
		if sub[i] < 0x20 || sub[i] > 0x7e {
			return fmt.Errorf("%w: not printable ASCII", ErrInvalidSubject)
		}
	}
	return nil
}

// checkRefresh compares a refreshed ID token with the original (§12.2):
// iss, sub, aud (as a set), azp (absent stays absent) and auth_time must be
// equal. A nonce is not compared: §12.2 says a refreshed ID token should
// carry none and asks nothing of one that does, and some providers put in
// the nonce of the user's latest login on any device (Gitea keeps one
// grant per user and client). The nonce protects the front channel; a
// refresh answer comes from the token endpoint to the authenticated client.
func checkRefresh(c *claimSet, prev *core.IDToken) error {
	mismatch := func(name string) error {
		return fmt.Errorf("%w: %s changed", ErrRefreshMismatch, name)
	}
	switch {
	case c.t.Issuer != prev.Issuer:
		return mismatch("iss")
	case c.t.Subject != prev.Subject:
		return mismatch("sub")
	case !sameSet(c.t.Audience, prev.Audience):
		return mismatch("aud")
	case c.t.AuthorizedParty != prev.AuthorizedParty:
		return mismatch("azp")
	case !c.t.AuthTime.Equal(prev.AuthTime):
		return mismatch("auth_time")
	}
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// hashMatches reports whether claim is the at_hash/c_hash of value for a
// token signed with alg: base64url of the left half of the alg's hash of
// the ASCII value (§3.1.3.6, §3.3.2.11). EdDSA (Ed25519) uses SHA-512.
func hashMatches(alg, value, claim string) bool {
	var (
		sum  [64]byte
		half int
	)
	switch alg[len(alg)-3:] {
	case "256":
		s := sha256.Sum256([]byte(value))
		copy(sum[:], s[:])
		half = 16
	case "384":
		s := sha512.Sum384([]byte(value))
		copy(sum[:], s[:])
		half = 24
	default: // 512 and EdDSA
		sum = sha512.Sum512([]byte(value))
		half = 32
	}
	var enc [44]byte
	n := base64.RawURLEncoding.EncodedLen(half)
	base64.RawURLEncoding.Encode(enc[:n], sum[:half])
	return claim == string(enc[:n])
}
