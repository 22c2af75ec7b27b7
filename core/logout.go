package core

import (
	"context"
	"errors"
	"fmt"
)

// LogoutOptions describe a logout at the provider.
type LogoutOptions struct {
	// Token is revoked at the provider's revocation endpoint when it has
	// one: the refresh token first (which usually ends the grant), then the
	// access token.
	Token *Token
	// IDTokenHint is the raw ID token of the session (id_token_hint).
	IDTokenHint string
	// PostLogoutRedirectURL is where the provider sends the user back; it
	// must be registered with the provider.
	PostLogoutRedirectURL string
	// State is echoed back to PostLogoutRedirectURL.
	State string
}

// Logout revokes the session's tokens where the provider supports
// revocation and returns the provider's end-session URL (OpenID Connect
// RP-Initiated Logout 1.0 §2) to redirect the browser to, or "" when the
// provider has none. Revocation failures are returned joined, but the URL is
// returned all the same: the local session should end regardless.
func (a *Auth) Logout(ctx context.Context, provider string, opts LogoutOptions) (string, error) {
	p, ok := a.byName[provider]
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownProvider, provider)
	}
	client, err := p.Client(ctx)
	if err != nil {
		return "", err
	}
	var errs []error
	if t := opts.Token; t != nil && client.Endpoints().RevocationURL != "" {
		if t.RefreshToken != "" {
			if err := client.Revoke(ctx, t.RefreshToken, HintRefreshToken); err != nil {
				errs = append(errs, err)
			}
		}
		if t.AccessToken != "" {
			if err := client.Revoke(ctx, t.AccessToken, HintAccessToken); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return EndSessionURL(client, opts), errors.Join(errs...)
}

// EndSessionURL builds the RP-initiated logout URL of client's provider with
// id_token_hint, post_logout_redirect_uri, state and client_id; "" when the
// provider has no end-session endpoint.
func EndSessionURL(client *Client, opts LogoutOptions) string {
	ep := client.Endpoints().EndSessionURL
	if ep == "" {
		return ""
	}
	p := &Params{}
	p.SetIfNotEmpty("id_token_hint", opts.IDTokenHint)
	p.SetIfNotEmpty("post_logout_redirect_uri", opts.PostLogoutRedirectURL)
	p.SetIfNotEmpty("state", opts.State)
	p.Set("client_id", client.ClientID())
	return appendQuery(ep, p)
}
