package hydra

import (
	"slices"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

// released returns the claims of c that the consent app releases for the
// granted scopes, without sub (Hydra sets it from the login): profile
// claims with the profile scope, email and email_verified with the email
// scope, c.Extra whatever the scopes. Hydra puts them into the ID token and
// answers them at userinfo.
func released(c opuser.Claims, scopes []string) map[string]any {
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
