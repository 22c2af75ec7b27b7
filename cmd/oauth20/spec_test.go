package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestParseSpec: YAML and JSON say the same; every mistake is reported.
func TestParseSpec(t *testing.T) {
	t.Parallel()
	yamlSpec := `
name: acme
endpoints:
  authorization: https://sso.acme.example/authorize
  token: https://sso.acme.example/token
auth_method: client_secret_post
scopes: [profile, email]
pkce: false
token:
  method: GET
  response: form
user:
  url: https://api.acme.example/me
  id: data.id
`
	jsonSpec := `{"name":"acme","endpoints":{"authorization":"https://sso.acme.example/authorize","token":"https://sso.acme.example/token"},
	"auth_method":"client_secret_post","scopes":["profile","email"],"pkce":false,"token":{"method":"GET","response":"form"},
	"user":{"url":"https://api.acme.example/me","id":"data.id"}}`
	y, err := parseSpec([]byte(yamlSpec))
	if err != nil {
		t.Fatal(err)
	}
	j, err := parseSpec([]byte(jsonSpec))
	if err != nil {
		t.Fatal(err)
	}
	yb, _ := json.Marshal(y)
	jb, _ := json.Marshal(j)
	if string(yb) != string(jb) {
		t.Errorf("YAML and JSON differ:\n%s\n%s", yb, jb)
	}
	if _, err := y.build("id", "secret", buildOptions{redirectURL: "http://127.0.0.1:9/cb"}); err != nil {
		t.Errorf("build: %v", err)
	}

	tests := []struct{ name, spec, want string }{
		{"unknown field", "issuer: https://x.example\ncolour: red\n", "field colour not found"},
		{"unknown json field", `{"issuer":"https://x.example","colour":"red"}`, `unknown field "colour"`},
		{"no form", "name: x\n", "give exactly one of"},
		{"two forms", "provider: github\nissuer: https://x.example\n", "give exactly one of"},
		{"unknown provider", "provider: nosuch\n", `unknown provider "nosuch"`},
		{"settings without provider", "issuer: https://x.example\nsettings: {a: b}\n", "settings are only for a built-in provider"},
		{"custom fields on issuer", "issuer: https://x.example\ntoken: {method: GET}\n", "token is only for a provider described by its endpoints"},
		{"no token endpoint", "name: x\nendpoints: {authorization: https://x.example/a}\nuser: {id: id, url: https://x.example/u}\n", "authorization and token are required"},
		{"no name", "endpoints: {authorization: https://x.example/a, token: https://x.example/t}\nuser: {id: id, url: https://x.example/u}\n", "name is required"},
		{"no user", "name: x\nendpoints: {authorization: https://x.example/a, token: https://x.example/t}\n", "user.id is required"},
		{"no user url", "name: x\nendpoints: {authorization: https://x.example/a, token: https://x.example/t}\nuser: {id: id}\n", "user.url or endpoints.userinfo is required"},
		{"bad auth method", "name: x\nendpoints: {authorization: https://x.example/a, token: https://x.example/t, userinfo: https://x.example/u}\nuser: {id: id}\nauth_method: magic\n", `auth_method "magic"`},
		{"bad token format", "name: x\nendpoints: {authorization: https://x.example/a, token: https://x.example/t, userinfo: https://x.example/u}\nuser: {id: id}\ntoken: {format: xml}\n", `token.format "xml"`},
		{"trailing json", `{"issuer":"https://x.example"} {}`, "data after the JSON object"},
		{"par without endpoint", "name: x\nendpoints: {authorization: https://x.example/a, token: https://x.example/t, userinfo: https://x.example/u}\nuser: {id: id}\npar: true\n", "par needs endpoints.pushed_authorization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSpec([]byte(tt.spec))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestSpecExtensions: par and dpop in a spec file of each form; a
// provider of one's own pushes to endpoints.pushed_authorization.
func TestSpecExtensions(t *testing.T) {
	t.Parallel()
	key := newKey(t)
	for _, src := range []string{
		"issuer: https://idp.example\npar: true\ndpop: true\n",
		"provider: keycloak\nsettings: {url: https://sso.example.com, realm: demo}\npar: true\ndpop: true\n",
		`{"name":"acme","endpoints":{"authorization":"https://sso.acme.example/a","token":"https://sso.acme.example/t",
		"pushed_authorization":"https://sso.acme.example/par"},"user":{"url":"https://api.acme.example/me","id":"id"},"par":true,"dpop":true}`,
	} {
		s, err := parseSpec([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !s.PAR || !s.DPoP {
			t.Errorf("%s: par %t, dpop %t", src, s.PAR, s.DPoP)
		}
		p, err := s.build("id", "secret", buildOptions{redirectURL: "http://127.0.0.1:9/cb", dpopKey: key})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if s.Endpoints != nil {
			c, err := p.Client(context.Background())
			if err != nil || c.Endpoints().PushedAuthURL != "https://sso.acme.example/par" {
				t.Errorf("endpoints of a provider of one's own: %v", err)
			}
		}
	}
}

// TestJSONPath reads scalar values at dotted paths.
func TestJSONPath(t *testing.T) {
	t.Parallel()
	m := map[string]any{"data": map[string]any{"id": json.Number("12345678901234"), "ok": true, "name": "Ann", "list": []any{"x"}}}
	for path, want := range map[string]string{"data.id": "12345678901234", "data.ok": "true", "data.name": "Ann", "data.list": "", "data.none": "", "data.name.x": "", "": ""} {
		if got := jsonPath(m, path); got != want {
			t.Errorf("%q: got %q, want %q", path, got, want)
		}
	}
}

// quirkyProvider plays a provider far from RFC 6749: renamed parameters,
// a GET token request with the secret in the query, a {code, data}
// envelope with camelCase members, errors as non-zero codes in HTTP 200,
// and the access token in the query of its user API.
func quirkyProvider(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("appid") != "quirky-app" || q.Get("code_challenge") != "" {
			http.Error(w, "bad request: "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		u, _ := url.Parse(q.Get("redirect_uri"))
		u.RawQuery = url.Values{"code": {"good-code"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	})
	mux.HandleFunc("GET /oauth/token", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("appid") != "quirky-app" || q.Get("secret") != "quirky-secret" || q.Get("grant_type") != "authorization_code" {
			testkit.WriteJSON(w, http.StatusOK, map[string]any{"code": 40001, "msg": "bad client"})
			return
		}
		if q.Get("code") != "good-code" {
			testkit.WriteJSON(w, http.StatusOK, map[string]any{"code": 40029, "msg": "invalid code"})
			return
		}
		testkit.WriteJSON(w, http.StatusOK, map[string]any{"code": 0, "data": map[string]any{"accessToken": "quirky-access-token", "expiresIn": "7200"}})
	})
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") != "quirky-access-token" || r.Header.Get("Authorization") != "" {
			testkit.WriteJSON(w, http.StatusOK, map[string]any{"code": 40014, "msg": "invalid access_token"})
			return
		}
		testkit.WriteJSON(w, http.StatusOK, map[string]any{"code": 0, "data": map[string]any{"user": map[string]any{
			"uid": 12345678901234, "mail": "ann@quirky.example", "mail_ok": "true", "nick": "Ann", "login": "ann", "face": "https://quirky.example/ann.png"}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestLoginWithSpec logs in with a provider described only by a spec
// file: every quirk above is said in the spec, none in Go.
func TestLoginWithSpec(t *testing.T) {
	t.Parallel()
	srv := quirkyProvider(t)
	spec := `name: quirky
display_name: Quirky
endpoints:
  authorization: ` + srv.URL + `/oauth/authorize
  token: ` + srv.URL + `/oauth/token
auth_method: client_secret_post
pkce: false
param_names: {client_id: appid, client_secret: secret}
token:
  method: GET
  envelope: data
  fields: {access_token: accessToken, expires_in: expiresIn}
  default_token_type: Bearer
errors: {code: code, message: msg}
user:
  url: ` + srv.URL + `/api/me
  token_param: access_token
  id: data.user.uid
  email: data.user.mail
  email_verified: data.user.mail_ok
  name: data.user.nick
  username: data.user.login
  avatar_url: data.user.face
`
	path := filepath.Join(t.TempDir(), "quirky.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.env[envClientID], c.env[envClientSecret] = "quirky-app", "quirky-secret"
	c.browser = func(ctx context.Context, u string) error { return follow(ctx, &http.Client{}, u) }
	r := c.mustRun(0, "login", "--spec", path, "--json")
	var out loginJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	u := out.User
	if u == nil || u.ID != "12345678901234" || u.Email != "ann@quirky.example" || !u.EmailVerified || u.Name != "Ann" ||
		u.Username != "ann" || u.AvatarURL != "https://quirky.example/ann.png" || out.Token.Expiry == nil {
		t.Errorf("login: %+v, user %+v", out, u)
	}

	// A provider error in an HTTP 200 answer is a protocol error: exit 1.
	c.env[envClientSecret] = "wrong"
	c.browser = func(ctx context.Context, u string) error {
		err := follow(ctx, &http.Client{}, u)
		if err == nil || !strings.Contains(err.Error(), "Login failed") {
			t.Errorf("browser: %v", err)
		}
		return nil
	}
	r = c.mustRun(1, "login", "--spec", path)
	if !strings.Contains(r.stderr, "40001") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
