package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// opServer serves a metadata document built from the server's own URL.
type opServer struct {
	*httptest.Server
	hits atomic.Int64
	doc  func(base string) string
	path string
}

func newOPServer(t *testing.T, path string, doc func(base string) string) *opServer {
	t.Helper()
	s := &opServer{doc: doc, path: path}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != s.path {
			http.NotFound(w, r)
			return
		}
		s.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(s.doc(s.URL)))
	}))
	t.Cleanup(s.Close)
	return s
}

func metadataDoc(issuer, base string, extra string) string {
	return `{"issuer":"` + issuer + `","authorization_endpoint":"` + base + `/authorize","token_endpoint":"` + base + `/token",` +
		`"jwks_uri":"` + base + `/jwks","userinfo_endpoint":"` + base + `/userinfo","end_session_endpoint":"` + base + `/logout",` +
		`"id_token_signing_alg_values_supported":["RS256","ES256","none"],"code_challenge_methods_supported":["S256"],` +
		`"authorization_response_iss_parameter_supported":true,"x-unknown-member":{"a":[1,2]}` + extra + `}`
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		path   string
		doc    func(base string) string
		suffix string // appended to the server URL to form the issuer
		opts   []DiscoverOption
		err    error
	}{
		{name: "openid configuration", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc(b, b, "") }},
		{name: "issuer with path", path: "/tenant/.well-known/openid-configuration", suffix: "/tenant", doc: func(b string) string { return metadataDoc(b+"/tenant", b, "") }},
		{name: "RFC 8414 fallback", path: "/.well-known/oauth-authorization-server/tenant", suffix: "/tenant", doc: func(b string) string { return metadataDoc(b+"/tenant", b, "") }},
		{name: "issuer trailing slash", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc(b+"/", b, "") }, err: ErrIssuerMismatch},
		{name: "issuer other host", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc("https://evil.example", b, "") }, err: ErrIssuerMismatch},
		{name: "issuer upper case", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc(strings.ToUpper(b), b, "") }, err: ErrIssuerMismatch},
		{name: "http token endpoint", path: "/.well-known/openid-configuration", doc: func(b string) string {
			return strings.Replace(metadataDoc(b, b, ""), b+"/token", "http://op.example/token", 1)
		}, err: core.ErrInsecureEndpoint},
		{name: "http jwks allowed when insecure", path: "/.well-known/openid-configuration", opts: []DiscoverOption{InsecureAllowHTTP()}, doc: func(b string) string {
			return strings.Replace(metadataDoc(b, b, ""), b+"/jwks", "http://op.example/jwks", 1)
		}},
		{name: "not JSON", path: "/.well-known/openid-configuration", doc: func(string) string { return "<html>" }, err: core.ErrMalformedResponse},
		{name: "wrong type", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc(b, b, `,"scopes_supported":"openid"`) }, err: core.ErrMalformedResponse},
		{name: "duplicate issuer", path: "/.well-known/openid-configuration", doc: func(b string) string { return metadataDoc(b, b, `,"issuer":"`+b+`"`) }, err: core.ErrMalformedResponse},
		{name: "no token endpoint", path: "/.well-known/openid-configuration", doc: func(b string) string {
			return strings.Replace(metadataDoc(b, b, ""), `"token_endpoint"`, `"x_token"`, 1)
		}, err: core.ErrMalformedResponse},
		{name: "404 everywhere", path: "/nowhere", doc: func(string) string { return "" }, err: core.ErrUnexpectedStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newOPServer(t, tc.path, tc.doc)
			md, err := Discover(ctx, srv.URL+tc.suffix, tc.opts...)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || md != nil {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if md.Issuer != srv.URL+tc.suffix || md.Endpoints().TokenURL != srv.URL+"/token" ||
				!md.AuthorizationResponseIssParameterSupported || len(md.CodeChallengeMethodsSupported) != 1 || len(md.Raw) == 0 {
				t.Errorf("metadata = %+v", md)
			}
		})
	}
}

// TestDiscoverRejectsInsecureIssuer: a plain-http issuer off loopback is
// refused before any request.
func TestDiscoverRejectsInsecureIssuer(t *testing.T) {
	t.Parallel()
	_, err := Discover(context.Background(), "http://op.example")
	if !errors.Is(err, core.ErrInsecureEndpoint) {
		t.Fatalf("error = %v", err)
	}
}

