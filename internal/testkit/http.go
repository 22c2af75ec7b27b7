package testkit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
