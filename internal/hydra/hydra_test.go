package hydra

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

const (
	testRedirect   = "http://127.0.0.1:9/callback"
	testPostLogout = "http://127.0.0.1:9/logged-out"
)

// One Hydra serves all tests of the package.
var shared struct {
	s       *Server
	err     error
	started time.Duration
}

func TestMain(m *testing.M) {
	began := time.Now()
	shared.s, shared.err = New(Options{
		RedirectURIs:           []string{testRedirect},
		PostLogoutRedirectURIs: []string{testPostLogout},
		Accounts: []opuser.Claims{{
			Subject: "carol",
			Name:    "Carol Example",
			Email:   "carol@example.org",
			Extra:   map[string]any{"groups": []string{"admins", "staff"}},
		}},
	})
	shared.started = time.Since(began)
	code := m.Run()
	if shared.s != nil {
		shared.s.Close()
	}
	os.Exit(code)
}

// server returns the shared Hydra, or ends t as [Start] would.
func server(t *testing.T) (*Server, context.Context) {
	t.Helper()
	if shared.err != nil {
		if shared.s != nil {
			t.Logf("hydra: output of Hydra:\n%s", shared.s.Output())
		}
		SkipOrFail(t, shared.err)
	}
	shared.s.LogOnFailure(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return shared.s, ctx
}

func TestStart(t *testing.T) {
	s, _ := server(t)
	t.Logf("Hydra %s (binary %s) ready at %s, admin %s, after %v (build included when it was built)",
		Version, binaryPath, s.Issuer, s.AdminURL, shared.started.Round(time.Millisecond))

	var disc struct {
		Issuer     string   `json:"issuer"`
		Challenges []string `json:"code_challenge_methods_supported"`
		Grants     []string `json:"grant_types_supported"`
		AuthMethod []string `json:"token_endpoint_auth_methods_supported"`
		Device     string   `json:"device_authorization_endpoint"`
		Intro      string   `json:"introspection_endpoint"`
		Scopes     []string `json:"scopes_supported"`
	}
	if err := json.Unmarshal(s.Discovery, &disc); err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != s.Issuer || !slices.Contains(disc.Challenges, "S256") {
		t.Fatalf("discovery = %s", s.Discovery)
	}
	for _, m := range []string{AuthSecretBasic, AuthSecretPost, AuthNone, AuthPrivateKeyJWT} {
		if !slices.Contains(disc.AuthMethod, m) {
			t.Errorf("token_endpoint_auth_methods_supported = %v, missing %s", disc.AuthMethod, m)
		}
	}
	// Facts that doc.go states.
	if slices.Contains(disc.Grants, "urn:ietf:params:oauth:grant-type:device_code") || disc.Device != "" {
		t.Errorf("Hydra %s announces the device flow: %s", Version, s.Discovery)
	}
	if disc.Intro != "" {
		t.Errorf("introspection_endpoint announced: %s", disc.Intro)
	}
	if !slices.Contains(disc.Scopes, "profile") || !slices.Contains(disc.Scopes, "email") {
		t.Errorf("scopes_supported = %v", disc.Scopes)
	}
	if s.Endpoints.Introspection != s.AdminURL+"/admin/oauth2/introspect" ||
		s.Endpoints.Token != s.Issuer+"/oauth2/token" ||
		s.Endpoints.EndSession != s.Issuer+"/oauth2/sessions/logout" {
		t.Errorf("endpoints = %+v", s.Endpoints)
	}
}

// TestNoDeviceFlow records that Hydra v2.3.0 has no device flow. It
// registers a client with the device_code grant type all the same: it does
// not check grant types against those it knows.
func TestNoDeviceFlow(t *testing.T) {
	s, ctx := server(t)
	c, err := s.CreateClient(ctx, ClientSpec{GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}})
	if err != nil {
		t.Fatalf("register a device_code client: %v", err)
	}
	defer s.DeleteClient(ctx, c.ID)
	for _, path := range []string{"/oauth2/device/auth", "/oauth2/device/verify"} {
		status, body := postForm(t, s.Issuer+path, url.Values{"client_id": {c.ID}}, nil)
		if status != http.StatusNotFound {
			t.Errorf("POST %s: %d %s, want 404", path, status, body)
		}
	}
	status, tok := tokenRequest(t, s, c, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {"x"},
	})
	if status != http.StatusBadRequest || tok.Error != "invalid_request" || tok.AccessToken != "" {
		t.Errorf("device_code at the token endpoint: %d %+v, want 400 invalid_request", status, tok)
	}
}

