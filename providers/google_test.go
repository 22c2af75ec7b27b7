package providers

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/golang-jwt/jwt/v5"
)

// googleFake plays Google's discovery, JWKS, token and UserInfo endpoints
// on their real URLs, signing ID tokens with a key generated per test.
type googleFake struct {
	t   *testing.T
	key *rsa.PrivateKey
	iss string

	mu    sync.Mutex
	nonce string
}

const googleTestSub = "110248495921238986420"

func (g *googleFake) setNonce(n string) { g.mu.Lock(); g.nonce = n; g.mu.Unlock() }

func (g *googleFake) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	write := func(v any) { _ = json.NewEncoder(w).Encode(v) }
	switch r.Host + r.URL.Path {
	case "accounts.google.com/.well-known/openid-configuration":
		write(map[string]any{
			"issuer": "https://accounts.google.com", "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
			"token_endpoint": "https://oauth2.googleapis.com/token", "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
			"revocation_endpoint": "https://oauth2.googleapis.com/revoke", "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
			"code_challenge_methods_supported":      []string{"plain", "S256"},
		})
	case "www.googleapis.com/oauth2/v3/certs":
		b64 := base64.RawURLEncoding.EncodeToString
		write(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64(g.key.N.Bytes()), "e": b64(big.NewInt(int64(g.key.E)).Bytes()),
		}}})
	case "oauth2.googleapis.com/token":
		if id, secret, ok := r.BasicAuth(); !ok || id != "gid.apps.googleusercontent.com" || secret != "gsecret" {
			g.t.Errorf("token request without the client's Basic credentials")
		}
		g.mu.Lock()
		nonce := g.nonce
		g.mu.Unlock()
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": g.iss, "sub": googleTestSub, "aud": "gid.apps.googleusercontent.com", "azp": "gid.apps.googleusercontent.com",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": nonce,
			"email": "jane.doe@gmail.com", "email_verified": true, "name": "Jane Doe",
		})
		tok.Header["kid"] = "k1"
		raw, err := tok.SignedString(g.key)
		if err != nil {
			g.t.Error(err)
		}
		write(map[string]any{"access_token": "ya29.test", "expires_in": 3599, "refresh_token": "1//rt", "token_type": "Bearer", "id_token": raw,
			"scope": "openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile"})
	case "openidconnect.googleapis.com/v1/userinfo":
		write(map[string]any{"sub": googleTestSub, "name": "Jane Doe", "picture": "https://lh3.googleusercontent.com/a/x=s96-c",
			"email": "jane.doe@gmail.com", "email_verified": true, "hd": "example.com"})
	default:
		g.t.Errorf("unexpected request %s %s%s", r.Method, r.Host, r.URL.Path)
		http.NotFound(w, r)
	}
}

// TestGoogleLogin drives a whole login against a fake Google: the ID token
// is verified, with iss spelt with or without the scheme, and anything else
// is refused.
func TestGoogleLogin(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		iss  string
		want error
	}{
		{"https://accounts.google.com", nil},
		{"accounts.google.com", nil},
		{"https://accounts.google.com.evil.example", oidc.ErrIssuerMismatch},
		{"http://accounts.google.com", oidc.ErrIssuerMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.iss, func(t *testing.T) {
			t.Parallel()
			g := &googleFake{t: t, key: key, iss: tt.iss}
			a, err := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL("https://app.example/auth").
				HTTPClient(seedClient(g.serve)).Provider(Google("gid.apps.googleusercontent.com", "gsecret")).Build()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = a.Close() })
			ctx := context.Background()
			authURL, cookie, err := a.Begin(ctx, "google", core.BeginOptions{})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			q := u.Query()
			if q.Get("access_type") != "offline" || q.Get("prompt") != "" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" {
				t.Errorf("authorization URL %s", authURL)
			}
			g.setNonce(q.Get("nonce"))
			res, _, err := a.Complete(ctx, "google", url.Values{"code": {"4/0Acode"}, "state": {q.Get("state")}},
				func(name string) (string, bool) { return cookie.Value, name == cookie.Name })
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			usr := res.User
			if usr.ID != googleTestSub || usr.Email != "jane.doe@gmail.com" || !usr.EmailVerified || usr.Name != "Jane Doe" || usr.Raw["hd"] != "example.com" {
				t.Errorf("user %+v", usr)
			}
			if res.Token.RefreshToken != "1//rt" {
				t.Errorf("token %v", res.Token)
			}
		})
	}
}

func TestGooglePromptOnRequest(t *testing.T) {
	t.Parallel()
	p, err := Google("gid", "gsecret", WithAuthParam("prompt", "consent"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := coreaccess.WithRuntime(p, seedClient((&googleFake{t: t}).serve), nil, nil).Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(c.AuthCodeURL("st", coreaccess.Spec(p).AuthOptions...))
	if q := u.Query(); q.Get("prompt") != "consent" || q.Get("access_type") != "offline" {
		t.Errorf("authorization URL %s", u)
	}
}
