package providers_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/providers"
)

// takes lists, per constructor, the options beyond the common ones it can
// honour; every other one must be refused.
var takes = map[string][]string{
	"github":     {"WithBaseURL"},
	"gitlab":     {"WithBaseURL"},
	"gitee":      {"WithBaseURL"},
	"wecom":      {"WithBaseURL"},
	"oidc":       join(clientAuth, idTokens, "WithFormPost"),
	"keycloak":   join(clientAuth, idTokens, "WithFormPost"),
	"okta":       join(clientAuth, idTokens, "WithFormPost"),
	"auth0":      join(clientAuth, idTokens, "WithFormPost"),
	"microsoft":  join(clientAuth, idTokens, "WithBaseURL", "WithFormPost"),
	"google":     join(clientAuth, idTokens),
	"apple":      join(idTokens, "WithFormPost"),
	"line":       idTokens,
	"linkedin":   idTokens,
	"slack":      idTokens,
	"gitea":      idTokens,
	"yahoo":      idTokens,
	"salesforce": join(clientAuth, idTokens),
	// Providers at fixed URLs without ID tokens: the common options only.
	"tiktok":  nil,
	"amazon":  nil,
	"dropbox": nil,
	"zoom":    nil,
	"yandex":  nil,
	"vkid":    nil,
	"shopify": nil,
}

// The options of every provider that verifies ID tokens, and of those
// whose client authentication is the application's choice.
var (
	idTokens = []string{"WithAdditionalIssuers", "WithTrustedAudiences", "WithIDTokenSigningAlg", "WithUserInfoSigningAlg", "WithEndpointHosts",
		"WithDecryptionKey", "WithIDTokenEncryption", "WithUserInfoEncryption"}
	clientAuth = []string{"WithAuthMethod", "WithPrivateKey", "WithTokenEndpointAudience", "WithPAR", "WithRequestObject", "WithDPoP", "WithJARM", "WithFAPI2"}
)

