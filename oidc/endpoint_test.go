package oidc

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/jarcoal/httpmock"
)

// docWith is a metadata document for issuer whose endpoints are on base,
// with field (a member name) set to endpoint.
func docWith(issuer, base, field, endpoint string) string {
	doc := metadataDoc(issuer, base, "")
	if field == "" {
		return doc
	}
	i := strings.Index(doc, `"`+field+`":"`)
	j := i + len(field) + 4
	k := j + strings.IndexByte(doc[j:], '"')
	return doc[:j] + endpoint + doc[k:]
}

// TestMetadataEndpointHosts: a metadata document cannot point the client
// at internal services (server-side request forgery through a hostile or
// compromised issuer): endpoints on loopback, private, link-local or
// unspecified addresses, localhost names, IPv4 in odd spellings and plain
// http are refused unless the issuer is on that kind of host too, or
// insecure mode is set.
func TestMetadataEndpointHosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		issuer   string
		endpoint string
		insecure bool
		err      error
	}{
		{"public name", "https://op.example", "https://keys.op.example/jwks", false, nil},
		{"public address", "https://op.example", "https://8.8.8.8/jwks", false, nil},
		{"public IPv6", "https://op.example", "https://[2001:4860:4860::8888]/jwks", false, nil},
		{"redis on loopback over http", "https://op.example", "http://127.0.0.1:6379/", false, ErrEndpointNotAllowed},
		{"docker on localhost over http", "https://op.example", "http://localhost:2375/containers/json", false, ErrEndpointNotAllowed},
		{"loopback over https", "https://op.example", "https://127.0.0.1/jwks", false, ErrEndpointNotAllowed},
		{"loopback 127.1.2.3", "https://op.example", "https://127.1.2.3/jwks", false, ErrEndpointNotAllowed},
		{"loopback IPv6", "https://op.example", "https://[::1]/jwks", false, ErrEndpointNotAllowed},
		{"loopback IPv4-mapped", "https://op.example", "https://[::ffff:127.0.0.1]/jwks", false, ErrEndpointNotAllowed},
		{"loopback through NAT64", "https://op.example", "https://[64:ff9b::7f00:1]/jwks", false, ErrEndpointNotAllowed},
		{"localhost upper case", "https://op.example", "https://LOCALHOST/jwks", false, ErrEndpointNotAllowed},
		{"localhost trailing dot", "https://op.example", "https://localhost./jwks", false, ErrEndpointNotAllowed},
		{"subdomain of localhost", "https://op.example", "https://api.localhost/jwks", false, ErrEndpointNotAllowed},
		{"cloud metadata service", "https://op.example", "https://169.254.169.254/latest/meta-data/", false, ErrEndpointNotAllowed},
		{"link-local IPv6", "https://op.example", "https://[fe80::1%25eth0]/jwks", false, ErrEndpointNotAllowed},
		{"private 10/8", "https://op.example", "https://10.0.0.5/token", false, ErrEndpointNotAllowed},
		{"private 172.16/12", "https://op.example", "https://172.16.3.4/token", false, ErrEndpointNotAllowed},
		{"private 192.168/16", "https://op.example", "https://192.168.1.1/token", false, ErrEndpointNotAllowed},
		{"shared address space", "https://op.example", "https://100.64.0.1/token", false, ErrEndpointNotAllowed},
		{"unique local IPv6 fc00::/7", "https://op.example", "https://[fd00:ec2::254]/token", false, ErrEndpointNotAllowed},
		{"unspecified IPv4", "https://op.example", "https://0.0.0.0/token", false, ErrEndpointNotAllowed},
		{"this network 0/8", "https://op.example", "https://0.1.2.3/token", false, ErrEndpointNotAllowed},
		{"unspecified IPv6", "https://op.example", "https://[::]/token", false, ErrEndpointNotAllowed},
		{"decimal IPv4", "https://op.example", "https://2130706433/token", false, ErrEndpointNotAllowed},
		{"hex IPv4", "https://op.example", "https://0x7f.0.0.1/token", false, ErrEndpointNotAllowed},
		{"short IPv4", "https://op.example", "https://127.1/token", false, ErrEndpointNotAllowed},
		{"zero-padded IPv4", "https://op.example", "https://127.000.000.001/token", false, ErrEndpointNotAllowed},
		{"broadcast", "https://op.example", "https://255.255.255.255/token", false, ErrEndpointNotAllowed},
		{"plain http to a public host", "https://op.example", "http://keys.op.example/jwks", false, core.ErrInsecureEndpoint},
		{"insecure mode", "https://op.example", "http://127.0.0.1:6379/", true, nil},
		{"insecure mode, metadata service", "https://op.example", "http://169.254.169.254/", true, nil},
		// The issuer's own kind of host is allowed.
		{"loopback issuer, loopback endpoint", "http://127.0.0.1:8080", "http://localhost:9090/jwks", false, nil},
		{"loopback issuer, private endpoint", "http://127.0.0.1:8080", "https://10.0.0.5/jwks", false, ErrEndpointNotAllowed},
		{"loopback issuer, metadata service", "http://localhost:8080", "https://169.254.169.254/", false, ErrEndpointNotAllowed},
		{"private issuer, private endpoint", "https://10.0.0.4", "https://10.1.2.3/jwks", false, nil},
		{"private issuer, loopback endpoint", "https://10.0.0.4", "https://127.0.0.1/jwks", false, ErrEndpointNotAllowed},
		{"private issuer, http private endpoint", "https://10.0.0.4", "http://10.1.2.3/jwks", false, core.ErrInsecureEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, field := range []string{"token_endpoint", "jwks_uri", "userinfo_endpoint"} {
				doc := docWith(tc.issuer, "https://op.example", field, tc.endpoint)
				md, err := ParseMetadata([]byte(doc), tc.issuer, tc.insecure)
				if tc.err == nil {
					if err != nil {
						t.Fatalf("%s: %v", field, err)
					}
					continue
				}
				if !errors.Is(err, tc.err) || md != nil {
					t.Fatalf("%s: error = %v, want %v", field, err, tc.err)
				}
				if !strings.Contains(err.Error(), field) {
					t.Errorf("%s: error %q does not name the member", field, err)
				}
			}
		})
	}
}

