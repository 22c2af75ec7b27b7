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
		return nil, nil, loginAgainError{ErrNoRefreshToken}
	}
	client, err := p.Client(ctx)
	if err != nil {
		return nil, nil, err
	}
	if p.spec.OIDC && previous == nil {
		return nil, nil, fmt.Errorf("oauth20: refresh with %q needs the login's ID token to check the new one against (OpenID Connect Core §12.2)", provider)
	}
	t, id, err := client.refresh(ctx, tok.RefreshToken, previous, nil)
	if err == nil && p.spec.FAPI2 {
		if err := checkFAPI2Token(t); err != nil {
			return nil, nil, err
		}
	}
	return t, id, err
}
