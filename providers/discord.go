package providers

import (
	"context"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Discord endpoints.
const (
	discordWebURL = "https://discord.com"
	discordAPIURL = "https://discord.com/api"
	discordCDNURL = "https://cdn.discordapp.com"
)

// Discord returns a provider for "Sign in with Discord". It reports
// configuration problems joined, each wrapping core.ErrInvalidConfig; it
// does no network I/O.
//
// Documentation:
// https://discord.com/developers/docs/topics/oauth2
//
// Quirks handled here:
//
//   - The token endpoint takes form bodies only; credentials go in an HTTP
//     Basic header (client_secret_basic), also for revocation.
//   - PKCE: Discord accepts S256 only and rejects a code_verifier shorter
//     than 43 characters or sent without a challenge. The library always
//     sends an S256 challenge with a 43-character verifier (32 random
//     bytes, base64url), so both rules hold.
//   - Refresh uses the refresh_token grant; revocation (RFC 7009) is at
//     /api/oauth2/token/revoke.
//   - Errors are RFC 6749 JSON with 400 ({"error":"invalid_grant",
//     "error_description":"Invalid \"code\" in request."}).
//   - The user comes from GET /api/users/@me: the snowflake id (a string)
//     is the ID, username the Username, global_name (else username) the
//     Name. email is present only with the email scope and is used with
//     EmailVerified set from Discord's verified flag. The avatar URL is
//     built on Discord's CDN from id and avatar hash (an "a_" hash is
//     animated: .gif); users without an avatar have none.
//
// Default scopes: identify, email. Options: those every constructor takes
// (see Option). The returned provider is immutable and safe for concurrent
// use.
func Discord(clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	return collect(opts).build(clientID, clientSecret, spec{
		name: "discord", display: "Discord", scopes: []string{"identify", "email"},
		endpoints: core.Endpoints{
			AuthURL:       discordWebURL + "/oauth2/authorize",
			TokenURL:      discordAPIURL + "/oauth2/token",
			RevocationURL: discordAPIURL + "/oauth2/token/revoke",
			UserInfoURL:   discordAPIURL + "/users/@me",
		},
		method: core.AuthSecretBasic, fetchUser: discordUser,
		userFields: discordUserFields,
	})
}

// discordUserFields are the members of Discord's user answer that hold
// personal data; the avatar URL is built from id and avatar.
var discordUserFields = core.UserFields{
	ID: "id", Username: "username", Name: "global_name", AvatarURL: "avatar", Email: "email",
	Personal: []string{"banner", "accent_color", "banner_color", "locale"},
}

func discordUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{URL: discordAPIURL + "/users/@me", Token: r.Token})
	if err != nil {
		return nil, err
	}
	u := &core.User{
		ID:       jsonmap.String(fields, "id"),
		Username: stringMember(fields, "username"),
		Name:     stringMember(fields, "global_name"),
		Email:    stringMember(fields, "email"),
		Raw:      fields,
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if u.Email != "" {
		u.EmailVerified, _ = fields["verified"].(bool)
	}
	if h := stringMember(fields, "avatar"); h != "" && u.ID != "" {
		ext := ".png"
		if strings.HasPrefix(h, "a_") {
			ext = ".gif"
		}
		u.AvatarURL = discordCDNURL + "/avatars/" + url.PathEscape(u.ID) + "/" + url.PathEscape(h) + ext
	}
	return u, nil
}
