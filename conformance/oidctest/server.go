package oidctest

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Endpoint names one endpoint of the server. Its value is the endpoint's
// path below the issuer.
type Endpoint string

// The server's endpoints.
const (
	DiscoveryEndpoint     Endpoint = "/.well-known/openid-configuration"
	AuthorizeEndpoint     Endpoint = "/authorize"
	TokenEndpoint         Endpoint = "/token"
	UserInfoEndpoint      Endpoint = "/userinfo"
	JWKSEndpoint          Endpoint = "/jwks"
	RevocationEndpoint    Endpoint = "/revoke"
	IntrospectionEndpoint Endpoint = "/introspect"
	EndSessionEndpoint    Endpoint = "/end_session"
)

// endpoints lists every Endpoint in a fixed order.
var endpoints = []Endpoint{
	DiscoveryEndpoint, AuthorizeEndpoint, TokenEndpoint, UserInfoEndpoint,
	JWKSEndpoint, RevocationEndpoint, IntrospectionEndpoint, EndSessionEndpoint,
}

func validEndpoint(ep Endpoint) bool { return slices.Contains(endpoints, ep) }

// maxBody caps every request body the server reads.
const maxBody = 64 << 10

// Server is an OpenID provider running in-process on an httptest server.
// All its methods are safe for concurrent use, also while it serves
// requests.
type Server struct {
	cfg    Config // immutable after Start
	http   *httptest.Server
	issuer string
	// origin is the scheme and host:port the server listens on; played
	// holds the other hosts it answers for through Transport.
	origin *url.URL
	played map[string]bool
	urls   map[Endpoint]string
	done   chan struct{}
	once   sync.Once

	mu       sync.Mutex // guards everything below
	clients  map[string]Client
	user     User
	faults   Faults
	keys     keyring
	store    store
	requests map[Endpoint][]Request
	counts   map[Endpoint]int
	// delayHook, when set by a test, is called as a request starts its
	// delay.
	delayHook func(Endpoint)
}

// New starts a Server for a test and closes it when the test ends. It
// stops the test with Fatal if the configuration is invalid.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var cfg Config
	for _, o := range opts {
		o(&cfg)
	}
	s, err := Start(cfg)
	if err != nil {
		tb.Fatalf("oidctest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a Server outside a test, for example as the provider of a
// demo on a fixed address. The caller must call Close.
func Start(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		done:     make(chan struct{}),
		clients:  make(map[string]Client, len(cfg.Clients)),
		user:     cfg.User.clone(),
		store:    newStore(),
		requests: make(map[Endpoint][]Request),
		counts:   make(map[Endpoint]int),
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = c
	}
	if s.keys, err = newKeyring(cfg.Algorithm); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("oidctest: listen: %w", err)
	}
	scheme := "http"
	if cfg.TLS {
		scheme = "https"
	}
	s.origin = &url.URL{Scheme: scheme, Host: issuerHost(cfg.Addr, l.Addr())}
	s.issuer = s.origin.String() + cfg.IssuerPath
	if cfg.Issuer != "" {
		s.issuer = cfg.Issuer
	}
	s.placeEndpoints()
	h, err := s.handler()
	if err != nil {
		_ = l.Close()
		return nil, err
	}
	s.http = &httptest.Server{
		Listener: l,
		Config:   &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
	}
	if cfg.TLS {
		s.http.StartTLS()
	} else {
		s.http.Start()
	}
	return s, nil
}

// issuerHost returns the host:port of the issuer: the host the caller asked
// for (127.0.0.1 when unspecified) with the port actually bound.
func issuerHost(addr string, bound net.Addr) string {
	host, _, _ := net.SplitHostPort(addr)
	_, port, _ := net.SplitHostPort(bound.String())
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Close stops the server. Delayed requests end at once; Close waits for the
// other requests in flight. Calling Close again does nothing.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.http.Close()
	})
}

// Issuer returns the issuer identifier, such as "http://127.0.0.1:41234",
// or Config.Issuer when set.
func (s *Server) Issuer() string { return s.issuer }

// tokenIssuer is the iss of the ID tokens the server signs.
func (s *Server) tokenIssuer() string {
	if s.cfg.TokenIssuer != "" {
		return s.cfg.TokenIssuer
	}
	return s.issuer
}

// URL returns the absolute URL of an endpoint: below the issuer unless
// Config.Endpoints moved it.
func (s *Server) URL(ep Endpoint) string { return s.urls[ep] }

// placeEndpoints computes every endpoint's URL.
func (s *Server) placeEndpoints() {
	base := strings.TrimSuffix(s.issuer, "/")
	s.urls = make(map[Endpoint]string, len(endpoints))
	for _, ep := range endpoints {
		s.urls[ep] = s.resolve(base, string(ep))
		if u := s.cfg.Endpoints[ep]; u != "" && ep != DiscoveryEndpoint {
			s.urls[ep] = s.resolve(base, u)
		}
	}
}

// resolve turns a path below base or an absolute URL into an absolute URL.
func (s *Server) resolve(base, u string) string {
	if strings.HasPrefix(u, "/") {
		return base + u
	}
	return u
}

