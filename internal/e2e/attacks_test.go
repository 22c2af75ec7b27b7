package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/go-oauth20/oauth20/providers"
	"github.com/golang-jwt/jwt/v5"
)

// attackEnv has two honest providers, "a" and "b", behind a proxy that can
// tamper with their answers, and one Auth that knows both.
type attackEnv struct {
	a, b  *oidctest.Server
	proxy *faultProxy
	auth  *core.Auth
}

func newAttackEnv(t *testing.T) *attackEnv {
	t.Helper()
	e := &attackEnv{a: newOP(t, "a"), b: newOP(t, "b"), proxy: newFaultProxy(t)}
	tr := e.proxy.transport()
	t.Cleanup(tr.CloseIdleConnections)
	rc := &http.Client{Transport: tr}
	var err error
	e.auth, err = core.New().SealingKeys(sealingKey).BaseURL(appBase).HTTPClient(rc).
		Provider(providers.OIDC("a", e.a.Issuer(), "app", clientSecret)).
		Provider(providers.OIDC("b", e.b.Issuer(), "app", clientSecret)).Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.auth.Close() })
	return e
}

func newOP(t *testing.T, name string) *oidctest.Server {
	return oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(
		oidctest.Client{ID: "app", Secret: clientSecret, RedirectURIs: []string{appBase + "/" + name + "/callback"}},
		oidctest.Client{ID: "other-app", Secret: "other-secret", RedirectURIs: []string{appBase + "/" + name + "/callback"}},
	))
}

// browser is one user agent: the flow cookies it holds.
type browser struct{ cookies []http.Cookie }

