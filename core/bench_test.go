package core

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-resty/resty/v2"
)

// BenchmarkExchange compares a full code exchange through Client with the
// floor: a plain resty POST of the same form to the same loopback server and
// a JSON decode of the same answer into a struct. Read the ratio of the two
// from one run:
//
//	go test ./core -run '^$' -bench Exchange -benchmem -count 5
func BenchmarkExchange(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(okToken))
	}))
	defer srv.Close()
	ctx := context.Background()

	b.Run("core", func(b *testing.B) {
		c, err := NewClient(Config{ClientID: "client-1", ClientSecret: "s3cret-value",
			Endpoints: Endpoints{TokenURL: srv.URL + "/token"}, RedirectURL: "http://127.0.0.1:8000/callback"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			tok, err := c.Exchange(ctx, "code-abc", WithPKCE("verifier-xyz"))
			if err != nil || tok.AccessToken != "at-123" {
				b.Fatal(tok, err)
			}
		}
	})

	b.Run("resty-floor", func(b *testing.B) {
		rc := httpx.Resty(nil)
		type answer struct {
			AccessToken  string `json:"access_token"`
			TokenType    string `json:"token_type"`
			ExpiresIn    int    `json:"expires_in"`
			RefreshToken string `json:"refresh_token"`
			Scope        string `json:"scope"`
		}
		b.ReportAllocs()
		for b.Loop() {
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
	})
}

var _ = resty.New
