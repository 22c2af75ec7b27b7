package conformance

import (
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// secretKind says what a secret value is, which decides the placeholder it
// becomes.
type secretKind int

const (
	notSecret secretKind = iota
	kindAccess
	kindRefresh
	kindIDToken
	kindCode
	kindVerifier
	kindState
	kindNonce
	kindChallenge
	kindClientID
	kindClientSecret
	// kindRevoked is the token of a revocation: an access or refresh token,
	// as its token_type_hint says.
	kindRevoked
	// kindOther is any other credential (a declared secret field, a client
	// assertion, a password).
	kindOther
)

// standard is the placeholder the replay binds for a kind, "" for kinds it
// does not bind.
func (k secretKind) standard() string {
	switch k {
	case kindAccess:
		return "access_token"
	case kindRefresh:
		return "refresh_token"
	case kindCode:
		return "code"
	case kindVerifier:
		return "code_verifier"
	case kindState:
		return "state"
	case kindNonce:
		return "nonce"
	case kindChallenge:
		return "code_challenge"
	}
	return ""
}

// stdRequestSecrets are request parameter names (query, form or JSON) that
// carry a secret with every provider, before ParamNames renames them.
var stdRequestSecrets = map[string]secretKind{
	"access_token": kindAccess, "refresh_token": kindRefresh, "id_token": kindIDToken,
	"code": kindCode, "code_verifier": kindVerifier, "state": kindState, "nonce": kindNonce,
	"code_challenge": kindChallenge, "client_id": kindClientID, "client_secret": kindClientSecret,
	"token": kindRevoked,
}

// otherRequestSecrets are further request parameter names that carry a
// credential whatever the provider (camelCase and legacy spellings, other
// grants).
var otherRequestSecrets = map[string]secretKind{
	"clientSecret": kindClientSecret, "secret": kindClientSecret, "appsecret": kindClientSecret,
	"client_assertion": kindOther, "assertion": kindOther, "password": kindOther, "device_code": kindOther,
	"subject_token": kindOther, "actor_token": kindOther, "id_token_hint": kindOther,
}

// stdAnswerSecrets are answer member names that carry a secret with every
// provider. "code" is not one: in answers it is an error code.
var stdAnswerSecrets = map[string]secretKind{
	"access_token": kindAccess, "refresh_token": kindRefresh, "id_token": kindIDToken,
	"client_secret": kindOther, "device_code": kindOther,
}

// stdPersonal are the member names that hold personal data with every
// provider: the OpenID Connect standard claims (Core §5.1) and the names
// most OAuth APIs use for the same things.
var stdPersonal = []string{
	// OpenID Connect standard claims and the address claim's members.
	"sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "gender", "birthdate", "zoneinfo", "locale",
	"phone_number", "address", "formatted", "street_address", "locality", "region", "postal_code",
	"country",
	// Common names of ids, accounts, pictures and contacts.
	"id", "node_id", "user_id", "userid", "uid", "oid", "openid", "open_id", "unionid", "union_id",
	"login", "username", "display_name", "avatar", "avatar_url", "html_url", "url", "blog", "bio",
	"location", "company", "phone", "mobile", "emails", "twitter_username", "gravatar_id", "login_hint",
}

// publicRequestHeaders are written as they are (after known values are
// replaced): they describe the request, not the user.
var publicRequestHeaders = map[string]bool{
	"Accept": true, "Accept-Language": true, "Accept-Charset": true, "Cache-Control": true,
	"Pragma": true, "X-Requested-With": true,
}

// skippedRequestHeaders are never written: the transport sets them, the
// cassette's auth and body describe them, or they hold cookies.
var skippedRequestHeaders = map[string]bool{
	"User-Agent": true, "Cookie": true, "Content-Type": true, "Content-Length": true,
	"Accept-Encoding": true, "Authorization": true, "Connection": true, "Host": true,
	"Proxy-Authorization": true,
}

// fieldNames is what a recording of one provider knows about its names:
// the standard ones, those its Dialect and UserFields declare, and the
// Recorder's own additions.
type fieldNames struct {
	request  map[string]secretKind
	answer   map[string]secretKind
	headers  map[string]secretKind // canonical names
	public   map[string]bool       // canonical names of headers written as they are
	personal map[string]bool
	prefixes []string // personal names given as "prefix*"
	// grant holds the names of the grant type parameter.
	grant map[string]bool
	// hint holds the names of the token_type_hint parameter.
	hint map[string]bool
	// tokenMembers are the members of a token answer that the replay's
	// token already carries, left out of a user scenario's token_fields.
	tokenMembers map[string]bool
	envelope     string
}

func newFieldNames(spec core.ProviderSpec, personal, secrets []string) *fieldNames {
	d := spec.Client.Dialect
	if d == nil {
		d = &core.Dialect{}
	}
	f := &fieldNames{
		request: map[string]secretKind{}, answer: map[string]secretKind{}, headers: map[string]secretKind{},
		public: map[string]bool{}, personal: map[string]bool{}, grant: map[string]bool{"grant_type": true},
		hint: map[string]bool{"token_type_hint": true}, tokenMembers: map[string]bool{}, envelope: d.Envelope,
	}
	for k, v := range stdRequestSecrets {
		f.request[k] = v
		if w := d.ParamNames[k]; w != "" {
			f.request[w] = v
		}
	}
	for k, v := range otherRequestSecrets {
		f.request[k] = v
	}
	for k, v := range stdAnswerSecrets {
		f.answer[k] = v
	}
	for _, std := range []string{"access_token", "refresh_token", "id_token"} {
		if w := d.TokenFields[std]; w != "" {
			f.request[w] = stdAnswerSecrets[std]
			f.answer[w] = stdAnswerSecrets[std]
		}
	}
	for _, n := range spec.CodeParams {
		f.request[n] = kindCode
	}
	if w := d.ParamNames["grant_type"]; w != "" {
		f.grant[w] = true
	}
	if w := d.ParamNames["token_type_hint"]; w != "" {
		f.hint[w] = true
	}
	for _, n := range append(append([]string(nil), d.SecretFields...), secrets...) {
		f.request[n] = kindOther
		f.answer[n] = kindOther
		f.headers[http.CanonicalHeaderKey(n)] = kindOther
	}
	for _, n := range d.TokenHeaders {
		f.headers[http.CanonicalHeaderKey(n)] = kindAccess
	}
	for _, n := range d.TokenParams {
		f.request[n] = kindAccess
	}
	for k := range d.Headers {
		f.public[http.CanonicalHeaderKey(k)] = true
	}
	for k := range publicRequestHeaders {
		f.public[k] = true
	}
	for _, std := range []string{"access_token", "refresh_token", "id_token", "expires_in", "token_type", "scope"} {
		f.tokenMembers[std] = true
		if w := d.TokenFields[std]; w != "" {
			f.tokenMembers[w] = true
		}
	}
	all := append(append(append([]string(nil), stdPersonal...), userFieldNames(spec.UserFields)...), personal...)
	for _, n := range all {
		if p, ok := strings.CutSuffix(n, "*"); ok {
			f.prefixes = append(f.prefixes, p)
		} else if n != "" {
			f.personal[n] = true
		}
	}
	return f
}

// secretKind returns the kind of the secret a parameter (request) or
// member (answer) of that name carries, notSecret for other names.
func (f *fieldNames) secretKind(name string, request bool) secretKind {
	if request {
		return f.request[name]
	}
	return f.answer[name]
}

// isPersonal reports whether a member or parameter of that name holds
// personal data.
func (f *fieldNames) isPersonal(name string) bool {
	if f.personal[name] {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// isGrant reports whether name is the grant type parameter, spelt the
// provider's way (grant_type, grantType).
func (f *fieldNames) isGrant(name string) bool {
	return f.grant[name] || strings.EqualFold(strings.ReplaceAll(name, "_", ""), "granttype")
}

// userFieldNames lists every name of f, the mapped ones first, without
// empty ones.
func userFieldNames(f core.UserFields) []string {
	var out []string
	for _, n := range []string{f.ID, f.UnionID, f.Email, f.Name, f.Username, f.AvatarURL} {
		if n != "" {
			out = append(out, n)
		}
	}
	return append(out, f.Personal...)
}
