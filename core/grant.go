package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

type grantRequest struct {
	params      *Params
	redirectURL string
	verifier    string
	scopes      []string
}

// Exchange trades an authorization code for a token (RFC 6749 §4.1.3),
// sending the PKCE verifier when given and the same redirect_uri as the
// authorization request. A code is single use, so Exchange never retries.
// Exchange does not verify the ID token; Auth.Complete does.
func (c *Client) Exchange(ctx context.Context, code string, opts ...Option) (*Token, error) {
	g := &grantRequest{redirectURL: c.cfg.RedirectURL}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpExchange, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "authorization_code")
	r.Params.Set("code", code)
	r.Params.setIfNotEmpty("redirect_uri", g.redirectURL)
	r.Params.setIfNotEmpty("code_verifier", g.verifier)
	return c.tokenRequest(ctx, r, g)
}

// Refresh obtains a new token with a refresh token (RFC 6749 §6). When the
// answer carries no new refresh token, the one given is kept in the result;
// when it carries one, the old one must be discarded (TokenSource does). An
// ID token in the answer is verified with Config.IDTokenVerifier, or
// dropped when there is none; to also check that it names the same user as
// the login's (OpenID Connect Core §12.2), use Auth.Refresh or a
// TokenSource given the login's ID token. Token.UserID is the answer's
// only: Refresh does not know the old token's, which Auth.Refresh,
// Auth.SessionToken and TokenSource keep when the answer names none.
func (c *Client) Refresh(ctx context.Context, refreshToken string, opts ...Option) (*Token, error) {
	t, _, err := c.refresh(ctx, &Token{RefreshToken: refreshToken}, nil, opts)
	return t, err
}

// refresh is the one refresh path: the grant with old's refresh token,
// then the ID token of the answer verified against previous (the login's,
// when known) or dropped when the client has no verifier.
func (c *Client) refresh(ctx context.Context, old *Token, previous *IDToken, opts []Option) (*Token, *IDToken, error) {
	t, err := c.refreshGrant(ctx, old, opts)
	if err != nil {
		return nil, nil, c.loginAgain(err)
	}
	if t.IDToken == "" {
		return t, previous, nil
	}
	id, err := c.verifyIDToken(ctx, t, IDTokenExpectations{AccessToken: t.AccessToken, Previous: previous})
	if err != nil {
		return nil, nil, fmt.Errorf("oauth20: %s: ID token: %w", OpRefresh, err)
	}
	if id == nil {
		return t, previous, nil
	}
	return t, id, nil
}

// verifyIDToken verifies the ID token of t with the client's verifier; with
// none it drops the ID token from t and returns nil.
func (c *Client) verifyIDToken(ctx context.Context, t *Token, want IDTokenExpectations) (*IDToken, error) {
	if c.cfg.IDTokenVerifier == nil {
		t.IDToken = ""
		return nil, nil
	}
	return c.cfg.IDTokenVerifier.VerifyIDToken(ctx, t.IDToken, want)
}

// refreshGrant sends the refresh grant with old's refresh token. What the
// answer does not carry is kept from old: the refresh token (not rotated)
// and the user's id. An answer that names another user than old is
// refused: a refresh token stays bound to the user it was issued to.
func (c *Client) refreshGrant(ctx context.Context, old *Token, opts []Option) (*Token, error) {
	if old == nil || old.RefreshToken == "" {
		return nil, loginAgainError{ErrNoRefreshToken}
	}
	g := &grantRequest{}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpRefresh, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "refresh_token")
	r.Params.Set("refresh_token", old.RefreshToken)
	t, err := c.tokenRequest(ctx, r, g)
	if err != nil {
		return nil, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = old.RefreshToken
	}
	switch {
	case t.UserID == "":
		t.UserID = old.UserID
	case old.UserID != "" && t.UserID != old.UserID:
		return nil, fmt.Errorf("oauth20: %s: %w: the answer names another user than the refreshed token", OpRefresh, ErrMalformedResponse)
	}
	return t, nil
}

// ClientCredentials obtains a token for the client itself (RFC 6749 §4.4).
// The client's default scopes are requested unless WithParam("scope", …) is given.
func (c *Client) ClientCredentials(ctx context.Context, opts ...Option) (*Token, error) {
	g := &grantRequest{scopes: c.cfg.Scopes}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpClientCredentials, c.cfg.Endpoints.TokenURL)
	r.Params.Set("grant_type", "client_credentials")
	return c.tokenRequest(ctx, r, g)
}

// tokenRequest sends a token request with the grant's extra parameters and
// decodes the token.
func (c *Client) tokenRequest(ctx context.Context, r *Request, g *grantRequest) (*Token, error) {
	if len(g.scopes) > 0 {
		r.Params.Set("scope", strings.Join(g.scopes, c.dialect.scopeSeparator()))
	}
	if g.params != nil {
		g.params.Each(r.Params.Set)
	}
	resp, err := c.call(ctx, r, true, c.dialect.Response)
	if err != nil {
		return nil, err
	}
	t, err := tokenFromFields(c.dialect, resp.Fields, c.clock.Now(), c.cfg.DPoPKey != nil)
	if err != nil {
		return nil, fmt.Errorf("oauth20: %s: %w", r.Op, err)
	}
	return t, nil
}

// loginAgain marks a refresh error that means the refresh token is no
// longer valid so that it matches ErrLoginAgain; other errors are returned
// as they are.
func (c *Client) loginAgain(err error) error {
	var oe *Error
	switch {
	case errors.Is(err, ErrNoRefreshToken):
	case errors.As(err, &oe) && oe.Code == CodeInvalidGrant:
	case oe != nil && c.dialect.RefreshTokenRejected != nil && c.dialect.RefreshTokenRejected(oe):
	default:
		return err
	}
	return loginAgainError{err}
}

// loginAgainError is a refresh error that matches ErrLoginAgain.
type loginAgainError struct{ err error }

func (e loginAgainError) Error() string        { return e.err.Error() }
func (e loginAgainError) Unwrap() error        { return e.err }
func (e loginAgainError) Is(target error) bool { return target == ErrLoginAgain }