func TestCodeFlow(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{})
	jar := newBrowser(t)

	req := newAuthRequest(c, "openid offline_access profile email")
	cb, err := s.Authorize(ctx, jar, req.url(s), "alice")
	if err != nil {
		t.Fatal(err)
	}
	code := req.code(t, cb)
	if !strings.HasPrefix(code, "ory_ac_") {
		t.Errorf("code = %q, want the ory_ac_ prefix", code)
	}
	tok := exchange(t, s, c, code, req.verifier)
	if !strings.HasPrefix(tok.AccessToken, "ory_at_") || !strings.HasPrefix(tok.RefreshToken, "ory_rt_") ||
		!strings.EqualFold(tok.TokenType, "bearer") || tok.ExpiresIn <= 0 || tok.Scope != "openid offline_access profile email" {
		t.Errorf("token response = %+v", tok)
	}

	var claims map[string]any
	t.Run("ID token", func(t *testing.T) {
		header := verifyJWT(t, s, tok.IDToken, &claims)
		if header["alg"] != "RS256" || header["kid"] == "" || header["typ"] != "JWT" {
			t.Errorf("ID token header = %v", header)
		}
		want := opuser.Account("alice")
		for k, v := range map[string]any{
			"iss": s.Issuer, "sub": "alice", "nonce": req.nonce, "acr": "0",
			"name": want.Name, "given_name": want.GivenName, "email": want.Email, "email_verified": true,
			"locale": want.Locale, "updated_at": float64(want.UpdatedAt),
		} {
			if claims[k] != v {
				t.Errorf("ID token claim %s = %#v, want %#v", k, claims[k], v)
			}
		}
		if aud, _ := claims["aud"].([]any); len(aud) != 1 || aud[0] != c.ID {
			t.Errorf("aud = %#v, want [%q] (always an array)", claims["aud"], c.ID)
		}
		if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
			t.Errorf("amr = %#v", claims["amr"])
		}
		for _, k := range []string{"exp", "iat", "auth_time", "rat", "jti", "sid", "at_hash"} {
			if _, ok := claims[k]; !ok {
				t.Errorf("ID token has no %s: %v", k, claims)
			}
		}
		sum := sha256.Sum256([]byte(tok.AccessToken))
		if claims["at_hash"] != base64.RawURLEncoding.EncodeToString(sum[:16]) {
			t.Errorf("at_hash = %v does not match the access token", claims["at_hash"])
		}
		t.Logf("ID token claims: %v", sortedKeys(claims))
	})

	t.Run("userinfo", func(t *testing.T) {
		status, ct, body := userinfo(t, s, tok.AccessToken)
		if status != http.StatusOK || !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("userinfo: %d %s %s", status, ct, body)
		}
		var ui map[string]any
		if err := json.Unmarshal(body, &ui); err != nil {
			t.Fatal(err)
		}
		if ui["sub"] != "alice" || ui["email"] != "alice@example.com" || ui["name"] != "Alice Tester" {
			t.Errorf("userinfo = %s", body)
		}
		// Hydra answers some protocol claims of the ID token too.
		if aud, _ := ui["aud"].([]any); ui["iss"] != s.Issuer || len(aud) != 1 || aud[0] != c.ID {
			t.Errorf("userinfo iss, aud = %v, %v", ui["iss"], ui["aud"])
		}
		t.Logf("userinfo claims: %v", sortedKeys(ui))
	})

	t.Run("introspect", func(t *testing.T) {
		in, err := s.Introspect(ctx, tok.AccessToken)
		if err != nil {
			t.Fatal(err)
		}
		if in["active"] != true || in["sub"] != "alice" || in["client_id"] != c.ID ||
			in["scope"] != "openid offline_access profile email" || in["token_use"] != "access_token" || in["iss"] != s.Issuer {
			t.Errorf("introspection = %v", in)
		}
		t.Logf("introspection of an access token: %v", sortedKeys(in))
		in, err = s.Introspect(ctx, tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if in["active"] != true || in["token_use"] != "refresh_token" {
			t.Errorf("refresh token introspection = %v", in)
		}
	})

	t.Run("refresh rotates", func(t *testing.T) {
		status, next := tokenRequest(t, s, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
		if status != http.StatusOK {
			t.Fatalf("refresh: %d %+v", status, next)
		}
		if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken {
			t.Fatalf("refresh did not rotate: %+v", next)
		}
		var rc map[string]any
		verifyJWT(t, s, next.IDToken, &rc)
		if rc["sub"] != "alice" || rc["email"] != "alice@example.com" || rc["sid"] != claims["sid"] {
			t.Errorf("refreshed ID token claims = %v", rc)
		}
		// Unlike OpenID Connect Core 12.2 suggests, the nonce of the
		// login is repeated.
		if rc["nonce"] != req.nonce || rc["auth_time"] != claims["auth_time"] {
			t.Errorf("refreshed ID token: nonce %v, auth_time %v; want those of the login", rc["nonce"], rc["auth_time"])
		}
		// The old access token is gone with the old refresh token.
		if in, err := s.Introspect(ctx, tok.AccessToken); err != nil || in["active"] != false {
			t.Errorf("the first access token after refresh: %v %v, want inactive", in, err)
		}

		// Reuse of a rotated refresh token is refused, and Hydra revokes the
		// whole chain: the new tokens die too.
		status, again := tokenRequest(t, s, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
		if status != http.StatusBadRequest || again.Error != "invalid_grant" {
			t.Fatalf("reuse of the old refresh token: %d %+v, want 400 invalid_grant", status, again)
		}
		for _, tk := range []string{next.AccessToken, next.RefreshToken} {
			if in, err := s.Introspect(ctx, tk); err != nil || in["active"] != false {
				t.Errorf("after refresh token reuse, %.12s… is %v %v, want inactive", tk, in, err)
			}
		}
	})
}

func TestRevoke(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{AuthMethod: AuthSecretPost})
	req := newAuthRequest(c, "openid offline_access")
	cb, err := s.Authorize(ctx, nil, req.url(s), "")
	if err != nil {
		t.Fatal(err)
	}
	tok := exchange(t, s, c, req.code(t, cb), req.verifier)
	var claims map[string]any
	verifyJWT(t, s, tok.IDToken, &claims)
	if claims["sub"] != DefaultLogin {
		t.Errorf("sub = %v, want the default login %s", claims["sub"], DefaultLogin)
	}
	if _, ok := claims["email"]; ok {
		t.Errorf("email without the email scope: %v", claims)
	}

	// Revoking the refresh token revokes its access token too.
	status, body := postForm(t, s.Endpoints.Revocation, url.Values{
		"token": {tok.RefreshToken}, "client_id": {c.ID}, "client_secret": {c.Secret},
	}, nil)
	if status != http.StatusOK {
		t.Fatalf("revoke: %d %s", status, body)
	}
	for _, tk := range []string{tok.RefreshToken, tok.AccessToken} {
		if in, err := s.Introspect(ctx, tk); err != nil || in["active"] != false {
			t.Errorf("after revocation: %v %v, want inactive", in, err)
		}
	}
	if status, _, _ := userinfo(t, s, tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("userinfo with a revoked token: %d, want 401", status)
	}

	// Withdrawing the consent revokes the tokens issued under it.
	cb, err = s.Authorize(ctx, nil, req.url(s), "rupert")
	if err != nil {
		t.Fatal(err)
	}
	tok = exchange(t, s, c, req.code(t, cb), req.verifier)
	if err := s.RevokeConsent(ctx, "rupert", c.ID); err != nil {
		t.Fatal(err)
	}
	for _, tk := range []string{tok.RefreshToken, tok.AccessToken} {
		if in, err := s.Introspect(ctx, tk); err != nil || in["active"] != false {
			t.Errorf("after RevokeConsent: %v %v, want inactive", in, err)
		}
	}
}

func TestPublicClientPKCE(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{AuthMethod: AuthNone})
	if c.Secret != "" {
		t.Fatalf("public client with a secret: %+v", c)
	}
	req := newAuthRequest(c, "openid")

	// PKCE is required for public clients.
	noPKCE := req.url(s)
	u, _ := url.Parse(noPKCE)
	q := u.Query()
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	u.RawQuery = q.Encode()
	cb, err := s.Authorize(ctx, nil, u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := cb.Query().Get("error"); got != "invalid_request" {
		t.Errorf("public client without PKCE: %s, want error=invalid_request", cb)
	}

	cb, err = s.Authorize(ctx, nil, req.url(s), "")
	if err != nil {
		t.Fatal(err)
	}
	code := req.code(t, cb)
	status, bad := tokenRequest(t, s, c, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {"wrong-verifier-wrong-verifier-wrong-verifier-00"}})
	if status != http.StatusBadRequest || bad.Error != "invalid_grant" {
		t.Errorf("wrong code_verifier: %d %+v", status, bad)
	}
	// A failed verifier burns the code.
	status, again := tokenRequest(t, s, c, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {req.verifier}})
	if status != http.StatusBadRequest || again.Error != "invalid_grant" {
		t.Errorf("the right verifier after a wrong one: %d %+v, want 400 invalid_grant", status, again)
	}
}

