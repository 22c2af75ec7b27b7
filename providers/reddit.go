package providers

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Reddit endpoints.
const (
	redditAuthURL   = "https://www.reddit.com/api/v1/authorize"
	redditTokenURL  = "https://www.reddit.com/api/v1/access_token"
	redditRevokeURL = "https://www.reddit.com/api/v1/revoke_token"
	redditMeURL     = "https://oauth.reddit.com/api/v1/me"
)

// Reddit returns a provider for "Log in with Reddit" (a "web app" in
// Reddit's app preferences). userAgent is sent on every request: Reddit
// throttles or blocks generic agents and asks for one that names the
// platform, the app, its version and its author, such as
// "web:com.example.myapp:v1.2.3 (by /u/yourname)". It reports configuration
// problems (an empty client id, secret or user agent, a bad redirect URL),
// joined, each wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://github.com/reddit-archive/reddit/wiki/OAuth2 and
// https://github.com/reddit-archive/reddit/wiki/API (User-Agent rules).
// Reddit is not in our verified provider reference: what follows is from
// Reddit's wiki and widely used clients, not re-checked against live
// answers.
//
// Quirks handled here:
//
//   - The token and revocation endpoints take HTTP Basic client
//     credentials only; a client secret is required (installed apps, which
//     have none, are not supported here). PKCE is not supported by Reddit
//     and not sent.
//   - Every authorization request carries duration=permanent, without
//     which Reddit issues no refresh token (one-hour tokens only). Pass
//     WithAuthParam("duration", "temporary") to opt out.
//   - Scopes are space-separated; the default is identity, the one GET
//     /api/v1/me needs.
//   - Token errors come in two shapes: an invalid or used code is
//     {"error":"invalid_grant"} (with HTTP 200 as Reddit has been seen to
//     answer, or 400), wrong client credentials are HTTP 401 with a numeric
//     {"message":"Unauthorized","error":401}, read as provider_error with
//     provider code "401".
//   - Revocation is RFC 7009 at /api/v1/revoke_token, answered 200 (the
//     wiki says 204, which Reddit answered until 2021); both are success.
//   - The user comes from GET https://oauth.reddit.com/api/v1/me (the API
//     host, not www): id (base-36, without the "t2_" prefix) becomes the ID,
//     name the Username, the profile's display title (subreddit.title) the
//     Name, icon_img the AvatarURL with Reddit's HTML escaping (&amp;) undone.
//     Reddit never gives the email address, so Email is always empty.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Reddit(clientID, clientSecret, userAgent string, opts ...Option) (*core.Provider, error) {
	ua := strings.TrimSpace(userAgent)
	var err error
	if ua == "" || strings.ContainsAny(ua, "\r\n") {
		err = fmt.Errorf("%w: reddit: the user agent must be a non-empty single line", core.ErrInvalidConfig)
	}
	return collect(opts).build(clientID, clientSecret, spec{
		name: "reddit", display: "Reddit", scopes: []string{"identity"},
		endpoints: core.Endpoints{
			AuthURL: redditAuthURL, TokenURL: redditTokenURL, RevocationURL: redditRevokeURL, UserInfoURL: redditMeURL,
		},
		method:      core.AuthSecretBasic,
		dialect:     &core.Dialect{Headers: map[string]string{"User-Agent": ua}},
		pkce:        core.PKCEUnsupported,
		authOptions: []core.Option{core.WithParam("duration", "permanent")},
		fetchUser:   redditFetchUser,
		userFields:  redditUserFields,
	}, err)
}

// redditUserFields are the members of Reddit's /api/v1/me answer that hold
// personal data; subreddit is the user's profile.
var redditUserFields = core.UserFields{
	ID: "id", Username: "name", Name: "title", AvatarURL: "icon_img",
	Personal: []string{"snoovatar_img", "subreddit"},
}

func redditFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: redditMeURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	return &core.User{
		ID:        jsonmap.String(fields, "id"),
		Username:  jsonmap.String(fields, "name"),
		Name:      jsonmap.String(jsonmap.Object(fields, "subreddit"), "title"),
		AvatarURL: html.UnescapeString(jsonmap.String(fields, "icon_img")),
		Raw:       fields,
	}, nil
}