func join(lists []string, more ...any) []string {
	out := slices.Clone(lists)
	for _, m := range more {
		switch v := m.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

// options are every Option with a usable value, and what a provider built
// with it shows of it (nil: nothing to see without a login).
var options = []struct {
	name   string
	common bool
	opt    providers.Option
	check  func(*core.Provider) bool
}{
	{"WithScopes", true, providers.WithScopes("a", "b"), func(p *core.Provider) bool {
		return slices.Equal(coreaccess.Spec(p).Client.Scopes, []string{"a", "b"})
	}},
	{"WithRedirectURL", true, providers.WithRedirectURL("https://app.example/cb"), func(p *core.Provider) bool {
		return coreaccess.Spec(p).Client.RedirectURL == "https://app.example/cb"
	}},
	{"WithHTTPClient", true, providers.WithHTTPClient(&http.Client{}), func(p *core.Provider) bool {
		return coreaccess.Spec(p).Client.HTTPClient != nil
	}},
	{"WithAuthParam", true, providers.WithAuthParam("k", "v"), nil},
	{"WithName", true, providers.WithName("renamed"), func(p *core.Provider) bool { return p.Name() == "renamed" }},
	{"WithDisplayName", true, providers.WithDisplayName("Shown"), func(p *core.Provider) bool { return p.DisplayName() == "Shown" }},
	{"WithTokenOnly", true, providers.WithTokenOnly(), func(p *core.Provider) bool { return coreaccess.Spec(p).TokenOnly }},
	{"WithBaseURL", false, providers.WithBaseURL("https://self-hosted.example/base"), nil},
	{"WithAuthMethod", false, providers.WithAuthMethod(core.AuthSecretPost), func(p *core.Provider) bool {
		return coreaccess.Spec(p).Client.AuthMethod == core.AuthSecretPost
	}},
	{"WithFormPost", false, providers.WithFormPost(), func(p *core.Provider) bool { return coreaccess.Spec(p).FormPost }},
	{"WithAdditionalIssuers", false, providers.WithAdditionalIssuers("https://other-issuer.example"), nil},
	{"WithTrustedAudiences", false, providers.WithTrustedAudiences("other-client"), nil},
	{"WithIDTokenSigningAlg", false, providers.WithIDTokenSigningAlg("RS256"), nil},
	{"WithUserInfoSigningAlg", false, providers.WithUserInfoSigningAlg("RS256"), nil},
	{"WithEndpointHosts", false, providers.WithEndpointHosts("login.example.com"), nil},
	{"WithPrivateKey", false, providers.WithPrivateKey(optionsKey, "k1"), func(p *core.Provider) bool {
		c := coreaccess.Spec(p).Client
		return c.PrivateKey == optionsKey && c.KeyID == "k1" && c.AuthMethod == core.AuthPrivateKeyJWT
	}},
	{"WithTokenEndpointAudience", false, providers.WithTokenEndpointAudience(), func(p *core.Provider) bool {
		return coreaccess.Spec(p).Client.TokenEndpointAudience
	}},
	{"WithPAR", false, providers.WithPAR(), func(p *core.Provider) bool { return coreaccess.Spec(p).PAR }},
	{"WithDPoP", false, providers.WithDPoP(optionsDPoPKey), func(p *core.Provider) bool {
		return coreaccess.Spec(p).Client.DPoPKey == optionsDPoPKey
	}},
	{"WithJARM", false, providers.WithJARM(core.JARMFormPost), func(p *core.Provider) bool {
		return coreaccess.Spec(p).JARM == core.JARMFormPost && coreaccess.Spec(p).FormPost
	}},
	{"WithFAPI2", false, providers.WithFAPI2(), func(p *core.Provider) bool {
		return coreaccess.Spec(p).FAPI2 && coreaccess.Spec(p).PAR
	}},
	{"WithDecryptionKey", false, providers.WithDecryptionKey(optionsKey, "enc-1"), nil},
	{"WithIDTokenEncryption", false, providers.WithIDTokenEncryption("ECDH-ES", "A128GCM"), nil},
	{"WithUserInfoEncryption", false, providers.WithUserInfoEncryption("ECDH-ES", "A128GCM"), nil},
	{"WithRequestObject", false, providers.WithRequestObject(), func(p *core.Provider) bool { return coreaccess.Spec(p).RequestObject }},
}

// optionsWith are options given together with a row's option, because it
// needs them: a request object is signed with the client's key.
var optionsWith = map[string][]providers.Option{
	"WithRequestObject":      {providers.WithPrivateKey(optionsKey, "k1")},
	"WithIDTokenEncryption":  {providers.WithDecryptionKey(optionsKey, "")},
	"WithUserInfoEncryption": {providers.WithDecryptionKey(optionsKey, "")},
	"WithFAPI2":              {providers.WithPrivateKey(optionsKey, "k1"), providers.WithDPoP(optionsDPoPKey)},
}

// optionsDPoPKey is the DPoP key of the options table.
var optionsDPoPKey, _ = dpop.GenerateKey(dpop.ES256)

// optionsKey is the private_key_jwt key of the options table.
var optionsKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

// TestOptionsEveryConstructor builds every constructor with every option:
// the common ones and those it declares work, the others are refused with
// an error that wraps core.ErrInvalidConfig and names the option and the
// provider.
func TestOptionsEveryConstructor(t *testing.T) {
	t.Parallel()
	for _, b := range builtin.All() {
		for _, o := range options {
			t.Run(b.Name+"/"+o.name, func(t *testing.T) {
				t.Parallel()
				p, err := b.New("client-id", "client-secret", append([]providers.Option{o.opt}, optionsWith[o.name]...)...)
				if o.common || slices.Contains(takes[b.Name], o.name) {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if o.check != nil && !o.check(p) {
						t.Errorf("%s has no effect: %+v", o.name, coreaccess.Spec(p))
					}
					return
				}
				if p != nil || !errors.Is(err, core.ErrInvalidConfig) {
					t.Fatalf("got %v, %v; want an ErrInvalidConfig", p, err)
				}
				if msg := err.Error(); !strings.Contains(msg, o.name) || !strings.Contains(msg, b.Name+":") {
					t.Errorf("error %q does not name %s and %s", msg, o.name, b.Name)
				}
			})
		}
	}
}

// TestOptionErrorsJoined: every refused option is reported, with the
// constructor's own configuration errors.
func TestOptionErrorsJoined(t *testing.T) {
	t.Parallel()
	_, err := providers.Reddit("id", "secret", "", providers.WithBaseURL("https://reddit.example"), providers.WithFormPost())
	if !errors.Is(err, core.ErrInvalidConfig) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"WithBaseURL", "WithFormPost", "user agent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

// TestProtocolOptionConflicts: encryption without a decryption key, and
// FAPI 2.0 with an algorithm the profile does not allow or without what it
// needs, are refused when the provider is built.
func TestProtocolOptionConflicts(t *testing.T) {
	t.Parallel()
	dk := providers.WithDPoP(optionsDPoPKey)
	pk := providers.WithPrivateKey(optionsKey, "k1")
	for name, opts := range map[string][]providers.Option{
		"ID token encryption, no key":  {providers.WithIDTokenEncryption("RSA-OAEP-256", "A256GCM")},
		"UserInfo encryption, no key":  {providers.WithUserInfoEncryption("ECDH-ES", "")},
		"FAPI 2.0 with RS256 ID token": {pk, dk, providers.WithFAPI2(), providers.WithIDTokenSigningAlg("RS256")},
		"FAPI 2.0 with HS256 ID token": {pk, dk, providers.WithFAPI2(), providers.WithIDTokenSigningAlg("HS256")},
		"FAPI 2.0 without DPoP":        {pk, providers.WithFAPI2()},
		"FAPI 2.0 with a secret":       {dk, providers.WithFAPI2()},
		"JARM in fragment":             {providers.WithJARM("fragment.jwt")},
		"request object without key":   {providers.WithRequestObject()},
	} {
		if _, err := providers.OIDC("op", "https://op.example", "client", "secret", opts...); !errors.Is(err, core.ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
