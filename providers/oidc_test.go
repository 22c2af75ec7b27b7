package providers

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
)

// oidcEnv is an Auth with OIDC against an in-process provider at its own
// address.
type oidcEnv struct {
	op   *oidctest.Server
	auth *core.Auth
}

func newOIDCEnv(t *testing.T, opts ...Option) *oidcEnv {
	t.Helper()
	client := testClient("idp", oidctest.AuthSecretBasic)
	client.PostLogoutRedirectURIs = []string{"https://app.example/bye"}
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(client))
	p, err := OIDC("idp", op.Issuer(), testClientID, testClientSecret, opts...)
	return &oidcEnv{op: op, auth: newTestAuth(t, op, p, err, func(b *core.Builder) { b.AfterLogout("https://app.example/bye") })}
}

// login logs in through the provider.
func (e *oidcEnv) login(t *testing.T, opts core.BeginOptions) (*core.Result, error) {
	t.Helper()
	res, _, err := login(t, e.op, e.auth, "idp", opts, nil)
	return res, err
}

func TestOIDCLogin(t *testing.T) {
	t.Parallel()
	e := newOIDCEnv(t)
	res, err := e.login(t, core.BeginOptions{ReturnTo: "/home"})
	if err != nil {
		t.Fatal(err)
	}
	want := oidctest.DefaultUser()
	u := res.User
	if u.ID != want.Subject || u.Email != want.Email || u.EmailVerified != want.EmailVerified || u.Name != want.Name || u.Username != want.PreferredUsername {
		t.Errorf("user %+v, want %+v", u, want)
	}
	if res.IDToken == nil || res.IDToken.Subject != want.Subject || res.ReturnTo != "/home" {
		t.Errorf("result %+v", res)
	}
	// PKCE, nonce and the client's authentication reached the provider.
	for _, r := range e.op.Requests(oidctest.AuthorizeEndpoint) {
		if r.Query.Get("code_challenge_method") != "S256" || r.Query.Get("nonce") == "" {
			t.Errorf("authorization request %v", r.Query)
		}
	}

	// Refresh keeps the login's identity (OpenID Connect Core §12.2).
	tok, id, err := e.auth.Refresh(context.Background(), "idp", res.Token, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if tok.AccessToken == res.Token.AccessToken || id.Subject != want.Subject {
		t.Errorf("refresh gave %v %v", tok, id)
	}

	// Logout of a session that keeps the tokens revokes them and points at
	// the end-session endpoint with the ID token as hint.
	session, err := e.auth.SessionCookie(context.Background(), &core.Result{Provider: "idp", Token: tok, IDToken: id, User: res.User})
	if err != nil {
		t.Fatal(err)
	}
	end, clear := e.auth.Logout(context.Background(), func(name string) (string, bool) { return session.Value, name == session.Name })
	eu, _ := url.Parse(end)
	if !strings.HasPrefix(end, e.op.URL(oidctest.EndSessionEndpoint)) || eu.Query().Get("id_token_hint") != id.Raw ||
		eu.Query().Get("post_logout_redirect_uri") != "https://app.example/bye" || eu.Query().Get("client_id") != testClientID || clear.MaxAge >= 0 {
		t.Errorf("end-session URL %q", end)
	}
	if e.op.Count(oidctest.RevocationEndpoint) != 2 {
		t.Errorf("%d revocations, want 2", e.op.Count(oidctest.RevocationEndpoint))
	}
	if e.op.Count(oidctest.DiscoveryEndpoint) != 1 {
		t.Errorf("discovery fetched %d times, want once", e.op.Count(oidctest.DiscoveryEndpoint))
	}
}

func TestOIDCFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  func(*oidctest.Faults)
		want   error
		status int
	}{
		{"bad signature", func(f *oidctest.Faults) { f.BadSignature = true }, oidc.ErrBadSignature, 502},
		{"unpublished key", func(f *oidctest.Faults) { f.UnpublishedKey = true }, oidc.ErrUnknownKey, 502},
		{"alg none", func(f *oidctest.Faults) { f.NoneAlgorithm = true }, oidc.ErrUnsupportedAlgorithm, 502},
		{"wrong issuer in the ID token", func(f *oidctest.Faults) { f.WrongIssuer = true }, oidc.ErrIssuerMismatch, 502},
		{"wrong audience", func(f *oidctest.Faults) { f.WrongAudience = true }, oidc.ErrAudienceMismatch, 502},
		{"wrong nonce", func(f *oidctest.Faults) { f.WrongNonce = true }, oidc.ErrNonceMismatch, 502},
		{"missing nonce", func(f *oidctest.Faults) { f.OmitNonce = true }, oidc.ErrNonceMismatch, 502},
		{"expired ID token", func(f *oidctest.Faults) { f.ExpiredIDToken = true }, oidc.ErrTokenExpired, 502},
		{"wrong at_hash", func(f *oidctest.Faults) { f.WrongAtHash = true }, oidc.ErrAtHashMismatch, 502},
		{"mix-up: wrong iss in the response", func(f *oidctest.Faults) { f.WrongResponseIssuer = true }, core.ErrAuthResponseIssuer, 400},
		{"advertised iss missing", func(f *oidctest.Faults) { f.OmitResponseIssuer = true }, core.ErrAuthResponseIssuer, 400},
		{"userinfo for another subject", func(f *oidctest.Faults) { f.UserInfoSubject = "mallory" }, oidc.ErrUserInfoSubjectMismatch, 502},
		{"token endpoint error", func(f *oidctest.Faults) {
			f.Errors = map[oidctest.Endpoint]oidctest.ErrorResponse{oidctest.TokenEndpoint: {Status: 400, Code: "invalid_grant"}}
		}, core.ErrInvalidGrant, 400},
		{"user denied", func(f *oidctest.Faults) {
			f.Errors = map[oidctest.Endpoint]oidctest.ErrorResponse{oidctest.AuthorizeEndpoint: {Code: "access_denied"}}
		}, core.ErrAccessDenied, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newOIDCEnv(t)
			e.op.UpdateFaults(tt.fault)
			res, err := e.login(t, core.BeginOptions{})
			if res != nil || !errors.Is(err, tt.want) || core.ProblemOf(err).Status != tt.status {
				t.Fatalf("err = %v (status %d), want %v with %d", err, core.ProblemOf(err).Status, tt.want, tt.status)
			}
		})
	}
}

func TestOIDCDiscoveryIssuerMismatch(t *testing.T) {
	t.Parallel()
	e := newOIDCEnv(t)
	e.op.UpdateFaults(func(f *oidctest.Faults) { f.WrongDiscoveryIssuer = true })
	_, _, err := e.auth.Begin(context.Background(), "idp", core.BeginOptions{})
	if !errors.Is(err, oidc.ErrIssuerMismatch) {
		t.Fatalf("err = %v", err)
	}
	if n := e.op.Count(oidctest.AuthorizeEndpoint); n != 0 {
		t.Errorf("%d authorization requests after a bad discovery", n)
	}
}

func TestOIDCAuthMethodOption(t *testing.T) {
	t.Parallel()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(testClient("idp", oidctest.AuthSecretPost)))
	for _, tt := range []struct {
		name string
		opts []Option
		want error
	}{
		{"discovered default is basic, which this client may not use", nil, core.ErrInvalidClient},
		{"WithAuthMethod(post)", []Option{WithAuthMethod(core.AuthSecretPost)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := OIDC("idp", op.Issuer(), testClientID, testClientSecret, tt.opts...)
			_, err = (&oidcEnv{op: op, auth: newTestAuth(t, op, p, err)}).login(t, core.BeginOptions{})
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
