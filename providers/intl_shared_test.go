package providers

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/golang-jwt/jwt/v5"
)

const (
	intlTestClient = "intl-client"
	intlTestSecret = "intl-secret-7c1d"
	intlTestBase   = "https://app.example/auth"
)

// intlOP is an in-process OpenID provider whose discovery document is
// shaped like a given product's (issuer spelling, endpoint layout, client
// authentication methods, UserInfo members). It answers on any host: the
// tests send every request to it through intlRewrite, so issuers keep
// their real https spelling. It asserts the requests it gets the way the
// real product would.
type intlOP struct {
	t   *testing.T
	srv *httptest.Server
	key *ecdsa.PrivateKey
	kid string

	// issuer is the metadata's issuer; tokenIssuer the iss of ID tokens
	// (they differ only for Microsoft's {tenantid} template).
	issuer, tokenIssuer string
	doc                 map[string]any
	// authMethod is the client authentication the OP insists on.
	authMethod string
	// pkce: the authorization request must carry an S256 challenge
	// (false: must carry none).
	pkce bool
	// claims are added to every ID token; userinfo is the UserInfo answer
	// (sub is added).
	claims, userinfo map[string]any
	// checkSecret, when set, checks client_secret instead of equality
	// (Apple's signed secret).
	checkSecret func(string) error
	// extraRevoke is a revocation path the metadata does not list.
	extraRevoke string

	mu      sync.Mutex
	pending map[string]intlAuthz // by code
	counts  map[string]int       // by path
	sub     string
	// authTime is the user's single authentication.
	authTime time.Time
}

type intlAuthz struct{ nonce, challenge, redirect string }

func newIntlOP(t *testing.T, issuer string, doc map[string]any) *intlOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	op := &intlOP{t: t, key: key, kid: "k1", extraRevoke: "\x00none", issuer: issuer, tokenIssuer: issuer, doc: doc,
		authMethod: "client_secret_basic", pkce: true, sub: "user-1", authTime: time.Now().Add(-time.Minute),
		pending: map[string]intlAuthz{}, counts: map[string]int{}}
	doc["issuer"] = issuer
	op.srv = httptest.NewServer(http.HandlerFunc(op.serve))
	t.Cleanup(op.srv.Close)
	return op
}

// pathOf returns the path of a metadata endpoint.
func (op *intlOP) pathOf(member string) string {
	s, _ := op.doc[member].(string)
	if s == "" {
		return "\x00none"
	}
	u, err := url.Parse(s)
	if err != nil {
		op.t.Fatalf("metadata %s: %v", member, err)
	}
	return u.Path
}

func (op *intlOP) count(member string) int { return op.countPath(op.pathOf(member)) }

func (op *intlOP) countPath(path string) int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.counts[path]
}

func (op *intlOP) serve(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	op.counts[r.URL.Path]++
	op.mu.Unlock()
	discovery := strings.TrimSuffix(mustPath(op.t, op.issuer), "/") + "/.well-known/openid-configuration"
	switch r.URL.Path {
	case discovery:
		intlWriteJSON(w, 200, op.doc)
	case op.pathOf("jwks_uri"):
		pub := op.key.PublicKey
		raw, _ := pub.Bytes()
		intlWriteJSON(w, 200, map[string]any{"keys": []any{map[string]any{
			"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": op.kid,
			"x": base64.RawURLEncoding.EncodeToString(raw[1:33]), "y": base64.RawURLEncoding.EncodeToString(raw[33:]),
		}}})
	case op.pathOf("token_endpoint"):
		op.token(w, r)
	case op.pathOf("userinfo_endpoint"):
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer at-") {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			w.WriteHeader(401)
			return
		}
		info := map[string]any{"sub": op.sub}
		for k, v := range op.userinfo {
			info[k] = v
		}
		intlWriteJSON(w, 200, info)
	case op.pathOf("revocation_endpoint"), op.extraRevoke:
		if err := op.authenticate(r); err != nil {
			intlWriteJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": err.Error()})
			return
		}
		if r.PostForm.Get("token") == "" {
			intlWriteJSON(w, 400, map[string]any{"error": "invalid_request"})
			return
		}
		w.WriteHeader(200)
	default:
		http.NotFound(w, r)
	}
}

