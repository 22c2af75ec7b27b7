package realop

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Claims are the user claims the provider releases for a login: profile
// claims with the profile scope, email and email_verified with the email
// scope. The JSON names are those of OpenID Connect Core, section 5.1.
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
}

// Account returns the claims that the provider's findAccount gives the
// account signed in as login. It mirrors account() in node/server.mjs: the
// subject is the login itself; a login without "@" gets the address
// login@example.com. The mirror is exact for ASCII logins.
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
