package oidctest

import (
	"maps"
	"net/http"
	"net/url"
)

// maxRecorded is how many requests per endpoint Requests keeps (the latest
// ones), so that a long-running demo does not grow without bound.
const maxRecorded = 1000

// Request is a request the server received, as recorded for assertions. It
// holds credentials and tokens verbatim: it is meant for tests.
type Request struct {
	Method string
	// Query is the URL query.
	Query url.Values
	// Form is the form-encoded body of a POST (empty otherwise).
	Form   url.Values
	Header http.Header
}

// recordLocked counts and records r. The caller holds s.mu and has parsed
// the form.
func (s *Server) recordLocked(ep Endpoint, r *http.Request) {
	s.counts[ep]++
	rec := Request{
		Method: r.Method,
		Query:  r.URL.Query(),
		Form:   cloneValues(r.PostForm),
		Header: r.Header.Clone(),
	}
	list := append(s.requests[ep], rec)
	if len(list) > maxRecorded {
		list = append([]Request(nil), list[len(list)-maxRecorded:]...)
	}
	s.requests[ep] = list
}

// Count returns how many requests an endpoint has received, whatever their
// outcome, since the server started or ResetRequests was called.
func (s *Server) Count(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[ep]
}

// Counts returns the request count of every endpoint that was called.
func (s *Server) Counts() map[Endpoint]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Requests returns copies of the requests an endpoint received, oldest
// first (at most the latest 1000).
func (s *Server) Requests(ep Endpoint) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests[ep]))
	for i, r := range s.requests[ep] {
		out[i] = Request{Method: r.Method, Query: cloneValues(r.Query), Form: cloneValues(r.Form), Header: r.Header.Clone()}
	}
	return out
}

// ResetRequests forgets every recorded request and sets all counts to zero.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.requests)
	clear(s.counts)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
