package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Cassette is a provider's recorded behaviour: named scenarios, each the
// requests the library must send and the answers the provider gave, and
// what the library must make of them. Cassettes are JSON files; the
// package documentation describes the format. Build one with Parse, Load
// or LoadDir (which check it) or with a Recorder.
type Cassette struct {
	// Provider names the provider the cassette was recorded against.
	Provider string `json:"provider"`
	// Description says how and when it was recorded.
	Description string `json:"description,omitempty"`
	// Source is where the cassette's shapes come from, for every scenario
	// that does not name its own: see Scenario.Source.
	Source string `json:"source,omitempty"`
	// Clock is the time the replay's clock stands at: token expiries are
	// computed from it. Zero means DefaultClock.
	Clock time.Time `json:"clock,omitzero"`
	// Values binds placeholders of the cassette's own, such as the fake
	// personal data a Recorder put in place of the real ones.
	Values map[string]string `json:"values,omitempty"`
	// Keys are test signing keys by name: private JWKs (RFC 7517) of type
	// RSA, EC (P-256, P-384, P-521) or OKP (Ed25519). They sign IDTokens;
	// a response's JWKS serves their public halves. They are fixtures,
	// never a provider's keys.
	Keys map[string]json.RawMessage `json:"keys,omitempty"`
	// IDTokens are ID tokens the replay signs for every scenario, each
	// bound to the placeholder of its name ({{id_token}}), so that answers
	// and expectations can carry them. When a cassette has any, every
	// exchange of an OpenID provider verifies the ID token of its answer
	// as a login would.
	IDTokens map[string]IDTokenTemplate `json:"id_tokens,omitempty"`
	// Shared interactions may be used by any scenario, any number of times
	// (discovery documents, JWKS). They are checked like the others when
	// used.
	Shared []Interaction `json:"shared,omitempty"`
	// Scenarios run in order, each on a fresh HTTP client.
	Scenarios []Scenario `json:"scenarios"`
}

// DefaultClock is the replay time of cassettes that do not set Clock.
var DefaultClock = time.Date(2025, time.January, 1, 12, 0, 0, 0, time.UTC)

// Op is the operation a scenario drives.
type Op string

// Operations a scenario can drive.
const (
	// OpAuthorizationURL builds the authorization URL; it sends no request.
	OpAuthorizationURL Op = "authorization_url"
	// OpExchange exchanges Input.Code (default {{code}}) with the PKCE
	// verifier {{code_verifier}} when the provider uses PKCE.
	OpExchange Op = "exchange"
	// OpRefresh refreshes Input.RefreshToken (default {{refresh_token}}).
	OpRefresh Op = "refresh"
	// OpRevocation revokes Input.Token (default {{access_token}}).
	OpRevocation Op = "revocation"
	// OpUser fetches the user with the access token Input.AccessToken
	// (default {{access_token}}).
	OpUser Op = "user"
)

// Scenario is one operation of the provider and everything it exchanged.
type Scenario struct {
	// Name names the subtest: lowercase letters, digits, '_', '-' and '.'.
	Name string `json:"name"`
	// Op is the operation to drive.
	Op Op `json:"op"`
	// Description says what the scenario proves.
	Description string `json:"description,omitempty"`
	// Source says where the shapes of its requests and answers come from:
	// "recorded: <date>" for a live login through a Recorder, a
	// documentation page ("https://… § Section"), the public code of
	// another library ("github.com/owner/repo path/to/file.go"), or
	// "unverified: <why>" for shapes nobody could check. Empty means the
	// cassette's Source.
	Source string `json:"source,omitempty"`
	// Input holds the operation's arguments.
	Input Input `json:"input,omitzero"`
	// Authorization is the expected authorization URL (OpAuthorizationURL
	// only).
	Authorization *AuthorizationURL `json:"authorization,omitempty"`
	// Interactions are the requests the operation must send, each exactly
	// once, with the recorded answers. A request is matched to the first
	// unused interaction with its method and URL.
	Interactions []Interaction `json:"interactions,omitempty"`
	// Expect is what the operation must return. It is required for every
	// operation but OpAuthorizationURL; for OpRevocation an empty Expect
	// means success.
	Expect *Expect `json:"expect,omitempty"`
}

