package oidctest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

// TestProviderShape serves a provider's own spelling: an issuer with a
// trailing slash on a host the server plays, endpoints moved below it and
// to another host, a metadata member removed, no iss in the authorization
// response, and ID tokens naming another issuer.
func TestProviderShape(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) {
		c.Issuer = "https://tenant.example/"
		c.TokenIssuer = "tenant.example"
		c.Endpoints = map[Endpoint]string{AuthorizeEndpoint: "/oauth/authorize", TokenEndpoint: "https://api.example/oauth/token"}
		c.Metadata = map[string]any{"revocation_endpoint": nil, "authorization_response_iss_parameter_supported": nil,
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic"}}
	})
	srv := h.srv
	req, _ := http.NewRequest(http.MethodGet, "https://tenant.example/.well-known/openid-configuration", nil)
	status, meta, _ := h.do(req, nil)
	if status != http.StatusOK || meta["issuer"] != "https://tenant.example/" ||
		meta["authorization_endpoint"] != "https://tenant.example/oauth/authorize" ||
		meta["token_endpoint"] != "https://api.example/oauth/token" || meta["jwks_uri"] != "https://tenant.example/jwks" {
		t.Fatalf("discovery: %d %v", status, meta)
	}
	if _, ok := meta["revocation_endpoint"]; ok {
		t.Error("a removed member is still listed")
	}
	if got, _ := meta["token_endpoint_auth_methods_supported"].([]any); len(got) != 1 {
		t.Errorf("token_endpoint_auth_methods_supported %v", meta["token_endpoint_auth_methods_supported"])
	}
	if srv.URL(TokenEndpoint) != "https://api.example/oauth/token" || srv.Issuer() != "https://tenant.example/" {
		t.Errorf("URL %q, issuer %q", srv.URL(TokenEndpoint), srv.Issuer())
	}

	verifier, challenge := pkce()
	cb := h.callback(authParams(basicClient, challenge))
	if cb.Has("iss") {
		t.Errorf("iss sent although the metadata does not announce it: %v", cb)
	}
	tok := h.exchange(basicClient, cb.Get("code"), verifier)
	if _, err := h.verify(str(tok["id_token"]), jwt.WithIssuer("tenant.example")); err != nil {
		t.Errorf("ID token: %v", err)
	}
	if n := srv.Count(TokenEndpoint); n != 1 {
		t.Errorf("%d token requests", n)
	}
	// Unlisted, the revocation endpoint is still served.
	if status, _, _ := h.post(RevocationEndpoint, basicClient, url.Values{"token": {str(tok["access_token"])}}); status != http.StatusOK {
		t.Errorf("revocation: %d", status)
	}

	// Other hosts are left alone by the transport.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	defer other.Close()
	resp, err := srv.HTTPClient().Get(other.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("a request for another host reached the server: %d", resp.StatusCode)
	}
}

// TestHMACAlgorithm: HS256 ID tokens are MACed with the client secret; the
// JWK Set is empty and there is no key to rotate.
func TestHMACAlgorithm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, WithAlgorithm("HS256"))
	tok := h.tokens(postClient)
	raw := str(tok["id_token"])
	secret := func(*jwt.Token) (any, error) { return []byte(postClient.Secret), nil }
	idt, err := jwt.Parse(raw, secret, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(h.clock.Now),
		jwt.WithAudience(postClient.ID), jwt.WithIssuer(h.srv.Issuer()))
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if _, ok := idt.Header["kid"]; ok {
		t.Errorf("kid in an HMAC token: %v", idt.Header)
	}
	if keys := h.jwks(); len(keys) != 0 || len(h.srv.KeyIDs()) != 0 {
		t.Errorf("JWKS %v, kids %v", keys, h.srv.KeyIDs())
	}
	if _, err := h.srv.RotateKey(); !errors.Is(err, ErrKey) {
		t.Errorf("RotateKey: %v", err)
	}
	if _, err := h.srv.Sign(map[string]any{"sub": "x"}); !errors.Is(err, ErrKey) {
		t.Errorf("Sign: %v", err)
	}
	// The hint names the client whose secret checks it.
	end := h.get(h.srv.URL(EndSessionEndpoint), url.Values{"id_token_hint": {raw}})
	if end.StatusCode != http.StatusOK {
		t.Errorf("end session with an HS256 hint: %d", end.StatusCode)
	}

	h.srv.UpdateFaults(func(f *Faults) { f.UnpublishedKey = true })
	raw = str(h.tokens(postClient)["id_token"])
	if _, err := jwt.Parse(raw, secret, jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(h.clock.Now)); err == nil {
		t.Error("an ID token MACed with another key verifies")
	}
}

