package testkit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
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

func TestGet(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "page at "+r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	if got := string(testkit.Get(t, srv.URL+"/x")); got != "page at /x" {
		t.Errorf("Get = %q", got)
	}
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("seen"); err == nil {
			_, _ = io.WriteString(w, "cookie kept")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		http.Redirect(w, r, "/next", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c := testkit.Browser(t)
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound || c.Timeout == 0 {
		t.Fatalf("redirect followed (%d) or no timeout (%v)", resp.StatusCode, c.Timeout)
	}
	resp, err = c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(b) != "cookie kept" {
		t.Errorf("the jar lost the cookie: %d %s", resp.StatusCode, b)
	}
}
