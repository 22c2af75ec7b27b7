package providers

import (
	"context"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// LinuxDo endpoints.
const (
	linuxdoConnectURL = "https://connect.linux.do"
	linuxdoSiteURL    = "https://linux.do"
	// linuxdoAvatarSize is substituted for {size} in avatar templates.
	linuxdoAvatarSize = "288"
)

// LinuxDo returns a provider for LINUX DO Connect, the OAuth 2.0 login of
// the linux.do forum. It reports configuration problems, joined, each
// wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://wiki.linux.do/Community/LinuxDoConnect
//
// Quirks handled here:
//
//   - Standard authorization code flow at connect.linux.do; the token
//     endpoint takes the client credentials in an HTTP Basic header
//     (client_secret_basic), never in the body.
//   - PKCE is not documented, so it is not sent (assumption: the reference
//     tags this unverified); the login relies on state.
//   - No scope is requested by default (none is documented).
//   - Refresh is the standard refresh_token grant at the token endpoint.
//     No revocation endpoint and no OpenID Connect are documented.
//   - The user is GET https://connect.linux.do/api/user with a Bearer token:
//     id (a number, formatted as a string) is the ID, username the
//     Username, name the Name, and avatar_template (a forum template with
//     "{size}", often a relative path) becomes AvatarURL with size 288 on
//     https://linux.do. Email is not documented: an "email" member is used
//     when present but never marked verified.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func LinuxDo(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "linuxdo", display: "LINUX DO",
		endpoints: core.Endpoints{
			AuthURL:     linuxdoConnectURL + "/oauth2/authorize",
			TokenURL:    linuxdoConnectURL + "/oauth2/token",
			UserInfoURL: linuxdoConnectURL + "/api/user",
		},
		method: core.AuthSecretBasic, pkce: core.PKCEUnsupported, fetchUser: linuxdoUser,
		userFields: linuxdoUserFields,
		// The user answer carries an api_key: a credential of the user.
		dialect: &core.Dialect{SecretFields: []string{"api_key"}},
	})
}

// linuxdoUserFields are the members of LINUX DO's user answer that hold
// personal data.
var linuxdoUserFields = core.UserFields{
	ID: "id", Username: "username", Name: "name", AvatarURL: "avatar_template", Email: "email",
	Personal: []string{"external_ids"},
}

func linuxdoUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: r.Client.Endpoints().UserInfoURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:        jsonmap.String(fields, "id"),
		Username:  jsonmap.String(fields, "username"),
		Name:      jsonmap.String(fields, "name"),
		AvatarURL: linuxdoAvatar(jsonmap.String(fields, "avatar_template")),
		Email:     jsonmap.String(fields, "email"),
		Raw:       fields,
	}
	return u, nil
}

// linuxdoAvatar fills a forum avatar template's size and makes it absolute.
func linuxdoAvatar(tmpl string) string {
	if tmpl == "" {
		return ""
	}
	a := strings.ReplaceAll(tmpl, "{size}", linuxdoAvatarSize)
	switch {
	case strings.HasPrefix(a, "//"):
		return "https:" + a
	case strings.HasPrefix(a, "/"):
		return linuxdoSiteURL + a
	}
	return a
}