func TestVerifySecret(t *testing.T) {
	t.Parallel()
	var got []string
	c := Client{ID: "signed-rp", AuthMethod: AuthSecretPost, RedirectURIs: []string{testRedirect},
		VerifySecret: func(s string) error {
			got = append(got, s)
			if s != "signed-per-request" {
				return errors.New("bad signature")
			}
			return nil
		}}
	h := newHarness(t, WithClients(c))
	code, verifier := h.login(c)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"code_verifier": {verifier}, "client_id": {c.ID}, "client_secret": {"forged"}}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), nil)
	if status, body, _ := h.do(req, form); status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("a refused secret: %d %v", status, body)
	}
	code, verifier = h.login(c)
	form.Set("code", code)
	form.Set("code_verifier", verifier)
	form.Set("client_secret", "signed-per-request")
	req, _ = http.NewRequest(http.MethodPost, h.srv.URL(TokenEndpoint), nil)
	if status, body, _ := h.do(req, form); status != http.StatusOK {
		t.Errorf("an accepted secret: %d %v", status, body)
	}
	if len(got) != 2 {
		t.Errorf("VerifySecret called with %q", got)
	}
}

// TestImplicitOpenID: without the openid scope, an ID token all the same.
func TestImplicitOpenID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.ImplicitOpenID = true })
	verifier, challenge := pkce()
	q := authParams(basicClient, challenge)
	q.Set("scope", "name email")
	cb := h.callback(q)
	tok := h.exchange(basicClient, cb.Get("code"), verifier)
	idt, err := h.verify(str(tok["id_token"]))
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if c := idt.Claims.(jwt.MapClaims); c["email"] != DefaultUser().Email || c["nonce"] != q.Get("nonce") {
		t.Errorf("claims %v", c)
	}
	if status, info, _ := h.userinfo(str(tok["access_token"])); status != http.StatusOK || info["sub"] != DefaultUser().Subject {
		t.Errorf("userinfo %d %v", status, info)
	}
}

// TestHandlersAndSign: a provider's own API beside the OpenID endpoints,
// answering for the user of an access token, and a token signed on request.
func TestHandlersAndSign(t *testing.T) {
	t.Parallel()
	var srv *Server
	profile := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := srv.UserFor(bearer(r))
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		testkit.WriteJSON(w, http.StatusOK, map[string]any{"userId": u.Subject, "displayName": u.Name})
	})
	h := newHarness(t, func(c *Config) {
		c.Handlers = map[string]http.Handler{"https://api.example/v2/profile": profile, "/own": profile}
	})
	srv = h.srv
	access := str(h.tokens(basicClient)["access_token"])
	for _, u := range []string{"https://api.example/v2/profile", srv.Issuer() + "/own"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		if status, body, _ := h.do(req, nil); status != http.StatusOK || body["userId"] != DefaultUser().Subject {
			t.Errorf("%s: %d %v", u, status, body)
		}
		req, _ = http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer forged")
		if status, _, _ := h.do(req, nil); status != http.StatusUnauthorized {
			t.Errorf("%s with a forged token: %d", u, status)
		}
	}

	raw, err := srv.Sign(map[string]any{"sub": "someone", "iss": "https://elsewhere.example"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := h.verify(raw, jwt.WithoutClaimsValidation())
	if err != nil || tok.Header["kid"] != srv.KeyIDs()[0] || tok.Claims.(jwt.MapClaims)["sub"] != "someone" {
		t.Errorf("signed token %v: %v", tok, err)
	}
}

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):]
	}
	return ""
}