func TestDenyAndAccounts(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{})

	req := newAuthRequest(c, "openid")
	cb, err := s.Authorize(ctx, nil, req.url(s), Deny)
	if err != nil {
		t.Fatal(err)
	}
	if q := cb.Query(); q.Get("error") != "access_denied" || q.Get("state") != req.state || cb.String()[:len(testRedirect)] != testRedirect {
		t.Errorf("deny: %s", cb)
	}

	// login_hint picks the account; Options.Accounts has carol's claims.
	req = newAuthRequest(c, "openid profile email")
	u := req.url(s) + "&login_hint=carol"
	cb, err = s.Authorize(ctx, nil, u, "")
	if err != nil {
		t.Fatal(err)
	}
	tok := exchange(t, s, c, req.code(t, cb), req.verifier)
	var claims map[string]any
	verifyJWT(t, s, tok.IDToken, &claims)
	groups, _ := claims["groups"].([]any)
	if claims["sub"] != "carol" || claims["name"] != "Carol Example" || claims["email"] != "carol@example.org" ||
		len(groups) != 2 || groups[0] != "admins" {
		t.Errorf("carol's ID token = %v", claims)
	}
	if _, ok := claims["given_name"]; ok {
		t.Errorf("empty claims are released: %v", claims)
	}

	// login_hint=deny refuses as well.
	req = newAuthRequest(c, "openid")
	cb, err = s.Authorize(ctx, nil, req.url(s)+"&login_hint="+Deny, "")
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "access_denied" {
		t.Errorf("login_hint=deny: %s", cb)
	}
}

