package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/oidc"
	"github.com/spf13/cobra"
)

// finding is one result of discover's checks.
type finding struct {
	Level   string `json:"level"` // ok, warn, fail
	Message string `json:"message"`
}

// jwk is what discover shows of a key of the issuer's JWK Set.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid,omitempty"`
	Use    string   `json:"use,omitempty"`
	Alg    string   `json:"alg,omitempty"`
	Crv    string   `json:"crv,omitempty"`
	N      string   `json:"n,omitempty"`
	KeyOps []string `json:"key_ops,omitempty"`
}

// bits returns an RSA key's modulus size.
func (k jwk) bits() int {
	n, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
	if err != nil || len(n) == 0 {
		return 0
	}
	bits := len(n) * 8
	for b := n[0]; b&0x80 == 0 && bits > 0; b <<= 1 {
		bits--
	}
	return bits
}

func (k jwk) signing() bool {
	return (k.Use == "" || k.Use == "sig") && (len(k.KeyOps) == 0 || slices.Contains(k.KeyOps, "verify"))
}

func (k jwk) describe() string {
	parts := []string{}
	if k.Kid != "" {
		parts = append(parts, fmt.Sprintf("kid %q", k.Kid))
	} else {
		parts = append(parts, "no kid")
	}
	switch k.Kty {
	case "RSA":
		parts = append(parts, fmt.Sprintf("RSA %d bits", k.bits()))
	case "EC", "OKP":
		parts = append(parts, k.Kty+" "+k.Crv)
	default:
		parts = append(parts, k.Kty)
	}
	if k.Alg != "" {
		parts = append(parts, k.Alg)
	}
	if k.Use != "" {
		parts = append(parts, "use "+k.Use)
	}
	return strings.Join(parts, ", ")
}

// asymmetricAlgs are the algorithms oauth20 verifies with the issuer's keys.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func newDiscoverCmd(a *app, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "discover ISSUER",
		Short: "Fetch and check an issuer's discovery metadata and keys",
		Long: `discover fetches {ISSUER}/.well-known/openid-configuration (or the RFC 8414
document), checks it the way a login does — the document must name the issuer
byte for byte, and every endpoint must be https (http only on a loopback host) —
then fetches the JWK Set and reports what deserves a look: algorithms (none,
HS*, no key for an advertised one), PKCE, RFC 9207 iss, weak or unnamed keys,
deprecated grants. Warnings do not change the exit code; a document that
fails the checks, or keys that cannot verify anything, exit with 1.`,
		Example: example(
			"oauth20 discover https://accounts.google.com",
			"oauth20 discover https://login.microsoftonline.com/common/v2.0 --json",
		),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiscover(cmd.Context(), a, g, args[0])
		},
	}
}

// discoverJSON is discover's --json output.
type discoverJSON struct {
	Issuer   string          `json:"issuer"`
	Metadata json.RawMessage `json:"metadata"`
	Keys     []jwk           `json:"keys"`
	Checks   []finding       `json:"checks"`
}

func runDiscover(ctx context.Context, a *app, g *globals, issuer string) error {
	opts := []oidc.DiscoverOption{oidc.WithHTTPClient(a.httpClient)}
	md, err := oidc.Discover(ctx, issuer, opts...)
	if err != nil {
		if names := errorNames(err); len(names) > 0 {
			return fmt.Errorf("discovery: %w [%s]", err, strings.Join(names, ", "))
		}
		return fmt.Errorf("discovery: %w", err)
	}
	keys, kerr := fetchJWKS(ctx, a.httpClient, md.JWKSURL)
	checks := lintMetadata(md, keys, kerr)
	failed := slices.ContainsFunc(checks, func(f finding) bool { return f.Level == "fail" })
	if g.json {
		if err := writeJSON(a.stdout, discoverJSON{Issuer: md.Issuer, Metadata: md.Raw, Keys: keys, Checks: checks}); err != nil {
			return err
		}
	} else {
		printDiscover(a.stdout, md, keys, checks)
	}
	if failed {
		return failure(errReported)
	}
	return nil
}

