package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/golang-jwt/jwt/v5"
)

// provider is a tiny OpenID provider for the examples: metadata, a JWK
// Set with one ES256 key, and a UserInfo endpoint.
type provider struct {
	srv *httptest.Server
	key *ecdsa.PrivateKey
}

func newProvider() *provider {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	p := &provider{key: key}
	jwk, err := jwkset.NewJWKFromKey(key.Public(), jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: "key-1", ALG: jwkset.AlgES256, USE: jwkset.UseSig},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := p.srv.URL
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
			"jwks_uri": base + "/jwks", "userinfo_endpoint": base + "/userinfo", "end_session_endpoint": base + "/logout",
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{jwk.Marshal()}})
	})
	mux.HandleFunc("/userinfo", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer access-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"sub":"alice","email":"alice@example.com","email_verified":true,"name":"Alice"}`))
	})
	p.srv = httptest.NewServer(mux)
	return p
}

// idToken signs an ID token for client-1 with the provider's key.
func (p *provider) idToken(nonce string) string {
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": p.srv.URL, "sub": "alice", "aud": "client-1", "nonce": nonce,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = "key-1"
	raw, err := tok.SignedString(p.key)
	if err != nil {
		panic(err)
	}
	return raw
}

func Example() {
	p := newProvider()
	defer p.srv.Close()
	ctx := context.Background()

	md, err := oidc.Discover(ctx, p.srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := md.NewVerifier(oidc.VerifierConfig{ClientID: "client-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()

	tok, err := v.Verify(ctx, p.idToken("n-1"), oidc.Expectations{Nonce: "n-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	info, err := oidc.FetchUserInfo(ctx, nil, md.UserInfoEndpoint, "access-1", tok.Subject)
	if err != nil {
		fmt.Println(err)
		return
	}
	user, err := oidc.NewUser(&tok.IDToken, info)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(user.ID, user.Email, user.EmailVerified, tok.Algorithm)
	// Output: alice alice@example.com true ES256
}

func ExampleVerifier_Verify_nonceMismatch() {
	p := newProvider()
	defer p.srv.Close()
	// No network I/O here: keys are fetched on the first Verify.
	v, err := oidc.NewVerifier(oidc.VerifierConfig{
		Issuer: p.srv.URL, ClientID: "client-1", JWKSURL: p.srv.URL + "/jwks", Algorithms: []string{"ES256"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()
	_, err = v.Verify(context.Background(), p.idToken("n-1"), oidc.Expectations{Nonce: "n-other"})
	fmt.Println(errors.Is(err, oidc.ErrNonceMismatch))
	fmt.Println(err)
	// Output:
	// true
	// oidc: nonce mismatch: the token's nonce is not the one sent
}

func ExampleEndSessionURL() {
	u, err := oidc.EndSessionURL("https://op.example/logout", oidc.LogoutParams{
		PostLogoutRedirectURI: "https://rp.example/signed-out",
		State:                 "af0ifjsldkj",
		ClientID:              "client-1",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.ReplaceAll(u, "&", "\n  &"))
	// Output:
	// https://op.example/logout?client_id=client-1
	//   &post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fsigned-out
	//   &state=af0ifjsldkj
}

func ExampleNewDiscovery() {
	p := newProvider()
	defer p.srv.Close()
	d := oidc.NewDiscovery(p.srv.URL, oidc.WithMetadataTTL(30*time.Minute))
	md, err := d.Metadata(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := d.Metadata(context.Background())
	fmt.Println(md == again, strings.TrimPrefix(md.Endpoints().TokenURL, p.srv.URL))
	// Output: true /token
}

// Discovery refuses metadata that points the client at an internal
// service, and WithEndpointHosts narrows the endpoints to known hosts.
func ExampleWithEndpointHosts() {
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
			"jwks_uri": "https://169.254.169.254/latest/meta-data/",
		})
	}))
	defer srv.Close()
	base = srv.URL
	_, err := oidc.Discover(context.Background(), srv.URL)
	fmt.Println(errors.Is(err, oidc.ErrEndpointNotAllowed))
	_, err = oidc.Discover(context.Background(), srv.URL, oidc.WithEndpointHosts("keys.example.com"))
	fmt.Println(errors.Is(err, oidc.ErrEndpointNotAllowed))
	// Output:
	// true
	// true
}