// TestScopeNotRegistered shows that a client may ask only for the scopes
// registered with it.
func TestScopeNotRegistered(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{Scope: "openid profile"})
	req := newAuthRequest(c, "openid email")
	cb, err := s.Authorize(ctx, nil, req.url(s), "")
	if err != nil {
		t.Fatal(err)
	}
	if q := cb.Query(); q.Get("error") != "invalid_scope" || q.Get("state") != req.state {
		t.Errorf("scope email not registered: %s, want error=invalid_scope", cb)
	}
}

// TestSessionKept shows that a browser with Hydra's cookies is signed in
// again without the login app choosing the user, and that prompt=login
// lets another user sign in.
func TestSessionKept(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{})
	b := newBrowser(t)
	subject := func(extra, login string) string {
		t.Helper()
		req := newAuthRequest(c, "openid")
		cb, err := s.Authorize(ctx, b, req.url(s)+extra, login)
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		verifyJWT(t, s, exchange(t, s, c, req.code(t, cb), req.verifier).IDToken, &claims)
		return claims["sub"].(string)
	}
	if got := subject("", "dave"); got != "dave" {
		t.Fatalf("sub = %s", got)
	}
	if got := subject("", "erin"); got != "dave" {
		t.Errorf("second login in the same browser: sub = %s, want the session's dave", got)
	}
	if got := subject("&prompt=login", "erin"); got != "erin" {
		t.Errorf("prompt=login: sub = %s, want erin", got)
	}
	if err := s.RevokeSubjectSessions(ctx, "erin"); err != nil {
		t.Fatal(err)
	}
	if got := subject("", "peggy"); got != "peggy" {
		t.Errorf("after RevokeSubjectSessions: sub = %s, want peggy", got)
	}
}

