package conformance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// Auth is how a request must authenticate. In a file it is a string naming
// a client authentication method, or an object with explicit credentials:
//
//	"auth": "client_secret_post"
//	"auth": "client_secret_basic"
//	"auth": {"basic": ["{{client_id}}", "{{client_secret}}"]}
//	"auth": {"bearer": "{{access_token}}"}
//	"auth": {"oauth": "{{access_token}}"}
//
// The oauth form is the "Authorization: OAuth <token>" scheme of Yandex's
// API. Absent, or "none", means no Authorization header.
type Auth struct {
	// Method is "", AuthBasic, AuthBearer or a core.AuthMethod.
	Method string
	// Username and Password are the credentials of AuthBasic.
	Username, Password string
	// Token is the credential of AuthBearer and AuthOAuth.
	Token string
}

// Auth methods with explicit credentials.
const (
	// AuthBasic is HTTP Basic with the credentials as given (not
	// form-encoded first, unlike client_secret_basic).
	AuthBasic = "basic"
	// AuthBearer is an RFC 6750 Bearer header.
	AuthBearer = "bearer"
	// AuthOAuth is an "Authorization: OAuth <token>" header.
	AuthOAuth = "oauth"
)

// IsZero reports whether a is the empty expectation (no authentication).
func (a Auth) IsZero() bool { return a == Auth{} }

// UnmarshalJSON reads the string or object form.
func (a *Auth) UnmarshalJSON(b []byte) error {
	var method string
	if err := json.Unmarshal(b, &method); err == nil {
		switch core.AuthMethod(method) {
		case core.AuthSecretBasic, core.AuthSecretPost, core.AuthPrivateKeyJWT, core.AuthSecretJWT:
			*a = Auth{Method: method}
		case core.AuthNone:
			*a = Auth{}
		default:
			return fmt.Errorf("unknown auth method %q (want client_secret_basic, client_secret_post, none, private_key_jwt, client_secret_jwt, or an object with basic or bearer)", method)
		}
		return nil
	}
	var obj struct {
		Basic  []string `json:"basic"`
		Bearer *string  `json:"bearer"`
		OAuth  *string  `json:"oauth"`
	}
	if err := strictUnmarshal(b, &obj); err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	given := 0
	for _, set := range []bool{obj.Basic != nil, obj.Bearer != nil, obj.OAuth != nil} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return fmt.Errorf("auth: give one of basic, bearer or oauth")
	case obj.Basic != nil:
		if len(obj.Basic) != 2 {
			return fmt.Errorf("auth: basic takes [username, password]")
		}
		*a = Auth{Method: AuthBasic, Username: obj.Basic[0], Password: obj.Basic[1]}
	case obj.Bearer != nil:
		*a = Auth{Method: AuthBearer, Token: *obj.Bearer}
	case obj.OAuth != nil:
		*a = Auth{Method: AuthOAuth, Token: *obj.OAuth}
	default:
		return fmt.Errorf("auth: the object needs basic, bearer or oauth")
	}
	return nil
}

// MarshalJSON writes the string or object form.
func (a Auth) MarshalJSON() ([]byte, error) {
	switch a.Method {
	case "":
		return json.Marshal(string(core.AuthNone))
	case AuthBasic:
		return json.Marshal(map[string][]string{"basic": {a.Username, a.Password}})
	case AuthBearer:
		return json.Marshal(map[string]string{"bearer": a.Token})
	case AuthOAuth:
		return json.Marshal(map[string]string{"oauth": a.Token})
	}
	return json.Marshal(a.Method)
}

func (a Auth) strings() []string { return []string{a.Username, a.Password, a.Token} }

// describeAuth names the expected authentication for messages.
func (a Auth) describe() string {
	switch a.Method {
	case "":
		return "no client authentication header"
	case AuthBasic:
		return "HTTP Basic"
	case AuthBearer:
		return "a Bearer header"
	case AuthOAuth:
		return "an OAuth header"
	case string(core.AuthSecretPost):
		return "client_secret_post (credentials in the body)"
	}
	return a.Method
}

// check compares the request's Authorization header with a.
func (a Auth) check(authz string, b *binder) []string {
	want := ""
	switch a.Method {
	case string(core.AuthSecretBasic):
		want = "Basic " + base64.StdEncoding.EncodeToString([]byte(
			url.QueryEscape(b.get("client_id"))+":"+url.QueryEscape(b.get("client_secret"))))
	case AuthBasic:
		want = "Basic " + base64.StdEncoding.EncodeToString([]byte(b.expand(a.Username)+":"+b.expand(a.Password)))
	case AuthBearer:
		want = "Bearer " + b.expand(a.Token)
	case AuthOAuth:
		want = "OAuth " + b.expand(a.Token)
	}
	switch {
	case want == "" && authz == "":
		return nil
	case want == "":
		return []string{fmt.Sprintf("header Authorization: got %s, want %s", describeAuthz(authz, b), a.describe())}
	case authz == "":
		return []string{fmt.Sprintf("header Authorization: missing, want %s", a.describe())}
	case a.Method == AuthBearer && len(authz) > 7 && strings.EqualFold(authz[:7], "bearer ") && match(want[7:], authz[7:]):
		return nil
	case a.Method == AuthOAuth && len(authz) > 6 && strings.EqualFold(authz[:6], "oauth ") && match(want[6:], authz[6:]):
		return nil
	case match(want, authz):
		return nil
	}
	return []string{fmt.Sprintf("header Authorization: got %s, want %s", describeAuthz(authz, b), describeAuthz(want, b))}
}

// describeAuthz shows an Authorization value with Basic credentials decoded
// and bound values replaced by their placeholders.
func describeAuthz(v string, b *binder) string {
	scheme, cred, _ := strings.Cut(v, " ")
	if strings.EqualFold(scheme, "basic") {
		if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
			return "HTTP Basic " + b.describe(string(dec))
		}
	}
	return b.describe(v)
}
