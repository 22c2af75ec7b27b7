package core

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/benchkit"
	"github.com/go-oauth20/oauth20/internal/httpx"
)

// cannedTransport answers every request with the same token answer without
// touching the network: it reads the request body as a server would and
// hands back a fresh response. Benchmarks over it measure the client alone.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       r,
	}, nil
}

// BenchmarkExchange compares a full code exchange through Client with the
// floor: a plain resty POST of the same form (through the same safe HTTP
// client: timeout, no redirects, capped body) and a JSON decode of the
// answer into a struct. It runs over a loopback server and over a canned
// transport, which leaves the client's own cost. Read the ratio with
// benchstat from interleaved passes (see CONTRIBUTING.md): each
// implementation alone (impl=…), and the two run in turn in small blocks,
// whose CPU-time ratio is reported as cpu-ratio (ratio=resty).
//
//	for i in 1 2 3 4 5 6; do go test ./core -run '^$' -bench 'Exchange|AuthCodeURL' -benchmem -count 1; done > core.txt
//	benchstat -filter '.unit:cpu-ratio' core.txt
func BenchmarkExchange(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okToken))
	}))
	defer srv.Close()
	ctx := context.Background()
	transports := []struct {
		name  string
		hc    *http.Client
		block int // operations per turn of the interleaved comparison
	}{
		{"loopback", nil, 20},
		{"canned", &http.Client{Transport: cannedTransport{[]byte(okToken)}}, 200},
	}
	type answer struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
		Scope        string `json:"scope"`
	}
	for _, tr := range transports {
		c, err := NewClient(Config{ClientID: "client-1", ClientSecret: "s3cret-value", HTTPClient: tr.hc,
			Endpoints: Endpoints{TokenURL: srv.URL + "/token"}, RedirectURL: "http://127.0.0.1:8000/callback"})
		if err != nil {
			b.Fatal(err)
		}
		ours := func() {
			tok, err := c.Exchange(ctx, "code-abc", WithPKCE("verifier-xyz"))
			if err != nil || tok.AccessToken != "at-123" {
				b.Fatal(tok, err)
			}
		}
		rc := httpx.Resty(tr.hc)
		floor := func() {
			resp, err := rc.R().SetContext(ctx).
				SetBasicAuth("client-1", "s3cret-value").
				SetHeader("Accept", "application/json").
				SetFormData(map[string]string{
					"grant_type": "authorization_code", "code": "code-abc",
					"redirect_uri": "http://127.0.0.1:8000/callback", "code_verifier": "verifier-xyz",
				}).
				Post(srv.URL + "/token")
			if err != nil {
				b.Fatal(err)
			}
			var a answer
			if err := json.Unmarshal(resp.Body(), &a); err != nil || a.AccessToken != "at-123" {
				b.Fatal(a, err)
			}
		}
		for _, impl := range []struct {
			name string
			f    func()
		}{{"oauth20", ours}, {"resty", floor}} {
			b.Run("transport="+tr.name+"/impl="+impl.name, func(b *testing.B) {
				var cpu benchkit.CPU
				b.ReportAllocs()
				cpu.Start()
				for b.Loop() {
					impl.f()
				}
				cpu.Report(b)
			})
		}
		b.Run("transport="+tr.name+"/ratio=resty", func(b *testing.B) {
			benchkit.Interleave(b, tr.block, benchkit.Loop(ours), benchkit.Loop(floor))
		})
	}
}

// BenchmarkAuthCodeURL compares the authorization URL of a login (state,
// PKCE S256 challenge computed from the verifier, nonce) with the same URL
// written by hand into a strings.Builder and built with url.Values. Every
// implementation computes the challenge and escapes every value. The
// ratio=… sub-benchmarks run AuthCodeURL and a floor in turn and report
// their CPU-time ratio.
func BenchmarkAuthCodeURL(b *testing.B) {
	const (
		authURL  = "https://op.example/oauth2/authorize"
		redirect = "https://rp.example/auth/google/callback"
		state    = "Xk3v9Qm2cP0aT7sLwY4eRb8nHj1uZ6dG5fKq-oIx_Ac"
		verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
		nonce    = "q8Rz2Wm5Yt1Lk9Vb3Nc7Xa0Ps4Dh6Fg"
	)
	c, err := NewClient(Config{ClientID: "1234567890-abc.apps.example", ClientSecret: "s",
		Endpoints:   Endpoints{AuthURL: authURL, TokenURL: "https://op.example/token"},
		RedirectURL: redirect, Scopes: []string{"openid", "profile", "email"}})
	if err != nil {
		b.Fatal(err)
	}
	challenge := func() string {
		sum := sha256.Sum256([]byte(verifier))
		return base64.RawURLEncoding.EncodeToString(sum[:])
	}
	want := c.AuthCodeURL(state, WithPKCE(verifier), WithParam("nonce", nonce))
	impls := []struct {
		name string
		f    func() string
	}{
		{"oauth20", func() string { return c.AuthCodeURL(state, WithPKCE(verifier), WithParam("nonce", nonce)) }},
		{"builder", func() string {
			var sb strings.Builder
			sb.Grow(512)
			sb.WriteString(authURL)
			sb.WriteString("?response_type=code&client_id=")
			sb.WriteString(url.QueryEscape("1234567890-abc.apps.example"))
			sb.WriteString("&redirect_uri=")
			sb.WriteString(url.QueryEscape(redirect))
			sb.WriteString("&scope=")
			sb.WriteString(strings.ReplaceAll(url.QueryEscape("openid profile email"), "+", "%20"))
			sb.WriteString("&state=")
			sb.WriteString(url.QueryEscape(state))
			sb.WriteString("&code_challenge=")
			sb.WriteString(url.QueryEscape(challenge()))
			sb.WriteString("&code_challenge_method=S256&nonce=")
			sb.WriteString(url.QueryEscape(nonce))
			return sb.String()
		}},
		{"url.Values", func() string {
			v := url.Values{
				"response_type": {"code"}, "client_id": {"1234567890-abc.apps.example"}, "redirect_uri": {redirect},
				"scope": {"openid profile email"}, "state": {state}, "code_challenge": {challenge()},
				"code_challenge_method": {"S256"}, "nonce": {nonce},
			}
			return authURL + "?" + v.Encode()
		}},
	}
	for _, impl := range impls {
		got := impl.f()
		if impl.name == "builder" && got != want {
			b.Fatalf("the hand-built URL differs:\n got %s\nwant %s", got, want)
		}
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if impl.f() == "" {
					b.Fatal("empty URL")
				}
			}
		})
	}
	op := func(f func() string) func() {
		return func() {
			if f() == "" {
				b.Fatal("empty URL")
			}
		}
	}
	for _, floor := range impls[1:] {
		b.Run("ratio="+floor.name, func(b *testing.B) {
			benchkit.Interleave(b, 2000, benchkit.Loop(op(impls[0].f)), benchkit.Loop(op(floor.f)))
		})
	}
}