func TestPrivateKeyJWT(t *testing.T) {
	s, ctx := server(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	c := s.NewClient(t, ClientSpec{
		AuthMethod: AuthPrivateKeyJWT,
		JWKS:       publicJWKS(t, &key.PublicKey, "client-key-1"),
		GrantTypes: []string{GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials},
		Scope:      "openid offline_access profile api:read",
	})
	assertion := func(aud string) url.Values {
		return url.Values{
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion": {signRS256(t, key, "client-key-1", map[string]any{
				"iss": c.ID, "sub": c.ID, "aud": aud, "jti": randomHex(12),
				"iat": time.Now().Unix(), "exp": time.Now().Add(time.Minute).Unix(),
			})},
		}
	}
	form := func(aud string, extra url.Values) url.Values {
		f := assertion(aud)
		for k, v := range extra {
			f[k] = v
		}
		return f
	}

	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}
	status, tok := tokenRequest(t, s, Client{}, form(s.Endpoints.Token, cc))
	if status != http.StatusOK || tok.AccessToken == "" || tok.Scope != "api:read" {
		t.Fatalf("client_credentials with aud = token endpoint: %d %+v", status, tok)
	}
	if tok.IDToken != "" || tok.RefreshToken != "" {
		t.Errorf("client_credentials issued more than an access token: %+v", tok)
	}

	// Hydra takes only its token endpoint URL as the audience; the issuer,
	// which RFC 7523 and OpenID Connect also allow, is refused.
	status, bad := tokenRequest(t, s, Client{}, form(s.Issuer, cc))
	if status != http.StatusUnauthorized || bad.Error != "invalid_client" {
		t.Fatalf("aud = issuer: %d %+v, want 401 invalid_client", status, bad)
	}
	t.Logf("aud = issuer: %d %s: %s", status, bad.Error, bad.Description)
	status, bad = tokenRequest(t, s, Client{}, form(s.Issuer+"/", cc))
	if status != http.StatusUnauthorized || bad.Error != "invalid_client" {
		t.Errorf("aud = issuer with a slash: %d %+v, want 401 invalid_client", status, bad)
	}

	// The same assertion twice: Hydra remembers the jti.
	f := form(s.Endpoints.Token, cc)
	if status, tok := tokenRequest(t, s, Client{}, f); status != http.StatusOK {
		t.Fatalf("first use: %d %+v", status, tok)
	}
	status, bad = tokenRequest(t, s, Client{}, f)
	if status == http.StatusOK {
		t.Errorf("a replayed client assertion is accepted")
	}
	t.Logf("replayed assertion: %d %s: %s", status, bad.Error, bad.Description)

	// And the code flow with the key at the token endpoint.
	req := newAuthRequest(c, "openid profile")
	cb, err := s.Authorize(ctx, nil, req.url(s), "frank")
	if err != nil {
		t.Fatal(err)
	}
	status, tok = tokenRequest(t, s, Client{}, form(s.Endpoints.Token, url.Values{
		"grant_type": {"authorization_code"}, "code": {req.code(t, cb)},
		"redirect_uri": {testRedirect}, "code_verifier": {req.verifier},
	}))
	if status != http.StatusOK {
		t.Fatalf("code exchange with private_key_jwt: %d %+v", status, tok)
	}
	var claims map[string]any
	verifyJWT(t, s, tok.IDToken, &claims)
	if claims["sub"] != "frank" || claims["name"] != "Frank Tester" {
		t.Errorf("ID token = %v", claims)
	}
}

func TestSignedUserinfo(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{UserinfoSignedResponseAlg: "RS256"})
	req := newAuthRequest(c, "openid email")
	cb, err := s.Authorize(ctx, nil, req.url(s), "grace")
	if err != nil {
		t.Fatal(err)
	}
	tok := exchange(t, s, c, req.code(t, cb), req.verifier)
	status, ct, body := userinfo(t, s, tok.AccessToken)
	if status != http.StatusOK || !strings.HasPrefix(ct, "application/jwt") {
		t.Fatalf("userinfo: %d %s %s", status, ct, body)
	}
	var claims map[string]any
	header := verifyJWT(t, s, string(body), &claims)
	if claims["sub"] != "grace" || claims["email"] != "grace@example.com" || claims["iss"] != s.Issuer {
		t.Errorf("signed userinfo claims = %v", claims)
	}
	if aud, _ := claims["aud"].([]any); len(aud) != 1 || aud[0] != c.ID {
		t.Errorf("signed userinfo aud = %#v", claims["aud"])
	}
	t.Logf("signed userinfo: header %v, claims %v", header, sortedKeys(claims))
}