// TestDiscoverEndpointHosts: WithEndpointHosts refuses every endpoint host
// but the listed ones and the issuer's own; a listed internal address is
// accepted on purpose; an https issuer reached through the injected
// client is held to the same rules; and a loopback issuer (oidctest) still
// works.
func TestDiscoverEndpointHosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	serve := func(field, endpoint string) *opServer {
		return newOPServer(t, "/.well-known/openid-configuration", func(b string) string {
			if field == "" {
				return metadataDoc(b, b, "")
			}
			return docWith(b, b, field, endpoint)
		})
	}
	for _, tc := range []struct {
		name            string
		field, endpoint string
		hosts           []string
		err             error
	}{
		{"issuer's own host only", "", "", []string{"keys.example"}, nil},
		{"listed host", "jwks_uri", "https://keys.example/jwks", []string{"keys.example"}, nil},
		{"listed host, other case", "jwks_uri", "https://KEYS.example/jwks", []string{"keys.example"}, nil},
		{"listed host and port", "jwks_uri", "https://keys.example:8443/jwks", []string{"keys.example:8443"}, nil},
		{"listed host, other port", "jwks_uri", "https://keys.example:9443/jwks", []string{"keys.example:8443"}, ErrEndpointNotAllowed},
		{"unlisted host", "token_endpoint", "https://other.example/token", []string{"keys.example"}, ErrEndpointNotAllowed},
		{"listed internal address", "jwks_uri", "https://10.0.0.5/jwks", []string{"10.0.0.5"}, nil},
		{"listed IPv6 address", "jwks_uri", "https://[fd00::5]/jwks", []string{"[fd00::5]"}, nil},
		{"no list, internal address", "jwks_uri", "https://10.0.0.5/jwks", nil, ErrEndpointNotAllowed},
		{"no list, public host", "jwks_uri", "https://keys.example/jwks", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(tc.field, tc.endpoint)
			var opts []DiscoverOption
			if tc.hosts != nil {
				opts = append(opts, WithEndpointHosts(tc.hosts...))
			}
			md, err := Discover(ctx, srv.URL, opts...)
			if (tc.err == nil && err != nil) || (tc.err != nil && (!errors.Is(err, tc.err) || md != nil)) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
		})
	}

	// An https issuer on a public name, answered through the injected
	// client's transport.
	mock := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mock}
	for name, endpoint := range map[string]string{
		"redis":    "http://127.0.0.1:6379/",
		"docker":   "http://localhost:2375/v1.41/containers/json",
		"metadata": "https://169.254.169.254/latest/meta-data/iam/",
		"private":  "https://192.168.0.10/token",
	} {
		issuer := "https://" + name + ".op.example"
		mock.RegisterResponder(http.MethodGet, issuer+"/.well-known/openid-configuration",
			httpmock.NewStringResponder(200, docWith(issuer, issuer, "token_endpoint", endpoint)))
		if _, err := Discover(ctx, issuer, WithHTTPClient(hc)); !errors.Is(err, ErrEndpointNotAllowed) {
			t.Errorf("%s: error = %v, want ErrEndpointNotAllowed", name, err)
		}
	}

	// An in-process provider on loopback.
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"))
	md, err := Discover(ctx, op.Issuer())
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	if md.JWKSURL != op.URL(oidctest.JWKSEndpoint) {
		t.Errorf("jwks_uri = %q", md.JWKSURL)
	}
}
