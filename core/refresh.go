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
// returned Token; the old one must be discarded.
func (a *Auth) Refresh(ctx context.Context, provider string, tok *Token, previous *IDToken) (*Token, *IDToken, error) {
	p, ok := a.byName[provider]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %q", ErrUnknownProvider, provider)
	}
	if tok == nil || tok.RefreshToken == "" {
		return nil, nil, ErrNoRefreshToken
	}
	client, err := p.Client(ctx)
	if err != nil {
		return nil, nil, err
	}
	next, err := client.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		return nil, nil, err
	}
	if !p.spec.OIDC || next.IDToken == "" {
		return next, previous, nil
	}
	if previous == nil {
		return nil, nil, fmt.Errorf("oauth20: refresh of %q returned an ID token but the login's ID token was not given", provider)
	}
	v, err := p.verifier(ctx)
	if err != nil {
		return nil, nil, err
	}
	if v == nil {
		return nil, nil, fmt.Errorf("oauth20: provider %q is OpenID but has no ID-token verifier", provider)
	}
	id, err := v.VerifyIDToken(ctx, next.IDToken, IDTokenExpectations{AccessToken: next.AccessToken, Previous: previous})
	if err != nil {
		return nil, nil, err
	}
	return next, id, nil
}
