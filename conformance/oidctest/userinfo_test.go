package oidctest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestUserInfoErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens(basicClient)
	access := str(tok["access_token"])
	tests := []struct {
		name      string
		req       func() *http.Request
		status    int
		challenge string // expected in WWW-Authenticate
	}{
		{
			name: "no credentials",
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
				return r
			},
			status: 401, challenge: `Bearer realm="oidctest"`,
		},
		{
			name: "token in the query",
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint)+"?access_token="+access, nil)
				return r
			},
			status: 400, challenge: `error="invalid_request"`,
		},
		{
			name: "token in a form body",
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodPost, h.srv.URL(UserInfoEndpoint), strings.NewReader("access_token="+access))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			},
			status: 400, challenge: `error="invalid_request"`,
		},
		{
			name: "Basic scheme",
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
				r.SetBasicAuth("a", "b")
				return r
			},
			status: 400, challenge: `error="invalid_request"`,
		},
		{
			name: "unknown token",
			req: func() *http.Request {
				r, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
				r.Header.Set("Authorization", "Bearer nope")
				return r
			},
			status: 401, challenge: `error="invalid_token"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, hdr := h.do(tc.req(), nil)
			if status != tc.status || !strings.Contains(hdr.Get("WWW-Authenticate"), tc.challenge) {
				t.Errorf("got %d %q, want %d with %q", status, hdr.Get("WWW-Authenticate"), tc.status, tc.challenge)
			}
		})
	}
	// The same token works in the header, until it expires.
	if status, _, _ := h.userinfo(access); status != 200 {
		t.Fatalf("valid token: %d", status)
	}
	h.clock.Advance(DefaultAccessTokenTTL)
	if status, _, _ := h.userinfo(access); status != 401 {
		t.Errorf("expired token: %d", status)
	}
}

func TestUserInfoClaimsByScope(t *testing.T) {
	t.Parallel()
	user := DefaultUser()
	user.Claims = map[string]any{"groups": []any{"admin"}, "sub": "ignored"}
	h := newHarness(t, WithUser(user))
	tests := []struct {
		scope string
		want  []string
	}{
		{"openid", []string{"sub", "groups"}},
		{"openid email", []string{"sub", "groups", "email", "email_verified"}},
		{"openid profile", []string{"sub", "groups", "name", "preferred_username", "picture"}},
	}
	for _, tc := range tests {
		t.Run(tc.scope, func(t *testing.T) {
			verifier, challenge := pkce()
			q := authParams(basicClient, challenge)
			q.Set("scope", tc.scope)
			cb := h.callback(q)
			tok := h.exchange(basicClient, cb.Get("code"), verifier)
			_, info, _ := h.userinfo(str(tok["access_token"]))
			if len(info) != len(tc.want) || info["sub"] != user.Subject {
				t.Fatalf("userinfo = %v, want exactly %v", info, tc.want)
			}
			for _, k := range tc.want {
				if _, ok := info[k]; !ok {
					t.Errorf("missing %s in %v", k, info)
				}
			}
			if idc := claimsOf(t, str(tok["id_token"])); idc["email"] != info["email"] || idc["sub"] != user.Subject {
				t.Errorf("ID token claims %v disagree with userinfo %v", idc, info)
			}
		})
	}
}

// TestSetUser checks that the next login authenticates as the new user
// while earlier grants keep the user they were issued for.
func TestSetUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	before := h.tokens(basicClient)
	alice := User{Subject: "alice", Email: "alice@example.com"}
	if err := h.srv.SetUser(alice); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.User(); got.Subject != "alice" {
		t.Errorf("User() = %v", got)
	}
	after := h.tokens(basicClient)
	if sub := claimsOf(t, str(after["id_token"]))["sub"]; sub != "alice" {
		t.Errorf("new login sub = %v", sub)
	}
	if _, info, _ := h.userinfo(str(before["access_token"])); info["sub"] != DefaultUser().Subject {
		t.Errorf("earlier grant changed user: %v", info)
	}
	if err := h.srv.SetUser(User{Subject: strings.Repeat("x", 256)}); err == nil {
		t.Error("SetUser accepted a 256-character subject")
	}
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	active := func(c Client, token string) bool {
		t.Helper()
		status, body, _ := h.post(IntrospectionEndpoint, c, url.Values{"token": {token}})
		if status != 200 {
			t.Fatalf("introspect: %d %v", status, body)
		}
		return body["active"] == true
	}

	tok := h.tokens(basicClient)
	at, rt := str(tok["access_token"]), str(tok["refresh_token"])
	if status, _, _ := h.post(RevocationEndpoint, basicClient, url.Values{"token": {at}, "token_type_hint": {"access_token"}}); status != 200 {
		t.Fatalf("revoke access token: %d", status)
	}
	if active(basicClient, at) || !active(basicClient, rt) {
		t.Error("revoking the access token must revoke it alone")
	}

	tok = h.tokens(postClient)
	if status, body, _ := h.post(RevocationEndpoint, basicClient, url.Values{"token": {str(tok["refresh_token"])}}); status != 400 || body["error"] != "unauthorized_client" {
		t.Errorf("revoking another client's token: %d %v", status, body)
	}
	if !active(basicClient, str(tok["refresh_token"])) {
		t.Error("another client revoked the token")
	}
	if status, _, _ := h.post(RevocationEndpoint, postClient, url.Values{"token": {str(tok["refresh_token"])}}); status != 200 {
		t.Fatalf("revoke refresh token: %d", status)
	}
	if active(basicClient, str(tok["refresh_token"])) || active(basicClient, str(tok["access_token"])) {
		t.Error("revoking the refresh token must revoke the grant")
	}

	for _, tc := range []struct {
		name   string
		c      Client
		form   url.Values
		status int
		code   string
	}{
		{"unknown token", basicClient, url.Values{"token": {"nope"}}, 200, ""},
		{"missing token", basicClient, url.Values{}, 400, "invalid_request"},
		{"wrong secret", Client{ID: basicClient.ID, Secret: "x", AuthMethod: AuthSecretBasic}, url.Values{"token": {"nope"}}, 401, "invalid_client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body, _ := h.post(RevocationEndpoint, tc.c, tc.form); status != tc.status || str(body["error"]) != tc.code {
				t.Errorf("got %d %v, want %d %q", status, body, tc.status, tc.code)
			}
		})
	}
}

func TestIntrospection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens(basicClient)
	now := h.clock.Now()
	status, body, _ := h.post(IntrospectionEndpoint, postClient, url.Values{"token": {str(tok["access_token"])}})
	if status != 200 {
		t.Fatalf("introspect: %d %v", status, body)
	}
	for k, want := range map[string]any{
		"active": true, "client_id": basicClient.ID, "sub": DefaultUser().Subject, "username": "jane",
		"scope": "openid profile email", "token_type": "Bearer", "iss": h.srv.Issuer(),
		"iat": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
	} {
		if body[k] != want {
			t.Errorf("%s = %v, want %v", k, body[k], want)
		}
	}
	if status, body, _ := h.post(IntrospectionEndpoint, publicClient, url.Values{"token": {str(tok["access_token"])}}); status != 401 || body["error"] != "invalid_client" {
		t.Errorf("public client introspected: %d %v", status, body)
	}
}

func TestEndSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok := h.tokens(basicClient)
	hint := str(tok["id_token"])
	other := h.tokens(postClient)
	tests := []struct {
		name     string
		q        url.Values
		status   int
		location string
	}{
		{"unregistered post_logout_redirect_uri", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}}, 400, ""},
		{"hint of a client without that URI", url.Values{"id_token_hint": {str(other["id_token"])}, "post_logout_redirect_uri": {testPostLogout}}, 400, ""},
		{"forged hint", url.Values{"id_token_hint": {corruptSignature(hint)}, "post_logout_redirect_uri": {testPostLogout}}, 400, ""},
		{"client_id differs from hint", url.Values{"id_token_hint": {hint}, "client_id": {postClient.ID}}, 400, ""},
		{"redirect without client", url.Values{"post_logout_redirect_uri": {testPostLogout}}, 400, ""},
		{"client_id instead of hint", url.Values{"client_id": {basicClient.ID}, "post_logout_redirect_uri": {testPostLogout}, "state": {"s 1"}}, 302, testPostLogout + "?state=s+1"},
		{"no redirect", url.Values{}, 200, ""},
		{"hint and redirect", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {testPostLogout}}, 302, testPostLogout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := h.get(h.srv.URL(EndSessionEndpoint), tc.q)
			if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
			}
		})
	}
	// The last case ended the hint's session: its tokens are revoked, the
	// other client's are not.
	if status, _, _ := h.userinfo(str(tok["access_token"])); status != 401 {
		t.Errorf("token of the ended session: %d", status)
	}
	if status, _, _ := h.userinfo(str(other["access_token"])); status != 200 {
		t.Errorf("token of another session: %d", status)
	}
}
