package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fault is one way a provider endpoint misbehaves on the wire.
type fault string

const (
	faultNone      fault = ""
	faultTimeout   fault = "timeout"   // never answers
	faultHangUp    fault = "hang up"   // closes the connection mid-body
	fault500       fault = "500"       // Internal Server Error, HTML
	fault503       fault = "503"       // Service Unavailable with Retry-After
	fault429       fault = "429"       // Too Many Requests
	faultHTML      fault = "HTML"      // 200 with an HTML page
	faultHuge      fault = "5 MiB"     // 200 with a 5 MiB body
	faultBadUTF8   fault = "bad UTF-8" // 200 with invalid UTF-8
	faultRedirect  fault = "redirect"  // 302 to another host
	faultLeakCheck       = "leaked-secret-marker"
)

var allFaults = []fault{faultTimeout, faultHangUp, fault500, fault503, fault429, faultHTML, faultHuge, faultBadUTF8, faultRedirect}

// faultProxy is a forward HTTP proxy that the library's HTTP client goes
// through. It relays requests to the real provider, except for the path it
// was told to break, which gets the fault instead. The provider, its
// issuer and its URLs stay exactly as they are.
type faultProxy struct {
	*httptest.Server
	mu    sync.Mutex
	path  string
	fault fault
	hits  int
	// rewrite, when set, changes the provider's answers to requests for
	// rewritePath before they reach the library (a malicious network or
	// provider).
	rewritePath string
	rewrite     func(body []byte) []byte
}

func newFaultProxy(t *testing.T) *faultProxy {
	p := &faultProxy{}
	relay := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.Out.URL = r.In.URL
		r.Out.Host = r.In.URL.Host
	}, ModifyResponse: func(resp *http.Response) error {
		p.mu.Lock()
		path, rewrite := p.rewritePath, p.rewrite
		p.mu.Unlock()
		if rewrite == nil || resp.Request.URL.Path != path {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		body = rewrite(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		f := faultNone
		if r.URL.Path == p.path {
			f = p.fault
			p.hits++
		}
		p.mu.Unlock()
		if f == faultNone {
			relay.ServeHTTP(w, r)
			return
		}
		inject(w, r, f)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *faultProxy) set(path string, f fault) {
	p.mu.Lock()
	p.path, p.fault, p.hits = path, f, 0
	p.mu.Unlock()
}

func (p *faultProxy) setRewrite(path string, f func([]byte) []byte) {
	p.mu.Lock()
	p.rewritePath, p.rewrite = path, f
	p.mu.Unlock()
}

func (p *faultProxy) hitCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits
}

// client returns an HTTP client that goes through the proxy.
func (p *faultProxy) transport() *http.Transport {
	u, _ := url.Parse(p.URL)
	return &http.Transport{Proxy: http.ProxyURL(u)}
}

func inject(w http.ResponseWriter, r *http.Request, f fault) {
	switch f {
	case faultTimeout:
		// The server notices a client hanging up only once the body is
		// read, so read it before waiting for the client to give up.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	case faultHangUp:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"access_token":"` + faultLeakCheck))
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	case fault500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body>Internal Server Error " + faultLeakCheck + "</body></html>"))
	case fault503:
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	case fault429:
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusTooManyRequests)
	case faultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>Login</title></head><body>" + faultLeakCheck + "</body></html>"))
	case faultHuge:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"x":"`))
		_, _ = w.Write(bytes.Repeat([]byte("a"), 5<<20))
		_, _ = w.Write([]byte(`"}`))
	case faultBadUTF8:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{\"access_token\":\"\xff\xfe\xfd\",\"keys\":[\xc3\x28]}"))
	case faultRedirect:
		http.Redirect(w, r, "http://127.0.0.1:1/elsewhere?"+strings.Repeat("x", 10), http.StatusFound)
	}
}