func TestKeyRotation(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{})
	login := func() string {
		t.Helper()
		req := newAuthRequest(c, "openid")
		cb, err := s.Authorize(ctx, nil, req.url(s), "heidi")
		if err != nil {
			t.Fatal(err)
		}
		var claims map[string]any
		h := verifyJWT(t, s, exchange(t, s, c, req.code(t, cb), req.verifier).IDToken, &claims)
		return h["kid"].(string)
	}
	before := login()
	kid, err := s.RotateSigningKey(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if kid == before {
		t.Fatalf("the new kid is the old one: %s", kid)
	}
	if got := login(); got != kid {
		t.Errorf("after rotation the ID token has kid %s, want the new %s", got, kid)
	}
	kids := jwksKids(t, s)
	if !slices.Contains(kids, before) || !slices.Contains(kids, kid) {
		t.Errorf("JWKS kids = %v, want both %s and %s", kids, before, kid)
	}
}

func TestJWTAccessToken(t *testing.T) {
	s, ctx := server(t)
	c := s.NewClient(t, ClientSpec{AccessTokenStrategy: "jwt", Audience: []string{"https://api.example.com"}})
	req := newAuthRequest(c, "openid profile")
	cb, err := s.Authorize(ctx, nil, req.url(s)+"&audience="+url.QueryEscape("https://api.example.com"), "ivan")
	if err != nil {
		t.Fatal(err)
	}
	tok := exchange(t, s, c, req.code(t, cb), req.verifier)
	var claims map[string]any
	header := verifyJWT(t, s, tok.AccessToken, &claims)
	// An audience not registered for the client is refused.
	bad := newAuthRequest(c, "openid")
	cb, err = s.Authorize(ctx, nil, bad.url(s)+"&audience="+url.QueryEscape("https://other.example.com"), "ivan")
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "invalid_request" {
		t.Errorf("an audience not registered: %s, want error=invalid_request", cb)
	}
	aud, _ := claims["aud"].([]any)
	if claims["sub"] != "ivan" || claims["client_id"] != c.ID || claims["iss"] != s.Issuer ||
		len(aud) != 1 || aud[0] != "https://api.example.com" {
		t.Errorf("JWT access token claims = %v", claims)
	}
	if scp, _ := claims["scp"].([]any); len(scp) != 2 {
		t.Errorf("scp = %#v, want the two scopes as an array", claims["scp"])
	}
	if _, ok := claims["name"]; ok {
		t.Errorf("the ID token claims are in the access token: %v", claims)
	}
	t.Logf("JWT access token: header %v, claims %v", header, sortedKeys(claims))
}

