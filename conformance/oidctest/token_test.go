package oidctest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tests := []struct {
		name   string
		client Client
		// send redeems a fresh code (with its verifier) as the case needs.
		send      func(code, verifier string) (int, map[string]any, http.Header)
		status    int
		code      string
		challenge bool
	}{
		{
			name: "wrong redirect_uri", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, basicClient, codeForm(code, "https://rp.example/other", v))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "missing redirect_uri", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, basicClient, codeForm(code, "", v))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "wrong verifier", client: basicClient,
			send: func(code, _ string) (int, map[string]any, http.Header) {
				other, _ := pkce()
				return h.post(TokenEndpoint, basicClient, codeForm(code, testRedirect, other))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "missing verifier", client: publicClient,
			send: func(code, _ string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, publicClient, codeForm(code, publicClient.RedirectURIs[0], ""))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "unknown code", client: basicClient,
			send: func(_, v string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, basicClient, codeForm("nope", testRedirect, v))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "code of another client", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, postClient, codeForm(code, testRedirect, v))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "expired code", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				h.clock.Advance(DefaultCodeTTL)
				return h.post(TokenEndpoint, basicClient, codeForm(code, testRedirect, v))
			},
			status: 400, code: "invalid_grant",
		},
		{
			name: "wrong client secret", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				bad := basicClient
				bad.Secret = "wrong"
				return h.post(TokenEndpoint, bad, codeForm(code, testRedirect, v))
			},
			status: 401, code: "invalid_client", challenge: true,
		},
		{
			name: "basic client authenticating by post", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				as := basicClient
				as.AuthMethod = AuthSecretPost
				return h.post(TokenEndpoint, as, codeForm(code, testRedirect, v))
			},
			status: 401, code: "invalid_client",
		},
		{
			name: "post client authenticating by basic", client: postClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				as := postClient
				as.AuthMethod = AuthSecretBasic
				return h.post(TokenEndpoint, as, codeForm(code, testRedirect, v))
			},
			status: 401, code: "invalid_client", challenge: true,
		},
		{
			name: "public client sending a secret", client: publicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				form := codeForm(code, publicClient.RedirectURIs[0], v)
				form.Set("client_secret", "x")
				return h.post(TokenEndpoint, publicClient, form)
			},
			status: 401, code: "invalid_client",
		},
		{
			name: "two authentication methods", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				form := codeForm(code, testRedirect, v)
				form.Set("client_secret", basicClient.Secret)
				return h.post(TokenEndpoint, basicClient, form)
			},
			status: 400, code: "invalid_request",
		},
		{
			name: "no client authentication", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), nil)
				return h.do(req, codeForm(code, testRedirect, v))
			},
			status: 401, code: "invalid_client",
		},
		{
			name: "unsupported grant type", client: basicClient,
			send: func(string, string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, basicClient, url.Values{"grant_type": {"password"}, "username": {"a"}, "password": {"b"}})
			},
			status: 400, code: "unsupported_grant_type",
		},
		{
			name: "missing grant type", client: basicClient,
			send: func(code, _ string) (int, map[string]any, http.Header) {
				return h.post(TokenEndpoint, basicClient, url.Values{"code": {code}})
			},
			status: 400, code: "invalid_request",
		},
		{
			name: "JSON body", client: basicClient,
			send: func(code, v string) (int, map[string]any, http.Header) {
				req, _ := http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), strings.NewReader(`{"grant_type":"authorization_code"}`))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(basicClient.ID, url.QueryEscape(basicClient.Secret))
				return h.do(req, nil)
			},
			status: 400, code: "invalid_request",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, verifier := h.login(tc.client)
			status, body, hdr := tc.send(code, verifier)
			if status != tc.status || body["error"] != tc.code {
				t.Fatalf("got %d %v, want %d %s", status, body, tc.status, tc.code)
			}
			if hdr.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", hdr.Get("Cache-Control"))
			}
			// RFC 6749 §5.2: a failed Basic attempt gets a Basic challenge.
			if got := strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic "); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want a Basic challenge: %v", hdr.Get("WWW-Authenticate"), tc.challenge)
			}
		})
	}
}

func codeForm(code, redirectURI, verifier string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	if redirectURI != "" {
		f.Set("redirect_uri", redirectURI)
	}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

func TestTokenVerifierWithoutChallenge(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	q := authParams(basicClient, "")
	q.Del("code_challenge")
	q.Del("code_challenge_method")
	cb := h.callback(q)
	verifier, _ := pkce()
	status, body, _ := h.post(TokenEndpoint, basicClient, codeForm(cb.Get("code"), testRedirect, verifier))
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("PKCE downgrade accepted: %d %v", status, body)
	}
	// A confidential client may log in without PKCE.
	cb = h.callback(q)
	h.exchange(basicClient, cb.Get("code"), "")
}

