package conformance_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"

	"github.com/go-oauth20/oauth20/core"
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
	code := "acme-code-" + core.GenerateVerifier()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = u.Query().Get("code_challenge")
	return code
}

func (s *acmeServer) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	w.Header().Set("Content-Type", "application/json")
	if !ok || id != "real-client-id" || secret != "real-client-secret" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
		return
	}
	s.mu.Lock()
	challenge, found := s.codes[r.PostFormValue("code")]
	delete(s.codes, r.PostFormValue("code"))
	s.token = "acme-at-" + core.GenerateVerifier()
	tok := s.token
	s.mu.Unlock()
	if !found || s256(r.PostFormValue("code_verifier")) != challenge {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"unknown code"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": 3600, "scope": "openid email",
	})
}

func (s *acmeServer) userinfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	want := "Bearer " + s.token
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != want {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, _ = w.Write([]byte(`{"sub":"81723","email":"jane.doe@acme.example","email_verified":true,"name":"Jane Doe"}`))
}

// acmeProvider is how an application would describe Acme SSO to the
// library: a core.ProviderSpec with its endpoints, its user mapping and
// the fields of its answers that hold personal data.
func acmeProvider(base, clientID, clientSecret string, hc *http.Client) *core.Provider {
	return mustProvider(core.ProviderSpec{
		Name: "acme",
		Client: core.Config{
			ClientID: clientID, ClientSecret: clientSecret,
			Endpoints:   core.Endpoints{AuthURL: base + "/authorize", TokenURL: base + "/token", UserInfoURL: base + "/userinfo"},
			RedirectURL: "https://app.example/callback",
			Scopes:      []string{"openid", "email"},
			HTTPClient:  hc,
		},
		FetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			var info struct {
				Sub           string `json:"sub"`
				Email         string `json:"email"`
				EmailVerified bool   `json:"email_verified"`
				Name          string `json:"name"`
			}
			if _, err := r.Client.Resource(ctx, core.ResourceRequest{URL: base + "/userinfo", Token: r.Token, Into: &info}); err != nil {
				return nil, err
			}
			return &core.User{ID: info.Sub, Email: info.Email, EmailVerified: info.EmailVerified, Name: info.Name}, nil
		},
		UserFields: core.UserFields{ID: "sub", Email: "email", Name: "name"},
	})
}

// s256 is the PKCE S256 challenge of a verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// mustProvider is core.NewProvider for a valid spec.
func mustProvider(spec core.ProviderSpec) *core.Provider {
	p, err := core.NewProvider(spec)
	if err != nil {
		panic(err)
	}
	return p
}
