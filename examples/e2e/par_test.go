package e2e

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// extBase is the application's base URL in the tests of the protocol
// extensions (PAR, JAR, DPoP, JARM, JWE, FAPI 2.0). Nothing listens there:
// the tests take the callback from realop's helpers and hand it to
// core.Auth.Complete themselves.
const extBase = "http://127.0.0.1:9" + loginPrefix

// extRedirects are the redirect URIs of the providers named in names.
func extRedirects(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, extBase+"/"+n+"/callback")
	}
	return out
}

// startExtOP starts oidc-provider with opts and the redirect URIs of the
// providers named in names.
func startExtOP(t *testing.T, opts realop.Options, names ...string) (*realop.Server, context.Context) {
	t.Helper()
	began := time.Now()
	opts.RedirectURIs = extRedirects(names...)
	s := realop.Start(t, opts)
	t.Logf("oidc-provider ready at %s after %v", s.Issuer, time.Since(began).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return s, ctx
}

// buildAuth builds the Auth of a test of the extensions over ps.
func buildAuth(t *testing.T, ps ...func() (*core.Provider, error)) *core.Auth {
	t.Helper()
	b := core.New().SealingKeys(testkit.SealingKey()).BaseURL(extBase)
	for _, p := range ps {
		b = b.Provider(p())
	}
	auth, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	return auth
}

// provider defers providers.OIDC for buildAuth.
func provider(s *realop.Server, name string, c realop.Client, opts ...providers.Option) func() (*core.Provider, error) {
	return func() (*core.Provider, error) {
		return providers.OIDC(name, s.Issuer, c.ID, c.Secret, append([]providers.Option{providers.WithName(name)}, opts...)...)
	}
}

// beginURL starts a login and returns the authorization URL and the flow
// cookie.
func beginLogin(t *testing.T, ctx context.Context, auth *core.Auth, name string, opts core.BeginOptions) (*url.URL, func(string) (string, bool)) {
	t.Helper()
	to, flow, err := auth.Begin(ctx, name, opts)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	return u, func(n string) (string, bool) { return flow.Value, n == flow.Name }
}

// TestPAR logs in through pushed authorization requests (RFC 9126) at
// oidc-provider: a client that pushes by choice, a client the provider
// registered as having to push, a provider that requires pushing from
// every client (the library learns it from discovery), and the errors.
func TestPAR(t *testing.T) {
	t.Parallel()
	s, ctx := startExtOP(t, realop.Options{}, "par-chosen", "par-required", "par-not-pushed", "par-bad-secret", "jar", "jar-par")
	auth := buildAuth(t,
		provider(s, "par-chosen", s.Basic, providers.WithPAR()),
		provider(s, "par-required", s.PAR, providers.WithPAR()),
		provider(s, "par-not-pushed", s.PAR),
		func() (*core.Provider, error) {
			return providers.OIDC("par-bad-secret", s.Issuer, s.Basic.ID, "not-the-secret", providers.WithPAR())
		},
		provider(s, "jar", s.JAR, providers.WithPrivateKey(s.ClientKeys.Signing, s.ClientKeys.SigningKID), providers.WithRequestObject()),
		provider(s, "jar-par", s.JAR, providers.WithPrivateKey(s.ClientKeys.Signing, s.ClientKeys.SigningKID),
			providers.WithRequestObject(), providers.WithPAR()),
	)

	for _, name := range []string{"par-chosen", "par-required"} {
		t.Run("login/"+name, func(t *testing.T) {
			t.Parallel()
			timed(t)
			u, _ := beginLogin(t, ctx, auth, name, core.BeginOptions{})
			pushedOnly(t, s, u)
			res := completeLogin(t, ctx, s, auth, name, "par-"+name, core.BeginOptions{})
			if res.IDToken == nil || res.User.ID != "par-"+name || res.User.Email != opuser.Account("par-"+name).Email {
				t.Errorf("login: user %+v", res.User)
			}
		})
	}
	t.Run("required-but-not-pushed", func(t *testing.T) {
		t.Parallel()
		timed(t)
		// realop-par must push; a login that does not is refused by the
		// provider, whose answer comes back as a typed error.
		u, cookies := beginLogin(t, ctx, auth, "par-not-pushed", core.BeginOptions{})
		if u.Query().Get("request_uri") != "" {
			t.Fatalf("pushed without being asked to: %s", u)
		}
		cb, err := s.Authorize(ctx, nil, u.String(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = auth.Complete(ctx, "par-not-pushed", cb.Query(), cookies)
		var oe *core.Error
		if !errors.As(err, &oe) || oe.Code != core.CodeInvalidRequest || !strings.Contains(strings.ToLower(oe.Description), "pushed") {
			t.Fatalf("login of a client that must push, without pushing: %v", err)
		}
	})
	t.Run("par-endpoint-error", func(t *testing.T) {
		t.Parallel()
		timed(t)
		_, _, err := auth.Begin(ctx, "par-bad-secret", core.BeginOptions{})
		var oe *core.Error
		if !errors.As(err, &oe) || oe.Code != core.CodeInvalidClient || oe.Endpoint != core.OpPAR {
			t.Fatalf("push with a wrong secret: %v, want invalid_client from %s", err, core.OpPAR)
		}
		if strings.Contains(err.Error(), "not-the-secret") {
			t.Errorf("the error shows the secret: %v", err)
		}
	})
	t.Run("jar", func(t *testing.T) {
		t.Parallel()
		timed(t)
		// realop-jar requires signed request objects: the request is
		// signed with the client's registered key (private_key_jwt too).
		u, _ := beginLogin(t, ctx, auth, "jar", core.BeginOptions{})
		q := u.Query()
		if len(q) != 2 || q.Get("client_id") != s.JAR.ID || strings.Count(q.Get("request"), ".") != 2 {
			t.Fatalf("authorization URL of a JAR login: %s", u)
		}
		var claims map[string]any
		jwtClaims(t, q.Get("request"), &claims)
		if claims["iss"] != s.JAR.ID || claims["aud"] != s.Issuer || claims["state"] == "" || claims["code_challenge"] == "" ||
			claims["nonce"] == "" || claims["response_type"] != "code" {
			t.Errorf("request object claims %v", claims)
		}
		res := completeLogin(t, ctx, s, auth, "jar", "jar-user", core.BeginOptions{})
		if res.User.ID != "jar-user" {
			t.Errorf("login: user %+v", res.User)
		}
	})
	t.Run("jar-in-par", func(t *testing.T) {
		t.Parallel()
		timed(t)
		u, _ := beginLogin(t, ctx, auth, "jar-par", core.BeginOptions{})
		pushedOnly(t, s, u)
		res := completeLogin(t, ctx, s, auth, "jar-par", "jar-par-user", core.BeginOptions{})
		if res.User.ID != "jar-par-user" {
			t.Errorf("login: user %+v", res.User)
		}
	})
}

// TestPARRequiredByProvider: oidc-provider requires pushed requests from
// every client and says so in its metadata; a provider configured without
// WithPAR pushes all the same.
func TestPARRequiredByProvider(t *testing.T) {
	t.Parallel()
	timed(t)
	s, ctx := startExtOP(t, realop.Options{RequirePAR: true}, "plain")
	auth := buildAuth(t, provider(s, "plain", s.Basic))
	u, _ := beginLogin(t, ctx, auth, "plain", core.BeginOptions{})
	pushedOnly(t, s, u)
	res := completeLogin(t, ctx, s, auth, "plain", "required-everywhere", core.BeginOptions{})
	if res.User.ID != "required-everywhere" {
		t.Errorf("login: user %+v", res.User)
	}
}

// pushedOnly fails t unless u is the provider's authorization endpoint with
// client_id and a request_uri alone.
func pushedOnly(t *testing.T, s *realop.Server, u *url.URL) {
	t.Helper()
	q := u.Query()
	if !strings.HasPrefix(u.String(), s.Endpoints.Authorization+"?") || len(q) != 2 || q.Get("client_id") == "" ||
		!strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
		t.Fatalf("authorization URL of a pushed request: %s", u)
	}
}
