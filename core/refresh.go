package core

import (
	"context"
	"fmt"
)

// Refresh refreshes the token of a login made with provider. For OpenID
// providers, an ID token in the answer is verified as OpenID Connect Core
// §12.2 requires — its iss, sub, aud, azp and auth_time must equal those of
// previous, the login's verified ID token — and when that fails the new
// tokens are not returned at all. The returned ID token is the new one, or
// previous when the answer had none. A rotated refresh token is in the
// returned Token; the old one must be discarded. The returned Token keeps
// tok's UserID when the answer names no user.
//
// The refresh is single across every replica sharing the Auth's Store: of
// the calls that come at once with the same refresh token, in one process
// or in several, one refreshes at the provider and the others wait for its
// result (within their ctx) and return it; a call that comes within a
// minute with the same refresh token and the access token it replaced gets
// that result too, rather than use a refresh token the provider may have
// rotated out. The result is shared through
// the Store sealed with the Auth's keys. The error wraps
// ErrStoreUnavailable when the Store failed before the refresh, which is
// then not made. For the tokens of a session, SessionToken also writes the
// new token back to the session.
func (a *Auth) Refresh(ctx context.Context, provider string, tok *Token, previous *IDToken) (*Token, *IDToken, error) {
	p, ok := a.byName[provider]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrUnknownProvider, provider)
	}
	if tok == nil || tok.RefreshToken == "" {
		return nil, nil, loginAgainError{ErrNoRefreshToken}
	}
	if p.spec.OIDC && previous == nil {
		return nil, nil, fmt.Errorf("oauth20: refresh with %q needs the login's ID token to check the new one against (OpenID Connect Core §12.2)", provider)
	}
	client, err := p.Client(ctx)
	if err != nil {
		return nil, nil, err
	}
	return a.refreshByToken(ctx, p, client, tok, previous)
}
