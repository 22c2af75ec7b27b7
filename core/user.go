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

// UserFields names the members of a provider's answers that hold personal
// data: those its FetchUser maps onto User and the others the provider
// documents (birthday, gender, phone numbers, pictures). The login flow
// does not read them; tools that keep a provider's traffic, such as the
// recorder of package conformance, redact them.
//
// A name matches a member of that exact spelling at any depth of an answer
// (and a request parameter of that name holding a value an answer gave); a
// name ending in '*' matches every member it is a prefix of ("figureurl*"). Every value inside a named
// object or array is personal too, so "picture" covers Facebook's
// picture.data.url. Names are spelt as the provider spells them.
type UserFields struct {
	// ID, UnionID, Email, Name, Username and AvatarURL name the members
	// FetchUser reads for the User fields of those names (for a nested
	// member, its own name: "url" for Facebook's picture.data.url). Empty
	// means the provider gives no such field, or it is one of the standard
	// names every tool knows (OpenID Connect's standard claims).
	ID, UnionID, Email, Name, Username, AvatarURL string
	// Personal names the provider's other members that identify or
	// describe the user.
	Personal []string
}