func (b *browser) lookup(name string) (string, bool) {
	for _, c := range b.cookies {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// begin starts a login in browser br and returns the provider's redirect
// back (the callback parameters), without completing it.
func (e *attackEnv) begin(t *testing.T, br *browser, provider string, opts core.BeginOptions) url.Values {
	t.Helper()
	authURL, cookie, err := e.auth.Begin(context.Background(), provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	br.cookies = append(br.cookies, cookie)
	resp, err := direct.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("provider did not redirect back with a code: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func (e *attackEnv) complete(br *browser, provider string, params url.Values) (*core.Result, error) {
	res, _, err := e.auth.Complete(context.Background(), provider, params, br.lookup)
	return res, err
}

func (e *attackEnv) tokenRequests() int {
	return e.a.Count(oidctest.TokenEndpoint) + e.b.Count(oidctest.TokenEndpoint)
}

func wantRefused(t *testing.T, err error, want error, status int) {
	t.Helper()
	if !errors.Is(err, want) || core.ProblemOf(err).Status != status {
		t.Fatalf("err = %v (status %d), want %v with %d", err, core.ProblemOf(err).Status, want, status)
	}
}

func TestAttackReplayedCallback(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	br := &browser{}
	params := e.begin(t, br, "a", core.BeginOptions{})
	if _, err := e.complete(br, "a", params); err != nil {
		t.Fatal(err)
	}
	// The same callback with the same (captured) cookie is refused before
	// the code reaches the token endpoint a second time (RFC 9700 §4.2): a
	// provider that tolerated code reuse would log in a second time.
	before := e.tokenRequests()
	_, err := e.complete(br, "a", params)
	wantRefused(t, err, core.ErrFlowUsed, http.StatusBadRequest)
	if n := e.tokenRequests() - before; n != 0 {
		t.Errorf("the replayed code reached the token endpoint %d times", n)
	}
}

func TestAttackAnotherBrowsersCookie(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	victim, attacker := &browser{}, &browser{}
	params := e.begin(t, attacker, "a", core.BeginOptions{})
	e.begin(t, victim, "a", core.BeginOptions{})
	// Login CSRF: the attacker's callback in the victim's browser.
	_, err := e.complete(victim, "a", params)
	wantRefused(t, err, core.ErrFlowMissing, http.StatusBadRequest)
	// Even with the victim's cookie renamed to the attacker's flow.
	forged := &browser{cookies: []http.Cookie{victim.cookies[0]}}
	forged.cookies[0].Name = attacker.cookies[0].Name
	_, err = e.complete(forged, "a", params)
	wantRefused(t, err, core.ErrFlowInvalid, http.StatusBadRequest)
	if n := e.tokenRequests(); n != 0 {
		t.Errorf("%d token requests for forged callbacks", n)
	}
}

func TestAttackCookieFromAnotherProvider(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	br := &browser{}
	params := e.begin(t, br, "b", core.BeginOptions{})
	_, err := e.complete(br, "a", params)
	wantRefused(t, err, core.ErrProviderMismatch, http.StatusBadRequest)
	if n := e.tokenRequests(); n != 0 {
		t.Errorf("%d token requests", n)
	}
}

func TestAttackMixUp(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	br := &browser{}
	honest := e.begin(t, br, "a", core.BeginOptions{})
	// A code issued by b, with b's iss, injected into the flow started at a.
	stolen := e.begin(t, &browser{}, "b", core.BeginOptions{})
	swapped := url.Values{"code": {stolen.Get("code")}, "state": {honest.Get("state")}, "iss": {stolen.Get("iss")}}
	_, err := e.complete(br, "a", swapped)
	wantRefused(t, err, core.ErrAuthResponseIssuer, http.StatusBadRequest)
	// Without iss, in a flow of its own (the first attempt used the one
	// above): a advertises RFC 9207 support, so a missing iss is refused
	// too.
	honest = e.begin(t, br, "a", core.BeginOptions{})
	swapped = url.Values{"code": {stolen.Get("code")}, "state": {honest.Get("state")}}
	_, err = e.complete(br, "a", swapped)
	wantRefused(t, err, core.ErrAuthResponseIssuer, http.StatusBadRequest)
	if n := e.tokenRequests(); n != 0 {
		t.Errorf("the code was sent to a token endpoint %d times", n)
	}
}

// replaceIDToken makes the provider's token answer carry another ID token.
func replaceIDToken(t *testing.T, idToken string) func([]byte) []byte {
	return func(body []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("token answer: %v", err)
			return body
		}
		m["id_token"] = idToken
		out, _ := json.Marshal(m)
		return out
	}
}

func TestAttackHMACWithThePublicKey(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	// The attacker signs with HS256, using the provider's public key (as
	// PEM, DER and JWK text) as the HMAC secret.
	pub := publicKey(t, e.a)
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwks := testkit.Get(t, e.a.URL(oidctest.JWKSEndpoint))
	for name, secret := range map[string][]byte{"PEM": pemKey, "DER": der, "JWKS": jwks} {
		t.Run(name, func(t *testing.T) {
			br := &browser{}
			params := e.begin(t, br, "a", core.BeginOptions{})
			claims := jwt.MapClaims{"iss": e.a.Issuer(), "sub": "admin", "aud": "app", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
			tok.Header["kid"] = e.a.KeyIDs()[0]
			forged, err := tok.SignedString(secret)
			if err != nil {
				t.Fatal(err)
			}
			e.proxy.setRewrite(pathOf(t, e.a.URL(oidctest.TokenEndpoint)), replaceIDToken(t, forged))
			defer e.proxy.setRewrite("", nil)
			_, err = e.complete(br, "a", params)
			if !errors.Is(err, oidc.ErrUnsupportedAlgorithm) && !errors.Is(err, oidc.ErrBadSignature) {
				t.Fatalf("forged HS256 token: %v", err)
			}
		})
	}
}

func TestAttackAlgNone(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	e.a.UpdateFaults(func(f *oidctest.Faults) { f.NoneAlgorithm = true })
	br := &browser{}
	params := e.begin(t, br, "a", core.BeginOptions{})
	_, err := e.complete(br, "a", params)
	wantRefused(t, err, oidc.ErrUnsupportedAlgorithm, http.StatusBadGateway)
}

func TestAttackIDTokenForAnotherClient(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	// A genuine ID token of the same provider, issued to another client.
	other, err := core.New().SealingKeys(sealingKey).BaseURL(appBase).
		Provider(providers.OIDC("a", e.a.Issuer(), "other-app", "other-secret")).Build()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ob := &browser{}
	authURL, cookie, err := other.Begin(context.Background(), "a", core.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ob.cookies = append(ob.cookies, cookie)
	resp, err := direct.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	res, _, err := other.Complete(context.Background(), "a", loc.Query(), ob.lookup)
	if err != nil {
		t.Fatal(err)
	}
	// Injected into our client's login.
	br := &browser{}
	params := e.begin(t, br, "a", core.BeginOptions{})
	e.proxy.setRewrite(pathOf(t, e.a.URL(oidctest.TokenEndpoint)), replaceIDToken(t, res.IDToken.Raw))
	_, err = e.complete(br, "a", params)
	wantRefused(t, err, oidc.ErrAudienceMismatch, http.StatusBadGateway)
}

func TestAttackOpenRedirect(t *testing.T) {
	t.Parallel()
	e := newAttackEnv(t)
	for _, target := range []string{"//evil.example", "/\\evil.example", "\\/evil.example", "/%09/evil.example", "/%5Cevil.example",
		"https://evil.example", "https://app.example@evil.example", "https:evil.example", "javascript:alert(1)",
		"/%0d%0aLocation:%20https://evil.example", "/\t/evil.example"} {
		br := &browser{}
		params := e.begin(t, br, "a", core.BeginOptions{ReturnTo: target})
		res, err := e.complete(br, "a", params)
		if err != nil {
			t.Fatal(err)
		}
		if res.ReturnTo != "/" {
			t.Errorf("return-to %q became %q", target, res.ReturnTo)
		}
	}
}

func publicKey(t *testing.T, op *oidctest.Server) *ecdsa.PublicKey {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(testkit.Get(t, op.URL(oidctest.JWKSEndpoint)), &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS: %v", err)
	}
	raw, _ := json.Marshal(set.Keys[0])
	k, err := jwkToECDSA(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
