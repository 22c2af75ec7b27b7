package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testRedirect   = "https://rp.example/callback"
	testPostLogout = "https://rp.example/signed-out"
)

// newTestClock returns a clock for Config.Now that moves only when the
// test advances it.
func newTestClock() *testkit.Clock {
	return testkit.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
}

// Test clients, one per authentication method.
var (
	basicClient = Client{ID: "basic-rp", Secret: "s3cr:et%+é", AuthMethod: AuthSecretBasic,
		RedirectURIs: []string{testRedirect}, PostLogoutRedirectURIs: []string{testPostLogout}}
	postClient = Client{ID: "post-rp", Secret: "post-secret", AuthMethod: AuthSecretPost,
		RedirectURIs: []string{testRedirect}}
	publicClient = Client{ID: "public-rp", AuthMethod: AuthNone,
		RedirectURIs: []string{"http://127.0.0.1:8765/cb?app=1"}}
)

// harness is a server and a plain HTTP client acting as the relying party.
type harness struct {
	t     *testing.T
	srv   *Server
	clock *testkit.Clock
	http  *http.Client
	// lastHeader holds the response headers of the last raw call.
	lastHeader http.Header
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	clock := newTestClock()
	// ES256 keys take microseconds to make where RSA keys take tens of
	// milliseconds (far more under -race); TestCodeFlow and TestAlgorithms
	// cover the RS256 default and the other algorithms.
	opts = append([]Option{WithClock(clock.Now), WithAlgorithm("ES256"), WithClients(basicClient, postClient, publicClient)}, opts...)
	srv := New(t, opts...)
	hc := testkit.NoRedirectClient(srv.HTTPClient().Transport)
	return &harness{t: t, srv: srv, clock: clock, http: hc}
}

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authParams returns a valid authorization request for c, with PKCE.
func authParams(c Client, challenge string) url.Values {
	return url.Values{
		"response_type":         {"code"},
		"client_id":             {c.ID},
		"redirect_uri":          {c.RedirectURIs[0]},
		"scope":                 {"openid profile email"},
		"state":                 {"st-" + c.ID},
		"nonce":                 {"n-" + c.ID},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}
}

// authorize sends q to the authorization endpoint.
func (h *harness) authorize(q url.Values) *http.Response {
	h.t.Helper()
	resp, err := h.http.Get(h.srv.URL(AuthorizeEndpoint) + "?" + q.Encode())
	if err != nil {
		h.t.Fatalf("authorize: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// callback sends q and returns the redirect's query, failing unless the
// server redirected to redirectURI.
func (h *harness) callback(q url.Values) url.Values {
	h.t.Helper()
	resp := h.authorize(q)
	if resp.StatusCode != http.StatusFound {
		h.t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		h.t.Fatalf("Location: %v", err)
	}
	want, _ := url.Parse(q.Get("redirect_uri"))
	if loc.Scheme != want.Scheme || loc.Host != want.Host || loc.Path != want.Path {
		h.t.Fatalf("redirected to %q, want %q", loc, want)
	}
	return loc.Query()
}

// login runs the authorization request for c and returns the code and the
// PKCE verifier.
func (h *harness) login(c Client) (code, verifier string) {
	h.t.Helper()
	verifier, challenge := pkce()
	cb := h.callback(authParams(c, challenge))
	if cb.Get("code") == "" {
		h.t.Fatalf("no code in callback %v", cb)
	}
	return cb.Get("code"), verifier
}

// post sends a form with c's credentials as its method says and returns the
// status and the decoded JSON body.
func (h *harness) post(ep Endpoint, c Client, form url.Values) (int, map[string]any, http.Header) {
	h.t.Helper()
	form = cloneValues(form)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL(ep), nil)
	switch c.AuthMethod {
	case AuthSecretBasic:
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	case AuthSecretPost:
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	default:
		form.Set("client_id", c.ID)
	}
	return h.do(req, form)
}

func (h *harness) do(req *http.Request, form url.Values) (int, map[string]any, http.Header) {
	h.t.Helper()
	if form != nil {
		req.Body = io.NopCloser(strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := h.http.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(body) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &m); err != nil {
			h.t.Fatalf("decoding %s: %v", body, err)
		}
	}
	return resp.StatusCode, m, resp.Header
}

// exchange redeems a code for c and fails the test unless it succeeds.
func (h *harness) exchange(c Client, code, verifier string) map[string]any {
	h.t.Helper()
	status, body, _ := h.post(TokenEndpoint, c, url.Values{
		"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {c.RedirectURIs[0]}, "code_verifier": {verifier},
	})
	if status != http.StatusOK {
		h.t.Fatalf("token: status %d, body %v", status, body)
	}
	return body
}

// tokens logs in as c and returns the token response.
func (h *harness) tokens(c Client) map[string]any {
	h.t.Helper()
	code, verifier := h.login(c)
	return h.exchange(c, code, verifier)
}

// userinfo calls the UserInfo endpoint with a Bearer token.
func (h *harness) userinfo(token string) (int, map[string]any, http.Header) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL(UserInfoEndpoint), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return h.do(req, nil)
}

// jwks fetches the server's JWK Set as public keys by kid.
func (h *harness) jwks() map[string]crypto.PublicKey {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL(JWKSEndpoint), nil)
	status, body, _ := h.do(req, nil)
	if status != http.StatusOK {
		h.t.Fatalf("jwks: status %d", status)
	}
	keys := map[string]crypto.PublicKey{}
	list, _ := body["keys"].([]any)
	for _, item := range list {
		k, _ := item.(map[string]any)
		kid, _ := k["kid"].(string)
		if k["use"] != "sig" || kid == "" {
			h.t.Fatalf("jwks: key without use=sig or kid: %v", k)
		}
		pub, err := parseJWK(k)
		if err != nil {
			h.t.Fatalf("jwks: %v", err)
		}
		keys[kid] = pub
	}
	return keys
}

func parseJWK(k map[string]any) (crypto.PublicKey, error) {
	b := func(name string) []byte {
		s, _ := k[name].(string)
		v, _ := base64.RawURLEncoding.DecodeString(s)
		return v
	}
	switch k["kty"] {
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(b("n")), E: int(new(big.Int).SetBytes(b("e")).Int64())}, nil
	case "EC":
		curve := map[any]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384()}[k["crv"]]
		if curve == nil {
			return nil, errors.New("unknown curve")
		}
		return ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, b("x")...), b("y")...))
	}
	return nil, errors.New("unknown kty")
}

// verify checks raw's signature against the server's JWKS, as a relying
// party would, and returns the token. Claims are validated with the
// server's clock.
func (h *harness) verify(raw string, opts ...jwt.ParserOption) (*jwt.Token, error) {
	h.t.Helper()
	keys := h.jwks()
	opts = append([]jwt.ParserOption{
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}),
		jwt.WithTimeFunc(h.clock.Now),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
	}, opts...)
	return jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, errors.New("unknown kid")
	}, opts...)
}

// claimsOf decodes a JWT's payload without verifying it.
func claimsOf(t *testing.T, raw string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(raw, claims); err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return claims
}

func str(v any) string { s, _ := v.(string); return s }
