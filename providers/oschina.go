package providers

import (
	"context"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// oschinaURL is www.oschina.net.
const oschinaURL = "https://www.oschina.net"

// OSChina returns a provider for OSChina (开源中国) OAuth 2.0. It reports
// configuration problems, joined, each wrapping core.ErrInvalidConfig; it
// does no network I/O.
//
// Documentation: https://www.oschina.net/openapi/docs
//
// Quirks handled here:
//
//   - The authorization page takes response_type, client_id, redirect_uri
//     and state; no scope is sent by default.
//   - No PKCE; the login relies on state.
//   - The token request is a POST to /action/openapi/token with every
//     parameter in the URL query (client_id, client_secret, grant_type,
//     redirect_uri, code) and dataType=json, without which OSChina may not
//     answer JSON. This is the shape working clients use; OSChina's pages
//     show it as a GET, which the reference tags as unverified either way.
//   - The answer has token_type, expires_in and uid; errors are
//     {"error":"...","error_description":"..."}, detected whatever the
//     HTTP status.
//   - Refresh is the same request with grant_type=refresh_token and
//     refresh_token (and dataType=json). No revocation, no OpenID Connect.
//   - The user is GET /action/openapi/user with access_token and
//     dataType=json in the query (not a Bearer header, which the seed used
//     and no other client does): id is the ID, name the Name, avatar the
//     AvatarURL. OSChina returns an email but does not say whether it is
//     verified, so EmailVerified is false.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func OSChina(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "oschina", display: "OSChina",
		endpoints: core.Endpoints{
			AuthURL:     oschinaURL + "/action/oauth2/authorize",
			TokenURL:    oschinaURL + "/action/openapi/token",
			UserInfoURL: oschinaURL + "/action/openapi/user",
		},
		method: core.AuthSecretPost, dialect: oschinaDialect, pkce: core.PKCEUnsupported,
		fetchUser:  oschinaUser,
		userFields: oschinaUserFields,
	})
}

// oschinaUserFields are the members of OSChina's user answer that hold
// personal data.
var oschinaUserFields = core.UserFields{
	ID: "id", Name: "name", AvatarURL: "avatar", Email: "email",
	Personal: []string{"gender", "location", "url"},
}

// oschinaDialect sends token requests as a POST with the parameters in the
// query and dataType=json.
var oschinaDialect = &core.Dialect{
	DefaultTokenType: "Bearer",
	EditRequest: func(r *core.Request) error {
		if r.Op == core.OpExchange || r.Op == core.OpRefresh {
			r.Params.Set("dataType", "json")
			r.Format = core.FormatQuery
		}
		return nil
	},
}

func oschinaUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true,
		Query: query("access_token", r.Token.AccessToken, "dataType", "json"),
	})
	if err != nil {
		return nil, err
	}
	return &core.User{
		ID:        jsonmap.String(fields, "id"),
		Name:      jsonmap.String(fields, "name"),
		AvatarURL: jsonmap.String(fields, "avatar"),
		Email:     jsonmap.String(fields, "email"),
		Raw:       fields,
	}, nil
}
