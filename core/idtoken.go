package core

import (
	"context"
	"encoding/json"
	"time"
)

// IDTokenVerifier verifies OpenID Connect ID tokens for one client. Package
// oidc implements it; core only calls it, so core never imports oidc.
// Implementations are safe for concurrent use.
type IDTokenVerifier interface {
	// VerifyIDToken checks the signature and every claim of raw as OpenID
	// Connect Core §3.1.3.7 requires, plus the expectations in want, and
	// returns the parsed token. It never returns a token with an error.
	VerifyIDToken(ctx context.Context, raw string, want IDTokenExpectations) (*IDToken, error)
}

// IDTokenExpectations are the per-login facts an ID token is checked against
// on top of the verifier's fixed configuration (issuer, client id, keys).
type IDTokenExpectations struct {
	// Nonce, when not empty, must equal the token's nonce claim, which must
	// then be present.
	Nonce string
	// AccessToken, when not empty, is checked against at_hash if the token
	// has one (RequireAtHash makes it mandatory).
	AccessToken   string
	RequireAtHash bool
	// Code, when not empty, is checked against c_hash (required then).
	Code string
	// MaxAge > 0, or MaxAgeSet, means max_age was sent: auth_time is
	// required and must not be older than MaxAge (plus skew). MaxAgeSet
	// with MaxAge 0 is max_age=0: the user must have just authenticated.
	MaxAge    time.Duration
	MaxAgeSet bool
	// ACR, when not empty, lists the acceptable acr values; the token's acr
	// must be one of them.
	ACR []string
	// Previous is the ID token of the original login when verifying one
	// returned by a refresh: iss, sub, aud, azp and auth_time must equal its
	// values (OpenID Connect Core §12.2). A refresh response without a new
	// ID token is not verified at all.
	Previous *IDToken
}

// IDToken is a verified ID token.
type IDToken struct {
	Issuer          string
	Subject         string
	Audience        []string
	AuthorizedParty string
	Expiry          time.Time
	IssuedAt        time.Time
	NotBefore       time.Time // zero when absent
	AuthTime        time.Time // zero when absent
	Nonce           string
	ACR             string
	AMR             []string
	SessionID       string // sid
	AccessTokenHash string // at_hash
	// Raw is the compact serialisation. It is a bearer credential: do not
	// log it.
	Raw string
	// Payload is the token's JSON payload, for claims beyond the standard
	// ones: json.Unmarshal(t.Payload, &claims).
	Payload json.RawMessage
}
