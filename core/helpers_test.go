package core

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// recorded is one request a fake server received.
type recorded struct {
	Method   string
	Path     string
	Query    url.Values
	RawQuery string
	Header   http.Header
	Body     string
	Form     url.Values // parsed body when form-encoded
}

// fakeServer is an authorization server that answers each path with a
// canned response and records every request.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	reqs     []recorded
	handlers map[string]http.HandlerFunc
}

func newFakeServer(t testing.TB) *fakeServer {
	t.Helper()
	f := &fakeServer{handlers: map[string]http.HandlerFunc{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)}
		if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			rec.Form, _ = url.ParseQuery(string(body))
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, rec)
		h := f.handlers[r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// answer makes path answer with status, content type and body.
func (f *fakeServer) answer(path string, status int, contentType, body string) {
	f.handle(path, func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func (f *fakeServer) handle(path string, h http.HandlerFunc) {
	f.mu.Lock()
	f.handlers[path] = h
	f.mu.Unlock()
}

func (f *fakeServer) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeServer) last(t testing.TB) recorded {
	t.Helper()
	r := f.requests()
	if len(r) == 0 {
		t.Fatal("the server received no request")
	}
	return r[len(r)-1]
}

func (f *fakeServer) endpoints() Endpoints {
	return Endpoints{
		AuthURL: f.URL + "/authorize", TokenURL: f.URL + "/token", RevocationURL: f.URL + "/revoke",
		IntrospectionURL: f.URL + "/introspect", DeviceAuthURL: f.URL + "/device", UserInfoURL: f.URL + "/userinfo",
	}
}

// newTestClient builds a client against f with a secret and the given
// changes applied to the config.
func newTestClient(t testing.TB, f *fakeServer, edit func(*Config)) *Client {
	t.Helper()
	// The server's own client: the default transport is shared by every
	// parallel test, and closing any httptest server closes its idle
	// connections under the others' requests.
	cfg := Config{ClientID: "client-1", ClientSecret: "s3cret-value", Endpoints: f.endpoints(),
		RedirectURL: "http://127.0.0.1:8000/callback", Clock: newFakeClock(), HTTPClient: f.Client()}
	if edit != nil {
		edit(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// newFakeClock returns a clock whose After advances time at once and
// records the waits asked for.
func newFakeClock() *testkit.Clock { return testkit.NewAutoClock(time.Unix(1_700_000_000, 0)) }

const okToken = `{"access_token":"at-123","token_type":"bearer","expires_in":3600,"refresh_token":"rt-456","scope":"read write"}`

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func runtimeGosched() { runtime.Gosched() }

// okFalseDetector detects Slack-style {"ok": false, "error": "..."}: a
// detector of the kind providers write, for the pipeline's tests.
func okFalseDetector(codes map[string]ErrorCode) errorDetector {
	return func(status int, body map[string]any) *Error {
		ok, present := body["ok"].(bool)
		if !present || ok {
			return nil
		}
		pc := jsonmap.String(body, "error")
		e := &Error{Code: CodeProviderError, ProviderCode: pc, StatusCode: status}
		if std, found := codes[pc]; found {
			e.Code = std
		}
		return e
	}
}

// statusOf returns the status of the *CallbackError in err's chain, else 500.
func statusOf(err error) int {
	var ce *CallbackError
	if errors.As(err, &ce) {
		return ce.Status
	}
	return http.StatusInternalServerError
}
