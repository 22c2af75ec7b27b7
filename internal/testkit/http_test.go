package testkit_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

func TestHandlerTransport(t *testing.T) {
	t.Parallel()
	var host, body string
	rt := testkit.HandlerTransport(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host = r.Host
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.Header().Set("Location", "https://app.example/cb?code=c")
		w.WriteHeader(http.StatusFound)
	}))
	resp, err := testkit.NoRedirectClient(rt).Post("https://idp.example/authorize", "text/plain", strings.NewReader("x=1"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") == "" {
		t.Errorf("redirect followed or lost: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if host != "idp.example" || body != "x=1" {
		t.Errorf("handler saw host %q body %q", host, body)
	}
}