func TestLogout(t *testing.T) {
	s, ctx := server(t)
	logouts := make(chan url.Values, 4)
	rp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		logouts <- r.PostForm
	}))
	t.Cleanup(rp.Close)
	c := s.NewClient(t, ClientSpec{
		BackchannelLogoutURI:             rp.URL + "/backchannel",
		BackchannelLogoutSessionRequired: true,
	})
	b := newBrowser(t)
	signIn := func(login string) (idToken string, claims map[string]any) {
		t.Helper()
		req := newAuthRequest(c, "openid")
		cb, err := s.Authorize(ctx, b, req.url(s), login)
		if err != nil {
			t.Fatal(err)
		}
		tok := exchange(t, s, c, req.code(t, cb), req.verifier)
		verifyJWT(t, s, tok.IDToken, &claims)
		return tok.IDToken, claims
	}
	idToken, claims := signIn("judy")

	// Without id_token_hint, Hydra refuses post_logout_redirect_uri and
	// state, and sends the browser to the error page.
	for param, value := range map[string]string{"post_logout_redirect_uri": testPostLogout, "state": "s1"} {
		_, err := s.Logout(ctx, b, s.Endpoints.EndSession+"?"+url.Values{param: {value}}.Encode())
		if err == nil || !strings.Contains(err.Error(), "Hydra error invalid_request") ||
			!strings.Contains(err.Error(), param+" is set but id_token_hint is missing") {
			t.Fatalf("logout with %s, without id_token_hint: %v, want Hydra's refusal", param, err)
		}
	}

	u, err := s.Logout(ctx, b, s.Endpoints.EndSession+"?"+url.Values{
		"id_token_hint": {idToken}, "post_logout_redirect_uri": {testPostLogout}, "state": {"s2"},
	}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if u == nil || u.Query().Get("state") != "s2" || !strings.HasPrefix(u.String(), testPostLogout+"?") {
		t.Fatalf("logout ended at %v, want %s?state=s2", u, testPostLogout)
	}

	checkLogoutToken := func(form url.Values, sid string) {
		t.Helper()
		var lc map[string]any
		header := verifyJWT(t, s, form.Get("logout_token"), &lc)
		aud, _ := lc["aud"].([]any)
		events, _ := lc["events"].(map[string]any)
		if lc["iss"] != s.Issuer || len(aud) != 1 || aud[0] != c.ID || lc["sid"] != sid || lc["jti"] == nil || lc["iat"] == nil {
			t.Errorf("logout token claims = %v", lc)
		}
		if _, ok := events["http://schemas.openid.net/event/backchannel-logout"]; !ok {
			t.Errorf("logout token events = %v", lc["events"])
		}
		// Hydra leaves out exp (required by Back-Channel Logout 1.0) and
		// sub (optional); doc.go says so.
		for _, k := range []string{"nonce", "exp", "sub"} {
			if _, ok := lc[k]; ok {
				t.Errorf("logout token has %s: %v", k, lc)
			}
		}
		t.Logf("logout token: header %v, claims %v", header, sortedKeys(lc))
	}
	select {
	case form := <-logouts:
		checkLogoutToken(form, claims["sid"].(string))
	case <-time.After(10 * time.Second):
		t.Fatal("no back-channel logout within 10 s")
	}

	// The session is gone: the next login asks the app again.
	_, claims = signIn("mallory")
	if claims["sub"] != "mallory" {
		t.Errorf("after logout, sub = %v, want mallory", claims["sub"])
	}

	// Ending the session from the admin API sends a logout token too.
	if err := s.RevokeLoginSession(ctx, claims["sid"].(string)); err != nil {
		t.Fatal(err)
	}
	select {
	case form := <-logouts:
		checkLogoutToken(form, claims["sid"].(string))
	case <-time.After(10 * time.Second):
		t.Fatal("no back-channel logout within 10 s after RevokeLoginSession")
	}

	// Without any parameter and without a session, logout ends on the
	// app's signed-out page.
	u, err = s.Logout(ctx, b, s.Endpoints.EndSession)
	if err != nil || u != nil {
		t.Errorf("logout without a session: %v %v, want the signed-out page", u, err)
	}

	// Without any parameter but with a session, Hydra asks the app, ends
	// the session and shows the signed-out page too.
	_, claims = signIn("niaj")
	u, err = s.Logout(ctx, b, s.Endpoints.EndSession)
	if err != nil || u != nil {
		t.Errorf("logout without parameters: %v %v, want the signed-out page", u, err)
	}
	select {
	case form := <-logouts:
		checkLogoutToken(form, claims["sid"].(string))
	case <-time.After(10 * time.Second):
		t.Fatal("no back-channel logout within 10 s after a logout without parameters")
	}
	if _, claims = signIn("olivia"); claims["sub"] != "olivia" {
		t.Errorf("after logout without parameters, sub = %v, want olivia", claims["sub"])
	}
}