// Input holds a scenario's arguments. Every field may use placeholders.
type Input struct {
	// Code is the authorization code to exchange; default "{{code}}".
	Code string `json:"code,omitempty"`
	// RefreshToken is the token to refresh; default "{{refresh_token}}".
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scopes are sent with a refresh (core.WithParam("scope", …)).
	Scopes []string `json:"scopes,omitempty"`
	// Token is the token to revoke; default "{{access_token}}".
	Token string `json:"token,omitempty"`
	// TokenTypeHint is sent with a revocation.
	TokenTypeHint string `json:"token_type_hint,omitempty"`
	// AccessToken is the login's access token for a user fetch; default
	// "{{access_token}}".
	AccessToken string `json:"access_token,omitempty"`
	// TokenFields are the raw members of the login's token answer, for
	// providers whose user fetch reads them (WeChat's openid).
	TokenFields map[string]string `json:"token_fields,omitempty"`
	// Callback holds the callback parameters a user fetch sees (Apple's
	// user) and, for a provider with a CheckCallback, the ones an exchange
	// is checked against and carries (Shopify's hmac, VK ID's device_id).
	Callback map[string]string `json:"callback,omitempty"`
	// Params are extra authorization parameters (core.WithParam) or extra
	// token request parameters (core.WithGrantParam).
	Params map[string]string `json:"params,omitempty"`
	// IDToken is a signed ID token for a user fetch of an OpenID provider:
	// it is verified first, with the provider's verifier (keys from the
	// cassette's JWKS interaction, time from its clock), as a login would,
	// and the fetch gets the verified token. It is either the placeholder
	// of one of the cassette's IDTokens ("{{id_token}}") or a token used
	// verbatim, such as one recorded from a real login (a signature
	// covers it, so it holds no placeholders).
	IDToken string `json:"id_token,omitempty"`
	// Nonce is the nonce the ID token must carry; empty means none is
	// checked. It may be a placeholder ("{{nonce}}").
	Nonce string `json:"nonce,omitempty"`
}

// AuthorizationURL is an expected authorization URL.
type AuthorizationURL struct {
	// URL is the endpoint without query or fragment.
	URL string `json:"url"`
	// Query holds every parameter; none may be missing or extra.
	Query map[string]string `json:"query"`
	// Fragment is the expected fragment ("" for none).
	Fragment string `json:"fragment,omitempty"`
}

// Interaction is one request and the provider's answer.
type Interaction struct {
	Request  Request  `json:"request"`
	Response Response `json:"response"`
}

// Request is what a request must look like. Method, URL and Auth are always
// checked; Headers lists the headers that matter (others are ignored);
// Query and exactly one of Form, JSON or Body describe every parameter, so
// a missing, different or extra one fails. No body field means the request
// must have no body.
type Request struct {
	Method string `json:"method"`
	// URL is scheme, host and path; its query goes in Query.
	URL string `json:"url"`
	// Auth is the expected authentication; the zero value means none.
	Auth    Auth              `json:"auth,omitzero"`
	Headers map[string]string `json:"headers,omitempty"`
	Query   map[string]string `json:"query,omitempty"`
	// Form is an application/x-www-form-urlencoded body.
	Form map[string]string `json:"form,omitempty"`
	// JSON is an application/json body, compared as JSON.
	JSON json.RawMessage `json:"json,omitempty"`
	// Body is any other body, compared as text.
	Body *string `json:"body,omitempty"`
}

// Response is the provider's recorded answer, replayed as it is (after
// placeholder substitution).
type Response struct {
	// Status is required.
	Status  int          `json:"status"`
	Headers HeaderValues `json:"headers,omitempty"`
	// Body is the body as text, verbatim (form-encoded, JSONP, HTML...).
	Body *string `json:"body,omitempty"`
	// JSON is a JSON body written inline; Content-Type defaults to
	// application/json for it.
	JSON json.RawMessage `json:"json,omitempty"`
	// JWKS names keys of the cassette whose public JWKs the answer serves:
	// they are added to the "keys" array of JSON, or make up the whole
	// body ({"keys": [...]}) when JSON is absent.
	JWKS []string `json:"jwks,omitempty"`
}

