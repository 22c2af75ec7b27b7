package oidctest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestCodeFlow drives a whole login as a relying party would, with nothing
// but net/http: discovery, authorization, code exchange with PKCE, ID token
// verification against the JWKS, userinfo, refresh with rotation,
// revocation, introspection and logout.
func TestCodeFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithAlgorithm("RS256"))
	srv, c := h.srv, basicClient

	// Discovery.
	req, _ := http.NewRequest(http.MethodGet, srv.Issuer()+"/.well-known/openid-configuration", nil)
	status, meta, _ := h.do(req, nil)
	if status != http.StatusOK || meta["issuer"] != srv.Issuer() || meta["authorization_endpoint"] != srv.URL(AuthorizeEndpoint) {
		t.Fatalf("discovery: %d %v", status, meta)
	}

	// Authorization: the server redirects straight back.
	verifier, challenge := pkce()
	q := authParams(c, challenge)
	cb := h.callback(q)
	if cb.Get("state") != q.Get("state") || cb.Get("iss") != srv.Issuer() || cb.Get("code") == "" {
		t.Fatalf("callback = %v", cb)
	}

	// Code exchange.
	status, tok, hdr := h.post(TokenEndpoint, c, url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {testRedirect}, "code_verifier": {verifier},
	})
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	if hdr.Get("Cache-Control") != "no-store" || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) ||
		str(tok["refresh_token"]) == "" || tok["scope"] != "openid profile email" {
		t.Fatalf("token response = %v, headers %v", tok, hdr)
	}
	access := str(tok["access_token"])

	// ID token: signature by the JWKS key named in the header, and claims.
	idt, err := h.verify(str(tok["id_token"]), jwt.WithIssuer(srv.Issuer()), jwt.WithAudience(c.ID))
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	if idt.Header["kid"] != srv.KeyIDs()[0] || idt.Header["alg"] != "RS256" {
		t.Errorf("header = %v", idt.Header)
	}
	claims := idt.Claims.(jwt.MapClaims)
	sum := sha256.Sum256([]byte(access))
	now := h.clock.Now().Unix()
	u := DefaultUser()
	for name, want := range map[string]any{
		"sub": u.Subject, "azp": c.ID, "nonce": q.Get("nonce"),
		"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]),
		"iat":     float64(now), "auth_time": float64(now), "exp": float64(now + 3600),
		"email": u.Email, "email_verified": true, "name": u.Name,
	} {
		if claims[name] != want {
			t.Errorf("claim %s = %v, want %v", name, claims[name], want)
		}
	}
	sid := str(claims["sid"])
	if sid == "" {
		t.Error("no sid")
	}

	// UserInfo.
	status, info, _ := h.userinfo(access)
	if status != http.StatusOK || info["sub"] != u.Subject || info["preferred_username"] != u.PreferredUsername {
		t.Fatalf("userinfo: %d %v", status, info)
	}

	// Refresh, later: a new access and refresh token and an ID token with
	// the original auth_time and no nonce.
	h.clock.Advance(10 * time.Minute)
	status, ref, _ := h.post(TokenEndpoint, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok["refresh_token"])}})
	if status != http.StatusOK || ref["refresh_token"] == tok["refresh_token"] || ref["access_token"] == tok["access_token"] ||
		ref["scope"] != tok["scope"] {
		t.Fatalf("refresh: %d %v", status, ref)
	}
	rc := claimsOf(t, str(ref["id_token"]))
	if rc["auth_time"] != float64(now) || rc["iat"] != float64(now+600) || rc["nonce"] != nil || rc["sid"] != sid {
		t.Errorf("refreshed ID token claims = %v", rc)
	}

	// Revoke the new refresh token: the grant's tokens become inactive.
	status, _, _ = h.post(RevocationEndpoint, c, url.Values{"token": {str(ref["refresh_token"])}, "token_type_hint": {"refresh_token"}})
	if status != http.StatusOK {
		t.Fatalf("revoke: %d", status)
	}
	for _, tk := range []string{str(ref["refresh_token"]), str(ref["access_token"])} {
		status, intro, _ := h.post(IntrospectionEndpoint, c, url.Values{"token": {tk}})
		if status != http.StatusOK || len(intro) != 1 || intro["active"] != false {
			t.Errorf("introspect after revoke: %d %v", status, intro)
		}
	}

	// Logout back to the client with state.
	resp := h.get(srv.URL(EndSessionEndpoint), url.Values{
		"id_token_hint": {str(tok["id_token"])}, "post_logout_redirect_uri": {testPostLogout}, "state": {"bye"},
	})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != testPostLogout+"?state=bye" {
		t.Fatalf("end session: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	for ep, want := range map[Endpoint]int{DiscoveryEndpoint: 1, AuthorizeEndpoint: 1, TokenEndpoint: 2, UserInfoEndpoint: 1, RevocationEndpoint: 1, IntrospectionEndpoint: 2, EndSessionEndpoint: 1} {
		if got := srv.Count(ep); got != want {
			t.Errorf("Count(%s) = %d, want %d", ep, got, want)
		}
	}
}

// get sends a GET with query q.
func (h *harness) get(rawURL string, q url.Values) *http.Response {
	h.t.Helper()
	resp, err := h.http.Get(rawURL + "?" + q.Encode())
	if err != nil {
		h.t.Fatalf("GET %s: %v", rawURL, err)
	}
	resp.Body.Close()
	return resp
}

func TestDiscoveryDocument(t *testing.T) {
	t.Parallel()
	srv := New(t, func(c *Config) { c.IssuerPath = "/realms/test" })
	h := &harness{t: t, srv: srv, clock: newTestClock(), http: srv.HTTPClient()}
	req, _ := http.NewRequest(http.MethodGet, srv.Issuer()+"/.well-known/openid-configuration", nil)
	status, meta, _ := h.do(req, nil)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	iss := srv.Issuer()
	tests := []struct {
		field string
		want  any
	}{
		{"issuer", iss},
		{"authorization_endpoint", iss + "/authorize"},
		{"token_endpoint", iss + "/token"},
		{"userinfo_endpoint", iss + "/userinfo"},
		{"jwks_uri", iss + "/jwks"},
		{"revocation_endpoint", iss + "/revoke"},
		{"introspection_endpoint", iss + "/introspect"},
		{"end_session_endpoint", iss + "/end_session"},
		{"response_types_supported", []any{"code"}},
		{"code_challenge_methods_supported", []any{"S256"}},
		{"id_token_signing_alg_values_supported", []any{"RS256"}},
		{"token_endpoint_auth_methods_supported", []any{"client_secret_basic", "client_secret_post", "none"}},
		{"grant_types_supported", []any{"authorization_code", "refresh_token", "client_credentials"}},
		{"authorization_response_iss_parameter_supported", true},
		{"subject_types_supported", []any{"public"}},
	}
	for _, tc := range tests {
		t.Run(tc.field, func(t *testing.T) {
			if got := meta[tc.field]; !equalJSON(got, tc.want) {
				t.Errorf("%s = %v, want %v", tc.field, got, tc.want)
			}
		})
	}
	if u, _ := url.Parse(iss); u.Path != "/realms/test" {
		t.Errorf("issuer path = %q", u.Path)
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok != bok {
		return false
	}
	if !aok {
		return a == b
	}
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] != bs[i] {
			return false
		}
	}
	return true
}