func printDiscover(w io.Writer, md *oidc.Metadata, keys []jwk, checks []finding) {
	head := &section{}
	head.add("issuer", md.Issuer)
	ep := &section{title: "Endpoints"}
	for _, e := range [][2]string{
		{"authorization", md.AuthorizationEndpoint}, {"token", md.TokenEndpoint}, {"userinfo", md.UserInfoEndpoint},
		{"jwks_uri", md.JWKSURL}, {"revocation", md.RevocationEndpoint}, {"introspection", md.IntrospectionEndpoint},
		{"device authorization", md.DeviceAuthorizationEndpoint}, {"end session", md.EndSessionEndpoint},
		{"registration", md.RegistrationEndpoint},
	} {
		ep.add(e[0], e[1])
	}
	sup := &section{title: "Supported"}
	for _, e := range []struct {
		name string
		list []string
	}{
		{"response types", md.ResponseTypesSupported}, {"response modes", md.ResponseModesSupported},
		{"grant types", md.GrantTypesSupported}, {"PKCE methods", md.CodeChallengeMethodsSupported},
		{"client auth", md.TokenEndpointAuthMethodsSupported}, {"ID token algs", md.IDTokenSigningAlgValuesSupported},
		{"scopes", md.ScopesSupported},
	} {
		sup.add(e.name, strings.Join(e.list, " "))
	}
	sup.add("RFC 9207 iss", yesNo(md.AuthorizationResponseIssParameterSupported))
	ks := &section{title: fmt.Sprintf("Keys (%d)", len(keys))}
	for i, k := range keys {
		ks.add(fmt.Sprint(i+1), k.describe())
	}
	cs := &section{title: "Checks"}
	for _, c := range checks {
		cs.add(map[string]string{"ok": "ok", "warn": "warn", "fail": "FAIL"}[c.Level], c.Message)
	}
	printSections(w, head, ep, sup, ks, cs)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// lintMetadata checks what a login relies on.
func lintMetadata(md *oidc.Metadata, keys []jwk, kerr error) []finding {
	var out []finding
	add := func(level, format string, args ...any) {
		out = append(out, finding{Level: level, Message: fmt.Sprintf(format, args...)})
	}
	add("ok", "the document names the issuer it was fetched for, byte for byte")
	plain := false
	for _, e := range []string{md.Issuer, md.AuthorizationEndpoint, md.TokenEndpoint, md.UserInfoEndpoint, md.JWKSURL,
		md.RevocationEndpoint, md.IntrospectionEndpoint, md.DeviceAuthorizationEndpoint, md.EndSessionEndpoint} {
		if u, err := url.Parse(e); err == nil && u.Scheme == "http" {
			plain = true
		}
	}
	if plain {
		add("warn", "plain http on a loopback host: fine for tests, never in production")
	} else {
		add("ok", "every endpoint is https")
	}
	if len(md.ResponseTypesSupported) > 0 && !slices.Contains(md.ResponseTypesSupported, "code") {
		add("warn", "response_types_supported does not list code: the authorization code flow may be refused")
	}
	algs := md.IDTokenSigningAlgValuesSupported
	var usable []string
	switch {
	case len(algs) == 0:
		add("warn", "id_token_signing_alg_values_supported is missing: RS256 is assumed")
		usable = []string{"RS256"}
	default:
		for _, alg := range algs {
			switch {
			case alg == "none":
				add("warn", `id_token_signing_alg_values_supported lists "none": unsigned ID tokens are never accepted`)
			case strings.HasPrefix(alg, "HS"):
				add("warn", "id_token_signing_alg_values_supported lists %s: such tokens are keyed with the client secret and accepted only when a verifier is given it", alg)
			case slices.Contains(asymmetricAlgs, alg):
				usable = append(usable, alg)
			default:
				add("warn", "id_token_signing_alg_values_supported lists %q, which oauth20 does not verify", alg)
			}
		}
		if len(usable) > 0 {
			add("ok", "ID tokens verifiable with the issuer's keys: %s", strings.Join(usable, " "))
		}
	}
	switch pkce := md.CodeChallengeMethodsSupported; {
	case len(pkce) == 0:
		add("warn", "code_challenge_methods_supported is missing: PKCE support is not advertised (oauth20 sends S256 all the same)")
	case !slices.Contains(pkce, "S256"):
		add("warn", "code_challenge_methods_supported does not list S256")
	default:
		add("ok", "PKCE with S256")
	}
	if slices.Contains(md.CodeChallengeMethodsSupported, "plain") {
		add("warn", "code_challenge_methods_supported lists plain: oauth20 always sends S256")
	}
	if md.AuthorizationResponseIssParameterSupported {
		add("ok", "authorization responses carry iss (RFC 9207), checked by the login flow")
	} else {
		add("warn", "no RFC 9207 iss in authorization responses: mix-up protection rests on one redirect URI per provider")
	}
	for _, gt := range []string{"implicit", "password"} {
		if slices.Contains(md.GrantTypesSupported, gt) {
			add("warn", "grant_types_supported lists %s, which RFC 9700 says not to use", gt)
		}
	}
	if md.UserInfoEndpoint == "" {
		add("warn", "no userinfo_endpoint: the user comes from the ID token alone")
	}
	switch {
	case md.JWKSURL == "":
		add("fail", "no jwks_uri: ID tokens cannot be verified")
	case kerr != nil:
		add("fail", "jwks_uri: %v", kerr)
	default:
		lintKeys(keys, usable, add)
	}
	return out
}

// lintKeys checks the JWK Set against the advertised algorithms.
func lintKeys(keys []jwk, algs []string, add func(level, format string, args ...any)) {
	var signing []jwk
	for _, k := range keys {
		if k.signing() {
			signing = append(signing, k)
		}
		if k.Kty == "RSA" && k.bits() < 2048 {
			add("warn", "key %s is shorter than 2048 bits and is never used", k.describe())
		}
	}
	if len(signing) == 0 {
		add("fail", "the JWK Set has no signing key")
		return
	}
	if len(signing) > 1 && slices.ContainsFunc(signing, func(k jwk) bool { return k.Kid == "" }) {
		add("warn", "several signing keys and some without kid: tokens without kid may be refused")
	}
	for _, alg := range algs {
		if !slices.ContainsFunc(signing, func(k jwk) bool { return keyFits(k, alg) }) {
			add("warn", "no key of the JWK Set fits %s, which the issuer advertises", alg)
		}
	}
	add("ok", "%d signing key(s) in the JWK Set", len(signing))
}

// keyFits reports whether k can verify alg.
func keyFits(k jwk, alg string) bool {
	if k.Alg != "" && k.Alg != alg {
		return false
	}
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		return k.Kty == "RSA"
	case alg == "ES256":
		return k.Kty == "EC" && k.Crv == "P-256"
	case alg == "ES384":
		return k.Kty == "EC" && k.Crv == "P-384"
	case alg == "ES512":
		return k.Kty == "EC" && k.Crv == "P-521"
	case alg == "EdDSA":
		return k.Kty == "OKP" && k.Crv == "Ed25519"
	}
	return false
}

// fetchJWKS reads a JWK Set: no redirects followed, the body capped.
func fetchJWKS(ctx context.Context, hc *http.Client, u string) ([]jwk, error) {
	if u == "" {
		return nil, nil
	}
	c := &http.Client{Timeout: 10 * time.Second}
	if hc != nil {
		*c = *hc
		if c.Timeout == 0 {
			c.Timeout = 10 * time.Second
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the JWK Set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the JWK Set: HTTP %d", resp.StatusCode)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("the JWK Set is not JSON: %w", err)
	}
	return set.Keys, nil
}