// TestDiscoverExpectedIssuer: Entra's templated issuer via
// WithExpectedIssuer, and the verifier built from that metadata.
func TestDiscoverExpectedIssuer(t *testing.T) {
	t.Parallel()
	srv := newOPServer(t, "/common/v2.0/.well-known/openid-configuration", func(b string) string {
		return metadataDoc(b+"/{tenantid}/v2.0", b, "")
	})
	if _, err := Discover(context.Background(), srv.URL+"/common/v2.0"); !errors.Is(err, ErrIssuerMismatch) {
		t.Fatalf("without expected issuer: %v", err)
	}
	md, err := Discover(context.Background(), srv.URL+"/common/v2.0", WithExpectedIssuer(srv.URL+"/{tenantid}/v2.0"))
	if err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	key := newKey(t, "k", "ES256")
	jw := newJWKSServer(t, key)
	md.JWKSURL = jw.URL
	v, err := md.NewVerifier(VerifierConfig{ClientID: testClientID, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got := v.Algorithms(); len(got) != 2 || got[0] != "RS256" || got[1] != "ES256" {
		t.Errorf("algorithms = %q, want RS256 ES256 (none dropped)", got)
	}
	tid := "9188040d-6c67-4c5b-b112-36a304b66dad"
	c := claims(clock.Now())
	for _, tc := range []struct {
		name string
		edit map[string]any
		err  error
	}{
		{"tid fills the template", map[string]any{"iss": srv.URL + "/" + tid + "/v2.0", "tid": tid}, nil},
		{"tid differs from iss", map[string]any{"iss": srv.URL + "/" + tid + "/v2.0", "tid": "other"}, ErrIssuerMismatch},
		{"no tid", map[string]any{"iss": srv.URL + "/" + tid + "/v2.0"}, ErrIssuerMismatch},
		{"tid adds a path", map[string]any{"iss": srv.URL + "/a/b/v2.0", "tid": "a/b"}, ErrIssuerMismatch},
		{"literal template", map[string]any{"iss": srv.URL + "/{tenantid}/v2.0", "tid": "{tenantid}"}, ErrIssuerMismatch},
	} {
		_, err := v.Verify(context.Background(), key.sign(t, with(c, tc.edit), nil), Expectations{})
		if (tc.err == nil && err != nil) || (tc.err != nil && !errors.Is(err, tc.err)) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.err)
		}
	}
}

// TestDiscoveryCache: metadata is fetched once per lifetime, shared by
// concurrent callers, refreshed after the lifetime, and served stale for a
// while when a refresh fails.
func TestDiscoveryCache(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	srv := newOPServer(t, "/.well-known/openid-configuration", func(b string) string {
		if fail.Load() {
			return "<html>"
		}
		return metadataDoc(b, b, "")
	})
	clock := newClock()
	d := NewDiscovery(srv.URL, WithClock(clock.Now), WithMetadataTTL(time.Hour))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := d.Metadata(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := srv.hits.Load(); n != 1 {
		t.Fatalf("hits = %d, want 1", n)
	}
	clock.Advance(59 * time.Minute)
	if _, err := d.Metadata(ctx); err != nil || srv.hits.Load() != 1 {
		t.Fatalf("within lifetime: %v, hits %d", err, srv.hits.Load())
	}
	clock.Advance(2 * time.Minute)
	fail.Store(true)
	md, err := d.Metadata(ctx)
	if err != nil || md == nil || srv.hits.Load() != 2 {
		t.Fatalf("stale on error: %v, hits %d", err, srv.hits.Load())
	}
	clock.Advance(2 * time.Minute)
	fail.Store(false)
	if _, err := d.Metadata(ctx); err != nil || srv.hits.Load() != 3 {
		t.Fatalf("after stale period: %v, hits %d", err, srv.hits.Load())
	}
}

// TestMetadataExtensions: the PAR, JAR, DPoP, JARM and encryption members
// are read, and the PAR endpoint is held to the rules of every endpoint.
func TestMetadataExtensions(t *testing.T) {
	t.Parallel()
	iss := "https://op.example"
	md, err := ParseMetadata([]byte(metadataDoc(iss, iss, `,"pushed_authorization_request_endpoint":"https://op.example/par",`+
		`"require_pushed_authorization_requests":true,"request_parameter_supported":true,"dpop_signing_alg_values_supported":["ES256"],`+
		`"authorization_signing_alg_values_supported":["PS256"],"id_token_encryption_alg_values_supported":["RSA-OAEP-256"]`)), iss, false)
	if err != nil {
		t.Fatal(err)
	}
	if md.Endpoints().PushedAuthURL != "https://op.example/par" || !md.RequirePushedAuthorizationRequests || !md.RequestParameterSupported ||
		md.DPoPSigningAlgValuesSupported[0] != "ES256" || md.AuthorizationSigningAlgValuesSupported[0] != "PS256" ||
		md.IDTokenEncryptionAlgValuesSupported[0] != "RSA-OAEP-256" {
		t.Errorf("metadata %+v", md)
	}
	for _, ep := range []string{"http://op.example/par", "https://10.0.0.1/par"} {
		_, err := ParseMetadata([]byte(metadataDoc(iss, iss, `,"pushed_authorization_request_endpoint":"`+ep+`"`)), iss, false)
		if err == nil || !strings.Contains(err.Error(), "pushed_authorization_request_endpoint") {
			t.Errorf("PAR endpoint %s: %v", ep, err)
		}
	}
}
