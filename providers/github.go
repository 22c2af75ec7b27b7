package providers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// GitHub endpoints on github.com.
const (
	githubWebURL = "https://github.com"
	githubAPIURL = "https://api.github.com"
)

// githubAPIVersion pins the REST API version of the user and revocation
// calls.
const githubAPIVersion = "2022-11-28"

// GitHub returns a provider for "Sign in with GitHub" (OAuth Apps and GitHub
// Apps acting for a user). It reports configuration problems (an empty
// client id or secret, a bad base or redirect URL), joined, each wrapping
// core.ErrInvalidConfig; it does no network I/O.
//
// Documentation:
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
//
// Quirks handled here:
//
//   - The token endpoint answers form-encoded unless asked for JSON, so every
//     request carries Accept: application/json.
//   - Credentials go in the body (client_secret_post), never in a Basic
//     header.
//   - Token errors come back with HTTP 200 and an "error" member
//     ({"error":"bad_verification_code"}); they are errors all the same, and
//     bad_verification_code and bad_refresh_token map to invalid_grant.
//   - The granted scope is comma-separated ("read:user,user:email") and is
//     kept as GitHub spelled it.
//   - PKCE S256 is supported (since July 2025) and always sent.
//   - Refresh tokens exist only for GitHub Apps with expiring user tokens;
//     they use the ordinary refresh_token grant at the token endpoint.
//   - Revocation is not RFC 7009: DELETE {api}/applications/{client_id}/token
//     with HTTP Basic client credentials and the JSON body
//     {"access_token": "..."}, answered with 204. Only access tokens can be
//     revoked this way; the hint is ignored.
//   - The user comes from GET {api}/user: the numeric id becomes the ID,
//     login the Username, name the Name (empty when the profile has none),
//     avatar_url the AvatarURL. The email comes only from GET
//     {api}/user/emails (scope user:email): the address that is both primary
//     and verified, with EmailVerified true. Without one, Email stays empty;
//     the public email of /user is never used, since it need not be
//     verified. A 403 or 404 from /user/emails (scope or permission not
//     granted) also leaves Email empty; other failures are errors.
//
// Default scopes: read:user and user:email. Options: those every
// constructor takes (see Option), and WithBaseURL("https://HOST") for
// GitHub Enterprise Server: HOST/login/oauth/... for OAuth and HOST/api/v3
// for the API.
//
// The returned provider is immutable and safe for concurrent use.
func GitHub(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	s := collect(opts)
	web, api := githubWebURL, githubAPIURL
	base, err := checkBaseURL("github", "base URL", s.baseURL, githubWebURL)
	if base != githubWebURL {
		web, api = base, base+"/api/v3"
	}
	gh := &github{api: api}
	return s.build(clientID, clientSecret, spec{
		name: "github", display: "GitHub", scopes: []string{"read:user", "user:email"},
		endpoints: core.Endpoints{
			AuthURL:       web + "/login/oauth/authorize",
			TokenURL:      web + "/login/oauth/access_token",
			RevocationURL: api + "/applications/" + url.PathEscape(clientID) + "/token",
			UserInfoURL:   api + "/user",
		},
		method: core.AuthSecretPost, dialect: githubDialect, fetchUser: gh.fetchUser,
		userFields: githubUserFields,
		accepts:    optBaseURL,
	}, err)
}

// githubUserFields are the members of GitHub's user and email answers that
// hold personal data.
var githubUserFields = core.UserFields{
	ID: "id", Username: "login", Name: "name", AvatarURL: "avatar_url", Email: "email",
	Personal: []string{"node_id", "html_url", "company", "blog", "location", "bio", "twitter_username", "gravatar_id"},
}

// githubDialect is RFC 6749 plus JSON answers on request and GitHub's
// revocation call.
var githubDialect = &core.Dialect{
	Headers:                 map[string]string{"Accept": "application/json"},
	EditRequest:             githubEditRequest,
	RevokesAccessTokensOnly: true,
}

// githubEditRequest turns core's RFC 7009 revocation request (a form POST
// of token, token_type_hint, client_id and client_secret) into GitHub's
// DELETE with Basic credentials and a JSON body of the access token alone.
func githubEditRequest(r *core.Request) error {
	if r.Op != core.OpRevoke {
		return nil
	}
	id, secret, token := r.Params.Get("client_id"), r.Params.Get("client_secret"), r.Params.Get("token")
	r.Method = http.MethodDelete
	r.Format = core.FormatJSON
	r.Params = &core.Params{}
	r.Params.Set("access_token", token)
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+secret)))
	r.Header.Set("Accept", "application/vnd.github+json")
	r.Header.Set("X-GitHub-Api-Version", githubAPIVersion)
	return nil
}

type github struct {
	api string
}

// githubEmail is one entry of GET /user/emails.
type githubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

func (g *github) header() http.Header {
	return http.Header{"Accept": {"application/vnd.github+json"}, "X-Github-Api-Version": {githubAPIVersion}}
}

func (g *github) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: g.api + "/user", Token: r.Token, Header: g.header()})
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
	var emails []githubEmail
	_, err = r.Client.Resource(ctx, core.ResourceRequest{URL: g.api + "/user/emails", Token: r.Token, Header: g.header(), Into: &emails})
	var se *core.StatusError
	switch {
	case errors.As(err, &se) && (se.Status == http.StatusForbidden || se.Status == http.StatusNotFound):
		return u, nil
	case err != nil:
		return nil, fmt.Errorf("providers: github: user emails: %w", err)
	}
	raw := make([]any, 0, len(emails))
	for _, e := range emails {
		raw = append(raw, map[string]any{"email": e.Email, "primary": e.Primary, "verified": e.Verified})
		if e.Primary && e.Verified && u.Email == "" {
			u.Email, u.EmailVerified = e.Email, true
		}
	}
	u.Raw["emails"] = raw
	return u, nil
}
