package hydra

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Claims are the user claims that the login and consent app releases for a
// login: profile claims with the profile scope, email and email_verified
// with the email scope, Extra whatever the scopes. The JSON names are those
// of OpenID Connect Core, section 5.1. Hydra puts them into the ID token and
// answers them at userinfo.
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
	// Hydra refuses to let them replace the protocol claims (iss, sub,
	// aud, exp, iat, nonce ...).
	Extra map[string]any `json:"-"`
}

// Account returns the claims of the account signed in as login when
// [Options.Accounts] has none with that subject. The subject is the login
// itself; a login without "@" gets the address login@example.com. The rule
// is the one of the oidc-provider harness (internal/realop), so the same
// login has the same claims at both providers.
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

// forScopes returns the claims released for the granted scopes, without
// sub (Hydra sets it from the login).
func (c Claims) forScopes(scopes []string) map[string]any {
	m := map[string]any{}
	if slices.Contains(scopes, "profile") {
		for k, v := range map[string]any{
			"name":               c.Name,
			"given_name":         c.GivenName,
			"family_name":        c.FamilyName,
			"preferred_username": c.PreferredUsername,
			"nickname":           c.Nickname,
			"picture":            c.Picture,
			"profile":            c.Profile,
			"locale":             c.Locale,
			"zoneinfo":           c.Zoneinfo,
		} {
			if v != "" {
				m[k] = v
			}
		}
		if c.UpdatedAt != 0 {
			m["updated_at"] = c.UpdatedAt
		}
	}
	if slices.Contains(scopes, "email") && c.Email != "" {
		m["email"] = c.Email
		m["email_verified"] = c.EmailVerified
	}
	for k, v := range c.Extra {
		m[k] = v
	}
	return m
}

// supportedClaims are announced in the discovery document.
var supportedClaims = []string{
	"sub", "name", "given_name", "family_name", "preferred_username", "nickname",
	"picture", "profile", "locale", "zoneinfo", "updated_at", "email", "email_verified",
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
