package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/go-oauth20/oauth20/internal/urls"
)

// LogoutParams are the parameters of an RP-initiated logout request
// (OpenID Connect RP-Initiated Logout 1.0 §2). Empty fields are omitted.
type LogoutParams struct {
	// IDTokenHint is the ID token of the session (RECOMMENDED). It is a
	// credential: the URL built with it must not be logged.
	IDTokenHint string
	// PostLogoutRedirectURI must be registered with the OP; it must be an
	// absolute https URL (http only on loopback) without fragment.
	PostLogoutRedirectURI string
	// State is returned to PostLogoutRedirectURI unchanged. Treat what
	// comes back as opaque: never redirect onward based on it.
	State string
	// ClientID identifies the client; send it when IDTokenHint is absent.
	ClientID   string
	LogoutHint string
	UILocales  string
}

// EndSessionURL returns the URL to send the browser to for RP-initiated
// logout: endpoint (the end_session_endpoint) with the parameters added to
// any query it already has.
func EndSessionURL(endpoint string, p LogoutParams) (string, error) {
	if err := urls.CheckEndpoint(endpoint, false); err != nil {
		return "", fmt.Errorf("oidc: end_session_endpoint: %w", err)
	}
	if p.PostLogoutRedirectURI != "" {
		if err := urls.CheckEndpoint(p.PostLogoutRedirectURI, false); err != nil {
			return "", fmt.Errorf("oidc: post_logout_redirect_uri: %w", err)
		}
	}
	u, _ := url.Parse(endpoint)
	q := u.Query()
	for _, kv := range [...]struct{ k, v string }{
		{"id_token_hint", p.IDTokenHint},
		{"post_logout_redirect_uri", p.PostLogoutRedirectURI},
		{"state", p.State},
		{"client_id", p.ClientID},
		{"logout_hint", p.LogoutHint},
		{"ui_locales", p.UILocales},
	} {
		if kv.v != "" {
			q.Set(kv.k, kv.v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// LogoutToken is a verified back-channel logout token.
type LogoutToken struct {
	Issuer    string
	Subject   string // "" when only sid identifies the session
	SessionID string // "" when only sub identifies the user
	Audience  []string
	IssuedAt  time.Time
	Expiry    time.Time // zero when absent
	JWTID     string
	// Raw is the compact serialisation.
	Raw string
	// Payload is the decoded JSON payload.
	Payload json.RawMessage
}

// VerifyLogoutToken verifies a back-channel logout token (OpenID Connect
// Back-Channel Logout 1.0 §2.6): signature with the issuer's keys and an
// alg of the ID-token allow-list (never none, HS* only through
// SymmetricAlgorithms, the registered id_token_signed_response_alg alone
// when configured), typ absent, "JWT" or "logout+jwt", iss, aud
// (and azp) as for ID tokens, iat required, exp checked when present, the
// events claim with the back-channel logout member, sub or sid, jti, and no
// nonce. It does not remember jti values: replay detection is the
// caller's.
func (v *Verifier) VerifyLogoutToken(ctx context.Context, raw string) (*LogoutToken, error) {
	r, err := v.verifyJWS(ctx, raw, kindLogout)
	if err != nil {
		return nil, err
	}
	c := &r.c
	if err := v.checkCommon(c, r.tok.Algorithm, false); err != nil {
		return nil, err
	}
	switch {
	case !c.logoutEvent:
		return nil, fmt.Errorf("%w: events lacks %q", ErrInvalidLogoutToken, backChannelLogoutEvent)
	case c.has&(hasSub|hasSID) == 0:
		return nil, fmt.Errorf("%w: %w: neither %q nor %q", ErrInvalidLogoutToken, ErrMissingClaim, "sub", "sid")
	case c.has&hasNonce != 0:
		return nil, fmt.Errorf("%w: %w: a logout token must not carry a nonce", ErrInvalidLogoutToken, ErrNonceMismatch)
	case c.has&hasJTI == 0 || c.jti == "":
		return nil, fmt.Errorf("%w: %w: %q", ErrInvalidLogoutToken, ErrMissingClaim, "jti")
	}
	if c.has&hasSub != 0 {
		if err := validSubject(c.t.Subject); err != nil {
			return nil, err
		}
	}
	return &LogoutToken{
		Issuer:    c.t.Issuer,
		Subject:   c.t.Subject,
		SessionID: c.t.SessionID,
		Audience:  c.t.Audience,
		IssuedAt:  c.t.IssuedAt,
		Expiry:    c.t.Expiry,
		JWTID:     c.jti,
		Raw:       raw,
		Payload:   c.payload,
	}, nil
}
