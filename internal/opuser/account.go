package opuser

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Claims are the user claims a provider releases for a login: profile
// claims with the profile scope, email and email_verified with the email
// scope, Extra whatever the scopes. The JSON names are those of OpenID
// Connect Core, section 5.1.
type Claims struct {
	Subject           string `json:"sub"`
	Name              string `json:"name"`
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	PreferredUsername string `json:"preferred_username"`
	Nickname          string `json:"nickname"`
	Picture           string `json:"picture"`
	Profile           string `json:"profile"`
	Locale            string `json:"locale"`
	Zoneinfo          string `json:"zoneinfo"`
	UpdatedAt         int64  `json:"updated_at"`
	Email             string `json:"email"`
	EmailVerified     bool   `json:"email_verified"`

	// Extra claims are released whatever the scopes, for example groups.
	// Only Hydra's login and consent app releases them (hydra's
	// Options.Accounts), and Hydra refuses to let them replace the
	// protocol claims (iss, sub, aud, exp, iat, nonce ...); oidc-provider's
	// accounts have none, so Account leaves Extra nil.
	Extra map[string]any `json:"-"`
}

// Account returns the claims of the account signed in as login: the
// subject is the login itself; a login without "@" gets the address
// login@example.com. It mirrors account() in
// internal/realop/node/server.mjs, exactly for ASCII logins, and Hydra's
// login app releases it for any login its Options.Accounts does not name,
// so the same login has the same claims at both providers.
func Account(login string) Claims {
	local, _, hasAt := strings.Cut(login, "@")
	given := local
	if r, size := utf8.DecodeRuneInString(local); size > 0 {
		given = string(unicode.ToUpper(r)) + local[size:]
	}
	email := login
	if !hasAt {
		email = login + "@example.com"
	}
	return Claims{
		Subject:           login,
		Name:              given + " Tester",
		GivenName:         given,
		FamilyName:        "Tester",
		PreferredUsername: local,
		Nickname:          local,
		Picture:           "https://example.com/avatars/" + escapeComponent(local) + ".png",
		Profile:           "https://example.com/people/" + escapeComponent(local),
		Locale:            "en-US",
		Zoneinfo:          "Europe/Berlin",
		UpdatedAt:         1700000000,
		Email:             email,
		EmailVerified:     true,
	}
}

// componentUnescaper undoes what url.QueryEscape does beyond JavaScript's
// encodeURIComponent: the space as '+' and the escaping of ! ' ( ) *.
var componentUnescaper = strings.NewReplacer(
	"+", "%20", "%21", "!", "%27", "'", "%28", "(", "%29", ")", "%2A", "*",
)

// escapeComponent matches JavaScript's encodeURIComponent.
func escapeComponent(s string) string {
	return componentUnescaper.Replace(url.QueryEscape(s))
}
