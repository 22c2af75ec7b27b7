package core

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/corehook"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// fapiSpec edits a test provider into a FAPI 2.0 one.
func fapiSpec(t *testing.T) func(*ProviderSpec) {
	key := testkit.ECKey(t, elliptic.P256())
	dk := dpopKey(t)
	return func(s *ProviderSpec) {
		s.FAPI2 = true
		s.Client.AuthMethod, s.Client.PrivateKey, s.Client.ClientSecret, s.Client.DPoPKey = AuthPrivateKeyJWT, key, "", dk
	}
}

// TestFAPI2Provider: a FAPI 2.0 provider pushes every login and refuses
// what contradicts the profile.
func TestFAPI2Provider(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	p := testProvider(t, f, "bank", fapiSpec(t))
	if !p.spec.PAR {
		t.Error("FAPI 2.0 without PAR")
	}
	for name, edit := range map[string]func(*ProviderSpec){
		"no PKCE":        func(s *ProviderSpec) { s.PKCE = PKCEUnsupported },
		"client secret":  func(s *ProviderSpec) { s.Client.AuthMethod, s.Client.ClientSecret = AuthSecretBasic, "x" },
		"no DPoP key":    func(s *ProviderSpec) { s.Client.DPoPKey = nil },
		"RSA key":        func(s *ProviderSpec) { s.Client.PrivateKey = testkit.RSAKey(t) },
		"P-384 key":      func(s *ProviderSpec) { s.Client.PrivateKey = testkit.ECKey(t, elliptic.P384()) },
		"token endpoint": func(s *ProviderSpec) { s.Client.TokenEndpointAudience = true },
		"insecure":       func(s *ProviderSpec) { s.Client.InsecureAllowHTTP = true },
		"no issuer":      func(s *ProviderSpec) { s.Client.Issuer = "" },
		"http redirect": func(s *ProviderSpec) {
			s.Client.InsecureAllowHTTP, s.Client.RedirectURL = false, "http://app.example/cb"
		},
		"public client":    func(s *ProviderSpec) { s.Client.AuthMethod, s.Client.PrivateKey = AuthNone, nil },
		"PKCE public only": func(s *ProviderSpec) { s.PKCE = PKCEPublicOnly },
	} {
		spec := ProviderSpec{Name: "bank", Client: Config{ClientID: "c", Endpoints: f.endpoints(), Issuer: f.URL},
			FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }}
		fapiSpec(t)(&spec)
		edit(&spec)
		_, err := NewProvider(spec)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "FAPI 2.0") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFAPI2Login: the login is pushed, an authorization response without
// iss is refused, and so is a Bearer token.
func TestFAPI2Login(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, fapiSpec(t))
	e.f.answer("/par", http.StatusCreated, "application/json", `{"request_uri":"urn:r:1","expires_in":60}`)
	p := e.auth.byName["fake"]
	p.client.cfg.Endpoints.PushedAuthURL = e.f.URL + "/par"

	to, c, err := e.auth.Begin(context.Background(), "fake", BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	if u.Query().Get("request_uri") != "urn:r:1" {
		t.Fatalf("not pushed: %s", to)
	}
	form := e.f.last(t).Form
	state := form.Get("state")
	if form.Get("code_challenge_method") != "S256" || form.Get("dpop_jkt") == "" || form.Get("client_assertion") == "" {
		t.Errorf("pushed request %v", form)
	}
	if _, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {state}}, jar(c)); !errors.Is(err, ErrFAPI) {
		t.Fatalf("response without iss: %v", err)
	}
	// A Bearer token (flowServer's) is not sender-constrained.
	_, c, _ = e.auth.Begin(context.Background(), "fake", BeginOptions{})
	state = e.f.last(t).Form.Get("state")
	_, _, err = e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {state}, "iss": {e.f.URL}}, jar(c))
	if !errors.Is(err, ErrFAPI) || statusOf(err) != http.StatusBadGateway {
		t.Fatalf("Bearer token: %v", err)
	}
}

// TestFAPI2Mode: the Builder's FAPI 2.0 mode refuses providers outside the
// profile and insecure cookies.
func TestFAPI2Mode(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	fapi := corehook.BuilderFAPI2.(func(*Builder) *Builder)
	_, err := fapi(New().SealingKeys(testKey).BaseURL("https://app.example/auth").InsecureCookies().
		Provider(testProvider(t, f, "bank", fapiSpec(t)), nil).Provider(testProvider(t, f, "plain", nil), nil)).Build()
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), `provider "plain"`) || !strings.Contains(err.Error(), "InsecureCookies") ||
		strings.Contains(err.Error(), `provider "bank"`) {
		t.Fatalf("Build: %v", err)
	}
	if _, err := fapi(New().SealingKeys(testKey).BaseURL("http://127.0.0.1:8080/auth").
		Provider(testProvider(t, f, "bank", fapiSpec(t)), nil)).Build(); err != nil {
		t.Fatalf("a FAPI 2.0 provider on loopback: %v", err)
	}
}

// TestFAPI2CodeOnly: an option that changes the response type is refused
// under FAPI 2.0.
func TestFAPI2CodeOnly(t *testing.T) {
	t.Parallel()
	edit := fapiSpec(t)
	e := newFlowEnv(t, func(s *ProviderSpec) {
		edit(s)
		s.AuthOptions = []Option{WithParam("response_type", "code id_token")}
	})
	if _, _, err := e.auth.Begin(context.Background(), "fake", BeginOptions{}); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("hybrid response type under FAPI 2.0: %v", err)
	}
}
