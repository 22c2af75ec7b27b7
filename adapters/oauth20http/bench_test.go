package oauth20http_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// benchAuth is an Auth for an oidctest provider on loopback.
func benchAuth(b *testing.B) (*core.Auth, *oidctest.Server) {
	const redirect = "http://127.0.0.1:8000/auth/oidc/callback"
	op := oidctest.New(b, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: "app", Secret: "app-secret-value", RedirectURIs: []string{redirect},
	}))
	auth := core.New().SealingKeys(testKey).BaseURL("http://127.0.0.1:8000/auth").
		Provider(adaptertest.OIDCTestProvider(op, "oidc", "app", "app-secret-value", false)).MustBuild()
	b.Cleanup(func() { _ = auth.Close() })
	return auth, op
}

// BenchmarkBegin measures core.Auth.Begin: state, PKCE, the sealed flow
// cookie and the authorization URL (no network I/O for a provider with
// fixed endpoints).
//
//	go test ./adapters/oauth20http -run '^$' -bench 'Begin|Complete' -benchmem
func BenchmarkBegin(b *testing.B) {
	auth, _ := benchAuth(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := auth.Begin(ctx, "oidc", core.BeginOptions{ReturnTo: "/me"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComplete measures core.Auth.Complete against oidctest on
// loopback: the flow cookie checks, the code exchange (a real HTTP round
// trip) and the userinfo call (another). Each iteration gets a fresh code
// from the provider's authorization endpoint with the timer stopped.
func BenchmarkComplete(b *testing.B) {
	auth, _ := benchAuth(b)
	ctx := context.Background()
	noFollow := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		loc, cookie, err := auth.Begin(ctx, "oidc", core.BeginOptions{})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := noFollow.Get(loc)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.Fatal(err)
		}
		params, cookies := cb.Query(), func(name string) (string, bool) { return cookie.Value, name == cookie.Name }
		b.StartTimer()
		res, _, err := auth.Complete(ctx, "oidc", params, cookies)
		if err != nil || res.User.ID == "" {
			b.Fatal(res, err)
		}
	}
}
