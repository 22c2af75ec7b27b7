package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// dpopWire records, per endpoint path, what went over the wire: the
// Authorization scheme, whether a DPoP proof was sent, and whether the
// answer was a use_dpop_nonce challenge.
type dpopWire struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []wireCall
}

type wireCall struct {
	path      string
	scheme    string // of the Authorization header
	proof     bool
	challenge bool // the answer was use_dpop_nonce
	status    int
}

func newDPoPWire(t *testing.T) *dpopWire {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &dpopWire{next: tr}
}

func (w *dpopWire) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	c := wireCall{path: req.URL.Path, proof: req.Header.Get("DPoP") != "", status: resp.StatusCode}
	c.scheme, _, _ = strings.Cut(req.Header.Get("Authorization"), " ")
	if resp.Header.Get("DPoP-Nonce") != "" {
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		c.challenge = strings.Contains(string(body), "use_dpop_nonce") ||
			strings.Contains(resp.Header.Get("WWW-Authenticate"), "use_dpop_nonce")
	}
	w.mu.Lock()
	w.seen = append(w.seen, c)
	w.mu.Unlock()
	return resp, nil
}

func (w *dpopWire) calls(path string) []wireCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []wireCall
	for _, c := range w.seen {
		if c.path == path {
			out = append(out, c)
		}
	}
	return out
}

// TestDPoP logs in with DPoP-bound tokens (RFC 9449) at oidc-provider,
// which requires a server nonce in every proof: the token endpoint and
// UserInfo (a resource server) each challenge the first proof, and the
// library answers with one retry. The tokens are of type DPoP, bound to
// the application's key (cnf.jkt), kept with their type in the session,
// refreshed with the binding, revoked with a proof, and refused when sent
// without a proof or as Bearer.
func TestDPoP(t *testing.T) {
	t.Parallel()
	s, ctx := startExtOP(t, realop.Options{}, "dpop", "dpop-ed")
	for _, alg := range []string{dpop.ES256, dpop.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			timed(t)
			name := map[string]string{dpop.ES256: "dpop", dpop.EdDSA: "dpop-ed"}[alg]
			key, err := dpop.GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			wire := newDPoPWire(t)
			p := provider(s, name, s.DPoP, providers.WithDPoP(key))
			pp, err := p()
			if err != nil {
				t.Fatal(err)
			}
			auth, err := core.New().SealingKeys(testkit.SealingKey()).BaseURL(extBase).KeepTokens().
				HTTPClient(&http.Client{Transport: wire}).Provider(pp, nil).Build()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = auth.Close() })
			dpopLogin(t, ctx, s, auth, wire, name, key)
		})
	}
}