// TestTokenCodeReplay checks that a code works once, and that replaying it
// revokes the tokens issued for it (RFC 6749 §4.1.2).
func TestTokenCodeReplay(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, verifier := h.login(basicClient)
	tok := h.exchange(basicClient, code, verifier)
	status, body, _ := h.post(TokenEndpoint, basicClient, codeForm(code, testRedirect, verifier))
	if status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("replay: %d %v", status, body)
	}
	if status, _, hdr := h.userinfo(str(tok["access_token"])); status != 401 || !strings.Contains(hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("access token still works after replay: %d", status)
	}
	status, body, _ = h.post(TokenEndpoint, basicClient, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok["refresh_token"])}})
	if status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("refresh token still works after replay: %d %v", status, body)
	}
}

func TestTokenClientAuthMethods(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, c := range []Client{basicClient, postClient, publicClient} {
		t.Run(string(c.AuthMethod), func(t *testing.T) {
			tok := h.tokens(c)
			if str(tok["access_token"]) == "" || str(tok["id_token"]) == "" {
				t.Fatalf("token response = %v", tok)
			}
			reqs := h.srv.Requests(TokenEndpoint)
			last := reqs[len(reqs)-1]
			hasBasic := strings.HasPrefix(last.Header.Get("Authorization"), "Basic ")
			if hasBasic != (c.AuthMethod == AuthSecretBasic) || last.Form.Has("client_secret") != (c.AuthMethod == AuthSecretPost) {
				t.Errorf("recorded request: basic=%v form=%v", hasBasic, last.Form)
			}
		})
	}
}

func TestTokenRefreshRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	refresh := func(rt, scope string) (int, map[string]any) {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
		if scope != "" {
			f.Set("scope", scope)
		}
		status, body, _ := h.post(TokenEndpoint, basicClient, f)
		return status, body
	}
	tok := h.tokens(basicClient)
	rt1 := str(tok["refresh_token"])

	status, narrowed := refresh(rt1, "openid")
	if status != 200 || narrowed["scope"] != "openid" {
		t.Fatalf("narrowing refresh: %d %v", status, narrowed)
	}
	rt2 := str(narrowed["refresh_token"])
	if status, info, _ := h.userinfo(str(narrowed["access_token"])); status != 200 || info["email"] != nil {
		t.Errorf("narrowed token released email: %d %v", status, info)
	}
	// The rotated refresh token keeps the original scope.
	if status, body := refresh(rt2, "openid email"); status != 200 {
		t.Fatalf("refresh with the original scope: %d %v", status, body)
	}

	tok = h.tokens(basicClient)
	if status, body := refresh(str(tok["refresh_token"]), "openid admin"); status != 400 || body["error"] != "invalid_scope" {
		t.Errorf("widening refresh: %d %v", status, body)
	}
	if status, body := refresh(str(tok["refresh_token"]), ""); status != 200 {
		t.Errorf("a rejected widening consumed the refresh token: %d %v", status, body)
	}

	// Reuse of a rotated refresh token revokes the grant (RFC 9700 §4.14.2).
	tok = h.tokens(basicClient)
	old := str(tok["refresh_token"])
	_, next := refresh(old, "")
	if status, body := refresh(old, ""); status != 400 || body["error"] != "invalid_grant" {
		t.Fatalf("reuse: %d %v", status, body)
	}
	if status, body := refresh(str(next["refresh_token"]), ""); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("the successor survived reuse: %d %v", status, body)
	}

	// Expiry follows the injected clock.
	tok = h.tokens(basicClient)
	h.clock.Advance(DefaultRefreshTokenTTL)
	if status, body := refresh(str(tok["refresh_token"]), ""); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("expired refresh token: %d %v", status, body)
	}
	if status, body := refresh("unknown", ""); status != 400 || body["error"] != "invalid_grant" {
		t.Errorf("unknown refresh token: %d %v", status, body)
	}
}

func TestTokenClientCredentials(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"api:read"}}
	status, tok, _ := h.post(TokenEndpoint, postClient, form)
	if status != 200 || tok["id_token"] != nil || tok["refresh_token"] != nil || tok["scope"] != "api:read" {
		t.Fatalf("client credentials: %d %v", status, tok)
	}
	if status, _, hdr := h.userinfo(str(tok["access_token"])); status != 403 || !strings.Contains(hdr.Get("WWW-Authenticate"), "insufficient_scope") {
		t.Errorf("userinfo with a client token: %d", status)
	}
	status, intro, _ := h.post(IntrospectionEndpoint, basicClient, url.Values{"token": {str(tok["access_token"])}})
	if status != 200 || intro["active"] != true || intro["client_id"] != postClient.ID || intro["sub"] != nil {
		t.Errorf("introspection: %d %v", status, intro)
	}
	if status, body, _ := h.post(TokenEndpoint, publicClient, form); status != 400 || body["error"] != "unauthorized_client" {
		t.Errorf("public client: %d %v", status, body)
	}
	h.clock.Advance(time.Hour)
	if status, intro, _ := h.post(IntrospectionEndpoint, basicClient, url.Values{"token": {str(tok["access_token"])}}); status != 200 || intro["active"] != false {
		t.Errorf("expired token introspected active: %v", intro)
	}
}

func TestTokenMethodNotAllowed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	resp := h.get(h.srv.URL(TokenEndpoint), url.Values{"grant_type": {"client_credentials"}})
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /token: %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}
