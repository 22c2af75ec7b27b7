package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// giteeURL is gitee.com.
const giteeURL = "https://gitee.com"

// Gitee returns a provider for Gitee (码云) OAuth 2.0. It reports
// configuration problems, joined, each wrapping core.ErrInvalidConfig; it
// does no network I/O.
//
// Documentation: https://gitee.com/api/v5/oauth_doc
//
// Quirks handled here:
//
//   - Scopes are space-separated; the default is user_info and emails. The
//     emails scope must also be enabled on the application, else Gitee
//     refuses it.
//   - No PKCE (Gitee does not implement it); the login relies on state.
//   - The token request is Gitee's documented shape: a POST to
//     /oauth/token with grant_type, code, client_id and redirect_uri in the
//     URL query and only client_secret in the form body. Refresh is the same
//     POST with grant_type=refresh_token and refresh_token in the query
//     (Gitee documents no client credentials for it; they are sent as for the
//     exchange, client_id in the query and client_secret in the body, which
//     a Doorkeeper server checks when given).
//   - Errors are Doorkeeper's RFC 6749 bodies ({"error":"invalid_grant",...})
//     with HTTP 400/401.
//   - No revocation endpoint and no OpenID Connect.
//   - The user is GET /api/v5/user with a Bearer token: id (a number) is the
//     ID, login the Username, name the Name, avatar_url the AvatarURL. The
//     email of /api/v5/user is not used (usually null, never verified);
//     the address comes from GET /api/v5/emails: the one whose state is
//     "confirmed" and whose scope includes "primary", with EmailVerified
//     true. When /api/v5/emails is refused (401, 403 or 404: the emails
//     scope was not granted), Email stays empty.
//
// Options: those every constructor takes (see Option), and
// WithBaseURL("https://HOST") for another Gitee installation: HOST/oauth/...
// for OAuth and HOST/api/v5 for the API.
//
// The returned provider is immutable and safe for concurrent use.
func Gitee(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	s := collect(opts)
	base, err := checkBaseURL("gitee", "base URL", s.baseURL, giteeURL)
	g := &gitee{api: base + "/api/v5"}
	return s.build(clientID, clientSecret, spec{
		name: "gitee", display: "Gitee", scopes: []string{"user_info", "emails"},
		endpoints: core.Endpoints{
			AuthURL:     base + "/oauth/authorize",
			TokenURL:    base + "/oauth/token",
			UserInfoURL: g.api + "/user",
		},
		method: core.AuthSecretPost, dialect: giteeDialect, pkce: core.PKCEUnsupported,
		fetchUser: g.fetchUser, accepts: optBaseURL,
		userFields: giteeUserFields,
	}, err)
}

// giteeUserFields are the members of Gitee's user and email answers that
// hold personal data.
var giteeUserFields = core.UserFields{
	ID: "id", Username: "login", Name: "name", AvatarURL: "avatar_url", Email: "email",
	Personal: []string{"html_url", "url", "bio", "blog", "weibo", "remark"},
}

// giteeDialect is RFC 6749 with Gitee's token request shape.
var giteeDialect = &core.Dialect{
	EditRequest: giteeEditRequest,
}

// giteeEditRequest moves every token request parameter but client_secret
// into the URL query, leaving the secret alone in the form body.
func giteeEditRequest(r *core.Request) error {
	if r.Op != core.OpExchange && r.Op != core.OpRefresh {
		return nil
	}
	query, body := &core.Params{}, &core.Params{}
	r.Params.Each(func(k, v string) {
		if k == "client_secret" {
			body.Set(k, v)
		} else {
			query.Set(k, v)
		}
	})
	r.URL = appendQuery(r.URL, query)
	r.Params = body
	return nil
}

type gitee struct {
	api string
}

// giteeEmail is one entry of GET /api/v5/emails.
type giteeEmail struct {
	Email string   `json:"email"`
	State string   `json:"state"`
	Scope []string `json:"scope"`
}

func (g *gitee) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: g.api + "/user", Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:        jsonmap.String(fields, "id"),
		Username:  jsonmap.String(fields, "login"),
		Name:      jsonmap.String(fields, "name"),
		AvatarURL: jsonmap.String(fields, "avatar_url"),
		Raw:       fields,
	}
	var emails []giteeEmail
	_, err = r.Client.Resource(ctx, core.ResourceRequest{URL: g.api + "/emails", Token: r.Token, Into: &emails})
	var se *core.StatusError
	switch {
	case errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden || se.Status == http.StatusNotFound):
		return u, nil
	case err != nil:
		return nil, fmt.Errorf("providers: gitee: user emails: %w", err)
	}
	raw := make([]any, 0, len(emails))
	for _, e := range emails {
		scope := make([]any, 0, len(e.Scope))
		for _, s := range e.Scope {
			scope = append(scope, s)
		}
		raw = append(raw, map[string]any{"email": e.Email, "state": e.State, "scope": scope})
		if u.Email == "" && e.State == "confirmed" && slices.Contains(e.Scope, "primary") {
			u.Email, u.EmailVerified = e.Email, true
		}
	}
	u.Raw["emails"] = raw
	return u, nil
}