func dpopLogin(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, wire *dpopWire, name string, key *dpop.Key) {
	u, _ := beginLogin(t, ctx, auth, name, core.BeginOptions{})
	if u.Query().Get("dpop_jkt") != key.Thumbprint() {
		t.Errorf("dpop_jkt %q, want the key's thumbprint %q", u.Query().Get("dpop_jkt"), key.Thumbprint())
	}
	login := "dpop-" + key.Algorithm()
	res := completeLogin(t, ctx, s, auth, name, login, core.BeginOptions{
		Prompt: "consent", Scopes: []string{"openid", "profile", "email", "offline_access"},
	})
	tok := res.Token
	if tok.TokenType != core.TokenTypeDPoP || tok.RefreshToken == "" {
		t.Fatalf("token type %q, refresh %t; want DPoP and a refresh token", tok.TokenType, tok.RefreshToken != "")
	}
	// The user came from UserInfo, reached with the DPoP token.
	if want := opuser.Account(login); res.User.Email != want.Email || res.User.Name != want.Name {
		t.Errorf("user %+v, want the UserInfo claims of %s", res.User, login)
	}
	// Each endpoint challenged the first proof for a nonce, and the
	// library retried once with it.
	tokenPath, userInfoPath := pathOf(t, s.Endpoints.Token), pathOf(t, s.Endpoints.UserInfo)
	checkChallenged(t, wire.calls(tokenPath), "")
	checkChallenged(t, wire.calls(userInfoPath), core.TokenTypeDPoP)

	client, err := mustProvider(t, auth, name).Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkBinding(t, ctx, client, tok.AccessToken, key)

	// The session keeps the token with its type, and so the binding.
	cookie, err := auth.SessionCookie(ctx, res)
	if err != nil {
		t.Fatal(err)
	}
	sess, ok, _ := auth.Session(ctx, func(n string) (string, bool) { return cookie.Value, n == cookie.Name })
	if !ok || sess.Token == nil || sess.Token.TokenType != core.TokenTypeDPoP || sess.Token.AccessToken != tok.AccessToken {
		t.Fatalf("session token %v", sess)
	}
	if _, err := client.Resource(ctx, core.ResourceRequest{URL: s.Endpoints.UserInfo, Token: sess.Token}); err != nil {
		t.Fatalf("userinfo with the session's token: %v", err)
	}

	// A refresh sends a proof and the new token is bound to the same key.
	refreshed, id, err := auth.Refresh(ctx, name, sess.Token, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.TokenType != core.TokenTypeDPoP || refreshed.AccessToken == tok.AccessToken || id == nil || id.Subject != login {
		t.Fatalf("refreshed token type %q, new %t, ID token %v", refreshed.TokenType, refreshed.AccessToken != tok.AccessToken, id)
	}
	checkBinding(t, ctx, client, refreshed.AccessToken, key)
	info, err := client.Resource(ctx, core.ResourceRequest{URL: s.Endpoints.UserInfo, Token: refreshed})
	if err != nil || info["sub"] != login {
		t.Fatalf("userinfo with the refreshed token: %v, %v", info, err)
	}
	for _, c := range wire.calls(tokenPath) {
		if !c.proof {
			t.Errorf("a token request without a DPoP proof: %+v", c)
		}
	}

	// The resource server refuses the token without a proof, and as Bearer.
	for _, scheme := range []string{core.TokenTypeDPoP, "Bearer"} {
		// oidc-provider answers 400 invalid_request to the DPoP scheme
		// without a proof and 401 invalid_token to Bearer.
		status, challenge := rawUserInfo(t, ctx, s.Endpoints.UserInfo, scheme+" "+refreshed.AccessToken)
		if status != http.StatusBadRequest && status != http.StatusUnauthorized || !strings.Contains(challenge, "error=") {
			t.Errorf("userinfo with %s and no proof: %d %s, want a refusal", scheme, status, challenge)
		}
	}
	// The library does not send it at all without the key.
	before := len(wire.calls(userInfoPath))
	keyless, err := core.NewClient(core.Config{ClientID: s.DPoP.ID, ClientSecret: s.DPoP.Secret,
		Endpoints: client.Endpoints(), HTTPClient: &http.Client{Transport: wire}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := keyless.Resource(ctx, core.ResourceRequest{URL: s.Endpoints.UserInfo, Token: refreshed}); !errors.Is(err, core.ErrDPoPKeyMissing) {
		t.Errorf("a DPoP token through a client without the key: %v, want ErrDPoPKeyMissing", err)
	}
	if after := len(wire.calls(userInfoPath)); after != before {
		t.Errorf("the keyless client sent the token anyway (%d requests)", after-before)
	}
	// Another key's proof does not fit the binding.
	other, err := dpop.GenerateKey(dpop.ES256)
	if err != nil {
		t.Fatal(err)
	}
	thief, err := core.NewClient(core.Config{ClientID: s.DPoP.ID, ClientSecret: s.DPoP.Secret,
		Endpoints: client.Endpoints(), DPoPKey: other})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := thief.Resource(ctx, core.ResourceRequest{URL: s.Endpoints.UserInfo, Token: refreshed}); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("the token with another key's proof: %v, want invalid_token", err)
	}

	// Revocation carries a proof too; the grant then ends.
	if err := client.Revoke(ctx, refreshed.RefreshToken, core.HintRefreshToken); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if in, err := client.Introspect(ctx, refreshed.AccessToken, core.HintAccessToken); err != nil || in.Active {
		t.Errorf("access token after revoking the grant: active %v, %v", in != nil && in.Active, err)
	}
}

// checkChallenged fails t unless calls begin with a proof that the server
// challenged for a nonce, followed by a retry with a proof that passed,
// each with the Authorization scheme want ("" for none).
func checkChallenged(t *testing.T, calls []wireCall, scheme string) {
	t.Helper()
	if len(calls) < 2 || !calls[0].challenge || !calls[0].proof || calls[1].challenge || !calls[1].proof || calls[1].status != http.StatusOK {
		t.Fatalf("calls %+v: want a challenged proof, then an accepted retry", calls)
	}
	if scheme != "" && (calls[0].scheme != scheme || calls[1].scheme != scheme) {
		t.Errorf("calls %+v: want Authorization %s", calls, scheme)
	}
}

// checkBinding introspects an access token: it must be active and bound to
// key (cnf.jkt, RFC 9449 §6.2).
func checkBinding(t *testing.T, ctx context.Context, client *core.Client, at string, key *dpop.Key) {
	t.Helper()
	in, err := client.Introspect(ctx, at, core.HintAccessToken)
	if err != nil {
		t.Fatal(err)
	}
	cnf, _ := in.Raw["cnf"].(map[string]any)
	if !in.Active || in.TokenType != core.TokenTypeDPoP || cnf["jkt"] != key.Thumbprint() {
		t.Errorf("introspection: active %t, type %q, cnf %v; want a DPoP token bound to %s", in.Active, in.TokenType, cnf, key.Thumbprint())
	}
}

// rawUserInfo calls UserInfo with the given Authorization header and no
// DPoP proof.
func rawUserInfo(t *testing.T, ctx context.Context, endpoint, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

func pathOf(t *testing.T, u string) string {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Path
}
