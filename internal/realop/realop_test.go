package realop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
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

func startTest(t *testing.T) (*Server, context.Context) {
	t.Helper()
	began := time.Now()
	s := Start(t, Options{
		RedirectURIs:           []string{testRedirect},
		PostLogoutRedirectURIs: []string{testPostLogout},
	})
	t.Logf("oidc-provider ready at %s after %v", s.Issuer, time.Since(began).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return s, ctx
}

func TestAuthorizationCodePKCE(t *testing.T) {
	t.Parallel()
	s, ctx := startTest(t)

	var disc struct {
		Issuer     string   `json:"issuer"`
		Challenges []string `json:"code_challenge_methods_supported"`
		Grants     []string `json:"grant_types_supported"`
	}
	if err := json.Unmarshal(s.Discovery, &disc); err != nil {
		t.Fatal(err)
	}
	if disc.Issuer != s.Issuer || !slices.Contains(disc.Challenges, "S256") ||
		!slices.Contains(disc.Grants, "urn:ietf:params:oauth:grant-type:device_code") {
		t.Fatalf("discovery = %s", s.Discovery)
	}

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	verifier := randomString(t)
	sum := sha256.Sum256([]byte(verifier))
	state, nonce := randomString(t), randomString(t)
	q := url.Values{
		"client_id":             {s.Public.ID},
		"response_type":         {"code"},
		"redirect_uri":          {testRedirect},
		"scope":                 {"openid profile email offline_access"},
		"prompt":                {"consent"}, // or oidc-provider 9 drops offline_access
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	cb, err := s.Authorize(ctx, browser, s.Endpoints.Authorization+"?"+q.Encode(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	got := cb.Query()
	if !strings.HasPrefix(cb.String(), testRedirect+"?") || got.Get("state") != state ||
		got.Get("iss") != s.Issuer || got.Get("code") == "" {
		t.Fatalf("callback = %s", cb)
	}

	status, tok := tokenRequest(t, ctx, s.Endpoints.Token, s.Public, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {got.Get("code")},
		"redirect_uri":  {testRedirect},
		"code_verifier": {verifier},
	})
	if status != http.StatusOK || tok["access_token"] == "" || tok["id_token"] == "" ||
		tok["refresh_token"] == "" || tok["token_type"] != "Bearer" {
		t.Fatalf("token response %d: %v", status, tok)
	}

	claims := verifyJWT(t, ctx, s, tok["id_token"].(string))
	if claims["iss"] != s.Issuer || claims["aud"] != s.Public.ID || claims["nonce"] != nonce || claims["sub"] != "alice" {
		t.Errorf("ID token claims = %v", claims)
	}
	if _, ok := claims["email"]; ok {
		t.Errorf("ID token has email although an access token was issued: %v", claims)
	}

	var info opuser.Claims
	if status := getJSON(t, ctx, s.Endpoints.UserInfo, tok["access_token"].(string), &info); status != http.StatusOK {
		t.Fatalf("userinfo status %d", status)
	}
	if want := opuser.Account("alice"); !reflect.DeepEqual(info, want) {
		t.Errorf("userinfo = %+v\nwant       %+v", info, want)
	}
	if info.Email != "alice@example.com" || info.Name != "Alice Tester" {
		t.Errorf("userinfo email %q name %q", info.Email, info.Name)
	}

	// Refresh; public clients get a rotated refresh token.
	status, refreshed := tokenRequest(t, ctx, s.Endpoints.Token, s.Public, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)},
	})
	if status != http.StatusOK || refreshed["access_token"] == "" || refreshed["refresh_token"] == "" {
		t.Fatalf("refresh response %d: %v", status, refreshed)
	}

	// Revoke the new refresh token; refreshing with it then fails.
	rt := refreshed["refresh_token"].(string)
	status, _ = tokenRequest(t, ctx, s.Endpoints.Revocation, s.Public, url.Values{
		"token": {rt}, "token_type_hint": {"refresh_token"},
	})
	if status != http.StatusOK {
		t.Fatalf("revocation status %d", status)
	}
	status, failed := tokenRequest(t, ctx, s.Endpoints.Token, s.Public, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt},
	})
	if status != http.StatusBadRequest || failed["error"] != "invalid_grant" {
		t.Errorf("refresh after revocation %d: %v", status, failed)
	}

	// RP-initiated logout with the session in the jar.
	lq := url.Values{
		"id_token_hint":            {tok["id_token"].(string)},
		"post_logout_redirect_uri": {testPostLogout},
		"state":                    {"bye"},
	}
	out, err := s.Logout(ctx, browser, s.Endpoints.EndSession+"?"+lq.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if out == nil || !strings.HasPrefix(out.String(), testPostLogout) || out.Query().Get("state") != "bye" {
		t.Errorf("logout redirect = %v", out)
	}

	t.Run("PKCERequired", func(t *testing.T) {
		q := url.Values{
			"client_id":     {s.Public.ID},
			"response_type": {"code"},
			"redirect_uri":  {testRedirect},
			"scope":         {"openid"},
			"state":         {"s"},
		}
		cb, err := s.Authorize(ctx, nil, s.Endpoints.Authorization+"?"+q.Encode(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if cb.Query().Get("error") != "invalid_request" {
			t.Errorf("callback without PKCE = %s", cb)
		}
	})
}

func TestClientCredentials(t *testing.T) {
	t.Parallel()
	s, ctx := startTest(t)

	status, tok := tokenRequest(t, ctx, s.Endpoints.Token, s.Basic, url.Values{
		"grant_type": {"client_credentials"}, "scope": {"api:read"},
	})
	if status != http.StatusOK || tok["access_token"] == "" || tok["scope"] != "api:read" {
		t.Fatalf("client_credentials (basic) %d: %v", status, tok)
	}
	status, intro := tokenRequest(t, ctx, s.Endpoints.Introspection, s.Basic, url.Values{
		"token": {tok["access_token"].(string)},
	})
	if status != http.StatusOK || intro["active"] != true || intro["client_id"] != s.Basic.ID {
		t.Errorf("introspection %d: %v", status, intro)
	}

	status, tok = tokenRequest(t, ctx, s.Endpoints.Token, s.Post, url.Values{
		"grant_type": {"client_credentials"}, "scope": {"api:write"}, "resource": {s.APIResource},
	})
	if status != http.StatusOK {
		t.Fatalf("client_credentials (post, resource) %d: %v", status, tok)
	}
	claims := verifyJWT(t, ctx, s, tok["access_token"].(string))
	if claims["aud"] != s.APIResource || claims["client_id"] != s.Post.ID || claims["scope"] != "api:write" {
		t.Errorf("JWT access token claims = %v", claims)
	}

	wrong := s.Basic
	wrong.Secret = "wrong"
	status, failed := tokenRequest(t, ctx, s.Endpoints.Token, wrong, url.Values{"grant_type": {"client_credentials"}})
	if status != http.StatusUnauthorized || failed["error"] != "invalid_client" {
		t.Errorf("wrong secret %d: %v", status, failed)
	}
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	s, ctx := startTest(t)

	status, da := tokenRequest(t, ctx, s.Endpoints.DeviceAuthorization, s.Basic, url.Values{
		"scope": {"openid profile email"},
	})
	if status != http.StatusOK || da["device_code"] == "" || da["user_code"] == "" || da["verification_uri"] == "" {
		t.Fatalf("device authorization %d: %v", status, da)
	}
	poll := url.Values{
		"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
		"device_code": {da["device_code"].(string)},
	}
	status, pending := tokenRequest(t, ctx, s.Endpoints.Token, s.Basic, poll)
	if status != http.StatusBadRequest || pending["error"] != "authorization_pending" {
		t.Fatalf("poll before approval %d: %v", status, pending)
	}

	if err := s.ApproveDevice(ctx, nil, da["user_code"].(string), "bob@example.org"); err != nil {
		t.Fatal(err)
	}

	// oidc-provider 9 sends no interval and never answers slow_down, so a
	// short poll is fine here (RFC 8628 clients default to 5 s).
	interval := 200 * time.Millisecond
	if sec, ok := da["interval"].(float64); ok {
		interval = time.Duration(sec) * time.Second
	}
	var tok map[string]any
	for {
		time.Sleep(interval)
		status, tok = tokenRequest(t, ctx, s.Endpoints.Token, s.Basic, poll)
		if status == http.StatusOK {
			break
		}
		switch tok["error"] {
		case "slow_down":
			interval += 5 * time.Second
		case "authorization_pending":
		default:
			t.Fatalf("poll after approval %d: %v", status, tok)
		}
		if ctx.Err() != nil {
			t.Fatal("device flow did not finish in time")
		}
	}
	var info opuser.Claims
	if status := getJSON(t, ctx, s.Endpoints.UserInfo, tok["access_token"].(string), &info); status != http.StatusOK {
		t.Fatalf("userinfo status %d", status)
	}
	if info.Subject != "bob@example.org" || info.Email != "bob@example.org" || info.Name != "Bob Tester" {
		t.Errorf("userinfo = %+v", info)
	}
}

// TestFullIDTokenClaims runs a code flow for the confidential basic client,
// without PKCE, with profile and email claims put into the ID token.
func TestFullIDTokenClaims(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{RedirectURIs: []string{testRedirect}, FullIDTokenClaims: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	q := url.Values{
		"client_id":     {s.Basic.ID},
		"response_type": {"code"},
		"redirect_uri":  {testRedirect},
		"scope":         {"openid email profile"},
		"state":         {"st"},
		"nonce":         {"nn"},
	}
	cb, err := s.Authorize(ctx, nil, s.Endpoints.Authorization+"?"+q.Encode(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	status, tok := tokenRequest(t, ctx, s.Endpoints.Token, s.Basic, url.Values{
		"grant_type":   {"authorization_code"},
		"code":         {cb.Query().Get("code")},
		"redirect_uri": {testRedirect},
	})
	if status != http.StatusOK {
		t.Fatalf("token response %d: %v", status, tok)
	}
	if _, ok := tok["refresh_token"]; ok {
		t.Errorf("refresh token without offline_access: %v", tok)
	}
	claims := verifyJWT(t, ctx, s, tok["id_token"].(string))
	if claims["email"] != "carol@example.com" || claims["name"] != "Carol Tester" || claims["nonce"] != "nn" {
		t.Errorf("ID token claims = %v", claims)
	}
}

func TestParseForms(t *testing.T) {
	page := `<html><body><form autocomplete="off" action="/interaction/a&amp;b" method="post">
  <input type="hidden" name="prompt" value="login"/>
  <input required type="text" name="login" placeholder="Enter any login" autofocus="on">
  <input required type="password" name="password" placeholder="and password" >
  <input type="checkbox" name="remember">
  <input type="submit" name="go" value="Go">
  <button type="submit" class="login login-submit">Sign-in</button>
</form>
<form id='op.logoutForm' method=post action="/session/end/confirm"><input type="hidden" name="xsrf" value="x&quot;y"/></form></body></html>`
	forms := parseForms(page)
	if len(forms) != 2 {
		t.Fatalf("got %d forms", len(forms))
	}
	want := htmlForm{action: "/interaction/a&b", method: "POST", fields: url.Values{
		"prompt": {"login"}, "login": {""}, "password": {""},
	}}
	if !reflect.DeepEqual(forms[0], want) {
		t.Errorf("form 0 = %+v", forms[0])
	}
	want = htmlForm{id: "op.logoutForm", action: "/session/end/confirm", method: "POST", fields: url.Values{"xsrf": {`x"y`}}}
	if !reflect.DeepEqual(forms[1], want) {
		t.Errorf("form 1 = %+v", forms[1])
	}
}

// tokenRequest POSTs a form to an endpoint of the provider, authenticating
// as c, and decodes the JSON answer.
func tokenRequest(t *testing.T, ctx context.Context, endpoint string, c Client, form url.Values) (int, map[string]any) {
	t.Helper()
	switch c.AuthMethod {
	case "client_secret_post":
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	case "none":
		form.Set("client_id", c.ID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
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
	out := map[string]any{}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: status %d, not JSON: %s", endpoint, resp.StatusCode, body)
		}
	}
	return resp.StatusCode, out
}

// getJSON GETs a URL with an optional bearer token and decodes the answer.
func getJSON(t *testing.T, ctx context.Context, target, bearer string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
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
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v: %s", target, err, body)
		}
	}
	return resp.StatusCode
}

// verifyJWT checks a JWT's RS256 or ES256 signature against the provider's
// JWKS and returns its claims. It is just enough to prove the harness; the
// library's own verifier lives in package oidc.
func verifyJWT(t *testing.T, ctx context.Context, s *Server, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	var header struct{ Alg, Kid string }
	decodeSegment(t, parts[0], &header)
	var jwks struct {
		Keys []struct{ Kty, Kid, Crv, N, E, X, Y string }
	}
	if status := getJSON(t, ctx, s.Endpoints.JWKS, "", &jwks); status != http.StatusOK {
		t.Fatalf("jwks status %d", status)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	found := false
	for _, k := range jwks.Keys {
		if k.Kid != header.Kid {
			continue
		}
		found = true
		switch {
		case header.Alg == "RS256" && k.Kty == "RSA":
			pub := &rsa.PublicKey{N: bigInt(t, k.N), E: int(bigInt(t, k.E).Int64())}
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
				t.Fatalf("RS256 signature: %v", err)
			}
		case header.Alg == "ES256" && k.Kty == "EC" && k.Crv == "P-256" && len(sig) == 64:
			pub := &ecdsa.PublicKey{Curve: elliptic.P256(), X: bigInt(t, k.X), Y: bigInt(t, k.Y)}
			r, sv := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			if !ecdsa.Verify(pub, digest[:], r, sv) {
				t.Fatal("ES256 signature does not verify")
			}
		default:
			t.Fatalf("unexpected alg %q for key %+v", header.Alg, k)
		}
	}
	if !found {
		t.Fatalf("no JWKS key with kid %q", header.Kid)
	}
	claims := map[string]any{}
	decodeSegment(t, parts[1], &claims)
	return claims
}

func decodeSegment(t *testing.T, seg string, out any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

func bigInt(t *testing.T, s string) *big.Int {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return new(big.Int).SetBytes(b)
}

func randomString(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(fmt.Errorf("random: %w", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
