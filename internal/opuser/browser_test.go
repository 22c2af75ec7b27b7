package opuser_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

func TestBrowser(t *testing.T) {
	t.Parallel()
	fresh := opuser.Browser(nil)
	if fresh.Jar == nil || fresh.CheckRedirect == nil {
		t.Fatal("Browser(nil) has no jar or follows redirects")
	}
	given := &http.Client{Jar: fresh.Jar}
	c := opuser.Browser(given)
	if c == given || c.Jar != given.Jar || given.CheckRedirect != nil {
		t.Error("Browser changed the client given or dropped its jar")
	}
	if err := c.CheckRedirect(nil, nil); err != http.ErrUseLastResponse {
		t.Errorf("CheckRedirect = %v", err)
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	var got struct{ method, accept, ctype, body string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.method, got.accept, got.ctype, got.body = r.Method, r.Header.Get("Accept"), r.Header.Get("Content-Type"), string(b)
		switch path.Base(r.URL.Path) {
		case "moved":
			http.Redirect(w, r, "../next?x=1", http.StatusFound)
		case "lost":
			w.WriteHeader(http.StatusFound)
		default:
			_, _ = io.WriteString(w, "a page")
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c := opuser.Browser(srv.Client())
	at := func(path string) *url.URL {
		u, _ := url.Parse(srv.URL + path)
		return u
	}

	p, err := opuser.Fetch(ctx, c, http.MethodPost, at("/a/page"), url.Values{"login": {"alice"}})
	if err != nil || p.Status != http.StatusOK || p.Next != nil || p.Body != "a page" {
		t.Fatalf("POST: %+v, %v", p, err)
	}
	if got.method != http.MethodPost || got.accept != "text/html" || got.ctype != "application/x-www-form-urlencoded" || got.body != "login=alice" {
		t.Errorf("the server saw %+v", got)
	}
	p, err = opuser.Fetch(ctx, c, http.MethodGet, at("/a/moved"), url.Values{"ignored": {"1"}})
	if err != nil || p.Status != http.StatusFound || p.Next == nil || p.Next.String() != srv.URL+"/next?x=1" {
		t.Fatalf("redirect: %+v, %v", p, err)
	}
	if got.method != http.MethodGet || got.body != "" {
		t.Errorf("a GET sent %s with body %q", got.method, got.body)
	}
	if _, err := opuser.Fetch(ctx, c, http.MethodGet, at("/lost"), nil); err == nil || !strings.Contains(err.Error(), "redirect without Location") {
		t.Errorf("redirect without Location: %v", err)
	}
}

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"http://127.0.0.1:4444/oauth2/auth", "HTTP://127.0.0.1:4444/login?x", true},
		{"http://127.0.0.1:4444/", "http://127.0.0.1:4445/", false},
		{"http://127.0.0.1:4444/", "https://127.0.0.1:4444/", false},
		{"http://localhost:4444/", "http://127.0.0.1:4444/", false},
	} {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := opuser.SameOrigin(a, b); got != tt.want {
			t.Errorf("SameOrigin(%s, %s) = %t", tt.a, tt.b, got)
		}
	}
}
