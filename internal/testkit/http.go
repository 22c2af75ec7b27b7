package testkit

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"
)

// NoRedirectClient returns an HTTP client that does not follow redirects,
// so that a test reads the Location of a 302 itself (the callback URL of an
// authorization request, say). rt is its transport; nil means
// http.DefaultTransport.
func NoRedirectClient(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport:     rt,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Browser returns an HTTP client for a test that plays a browser against
// servers on loopback: a fresh cookie jar, redirects returned rather than
// followed (set CheckRedirect to follow them), a 30-second timeout, and a
// transport of its own whose idle connections are closed when the test
// ends (the httptest servers of parallel tests close those of
// http.DefaultTransport when they stop).
func Browser(tb testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tb.Cleanup(tr.CloseIdleConnections)
	c := NoRedirectClient(tr)
	c.Jar, c.Timeout = jar, 30*time.Second
	return c
}

// HandlerTransport returns a transport that answers every request with h,
// in process and whatever the request's scheme and host, so that a test can
// play a provider on its real https URLs. h sees the request as sent: its
// Host is the URL's host.
func HandlerTransport(h http.Handler) http.RoundTripper {
	return handlerTransport{h}
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	in := r.Clone(r.Context())
	if in.Host == "" {
		in.Host = r.URL.Host
	}
	in.RequestURI = r.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if r.Body != nil {
		_ = r.Body.Close()
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// WriteJSON answers with status and v encoded as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Get GETs u with http.DefaultClient and returns the body; an answer other
// than 200 stops the test.
func Get(tb testing.TB, u string) []byte {
	tb.Helper()
	resp, err := http.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %d\n%s", u, resp.StatusCode, b)
	}
	return b
}
