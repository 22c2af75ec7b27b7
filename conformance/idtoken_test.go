package conformance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/MicahParks/jwkset"
	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/providers"
)

// privateJWK is key as a private JWK, for a cassette's keys.
func privateJWK(t *testing.T, key any, alg jwkset.ALG, kid string) string {
	t.Helper()
	j, err := jwkset.NewJWKFromKey(key, jwkset.JWKOptions{
		Marshal:  jwkset.JWKMarshalOptions{Private: true},
		Metadata: jwkset.JWKMetadataOptions{ALG: alg, KID: kid, USE: jwkset.UseSig},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(j.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// kitCassette is an OpenID provider's cassette whose ID tokens are signed
// at replay time: good ones, and one of each kind a verifier must refuse.
// Its keys are generated per test.
func kitCassette(t *testing.T) *conformance.Cassette {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.NewReplacer(
		"RSA_KEY", privateJWK(t, rsaKey, jwkset.AlgRS256, "kit-rsa-1"),
		"OTHER_KEY", privateJWK(t, otherKey, jwkset.AlgRS256, "kit-unpublished"),
		"EC_KEY", privateJWK(t, ecKey, jwkset.AlgES256, "kit-ec-1"),
	).Replace(kitCassetteJSON)
	c, err := conformance.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const kitCassetteJSON = `{
  "provider": "kit",
  "source": "OpenID Connect Core 1.0 §3.1.3.7",
  "keys": {"rsa": RSA_KEY, "ec": EC_KEY, "other": OTHER_KEY},
  "id_tokens": {
    "id_token": {"key": "rsa",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001",
                 "nonce": "{{nonce}}", "email": "jane@example.com", "email_verified": true},
      "times": {"iat": 0, "exp": 3600}, "hashes": {"at_hash": "{{access_token}}"}},
    "id_token_es256": {"key": "ec",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}},
    "id_token_refresh": {"key": "rsa",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001"},
      "times": {"iat": 0, "exp": 3600}, "hashes": {"at_hash": "{{access_token}}"}},
    "wrong_nonce": {"key": "rsa",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "another-login"},
      "times": {"iat": 0, "exp": 3600}},
    "forged": {"key": "other", "header": {"kid": "kit-rsa-1"},
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}},
    "unknown_key": {"key": "other",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}},
    "expired": {"key": "rsa",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": -7200, "exp": -3600}},
    "wrong_at_hash": {"key": "rsa",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}, "hashes": {"at_hash": "{{refresh_token}}"}},
    "hs256": {"alg": "HS256", "secret": "{{client_secret}}",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}},
    "unsigned": {"alg": "none",
      "claims": {"iss": "https://idp.example.com", "aud": "{{client_id}}", "sub": "248289761001", "nonce": "{{nonce}}"},
      "times": {"iat": 0, "exp": 3600}}
  },
  "shared": [
    {"request": {"method": "GET", "url": "https://idp.example.com/.well-known/openid-configuration"},
     "response": {"status": 200, "json": {
       "issuer": "https://idp.example.com",
       "authorization_endpoint": "https://idp.example.com/authorize",
       "token_endpoint": "https://idp.example.com/token",
       "userinfo_endpoint": "https://idp.example.com/userinfo",
       "jwks_uri": "https://idp.example.com/jwks",
       "response_types_supported": ["code"],
       "subject_types_supported": ["public"],
       "id_token_signing_alg_values_supported": ["RS256", "ES256"],
       "token_endpoint_auth_methods_supported": ["client_secret_basic"]}}},
    {"request": {"method": "GET", "url": "https://idp.example.com/jwks"},
     "response": {"status": 200, "headers": {"Content-Type": "application/jwk-set+json"}, "jwks": ["rsa", "ec"]}}
  ],
  "scenarios": [
    {"name": "exchange", "op": "exchange",
     "interactions": [{"request": {"method": "POST", "url": "https://idp.example.com/token", "auth": "client_secret_basic",
         "form": {"grant_type": "authorization_code", "code": "{{code}}", "redirect_uri": "{{redirect_uri}}", "code_verifier": "{{code_verifier}}"}},
       "response": {"status": 200, "json": {"access_token": "{{access_token}}", "token_type": "Bearer", "id_token": "{{id_token}}"}}}],
     "expect": {"token": {"access_token": "{{access_token}}", "token_type": "Bearer", "id_token": "{{id_token}}",
       "id_token_claims": {"sub": "248289761001"}}}},
    {"name": "refresh", "op": "refresh",
     "interactions": [{"request": {"method": "POST", "url": "https://idp.example.com/token", "auth": "client_secret_basic",
         "form": {"grant_type": "refresh_token", "refresh_token": "{{refresh_token}}"}},
       "response": {"status": 200, "json": {"access_token": "{{access_token}}", "token_type": "Bearer", "id_token": "{{id_token}}"}}}],
     "expect": {"token": {"access_token": "{{access_token}}", "token_type": "Bearer", "refresh_token": "{{refresh_token}}",
       "id_token": "{{id_token}}", "id_token_claims": {"sub": "248289761001"}}}},
    {"name": "user", "op": "user",
     "input": {"id_token": "{{id_token}}", "nonce": "{{nonce}}"},
     "interactions": [{"request": {"method": "GET", "url": "https://idp.example.com/userinfo", "auth": {"bearer": "{{access_token}}"},
         "headers": {"Accept": "application/json, application/jwt"}},
       "response": {"status": 200, "json": {"sub": "248289761001", "name": "Jane Doe"}}}],
     "expect": {"user": {"id": "248289761001", "email": "jane@example.com", "email_verified": true, "name": "Jane Doe"}}}
  ]
}`

// kitScenarios replaces the one scenario of each operation by copies
// carrying each ID token, each expecting want[token] (success when absent).
func kitScenarios(t *testing.T, c *conformance.Cassette, tokens []string, want map[string]string) {
	t.Helper()
	var out []conformance.Scenario
	for _, s := range c.Scenarios {
		for _, tok := range tokens {
			if s.Op == "user" && tok != "id_token" {
				continue
			}
			if s.Op == "refresh" && tok != "id_token_refresh" && tok != "forged" {
				continue
			}
			data, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var cp conformance.Scenario
			if err := json.Unmarshal([]byte(strings.ReplaceAll(string(data), "{{id_token}}", "{{"+tok+"}}")), &cp); err != nil {
				t.Fatal(err)
			}
			cp.Name = s.Name + "_" + tok
			if is, ok := want[s.Name+"/"+tok]; ok {
				cp.Expect = &conformance.Expect{Error: &conformance.ErrorExpectation{Is: is}}
			}
			out = append(out, cp)
		}
	}
	c.Scenarios = out
}

// kitRefusals are the ID tokens a verifier must refuse, with the sentinel
// of the check that refuses them.
var kitRefusals = map[string]string{
	"exchange/wrong_nonce":      "nonce_mismatch",
	"exchange/id_token_refresh": "nonce_mismatch", // no nonce at all
	"exchange/forged":           "bad_signature",
	"exchange/unknown_key":      "unknown_key",
	"exchange/expired":          "token_expired",
	"exchange/wrong_at_hash":    "at_hash_mismatch",
	"exchange/hs256":            "unsupported_algorithm",
	"exchange/unsigned":         "unsupported_algorithm",
	"refresh/forged":            "bad_signature",
}

func kitProvider(t *testing.T) *conformance.Cassette {
	t.Helper()
	c := kitCassette(t)
	var tokens []string
	for name := range c.IDTokens {
		tokens = append(tokens, name)
	}
	kitScenarios(t, c, tokens, kitRefusals)
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSignedIDTokens replays signed ID tokens through an OpenID provider:
// the good ones verify, and each bad one fails with its check's sentinel.
func TestSignedIDTokens(t *testing.T) {
	t.Parallel()
	p, err := providers.OIDC("kit", "https://idp.example.com", testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	conformance.Run(t, p, kitProvider(t))
}

// TestBadIDTokenFailsTheScenario shows that the replay does verify: the
// same bad tokens, expected to succeed, fail their scenarios with the
// reason.
func TestBadIDTokenFailsTheScenario(t *testing.T) {
	t.Parallel()
	p, err := providers.OIDC("kit", "https://idp.example.com", testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	c := kitProvider(t)
	for i := range c.Scenarios {
		if c.Scenarios[i].Expect.Error != nil {
			c.Scenarios[i].Expect = &conformance.Expect{Token: &conformance.TokenExpectation{AccessToken: "{{access_token}}", TokenType: "Bearer"}}
		}
	}
	r, err := conformance.Check(context.Background(), p, c)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"exchange_wrong_nonce":      "nonce mismatch",
		"exchange_id_token_refresh": "nonce mismatch",
		"exchange_forged":           "bad signature",
		"exchange_unknown_key":      "unknown signing key",
		"exchange_expired":          "token expired",
		"exchange_wrong_at_hash":    "at_hash mismatch",
		"exchange_hs256":            "unsupported signing algorithm",
		"exchange_unsigned":         "unsupported signing algorithm",
		"refresh_forged":            "bad signature",
	}
	for _, s := range r.Scenarios {
		problems := strings.Join(s.Problems, "\n")
		w, bad := want[s.Name]
		switch {
		case !bad && problems != "":
			t.Errorf("%s: %s", s.Name, problems)
		case bad && !strings.Contains(problems, w):
			t.Errorf("%s: problems %q, want one saying %q", s.Name, problems, w)
		}
	}
}

// TestBadIDTokenCassettes: each mistake in keys and ID tokens is a
// CassetteError naming the place and the reason.
func TestBadIDTokenCassettes(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	smallKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec := privateJWK(t, ecKey, jwkset.AlgES256, "ec-1")
	public := privateJWK(t, &ecKey.PublicKey, jwkset.AlgES256, "ec-1")
	small := privateJWK(t, smallKey, jwkset.AlgRS256, "small")
	base := `{
  "provider": "acme",
  "keys": {"ec": EC},
  "id_tokens": {"id_token": {"key": "ec", "claims": {"sub": "1", "aud": "{{client_id}}"}, "times": {"exp": 60}}},
  "shared": [{"request": {"method": "GET", "url": "https://as.example/jwks"}, "response": {"status": 200, "jwks": ["ec"]}}],
  "scenarios": [{"name": "user", "op": "user", "input": {"id_token": "{{id_token}}"}, "expect": {"user": {"id": "1"}}}]
}`
	base = strings.Replace(base, "EC", ec, 1)
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"public key only", ec, public, `keys.ec: a public key: a signing key needs its private part (d)`},
		{"short RSA key", ec, small, `keys.ec: an RSA key of 1024 bits`},
		{"not a JWK", ec, `{"kty": "XYZ"}`, `keys.ec: not a valid JWK`},
		{"unknown key", `"key": "ec"`, `"key": "rsa"`, `id_tokens.id_token: key "rsa" is not among the cassette's keys`},
		{"alg the key cannot sign", `"key": "ec",`, `"key": "ec", "alg": "RS256",`, `id_tokens.id_token: alg "RS256": the key (EC P-256) cannot sign it`},
		{"secret for RS256", `"key": "ec",`, `"alg": "RS256", "secret": "{{client_secret}}",`, `alg "RS256": a secret signs HS256, HS384 or HS512`},
		{"key and secret", `"key": "ec",`, `"key": "ec", "alg": "HS256", "secret": "{{client_secret}}",`, `give key or secret, not both`},
		{"no key", `"key": "ec",`, ``, `no key and no secret`},
		{"claims not an object", `"claims": {"sub": "1", "aud": "{{client_id}}"}`, `"claims": ["sub"]`, `claims: not a JSON object`},
		{"claim twice", `"times": {"exp": 60}`, `"times": {"sub": 60}`, `claim "sub" is in claims and times`},
		{"unbound placeholder in claims", `{{client_id}}"}`, `{{clientid}}"}`, `id_tokens.id_token.claims: placeholder {{clientid}} is never bound`},
		{"ID token in an ID token", `{{client_id}}"}`, `{{id_token}}"}`, `placeholder {{id_token}} is an ID token: an ID token cannot hold another`},
		{"builtin name", `"id_tokens": {"id_token":`, `"id_tokens": {"nonce":`, `name "nonce" is bound by the replay`},
		{"unknown ID token", `"input": {"id_token": "{{id_token}}"}`, `"input": {"id_token": "{{id_token_2}}"}`, `input.id_token: "{{id_token_2}}": give one of the cassette's id_tokens`},
		{"ID token input of an exchange", `"op": "user", "input": {"id_token": "{{id_token}}"}, "expect": {"user": {"id": "1"}}`,
			`"op": "exchange", "input": {"id_token": "{{id_token}}"}, "expect": {"error": {"is": "no_id_token"}}`, `only a user scenario takes one`},
		{"JWKS of an unknown key", `"jwks": ["ec"]`, `"jwks": ["ec", "rsa"]`, `shared[0].response.jwks: key "rsa" is not among the cassette's keys`},
		{"JWKS with a text body", `"jwks": ["ec"]`, `"jwks": ["ec"], "body": "{}"`, `jwks goes with json (its keys array) or alone, not with body`},
	}
	if _, err := conformance.Parse([]byte(base)); err != nil {
		t.Fatalf("the base cassette: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(base, tt.old, tt.new, 1)
			if src == base {
				t.Fatalf("the replacement of %q did not apply", tt.old)
			}
			_, err := conformance.Parse([]byte(src))
			var ce *conformance.CassetteError
			if !errors.As(err, &ce) || !errors.Is(err, conformance.ErrBadCassette) {
				t.Fatalf("error %v, want a CassetteError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// TestLoadDirSharesIDTokens: a file may use the keys and ID tokens of
// another file of its directory; a key defined twice differently is an
// error.
func TestLoadDirSharesIDTokens(t *testing.T) {
	t.Parallel()
	c := kitCassette(t)
	dir := t.TempDir()
	first := *c
	first.Scenarios = c.Scenarios[:1]
	second := conformance.Cassette{Provider: c.Provider, Scenarios: c.Scenarios[1:]}
	if err := first.WriteFile(filepath.Join(dir, "a.json")); err != nil {
		t.Fatal(err)
	}
	if err := second.WriteFile(filepath.Join(dir, "b.json")); err != nil {
		t.Fatal(err)
	}
	got, err := conformance.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Scenarios) != len(c.Scenarios) || len(got.IDTokens) != len(c.IDTokens) {
		t.Fatalf("merged %d scenarios and %d ID tokens, want %d and %d", len(got.Scenarios), len(got.IDTokens), len(c.Scenarios), len(c.IDTokens))
	}

	other := kitCassette(t) // other keys under the same names
	second.Keys = map[string]json.RawMessage{"rsa": other.Keys["rsa"]}
	if err := second.WriteFile(filepath.Join(dir, "b.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := conformance.LoadDir(dir); err == nil || !strings.Contains(err.Error(), `key "rsa" is defined differently in another file`) {
		t.Fatalf("error %v, want one about key \"rsa\"", err)
	}
}

// TestOpenIDCassettesSignIDTokens: the cassette of every built-in OpenID
// provider signs its ID tokens, so that its exchanges verify them, and has
// an exchange that returns a verified one.
func TestOpenIDCassettesSignIDTokens(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		p, err := b.New(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
		if err != nil {
			t.Fatal(err)
		}
		if !coreaccess.Spec(p).OIDC {
			continue
		}
		c, err := conformance.LoadDir(filepath.Join("testdata", b.Name))
		if err != nil {
			t.Fatal(err)
		}
		verified := false
		for _, s := range c.Scenarios {
			if s.Op == conformance.OpExchange && s.Expect != nil && s.Expect.Token != nil && len(s.Expect.Token.IDTokenClaims) > 0 {
				verified = true
			}
		}
		if len(c.IDTokens) == 0 || !verified {
			t.Errorf("%s: an OpenID provider's cassette needs id_tokens and an exchange expecting id_token_claims", b.Name)
		}
	}
}