// TestPortTaken starts a second Hydra whose first pick of ports is taken:
// it starts again on other ports.
func TestPortTaken(t *testing.T) {
	server(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	tries := 0
	pickPorts = func() (int, int, error) {
		tries++
		public, admin, err := freePorts()
		if tries == 1 {
			// A listener that never answers, on the port checked first.
			public = busy.Addr().(*net.TCPAddr).Port
		}
		return public, admin, err
	}
	defer func() { pickPorts = freePorts }()
	s := Start(t, Options{})
	if tries != 2 || !strings.Contains(s.Output(), "address already in use") {
		t.Errorf("%d starts; output:\n%s", tries, s.Output())
	}
	if _, err := s.CreateClient(context.Background(), ClientSpec{}); err != nil {
		t.Error(err)
	}
}

func TestConfigMerge(t *testing.T) {
	dst := map[string]any{"a": map[string]any{"b": 1, "c": 2}, "d": 3}
	src := map[string]any{"a": map[string]any{"c": 4, "e": 5}, "d": map[string]any{"f": 6}}
	shared := dst["a"].(map[string]any)
	merge(dst, src)
	got, _ := json.Marshal(dst)
	if string(got) != `{"a":{"b":1,"c":4,"e":5},"d":{"f":6}}` {
		t.Errorf("merge = %s", got)
	}
	if len(shared) != 2 {
		t.Errorf("merge changed a map of dst in place: %v", shared)
	}
}

// ---- helpers: a client of Hydra written with net/http and encoding/json ----

// authRequest is one authorization request with PKCE.
type authRequest struct {
	client                 Client
	scope                  string
	state, nonce, verifier string
}

func newAuthRequest(c Client, scope string) *authRequest {
	return &authRequest{client: c, scope: scope, state: randomHex(8), nonce: randomHex(8), verifier: randomHex(32)}
}

func (r *authRequest) url(s *Server) string {
	sum := sha256.Sum256([]byte(r.verifier))
	return s.Endpoints.Authorization + "?" + url.Values{
		"client_id":             {r.client.ID},
		"response_type":         {"code"},
		"redirect_uri":          {testRedirect},
		"scope":                 {r.scope},
		"state":                 {r.state},
		"nonce":                 {r.nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}.Encode()
}

// code checks the callback and returns its code.
func (r *authRequest) code(t *testing.T, cb *url.URL) string {
	t.Helper()
	q := cb.Query()
	if !strings.HasPrefix(cb.String(), testRedirect+"?") || q.Get("state") != r.state || q.Get("code") == "" {
		t.Fatalf("callback = %s", cb)
	}
	return q.Get("code")
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

func exchange(t *testing.T, s *Server, c Client, code, verifier string) tokenResponse {
	t.Helper()
	status, tok := tokenRequest(t, s, c, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {testRedirect}, "code_verifier": {verifier},
	})
	if status != http.StatusOK || tok.AccessToken == "" || tok.IDToken == "" {
		t.Fatalf("code exchange: %d %+v", status, tok)
	}
	return tok
}

// tokenRequest posts form to the token endpoint, authenticating as c
// (nothing for a zero Client).
func tokenRequest(t *testing.T, s *Server, c Client, form url.Values) (int, tokenResponse) {
	t.Helper()
	var auth func(*http.Request)
	switch c.AuthMethod {
	case AuthSecretBasic:
		auth = func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret)) }
	case AuthSecretPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case AuthNone:
		form.Set("client_id", c.ID)
	}
	status, body := postForm(t, s.Endpoints.Token, form, auth)
	var tok tokenResponse
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatalf("token response %d %s: %v", status, body, err)
	}
	return status, tok
}

func postForm(t *testing.T, target string, form url.Values, auth func(*http.Request)) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func userinfo(t *testing.T, s *Server, accessToken string) (status int, contentType string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.Endpoints.UserInfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if body, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func newBrowser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// jwk is an RSA public key of a JWKS.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

func fetchJWKS(t *testing.T, s *Server) []jwk {
	t.Helper()
	resp, err := http.Get(s.Endpoints.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	return set.Keys
}

func jwksKids(t *testing.T, s *Server) []string {
	var kids []string
	for _, k := range fetchJWKS(t, s) {
		kids = append(kids, k.Kid)
	}
	return kids
}

// verifyJWT checks an RS256 JWT against Hydra's JWKS, decodes its claims
// into claims, and returns its header.
func verifyJWT(t *testing.T, s *Server, token string, claims any) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	var header map[string]any
	decodeSegment(t, parts[0], &header)
	decodeSegment(t, parts[1], claims)
	if header["alg"] != "RS256" {
		t.Fatalf("alg = %v, want RS256", header["alg"])
	}
	var key *rsa.PublicKey
	for _, k := range fetchJWKS(t, s) {
		if k.Kid == header["kid"] && k.Kty == "RSA" {
			n, err1 := base64.RawURLEncoding.DecodeString(k.N)
			e, err2 := base64.RawURLEncoding.DecodeString(k.E)
			if err := errors.Join(err1, err2); err != nil {
				t.Fatal(err)
			}
			key = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		}
	}
	if key == nil {
		t.Fatalf("no RSA key %v in the JWKS", header["kid"])
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("signature of the JWT with kid %v: %v", header["kid"], err)
	}
	return header
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// signRS256 makes a JWS with the key.
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func publicJWKS(t *testing.T, pub *rsa.PublicKey, kid string) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": []jwk{{
		Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
		N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
