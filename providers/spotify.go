package providers

import (
	"context"
	"strconv"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Spotify endpoints.
const (
	spotifyAuthURL  = "https://accounts.spotify.com/authorize"
	spotifyTokenURL = "https://accounts.spotify.com/api/token"
	spotifyMeURL    = "https://api.spotify.com/v1/me"
)

// Spotify returns a provider for "Log in with Spotify" (authorization code
// flow; with PKCE for a public client). It reports configuration problems (an empty client id,
// a bad redirect URL), joined, each wrapping core.ErrInvalidConfig; it does
// no network I/O.
//
// Documentation:
// https://developer.spotify.com/documentation/web-api/tutorials/code-flow
// and https://developer.spotify.com/documentation/web-api/tutorials/code-pkce-flow
//
// Quirks handled here:
//
//   - A confidential client authenticates with HTTP Basic and sends no
//     PKCE: Spotify documents two flows, the secret for apps that can keep
//     one ("Authorization Code Flow") and PKCE for those that cannot
//     ("Authorization Code with PKCE Flow"), and nowhere the two together,
//     so a code_verifier beside Basic credentials is not sent on a guess.
//     With a clientSecret of "" the provider is a public client (the PKCE
//     flow): S256 challenge, client_id and code_verifier in the body, no
//     secret.
//   - A refresh answer may omit refresh_token; the one used is then kept
//     (core does this). Spotify documents no revocation endpoint.
//   - Token errors are RFC 6749 JSON with HTTP 400; Web API errors are
//     {"error":{"status":401,"message":"..."}}, read as provider_error with
//     the message as description.
//   - The user comes from GET https://api.spotify.com/v1/me: id becomes the
//     ID and also the Username (Spotify calls it the user name),
//     display_name the Name, the widest of images[] the AvatarURL. email
//     (scope user-read-email) is set, but Spotify states it is not verified,
//     so EmailVerified is always false.
//   - Since 2025 Spotify refuses "localhost" redirect URIs: use
//     http://127.0.0.1 for local development [unverified by us].
//
// Default scopes: user-read-email. Options: those every constructor takes
// (see Option; WithAuthParam for show_dialog=true, for example).
//
// The returned provider is immutable and safe for concurrent use.
func Spotify(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "spotify", display: "Spotify", scopes: []string{"user-read-email"},
		endpoints: core.Endpoints{AuthURL: spotifyAuthURL, TokenURL: spotifyTokenURL, UserInfoURL: spotifyMeURL},
		method:    publicOr(clientSecret, core.AuthSecretBasic), pkce: core.PKCEPublicOnly,
		fetchUser:  spotifyFetchUser,
		userFields: spotifyUserFields,
	})
}

// spotifyUserFields are the members of Spotify's /v1/me answer that hold
// personal data; images holds the avatar URLs.
var spotifyUserFields = core.UserFields{
	ID: "id", Name: "display_name", AvatarURL: "url", Email: "email",
	Personal: []string{"images", "country", "external_urls", "uri", "href"},
}

func spotifyFetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: spotifyMeURL, Token: r.Token})
	if err != nil {
		return nil, err
	}
	id := jsonmap.String(fields, "id")
	return &core.User{
		ID:        id,
		Username:  id,
		Name:      jsonmap.String(fields, "display_name"),
		Email:     jsonmap.String(fields, "email"),
		AvatarURL: spotifyAvatar(fields["images"]),
		Raw:       fields,
	}, nil
}

// spotifyAvatar picks the widest image (width may be null; such an image
// counts only when there is no other).
func spotifyAvatar(v any) string {
	images, _ := v.([]any)
	best, bestWidth := "", int64(-1)
	for _, im := range images {
		m, ok := im.(map[string]any)
		if !ok || jsonmap.String(m, "url") == "" {
			continue
		}
		w, err := strconv.ParseInt(jsonmap.String(m, "width"), 10, 64)
		if err != nil {
			w = 0
		}
		if w > bestWidth {
			best, bestWidth = jsonmap.String(m, "url"), w
		}
	}
	return best
}
