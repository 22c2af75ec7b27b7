package dpop

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestTransport: the token goes as DPoP with a proof; a nonce challenge is
// retried once with the nonce and the body replayed; the nonce is kept.
func TestTransport(t *testing.T) {
	t.Parallel()
	k, err := GenerateKey(EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var nonces, bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		c := jwt.MapClaims{}
		if _, err := jwt.NewParser().ParseWithClaims(r.Header.Get("DPoP"), c, func(*jwt.Token) (any, error) { return k.Signer().Public(), nil }); err != nil ||
			r.Header.Get("Authorization") != "DPoP at-1" || c["ath"] == nil || c["htm"] != r.Method {
			t.Errorf("request %d: authorization %q, proof %v (%v)", n, r.Header.Get("Authorization"), c, err)
		}
		nonce, _ := c["nonce"].(string)
		nonces = append(nonces, nonce)
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if nonce == "" {
			w.Header().Set("DPoP-Nonce", "n-1")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{Transport: &Transport{Key: k, Token: func(context.Context) (string, error) { return "at-1", nil }}}
	for i := 0; i < 2; i++ {
		resp, err := hc.Post(srv.URL+"/api?x=1", "text/plain", strings.NewReader("payload"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("answer %d %q", resp.StatusCode, b)
		}
	}
	if got := strings.Join(nonces, ","); got != ",n-1,n-1" {
		t.Errorf("nonces %q, want a challenge, a retry, then the kept nonce", got)
	}
	if got := strings.Join(bodies, ","); got != "payload,payload,payload" {
		t.Errorf("bodies %q", got)
	}
}