// HeaderValues maps header names to values. In a file each value is a
// string or, for repeated headers, an array of strings.
type HeaderValues map[string][]string

// UnmarshalJSON accepts a string or an array of strings per header.
func (h *HeaderValues) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := HeaderValues{}
	for k, v := range raw {
		var one string
		if err := json.Unmarshal(v, &one); err == nil {
			out[k] = []string{one}
			continue
		}
		var many []string
		if err := strictUnmarshal(v, &many); err != nil {
			return fmt.Errorf("header %q: want a string or an array of strings", k)
		}
		out[k] = many
	}
	*h = out
	return nil
}

// MarshalJSON writes single values as strings.
func (h HeaderValues) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(h))
	for k, v := range h {
		if len(v) == 1 {
			m[k] = v[0]
		} else {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Expect is what a scenario's operation must return: a token, a user or an
// error. An empty Expect of a revocation means success.
type Expect struct {
	Token *TokenExpectation `json:"token,omitempty"`
	User  *UserExpectation  `json:"user,omitempty"`
	Error *ErrorExpectation `json:"error,omitempty"`
}

// TokenExpectation is the token an exchange or refresh must return. Every
// field is compared; an absent one must be empty.
type TokenExpectation struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	// UserID is the token's core.Token.UserID: the user's id that the
	// answer names (core.Dialect.UserIDMember), kept from the refreshed
	// token otherwise — which a replayed refresh does not know.
	UserID string `json:"user_id,omitempty"`
	// ExpiresIn is the expiry in seconds after the cassette's clock; 0
	// means the token has no expiry.
	ExpiresIn int64 `json:"expires_in,omitempty"`
	// Raw lists raw members of the answer to compare (others are not).
	Raw map[string]json.RawMessage `json:"raw,omitempty"`
	// IDTokenClaims lists claims of the returned ID token to compare
	// (others are not). The token was verified before: by the replay for
	// an exchange, by the client for a refresh.
	IDTokenClaims map[string]json.RawMessage `json:"id_token_claims,omitempty"`
}

// UserExpectation is the normalised user a user fetch must return. Every
// field is compared; an absent one must be empty.
type UserExpectation struct {
	ID            string `json:"id"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	Username      string `json:"username,omitempty"`
	AvatarURL     string `json:"avatar_url,omitempty"`
	UnionID       string `json:"union_id,omitempty"`
	// Raw lists members of User.Raw to compare (others are not).
	Raw map[string]json.RawMessage `json:"raw,omitempty"`
}

// ErrorExpectation is the error an operation must return.
type ErrorExpectation struct {
	// Code is a core.ErrorCode: the error must match its sentinel with
	// errors.Is, and ProviderCode must then equal the error's.
	Code string `json:"code,omitempty"`
	// ProviderCode is the provider's own code (Code set only).
	ProviderCode string `json:"provider_code,omitempty"`
	// Status is the HTTP status of the answer; 0 is not checked.
	Status int `json:"status,omitempty"`
	// Description, when set, must equal the error's description.
	Description string `json:"description,omitempty"`
	// Is names a core sentinel for errors that are not protocol errors:
	// see Sentinels.
	Is string `json:"is,omitempty"`
}

// strictUnmarshal decodes b into v, rejecting unknown fields and trailing
// data.
func strictUnmarshal(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// UnverifiedPrefix starts the Source of a scenario whose shapes could not
// be checked against documentation, code or a recording.
const UnverifiedPrefix = "unverified:"

// SourceOf returns the source of the scenario s of c: its own, else the
// cassette's.
func (c *Cassette) SourceOf(s *Scenario) string {
	if s.Source != "" {
		return s.Source
	}
	return c.Source
}