func mustPath(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// authenticate checks the client authentication of a token or revocation
// request: exactly the method the OP insists on.
func (op *intlOP) authenticate(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	id, secret, basic := r.BasicAuth()
	formID, formSecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	switch op.authMethod {
	case "client_secret_basic":
		if !basic || formSecret != "" {
			return errors.New("want client_secret_basic only")
		}
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if s, err := url.QueryUnescape(secret); err == nil {
			secret = s
		}
	case "client_secret_post":
		if basic {
			return errors.New("want client_secret_post only")
		}
		id, secret = formID, formSecret
	}
	if id != intlTestClient {
		return errors.New("unknown client")
	}
	if op.checkSecret != nil {
		return op.checkSecret(secret)
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(intlTestSecret)) != 1 {
		return errors.New("bad secret")
	}
	return nil
}

func (op *intlOP) token(w http.ResponseWriter, r *http.Request) {
	if err := op.authenticate(r); err != nil {
		intlWriteJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": err.Error()})
		return
	}
	f := r.PostForm
	now := time.Now()
	claims := jwt.MapClaims{"iss": op.tokenIssuer, "sub": op.sub, "aud": intlTestClient,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": op.authTime.Unix()}
	for k, v := range op.claims {
		claims[k] = v
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		op.mu.Lock()
		az, ok := op.pending[f.Get("code")]
		delete(op.pending, f.Get("code"))
		op.mu.Unlock()
		if !ok || f.Get("redirect_uri") != az.redirect {
			intlWriteJSON(w, 400, map[string]any{"error": "invalid_grant"})
			return
		}
		switch {
		case az.challenge == "" && f.Has("code_verifier"):
			intlWriteJSON(w, 400, map[string]any{"error": "invalid_request", "error_description": "code_verifier without challenge"})
			return
		case az.challenge != "" && s256Challenge(f.Get("code_verifier")) != az.challenge:
			intlWriteJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "PKCE"})
			return
		}
		claims["nonce"] = az.nonce
	case "refresh_token":
		if f.Get("refresh_token") != "rt-1" {
			intlWriteJSON(w, 400, map[string]any{"error": "invalid_grant"})
			return
		}
	default:
		intlWriteJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	at := "at-" + intlRandom()
	sum := sha256.Sum256([]byte(at))
	claims["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = op.kid
	idt, err := tok.SignedString(op.key)
	if err != nil {
		op.t.Error(err)
	}
	intlWriteJSON(w, 200, map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 3600,
		"refresh_token": "rt-1", "id_token": idt, "scope": f.Get("scope")})
}

func intlRandom() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func intlWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// intlRewrite sends every request to the OP's server, whatever its host.
type intlRewrite struct{ target *url.URL }

func (rw intlRewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = rw.target.Scheme, rw.target.Host
	return http.DefaultTransport.RoundTrip(r)
}

// auth builds an Auth with p whose HTTP goes to the OP.
func (op *intlOP) auth(p *core.Provider, err error) *core.Auth {
	op.t.Helper()
	target, _ := url.Parse(op.srv.URL)
	rc := &http.Client{Transport: intlRewrite{target: target}}
	a, err := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(intlTestBase).KeepTokens().
		HTTPClient(rc).Provider(p, err).Build()
	if err != nil {
		op.t.Fatal(err)
	}
	op.t.Cleanup(func() { _ = a.Close() })
	return a
}

// login runs Begin, plays the authorization endpoint (checking the
// request) and runs Complete with extra callback parameters.
func (op *intlOP) login(a *core.Auth, name string, extra url.Values) (*core.Result, url.Values, error) {
	t := op.t
	t.Helper()
	ctx := context.Background()
	authURL, cookie, err := a.Begin(ctx, name, core.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.EscapedPath(); got != op.doc["authorization_endpoint"] {
		t.Errorf("authorization endpoint %q, want %q", got, op.doc["authorization_endpoint"])
	}
	q := u.Query()
	if q.Get("client_id") != intlTestClient || q.Get("nonce") == "" || q.Get("state") == "" || q.Get("response_type") != "code" {
		t.Errorf("authorization request %v", q)
	}
	switch {
	case op.pkce && (q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43):
		t.Errorf("authorization request without S256 PKCE: %v", q)
	case !op.pkce && q.Has("code_challenge"):
		t.Errorf("authorization request with PKCE the provider does not take: %v", q)
	}
	code := "code-" + intlRandom()
	op.mu.Lock()
	op.pending[code] = intlAuthz{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	op.mu.Unlock()
	cb := url.Values{"code": {code}, "state": {q.Get("state")}}
	if b, _ := op.doc["authorization_response_iss_parameter_supported"].(bool); b {
		cb.Set("iss", op.issuer)
	}
	for k, vs := range extra {
		cb[k] = vs
	}
	res, _, err := a.Complete(ctx, name, cb, func(n string) (string, bool) {
		return cookie.Value, n == cookie.Name
	})
	return res, q, err
}

// intlDoc builds a discovery document from a base and endpoint paths.
func intlDoc(base string, eps map[string]string, methods ...string) map[string]any {
	doc := map[string]any{
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
	}
	for k, v := range eps {
		doc[k] = base + v
	}
	if len(methods) > 0 {
		doc["token_endpoint_auth_methods_supported"] = methods
	}
	return doc
}

func TestIntlOIDCShapes(t *testing.T) {
	t.Parallel()
	kc := func(base string) map[string]string {
		p := "/protocol/openid-connect"
		return map[string]string{"authorization_endpoint": p + "/auth", "token_endpoint": p + "/token", "userinfo_endpoint": p + "/userinfo",
			"jwks_uri": p + "/certs", "revocation_endpoint": p + "/revoke", "end_session_endpoint": p + "/logout", "introspection_endpoint": p + "/token/introspect"}
	}
	okta := func(prefix string) map[string]string {
		return map[string]string{"authorization_endpoint": prefix + "/v1/authorize", "token_endpoint": prefix + "/v1/token", "userinfo_endpoint": prefix + "/v1/userinfo",
			"jwks_uri": prefix + "/v1/keys", "revocation_endpoint": prefix + "/v1/revoke", "end_session_endpoint": prefix + "/v1/logout"}
	}
	tests := []struct {
		name       string
		issuer     string
		base       string // endpoints are relative to it
		eps        map[string]string
		methods    []string
		authMethod string
		pkce       bool
		issParam   bool
		userinfo   map[string]any
		build      func() (*core.Provider, error)
		wantName   string
		raw        map[string]any
	}{
		{name: "keycloak", issuer: "https://sso.example.com/realms/demo", base: "https://sso.example.com/realms/demo", eps: kc(""),
			methods:    []string{"private_key_jwt", "client_secret_basic", "client_secret_post", "tls_client_auth", "client_secret_jwt"},
			authMethod: "client_secret_basic", pkce: true, issParam: true,
			userinfo: map[string]any{"email": "jdoe@example.com", "email_verified": true, "name": "John Doe", "preferred_username": "jdoe"},
			build: func() (*core.Provider, error) {
				return Keycloak("https://sso.example.com/", "demo", intlTestClient, intlTestSecret)
			}},
		{name: "keycloak-legacy", issuer: "https://sso.example.com/auth/realms/my%20realm", base: "https://sso.example.com/auth/realms/my%20realm", eps: kc(""),
			methods: []string{"client_secret_basic"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "jdoe@example.com", "email_verified": false, "name": "John Doe", "preferred_username": "jdoe"},
			build: func() (*core.Provider, error) {
				return Keycloak("https://sso.example.com/auth", "my realm", intlTestClient, intlTestSecret, WithName("kc"))
			}, wantName: "kc"},
		{name: "okta-custom", issuer: "https://dev-1.okta.com/oauth2/default", base: "https://dev-1.okta.com", eps: okta("/oauth2/default"),
			methods: []string{"client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "john@example.com", "email_verified": true, "name": "John Doe", "preferred_username": "john@example.com", "updated_at": 1311280970},
			build: func() (*core.Provider, error) {
				return Okta("dev-1.okta.com", "default", intlTestClient, intlTestSecret)
			},
			raw: map[string]any{"updated_at": json.Number("1311280970")}},
		{name: "okta-org", issuer: "https://dev-1.okta.com", base: "https://dev-1.okta.com", eps: okta("/oauth2"),
			methods: []string{"client_secret_basic", "client_secret_post"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "john@example.com", "email_verified": true, "name": "John Doe"},
			build: func() (*core.Provider, error) {
				return Okta("https://dev-1.okta.com/", "", intlTestClient, intlTestSecret)
			}},
		{name: "auth0", issuer: "https://example.us.auth0.com/", base: "https://example.us.auth0.com",
			eps: map[string]string{"authorization_endpoint": "/authorize", "token_endpoint": "/oauth/token", "userinfo_endpoint": "/userinfo",
				"jwks_uri": "/.well-known/jwks.json", "revocation_endpoint": "/oauth/revoke", "end_session_endpoint": "/oidc/logout"},
			methods: []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "jdoe@example.com", "email_verified": true, "name": "jdoe@example.com", "nickname": "jdoe",
				"picture": "https://s.gravatar.com/avatar/x.png", "updated_at": "2024-05-01T10:00:00.000Z"},
			build: func() (*core.Provider, error) { return Auth0("example.us.auth0.com", intlTestClient, intlTestSecret) },
			raw:   map[string]any{"updated_at": "2024-05-01T10:00:00.000Z"}},
		{name: "authentik", issuer: "https://auth.example.com/application/o/myapp/", base: "https://auth.example.com",
			eps: map[string]string{"authorization_endpoint": "/application/o/authorize/", "token_endpoint": "/application/o/token/",
				"userinfo_endpoint": "/application/o/userinfo/", "jwks_uri": "/application/o/myapp/jwks/", "revocation_endpoint": "/application/o/revoke/",
				"end_session_endpoint": "/application/o/myapp/end-session/", "introspection_endpoint": "/application/o/introspect/"},
			methods: []string{"client_secret_post", "client_secret_basic"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "akadmin@example.com", "email_verified": true, "name": "authentik Default Admin",
				"given_name": "authentik Default Admin", "preferred_username": "akadmin", "nickname": "akadmin", "groups": []string{"authentik Admins"}},
			build: func() (*core.Provider, error) {
				return OIDC("authentik", "https://auth.example.com/application/o/myapp/", intlTestClient, intlTestSecret)
			}},
		{name: "zitadel", issuer: "https://myinstance.zitadel.cloud", base: "https://myinstance.zitadel.cloud",
			eps: map[string]string{"authorization_endpoint": "/oauth/v2/authorize", "token_endpoint": "/oauth/v2/token", "userinfo_endpoint": "/oidc/v1/userinfo",
				"jwks_uri": "/oauth/v2/keys", "revocation_endpoint": "/oauth/v2/revoke", "end_session_endpoint": "/oidc/v1/end_session",
				"introspection_endpoint": "/oauth/v2/introspect", "device_authorization_endpoint": "/oauth/v2/device_authorization"},
			methods: []string{"none", "client_secret_basic", "client_secret_post", "private_key_jwt"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "zitadel-admin@example.com", "email_verified": true, "name": "ZITADEL Admin",
				"preferred_username": "zitadel-admin@zitadel.localhost", "locale": nil, "updated_at": 1700000000},
			build: func() (*core.Provider, error) {
				return OIDC("zitadel", "https://myinstance.zitadel.cloud", intlTestClient, intlTestSecret)
			}},
		{name: "dex", issuer: "https://dex.example.com/dex", base: "https://dex.example.com/dex",
			eps: map[string]string{"authorization_endpoint": "/auth", "token_endpoint": "/token", "userinfo_endpoint": "/userinfo",
				"jwks_uri": "/keys", "device_authorization_endpoint": "/device/code", "introspection_endpoint": "/token/introspect"},
			methods: []string{"client_secret_basic", "client_secret_post"}, authMethod: "client_secret_basic", pkce: true,
			userinfo: map[string]any{"email": "admin@example.com", "email_verified": true, "name": "admin"},
			build: func() (*core.Provider, error) {
				return OIDC("dex", "https://dex.example.com/dex", intlTestClient, intlTestSecret)
			}},
		{name: "linkedin", issuer: "https://www.linkedin.com/oauth", base: "https://www.linkedin.com/oauth",
			eps:        map[string]string{"authorization_endpoint": "/v2/authorization", "token_endpoint": "/v2/accessToken", "jwks_uri": "/openid/jwks"},
			authMethod: "client_secret_post", pkce: false,
			userinfo: map[string]any{"email": "doe@example.com", "email_verified": true, "name": "John Doe", "locale": map[string]any{"country": "US", "language": "en"}},
			build:    func() (*core.Provider, error) { return LinkedIn(intlTestClient, intlTestSecret) }},
		{name: "slack", issuer: "https://slack.com", base: "https://slack.com",
			eps: map[string]string{"authorization_endpoint": "/openid/connect/authorize", "token_endpoint": "/api/openid.connect.token",
				"userinfo_endpoint": "/api/openid.connect.userInfo", "jwks_uri": "/openid/connect/keys"},
			methods: []string{"client_secret_basic", "client_secret_post"}, authMethod: "client_secret_post", pkce: false,
			userinfo: map[string]any{"ok": true, "email": "krane@example.com", "email_verified": true, "name": "krane", "https://slack.com/team_id": "T0R7GR"},
			build:    func() (*core.Provider, error) { return Slack(intlTestClient, intlTestSecret) },
			raw:      map[string]any{"https://slack.com/team_id": "T0R7GR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := intlDoc(tt.base, tt.eps, tt.methods...)
			if tt.pkce {
				doc["code_challenge_methods_supported"] = []string{"S256"}
			}
			if tt.issParam {
				doc["authorization_response_iss_parameter_supported"] = true
			}
			if tt.name == "linkedin" {
				// LinkedIn's UserInfo lives on another host.
				doc["userinfo_endpoint"] = "https://api.linkedin.com/v2/userinfo"
			}
			op := newIntlOP(t, tt.issuer, doc)
			op.authMethod, op.pkce, op.userinfo = tt.authMethod, tt.pkce, tt.userinfo
			switch tt.name {
			case "slack":
				op.extraRevoke = "/api/auth.revoke"
			case "linkedin":
				op.extraRevoke = "/oauth/v2/revoke"
			}
			p, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			name := p.Name()
			if tt.wantName != "" && name != tt.wantName {
				t.Errorf("name %q, want %q", name, tt.wantName)
			}
			a := op.auth(p, nil)
			res, _, err := op.login(a, name, nil)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			u := res.User
			wantVerified, _ := tt.userinfo["email_verified"].(bool)
			if u.ID != "user-1" || u.Email != tt.userinfo["email"] || u.EmailVerified != wantVerified || u.Name != tt.userinfo["name"] {
				t.Errorf("user %+v", u)
			}
			if want, _ := tt.userinfo["preferred_username"].(string); u.Username != want {
				t.Errorf("username %q, want %q", u.Username, want)
			}
			for k, v := range tt.raw {
				if got, _ := json.Marshal(u.Raw[k]); string(got) != string(intlMust(json.Marshal(v))) {
					t.Errorf("raw %s = %s, want %v", k, got, v)
				}
			}
			if res.IDToken == nil || res.IDToken.Issuer != tt.issuer {
				t.Errorf("ID token %+v, want issuer %q", res.IDToken, tt.issuer)
			}

			tok, id, err := a.Refresh(context.Background(), name, res.Token, res.IDToken)
			if err != nil || id.Subject != "user-1" || tok.AccessToken == res.Token.AccessToken {
				t.Fatalf("refresh: %v %v %v", tok, id, err)
			}
			if _, err := logoutWithTokens(t, context.Background(), a, name, tok); err != nil {
				t.Fatalf("logout: %v", err)
			}
			wantRevocations := 0
			if _, ok := doc["revocation_endpoint"]; ok {
				wantRevocations = 2
			}
			if tt.name == "slack" || tt.name == "linkedin" {
				// Added by the constructor: the metadata has none.
				if got := op.countPath(op.extraRevoke); got != 2 {
					t.Errorf("%d revocations at the added endpoint, want 2", got)
				}
			} else if got := op.count("revocation_endpoint"); got != wantRevocations {
				t.Errorf("%d revocations, want %d", got, wantRevocations)
			}
			if n := op.countPath(strings.TrimSuffix(mustPath(t, tt.issuer), "/") + "/.well-known/openid-configuration"); n != 1 {
				t.Errorf("discovery fetched %d times, want 1", n)
			}
		})
	}
}

func intlMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestIntlDiscoveryIssuerMismatch: a constructor's issuer spelling is
// compared byte for byte with the metadata (Auth0 without its slash, a
// Keycloak realm of another name).
func TestIntlDiscoveryIssuerMismatch(t *testing.T) {
	t.Parallel()
	doc := intlDoc("https://example.us.auth0.com", map[string]string{"authorization_endpoint": "/authorize", "token_endpoint": "/oauth/token", "jwks_uri": "/jwks"})
	op := newIntlOP(t, "https://example.us.auth0.com/", doc)
	doc["issuer"] = "https://example.us.auth0.com" // no trailing slash: not Auth0's issuer
	a := op.auth(Auth0("example.us.auth0.com", intlTestClient, intlTestSecret))
	_, _, err := a.Begin(context.Background(), "auth0", core.BeginOptions{})
	if !errors.Is(err, oidc.ErrIssuerMismatch) {
		t.Fatalf("err = %v, want ErrIssuerMismatch", err)
	}
}

func TestIntlConstructorErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func() (*core.Provider, error)
	}{
		{"keycloak empty realm", func() (*core.Provider, error) { return Keycloak("https://sso.example.com", " ", "id", "s") }},
		{"keycloak http base", func() (*core.Provider, error) { return Keycloak("http://sso.example.com", "r", "id", "s") }},
		{"keycloak query", func() (*core.Provider, error) { return Keycloak("https://sso.example.com/?x=1", "r", "id", "s") }},
		{"okta empty domain", func() (*core.Provider, error) { return Okta("", "default", "id", "s") }},
		{"okta domain with path", func() (*core.Provider, error) { return Okta("dev-1.okta.com/oauth2", "", "id", "s") }},
		{"okta server with slash", func() (*core.Provider, error) { return Okta("dev-1.okta.com", "a/b", "id", "s") }},
		{"auth0 user info", func() (*core.Provider, error) { return Auth0("https://u:p@example.auth0.com", "id", "s") }},
		{"auth0 empty client", func() (*core.Provider, error) { return Auth0("example.auth0.com", "", "s") }},
		{"microsoft domain tenant", func() (*core.Provider, error) { return Microsoft("contoso.onmicrosoft.com", "id", "s") }},
		{"microsoft empty tenant", func() (*core.Provider, error) { return Microsoft("", "id", "s") }},
		{"microsoft bad base", func() (*core.Provider, error) {
			return Microsoft("common", "id", "s", WithBaseURL("http://login.example.com"))
		}},
		{"gitlab bad base", func() (*core.Provider, error) { return GitLab("id", "s", WithBaseURL("ftp://git.example.com")) }},
		{"gitlab fragment", func() (*core.Provider, error) { return GitLab("id", "s", WithBaseURL("https://git.example.com/#x")) }},
		{"bitbucket empty id", func() (*core.Provider, error) { return Bitbucket("", "s") }},
		{"discord empty id", func() (*core.Provider, error) { return Discord("", "s") }},
		{"facebook empty id", func() (*core.Provider, error) { return Facebook("", "s") }},
		{"linkedin empty id", func() (*core.Provider, error) { return LinkedIn("", "s") }},
		{"slack empty id", func() (*core.Provider, error) { return Slack("", "s") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := tt.build()
			if p != nil || !errors.Is(err, core.ErrInvalidConfig) {
				t.Fatalf("got %v, %v; want ErrInvalidConfig", p, err)
			}
		})
	}
}

// TestIntlOIDCTestServer runs real code flows (authorize redirect, token,
// userinfo, refresh, revocation) through the Keycloak, Okta and generic
// constructors against conformance/oidctest, with its issuer placed at
// each product's issuer path.
func TestIntlOIDCTestServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		build      func(issuerOrigin string) (*core.Provider, error)
	}{
		{"keycloak", "/realms/demo", func(o string) (*core.Provider, error) {
			return Keycloak(o, "demo", "app", "app-secret")
		}},
		{"keycloak-legacy", "/auth/realms/demo", func(o string) (*core.Provider, error) {
			return Keycloak(o+"/auth", "demo", "app", "app-secret", WithName("keycloak-legacy"))
		}},
		{"okta", "/oauth2/default", func(o string) (*core.Provider, error) {
			return Okta(o, "default", "app", "app-secret")
		}},
		{"okta-org", "", func(o string) (*core.Provider, error) {
			return Okta(o, "", "app", "app-secret", WithName("okta-org"))
		}},
		{"dex", "/dex", func(o string) (*core.Provider, error) {
			return OIDC("dex", o+"/dex", "app", "app-secret")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), func(c *oidctest.Config) { c.IssuerPath = tt.path },
				oidctest.WithClients(oidctest.Client{ID: "app", Secret: "app-secret", RedirectURIs: []string{intlTestBase + "/" + tt.name + "/callback"}}))
			origin := strings.TrimSuffix(op.Issuer(), tt.path)
			a, err := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(intlTestBase).KeepTokens().KeepTokens().
				Provider(tt.build(origin)).Build()
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			ctx := context.Background()
			authURL, cookie, err := a.Begin(ctx, tt.name, core.BeginOptions{})
			if err != nil {
				t.Fatal(err)
			}
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || !strings.HasPrefix(loc.String(), intlTestBase) {
				t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			res, _, err := a.Complete(ctx, tt.name, loc.Query(), func(n string) (string, bool) {
				return cookie.Value, n == cookie.Name
			})
			if err != nil {
				t.Fatal(err)
			}
			want := oidctest.DefaultUser()
			if res.User.ID != want.Subject || res.User.Email != want.Email || res.IDToken.Issuer != op.Issuer() {
				t.Errorf("user %+v, issuer %q", res.User, res.IDToken.Issuer)
			}
			tok, _, err := a.Refresh(ctx, tt.name, res.Token, res.IDToken)
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if _, err := logoutWithTokens(t, ctx, a, tt.name, tok); err != nil {
				t.Fatalf("logout: %v", err)
			}
			if n := op.Count(oidctest.RevocationEndpoint); n != 2 {
				t.Errorf("%d revocations, want 2", n)
			}
		})
	}
}

// logoutWithTokens logs out of provider with a session that keeps tok (a
// needs KeepTokens), as the logout route does, and returns where the
// browser is sent.
func logoutWithTokens(t *testing.T, ctx context.Context, a *core.Auth, provider string, tok *core.Token) (string, error) {
	t.Helper()
	c, err := a.SessionCookie(context.Background(), &core.Result{Provider: provider, Token: tok, User: &core.User{ID: "user"}})
	if err != nil {
		return "", err
	}
	to, _ := a.Logout(ctx, provider, func(name string) (string, bool) { return c.Value, name == c.Name })
	return to, nil
}

// paramNames lists the names of p in order.
func paramNames(p *core.Params) string {
	var names []string
	p.Each(func(k, _ string) { names = append(names, k) })
	return strings.Join(names, ",")
}

// s256Challenge is the PKCE S256 challenge of a verifier (RFC 7636 §4.2).
func s256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
