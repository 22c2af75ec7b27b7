package providers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// VK ID endpoints.
const (
	vkidAuthURL     = "https://id.vk.com/authorize"
	vkidTokenURL    = "https://id.vk.com/oauth2/auth"
	vkidLogoutURL   = "https://id.vk.com/oauth2/logout"
	vkidUserInfoURL = "https://id.vk.com/oauth2/user_info"
)

// errVKIDNoDeviceID refuses a VK ID callback without its device_id, which
// the exchange cannot do without.
var errVKIDNoDeviceID = errors.New("providers: vkid: the callback has no device_id")

// VKID returns a provider for "Log in with VK ID" (id.vk.com, OAuth 2.1),
// the login that replaces the legacy oauth.vk.com flow. clientID is the
// app's ID; VK ID's web flow is a public client, protected by PKCE, and
// takes no client secret. It reports configuration problems (an empty
// client id, a bad redirect URL), joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://id.vk.com/about/business/go/docs/ru/vkid/latest/vk-id/intro/plan,
// https://id.vk.ru/about/faq/business/vkid/authorization/30011, and VK's
// own web SDK (github.com/VKCOM/vkid-web-sdk, src/auth/auth.ts), which
// calls the same endpoints.
//
// Quirks handled here:
//
//   - PKCE S256 is mandatory and sent on every login; client_id goes in the
//     body, with no secret.
//   - The callback carries device_id beside code and state, and the code
//     exchange must send both device_id and state back: the provider's
//     core.ProviderSpec.CheckCallback takes them from the callback that
//     core.Auth.Complete receives and the exchange carries them. A callback
//     without device_id is refused (400) before the code is used.
//   - The token answer has access_token, refresh_token, an id_token,
//     expires_in, user_id and the state echoed. The ID token is not
//     verified here (VK publishes no discovery document we could rely on),
//     so it is left out of Token.IDToken; it stays in Token.Raw.
//   - A refresh needs the device_id of the login too: pass
//     core.WithParam("device_id", id) to core.Client.Refresh, with the
//     device_id kept from the callback. A fresh random state is added to
//     each refresh, as VK asks for one. Auth.Refresh and TokenSource send
//     no device_id and cannot refresh a VK ID token.
//   - The default scope is vkid.personal_info; add email (and phone) with
//     WithScopes; scopes are space-separated.
//   - Errors are {"error":"invalid_grant","error_description":...,
//     "state":...} with RFC 6749 codes.
//   - Revocation is the logout call, POST /oauth2/logout with client_id and
//     access_token, answered {"response":1}; it ends the session's tokens.
//     Only access tokens can be given.
//   - The user comes from POST /oauth2/user_info with client_id and
//     access_token in the body, answered {"user":{...}}: user_id becomes
//     the ID, first and last name the Name, email the Email, avatar the
//     AvatarURL. VK does not say whether the address is verified, so
//     EmailVerified stays false.
//
// Options: those every constructor takes (see Option; WithAuthParam for
// lang_id or scheme, for example).
//
// The returned provider is immutable and safe for concurrent use.
func VKID(clientID string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, "", spec{
		name: "vkid", display: "VK ID", scopes: []string{"vkid.personal_info"},
		endpoints: core.Endpoints{
			AuthURL: vkidAuthURL, TokenURL: vkidTokenURL, RevocationURL: vkidLogoutURL, UserInfoURL: vkidUserInfoURL,
		},
		method: core.AuthNone, dialect: vkidDialect,
		checkCallback: vkidCheckCallback, userFields: vkidUserFields,
		fetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			return vkidFetchUser(ctx, r, clientID)
		},
	})
}

// vkidUserFields are the members of VK ID's answers that hold personal
// data: user_id in the token answer, the user object of /oauth2/user_info.
var vkidUserFields = core.UserFields{
	ID: "user_id", Email: "email", AvatarURL: "avatar",
	Personal: []string{"first_name", "last_name", "sex", "birthday"},
}

var vkidDialect = &core.Dialect{
	RevocationErrorsIn2xx:   true,
	RevokesAccessTokensOnly: true,
	// device_id binds the code and the refresh token to the device that
	// logged in; the exchange and refreshes send it.
	SecretFields: []string{"device_id"},
	EditRequest:  vkidEditRequest,
	EditToken: func(t *core.Token, _ map[string]any) error {
		t.IDToken = "" // not verified: see VKID
		return nil
	},
}

// vkidCheckCallback takes device_id and state from the callback for the
// exchange.
func vkidCheckCallback(cb url.Values, _ time.Time) (*core.Params, error) {
	dev := cb.Get("device_id")
	if dev == "" || len(dev) > 512 {
		return nil, errVKIDNoDeviceID
	}
	return query("device_id", dev, "state", cb.Get("state")), nil
}

// vkidEditRequest adds a state to refreshes and turns core's RFC 7009
// revocation into the logout call.
func vkidEditRequest(r *core.Request) error {
	switch r.Op {
	case core.OpRefresh:
		if r.Params.Get("state") == "" {
			b := make([]byte, 24)
			_, _ = rand.Read(b)
			r.Params.Set("state", base64.RawURLEncoding.EncodeToString(b))
		}
	case core.OpRevoke:
		r.Params = query("client_id", r.Params.Get("client_id"), "access_token", r.Params.Get("token"))
	}
	return nil
}

func vkidFetchUser(ctx context.Context, r core.UserRequest, clientID string) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		Method: http.MethodPost, URL: vkidUserInfoURL, Token: r.Token, NoBearer: true,
		Body: query("client_id", clientID, "access_token", r.Token.AccessToken),
	})
	if err != nil {
		return nil, err
	}
	u := jsonmap.Object(fields, "user")
	if u == nil {
		return nil, fmt.Errorf("providers: vkid: %w: /oauth2/user_info has no user member", core.ErrMalformedResponse)
	}
	return &core.User{
		ID:        jsonmap.String(u, "user_id"),
		Name:      strings.TrimSpace(jsonmap.String(u, "first_name") + " " + jsonmap.String(u, "last_name")),
		Email:     jsonmap.String(u, "email"),
		AvatarURL: jsonmap.String(u, "avatar"),
		Raw:       fields,
	}, nil
}
