package bench

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"net/url"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/benchkit"
	"github.com/go-oauth20/oauth20/providers"
)

const (
	clientID     = "app"
	clientSecret = "app-secret-value"
	redirectURL  = "http://127.0.0.1:8000/auth/oidc/callback"
)

// newProvider starts an in-process OpenID provider on loopback. ES256 keeps
// the provider's own signing from drowning the clients' costs.
func newProvider(b *testing.B) *oidctest.Server {
	return oidctest.New(b, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: clientID, Secret: clientSecret, RedirectURIs: []string{redirectURL},
	}))
}

// noFollow fetches authorization URLs without following the redirect to
// the callback, so that the code can be read from Location.
var noFollow = &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// authorize runs the provider's authorization endpoint (automatic consent)
// and returns the callback's query.
func authorize(b *testing.B, u string) url.Values {
	resp, err := noFollow.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		b.Fatal(err)
	}
	q := cb.Query()
	if q.Get("code") == "" {
		b.Fatalf("no code in the callback: %v", q)
	}
	return q
}

// BenchmarkComplete compares the login callback of core.Auth.Complete (flow
// cookie opened and checked, state used once, code exchanged, ID token
// verified with nonce and at_hash, UserInfo fetched and matched) with
// golang.org/x/oauth2 and go-oidc making the same calls by hand (state
// compared, code exchanged with the PKCE verifier, ID token verified, nonce
// and at_hash checked, UserInfo fetched and its sub matched). Both talk to
// the same provider over loopback through http.DefaultTransport, with a
// 10-second client timeout and no redirects followed. Getting a fresh code
// from the authorization endpoint is outside the timer. impl=… runs each
// alone; ratio=… runs them in turn, one login each, and reports the ratio
// of their CPU times (cpu-ratio, below 1 when the library is cheaper).
//
//	for i in 1 2 3 4 5 6; do go test ./bench -run '^$' -bench Complete -benchmem -count 1 -benchtime 3s; done > complete.txt
//	benchstat -filter '.unit:cpu-ratio' complete.txt
func BenchmarkComplete(b *testing.B) {
	op := newProvider(b)
	ctx := context.Background()

	// The library: Begin, then the provider's authorization endpoint, then
	// Complete with the callback's query and the flow cookie.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	auth := core.New().SealingKeys(key).BaseURL("http://127.0.0.1:8000/auth").
		Provider(providers.OIDC("oidc", op.Issuer(), clientID, clientSecret)).MustBuild()
	b.Cleanup(func() { _ = auth.Close() })
	// Discovery and the key set are fetched once, as in a running server.
	if _, _, err := auth.Begin(ctx, "oidc", core.BeginOptions{}); err != nil {
		b.Fatal(err)
	}
	ours := func(cpu *benchkit.CPU, ops int) {
		for range ops {
			loc, cookie, err := auth.Begin(ctx, "oidc", core.BeginOptions{})
			if err != nil {
				b.Fatal(err)
			}
			params := authorize(b, loc)
			cookies := func(name string) (string, bool) { return cookie.Value, name == cookie.Name }
			cpu.Start()
			res, _, err := auth.Complete(ctx, "oidc", params, cookies)
			cpu.Stop()
			if err != nil || res.User.ID == "" || res.User.Email == "" {
				b.Fatal(res, err)
			}
		}
	}

	// The peers, by hand: the same provider through go-oidc's discovery.
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	pctx := gooidc.ClientContext(ctx, hc)
	provider, err := gooidc.NewProvider(pctx, op.Issuer())
	if err != nil {
		b.Fatal(err)
	}
	verifier := provider.Verifier(&gooidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{"ES256"}})
	conf := &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: provider.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{gooidc.ScopeOpenID, "profile", "email"}}
	type claims struct {
		Subject       string `json:"sub"`
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
		Username      string `json:"preferred_username"`
		Picture       string `json:"picture"`
	}
	complete := func(params url.Values, state, pkce, nonce string) claims {
		if subtle.ConstantTimeCompare([]byte(params.Get("state")), []byte(state)) != 1 {
			b.Fatal("state mismatch")
		}
		tok, err := conf.Exchange(pctx, params.Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(pctx, raw)
		if err != nil {
			b.Fatal(err)
		}
		if idt.Nonce != nonce {
			b.Fatal("nonce mismatch")
		}
		if idt.AccessTokenHash != "" {
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
		var c claims
		if err := idt.Claims(&c); err != nil {
			b.Fatal(err)
		}
		info, err := provider.UserInfo(pctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			b.Fatal(err)
		}
		if info.Subject != idt.Subject {
			b.Fatal("userinfo sub mismatch")
		}
		if err := info.Claims(&c); err != nil {
			b.Fatal(err)
		}
		return c
	}
	peers := func(cpu *benchkit.CPU, ops int) {
		for range ops {
			state, pkce, nonce := rand.Text(), oauth2.GenerateVerifier(), rand.Text()
			params := authorize(b, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce), gooidc.Nonce(nonce)))
			cpu.Start()
			c := complete(params, state, pkce, nonce)
			cpu.Stop()
			if c.Subject == "" || c.Email == "" {
				b.Fatal(c)
			}
		}
	}

	for _, impl := range []struct {
		name string
		run  func(*benchkit.CPU, int)
	}{{"oauth20", ours}, {"x-oauth2+go-oidc", peers}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			// The timer runs with cpu: around the callback only.
			cpu := benchkit.CPU{Timer: b}
			b.ReportAllocs()
			b.StopTimer()
			impl.run(&cpu, b.N)
			b.StartTimer()
			cpu.Report(b)
		})
	}
	b.Run("ratio=x-oauth2+go-oidc", func(b *testing.B) {
		benchkit.Interleave(b, 1, ours, peers)
	})
}
