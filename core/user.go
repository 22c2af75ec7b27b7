package core

// User is a provider's account, normalised. Fields a provider does not give
// are empty: no address is ever invented.
type User struct {
	// ID is the provider's stable identifier for the account, always a
	// string (numeric ids are formatted in base 10). For OpenID providers it
	// is the sub claim.
	ID string `json:"id"`
	// Email is set only when the provider returns one.
	Email string `json:"email,omitempty"`
	// EmailVerified is true only when the provider says the address is
	// verified.
	EmailVerified bool   `json:"email_verified"`
	Name          string `json:"name,omitempty"`
	Username      string `json:"username,omitempty"`
	AvatarURL     string `json:"avatar_url,omitempty"`
	// UnionID is set by providers that have an id shared across apps of one
	// developer (WeChat, QQ, DingTalk).
	UnionID string `json:"union_id,omitempty"`
	// Raw holds the provider's answers as decoded JSON objects, merged in the
	// order they were fetched. It may hold personal data: log it with care.
	Raw map[string]any `json:"raw,omitempty"`
}