// HTTPClient returns a new HTTP client for the server: its Transport, so it
// reaches the hosts the server plays, and it trusts the server's
// certificate when Config.TLS is set. Clients returned by different calls
// share one transport, whose idle connections Close closes, but changing
// one client (say its CheckRedirect) does not change the others.
func (s *Server) HTTPClient() *http.Client {
	c := *s.http.Client()
	c.Transport = s.Transport()
	return &c
}

// Transport returns a transport that sends the requests for every host the
// server plays (Config.Issuer, Config.Endpoints, Config.Handlers) to the
// server, whatever their scheme, with the host they named in their Host
// header; requests for other hosts go out unchanged. It trusts the server's
// certificate when Config.TLS is set.
func (s *Server) Transport() http.RoundTripper {
	return playTransport{s: s, base: s.http.Client().Transport}
}

type playTransport struct {
	s    *Server
	base http.RoundTripper
}

func (t playTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if !t.s.played[strings.ToLower(r.URL.Host)] {
		return t.base.RoundTrip(r)
	}
	out := r.Clone(r.Context())
	if out.Host == "" {
		out.Host = r.URL.Host
	}
	out.URL.Scheme, out.URL.Host = t.s.origin.Scheme, t.s.origin.Host
	return t.base.RoundTrip(out)
}

// handler routes every endpoint through s.serve, and Config.Handlers
// beside them. A request is routed by its host and path; one for the
// server's own address also by its path alone, so that "localhost" reaches
// a server that names 127.0.0.1.
func (s *Server) handler() (http.Handler, error) {
	byURL := map[string]http.Handler{}
	byPath := map[string]http.Handler{}
	s.played = map[string]bool{}
	add := func(raw string, h http.Handler) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("%w: %q is not a URL", ErrInvalidConfig, raw)
		}
		host := strings.ToLower(u.Host)
		key := host + u.EscapedPath()
		if _, dup := byURL[key]; dup {
			return fmt.Errorf("%w: two handlers for %q", ErrInvalidConfig, raw)
		}
		byURL[key] = h
		if host == s.origin.Host {
			byPath[u.EscapedPath()] = h
		} else {
			s.played[host] = true
		}
		return nil
	}
	handlers := map[Endpoint]endpointHandler{
		DiscoveryEndpoint:     {[]string{http.MethodGet}, s.discovery},
		AuthorizeEndpoint:     {[]string{http.MethodGet, http.MethodPost}, s.authorize},
		TokenEndpoint:         {[]string{http.MethodPost}, s.token},
		UserInfoEndpoint:      {[]string{http.MethodGet, http.MethodPost}, s.userinfo},
		JWKSEndpoint:          {[]string{http.MethodGet}, s.jwks},
		RevocationEndpoint:    {[]string{http.MethodPost}, s.revoke},
		IntrospectionEndpoint: {[]string{http.MethodPost}, s.introspect},
		EndSessionEndpoint:    {[]string{http.MethodGet, http.MethodPost}, s.endSession},
	}
	for _, ep := range endpoints {
		if err := add(s.URL(ep), s.serve(ep, handlers[ep])); err != nil {
			return nil, err
		}
	}
	base := strings.TrimSuffix(s.issuer, "/")
	for _, raw := range slices.Sorted(maps.Keys(s.cfg.Handlers)) {
		if err := add(s.resolve(base, raw), s.cfg.Handlers[raw]); err != nil {
			return nil, err
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		h := byURL[strings.ToLower(r.Host)+path]
		if h == nil {
			h = byPath[path]
		}
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}), nil
}

// endpointHandler is one endpoint: the methods it allows and its handler,
// which receives the endpoint's error fault (nil when none is set).
type endpointHandler struct {
	methods []string
	serve   func(w http.ResponseWriter, r *http.Request, fault *ErrorResponse)
}

// serve wraps every endpoint: it caps and parses the body, records and
// counts the request, applies the endpoint's delay and error fault, and
// checks the method.
func (s *Server) serve(ep Endpoint, h endpointHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		parseErr := r.ParseForm()

		s.mu.Lock()
		s.recordLocked(ep, r)
		fault, delay := s.takeFaultLocked(ep)
		hook := s.delayHook
		s.mu.Unlock()

		if delay > 0 {
			if hook != nil {
				hook(ep)
			}
			if !s.wait(r.Context(), delay) {
				return
			}
		}
		if !slices.Contains(h.methods, r.Method) {
			w.Header().Set("Allow", strings.Join(h.methods, ", "))
			writeError(w, newError(http.StatusMethodNotAllowed, "invalid_request", "method not allowed"))
			return
		}
		if fault != nil && ep != AuthorizeEndpoint {
			fault.write(w, ep)
			return
		}
		if parseErr != nil {
			writeError(w, errInvalidRequest("malformed request body"))
			return
		}
		h.serve(w, r, fault)
	})
}

// wait blocks for d, and reports false if the request or the server ended
// first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// now returns the server clock's time, truncated to seconds as JWT
// NumericDates are.
func (s *Server) now() time.Time { return s.cfg.Now().Truncate(time.Second) }
