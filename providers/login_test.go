package providers

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// What the tests that drive whole logins share: the application's client,
// an Auth whose requests reach a conformance/oidctest server shaped like
// the provider (on the provider's own URLs), and the login itself.

const (
	testClientID     = "app"
	testClientSecret = "app-secret-7c1d"
	testAppBase      = "https://app.example/auth"
)

// testClient is the application registered at a test provider for the
// provider named name, authenticating with m.
func testClient(name string, m oidctest.AuthMethod) oidctest.Client {
	return oidctest.Client{ID: testClientID, Secret: testClientSecret, AuthMethod: m,
		RedirectURIs: []string{testAppBase + "/" + name + "/callback"}}
}

// transportClient returns a client whose requests go through rt.
func transportClient(rt http.RoundTripper) *http.Client { return &http.Client{Transport: rt} }

// handlerClient returns a client whose requests h answers in process,
// whatever their host.
func handlerClient(h http.HandlerFunc) *http.Client {
	return transportClient(testkit.HandlerTransport(h))
}

// newTestAuth builds an Auth holding p (or failing with err) whose requests
// go through op's transport, so that they reach op on the hosts it plays.
func newTestAuth(t *testing.T, op *oidctest.Server, p *core.Provider, err error, settings ...func(*core.Builder)) *core.Auth {
	t.Helper()
	b := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).KeepTokens().
		HTTPClient(transportClient(op.Transport())).Provider(p, err)
	for _, set := range settings {
		set(b)
	}
	a, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// login runs Begin, sends the authorization request to op as a browser
// would (reading the answer instead of following it), takes the callback
// parameters from the redirect or the form_post page, adds extra (Apple's
// user field) and runs Complete. It returns Complete's result and error and
// the query of the authorization request, after checking that the request
// went to op's authorization endpoint with the provider's client_id, state,
// response_type=code and a nonce (none for a NonceUnsupported provider).
func login(t *testing.T, op *oidctest.Server, a *core.Auth, name string, begin core.BeginOptions, extra url.Values) (*core.Result, url.Values, error) {
	t.Helper()
	ctx := t.Context()
	authURL, cookie, err := a.Begin(ctx, name, begin)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.EscapedPath(); got != op.URL(oidctest.AuthorizeEndpoint) {
		t.Errorf("authorization endpoint %q, want %q", got, op.URL(oidctest.AuthorizeEndpoint))
	}
	q := u.Query()
	clientID, nonce := "", true
	for _, p := range a.Providers() {
		if p.Name() == name {
			spec := coreaccess.Spec(p)
			clientID, nonce = spec.Client.ClientID, !spec.NonceUnsupported
		}
	}
	if q.Get("client_id") != clientID || q.Has("nonce") != nonce || q.Get("state") == "" || q.Get("response_type") != "code" {
		t.Errorf("authorization request %v", q)
	}
	resp, err := testkit.NoRedirectClient(op.Transport()).Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	cb := callbackParams(t, resp)
	for k, vs := range extra {
		cb[k] = vs
	}
	res, _, err := a.Complete(ctx, name, cb, func(n string) (string, bool) {
		return cookie.Value, n == cookie.Name
	})
	return res, q, err
}

// formField is one hidden field of an oidctest form_post page.
var formField = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)

// callbackParams reads the authorization response: the query of a redirect
// to the application, or the fields of a form_post page.
func callbackParams(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	switch resp.StatusCode {
	case http.StatusFound:
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || !strings.HasPrefix(loc.String(), testAppBase) {
			t.Fatalf("authorization redirected to %q", resp.Header.Get("Location"))
		}
		return loc.Query()
	case http.StatusOK:
		body, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(body), `action="`+testAppBase) {
			t.Fatalf("authorization answered a page that does not post to the application:\n%s", body)
		}
		cb := url.Values{}
		for _, m := range formField.FindAllStringSubmatch(string(body), -1) {
			cb.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
		return cb
	}
	body, _ := io.ReadAll(resp.Body)
	t.Fatalf("authorization answered %d: %s", resp.StatusCode, body)
	return nil
}

// sentPKCE reports whether the authorization request carried an S256
// challenge, failing the test for any other PKCE parameters.
func sentPKCE(t *testing.T, q url.Values) bool {
	t.Helper()
	switch {
	case !q.Has("code_challenge") && !q.Has("code_challenge_method"):
		return false
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		t.Errorf("PKCE parameters %q %q", q.Get("code_challenge_method"), q.Get("code_challenge"))
	}
	return true
}

// logoutWithTokens logs out of provider with a session that keeps tok (a
// needs KeepTokens), as the logout route does, and returns where the
// browser is sent.
func logoutWithTokens(t *testing.T, ctx context.Context, a *core.Auth, provider string, tok *core.Token) (string, error) {
	t.Helper()
	c, err := a.SessionCookie(ctx, &core.Result{Provider: provider, Token: tok, User: &core.User{ID: "user"}})
	if err != nil {
		return "", err
	}
	to, _ := a.Logout(ctx, func(name string) (string, bool) { return c.Value, name == c.Name })
	return to, nil
}

// paramNames lists the names of p in order.
func paramNames(p *core.Params) string {
	var names []string
	p.Each(func(k, _ string) { names = append(names, k) })
	return strings.Join(names, ",")
}
