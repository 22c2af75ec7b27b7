package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// acmeServer is a small in-process authorization server standing in for a
// provider of one's own ("Acme SSO"): a token endpoint that checks the
// client, the code and the PKCE verifier, and a userinfo endpoint.
type acmeServer struct {
	*httptest.Server
	mu    sync.Mutex
	codes map[string]string // code → code_challenge
	token string
}

func newAcmeServer() *acmeServer {
	s := &acmeServer{codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.tokenEndpoint)
	mux.HandleFunc("GET /userinfo", s.userinfo)
	s.Server = httptest.NewServer(mux)
	return s
}

// approve plays the browser and the consent screen: it reads the
// authorization URL and returns the code the callback would carry.
func (s *acmeServer) approve(authURL string) string {
	u, _ := url.Parse(authURL)
	code := "acme-code-" + core.RandomString(12)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = u.Query().Get("code_challenge")
	return code
}

func (s *acmeServer) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != "real-client-id" || secret != "real-client-secret" {
		testkit.WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	challenge, found := s.codes[r.PostFormValue("code")]
	delete(s.codes, r.PostFormValue("code"))
	s.token = "acme-at-" + core.RandomString(24)
	tok := s.token
	s.mu.Unlock()
	if !found || core.S256Challenge(r.PostFormValue("code_verifier")) != challenge {
		testkit.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant", "error_description": "unknown code"})
		return
	}
	testkit.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email",
	})
}

func (s *acmeServer) userinfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	want := "Bearer " + s.token
	s.mu.Unlock()
	if r.Header.Get("Authorization") != want {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	testkit.WriteJSON(w, http.StatusOK, map[string]any{"sub": "81723", "email": "jane.doe@acme.example", "email_verified": true, "name": "Jane Doe"})
}

// acmeProvider is how an application would describe Acme SSO to the
// library: a core.ProviderSpec with its endpoints and user mapping.
func acmeProvider(base, clientID, clientSecret string) *core.Provider {
	return core.MustProvider(core.ProviderSpec{
		Name: "acme",
		Client: core.Config{
			ClientID: clientID, ClientSecret: clientSecret,
			Endpoints:   core.Endpoints{AuthURL: base + "/authorize", TokenURL: base + "/token", UserInfoURL: base + "/userinfo"},
			RedirectURL: "https://app.example/callback",
			Scopes:      []string{"openid", "email"},
		},
		FetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			f, err := r.Client.Resource(ctx, core.ResourceRequest{URL: base + "/userinfo", Token: r.Token})
			if err != nil {
				return nil, err
			}
			return &core.User{ID: core.String(f, "sub"), Email: core.String(f, "email"),
				EmailVerified: core.Bool(f, "email_verified"), Name: core.String(f, "name"), Raw: f}, nil
		},
	})
}
