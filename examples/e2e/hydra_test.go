package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/hydra"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/go-oauth20/oauth20/providers"
)

// hydraTimeout bounds the network work of the tests against Hydra (a cold
// build of Hydra is not part of it: Start has happened by then).
const hydraTimeout = 2 * time.Minute

// TestHydra runs the library against Ory Hydra, a second independent,
// certified OpenID provider: logins through every adapter ending in an
// RP-initiated logout that returns to the app, every client
// authentication (basic, post, none with PKCE, private_key_jwt with the
// token endpoint as audience), refresh with rotation, revocation and
// introspection, signed UserInfo, back-channel logout, and a key rotation
// while the app keeps running. The subtests run one after the other: Hydra's
// in-memory database refuses concurrent writes ("unable to serialize
// access"), which a production database would not.
func TestHydra(t *testing.T) {
	t.Parallel()
	began := time.Now()
	s := hydra.Start(t, hydra.Options{})
	t.Logf("Hydra ready at %s after %v", s.Issuer, time.Since(began).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), hydraTimeout)
	t.Cleanup(cancel)

	t.Run("adapters", func(t *testing.T) {
		for _, a := range adapters {
			t.Run(a.name, func(t *testing.T) {
				hydraAdapterJourney(t, ctx, s, a)
			})
		}
	})
	for _, m := range []string{hydra.AuthSecretBasic, hydra.AuthSecretPost, hydra.AuthNone, hydra.AuthPrivateKeyJWT} {
		t.Run("client-auth/"+m, func(t *testing.T) {
			hydraTokens(t, ctx, s, m)
		})
	}
	t.Run("private-key-jwt-issuer-audience", func(t *testing.T) {
		// The issuer as the assertion's audience (the library's default) is
		// refused by Hydra: the setting exists for providers like it.
		auth, login := hydraAuth(t, s, hydra.AuthPrivateKeyJWT, false, nil)
		_, err := hydraLogin(t, ctx, s, auth, login)
		if !errors.Is(err, core.ErrInvalidClient) {
			t.Fatalf("login with the issuer as audience: %v, want invalid_client", err)
		}
	})
	t.Run("signed-userinfo", func(t *testing.T) {
		auth, login := hydraAuth(t, s, hydra.AuthSecretBasic, false, func(c *hydra.ClientSpec) {
			c.UserinfoSignedResponseAlg = "RS256"
		}, providers.WithUserInfoSigningAlg("RS256"))
		res, err := hydraLogin(t, ctx, s, auth, login)
		if err != nil {
			t.Fatal(err)
		}
		want := opuser.Account(login)
		if res.User.Email != want.Email || res.User.Name != want.Name {
			t.Errorf("user from signed UserInfo %+v, want %+v", res.User, want)
		}
	})
	t.Run("back-channel-logout", func(t *testing.T) {
		hydraBackChannel(t, ctx, s)
	})
	t.Run("key-rotation", func(t *testing.T) {
		auth, login := hydraAuth(t, s, hydra.AuthSecretBasic, false, nil)
		before, err := hydraLogin(t, ctx, s, auth, login)
		if err != nil {
			t.Fatal(err)
		}
		kid, err := s.RotateSigningKey(ctx, "RS256")
		if err != nil {
			t.Fatal(err)
		}
		// The app keeps running: the next login's ID token is signed with
		// a key it has never seen, and is verified all the same.
		after, err := hydraLogin(t, ctx, s, auth, login+"-again")
		if err != nil {
			t.Fatalf("login after the key rotation: %v", err)
		}
		if h := jwtHeader(t, after.IDToken.Raw); h["kid"] != kid || jwtHeader(t, before.IDToken.Raw)["kid"] == kid {
			t.Errorf("ID tokens signed with %v then %v, want the new key %s only after the rotation",
				jwtHeader(t, before.IDToken.Raw)["kid"], h["kid"], kid)
		}
	})
}

// hydraAuth registers a client with the given authentication at s and
// returns an Auth with a provider for it (keeping tokens, so that logout
// can revoke them) and a login name unique to the test. tokenEndpointAud
// makes private_key_jwt assertions name the token endpoint, as Hydra
// requires.
func hydraAuth(t *testing.T, s *hydra.Server, method string, tokenEndpointAud bool, edit func(*hydra.ClientSpec), opts ...providers.Option) (*core.Auth, string) {
	t.Helper()
	spec := hydra.ClientSpec{AuthMethod: method, RedirectURIs: []string{hydraBase + "/hydra/callback"},
		PostLogoutRedirectURIs: []string{"http://127.0.0.1:8000/"}}
	var key *ecdsa.PrivateKey
	if method == hydra.AuthSecretPost {
		// Discovery lists both secret methods; the client is registered for
		// this one, as an application would say.
		opts = append(opts, providers.WithAuthMethod(core.AuthSecretPost))
	}
	if method == hydra.AuthPrivateKeyJWT {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
		spec.JWKS, spec.SigningAlg = ecJWKS(t, key, "app-1"), "ES256"
		opts = append(opts, providers.WithPrivateKey(key, "app-1"))
		if tokenEndpointAud {
			opts = append(opts, providers.WithTokenEndpointAudience())
		}
	}
	if edit != nil {
		edit(&spec)
	}
	c := s.NewClient(t, spec)
	auth, err := core.New().SealingKeys(testkit.SealingKey()).BaseURL(hydraBase).KeepTokens().
		Provider(providers.OIDC("hydra", s.Issuer, c.ID, c.Secret, opts...)).Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	return auth, "hydra-" + strings.ReplaceAll(t.Name(), "/", "-")
}

// hydraBase is the base URL of the Auths of the Hydra tests.
const hydraBase = "http://127.0.0.1:8000" + loginPrefix

// hydraLogin runs Begin, plays the user at Hydra and runs Complete.
func hydraLogin(t *testing.T, ctx context.Context, s *hydra.Server, auth *core.Auth, login string) (*core.Result, error) {
	t.Helper()
	authURL, flow, err := auth.Begin(ctx, "hydra", core.BeginOptions{Scopes: []string{"openid", "offline_access", "profile", "email"}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := s.Authorize(ctx, nil, authURL, login)
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := auth.Complete(ctx, "hydra", cb.Query(), func(name string) (string, bool) { return flow.Value, name == flow.Name })
	return res, err
}

// hydraTokens logs in with one client authentication and uses the tokens:
// refresh (rotating), the rotated-out refresh token refused as "log in
// again", revocation, and introspection at the admin port.
func hydraTokens(t *testing.T, ctx context.Context, s *hydra.Server, method string) {
	auth, login := hydraAuth(t, s, method, true, nil)
	res, err := hydraLogin(t, ctx, s, auth, login)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	want := opuser.Account(login)
	if res.User.ID != login || res.User.Email != want.Email || !res.User.EmailVerified || res.IDToken.Subject != login {
		t.Errorf("user %+v, ID token subject %q, want %s <%s>", res.User, res.IDToken.Subject, login, want.Email)
	}
	if res.Token.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}

	t1, id1, err := auth.Refresh(ctx, "hydra", res.Token, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if t1.RefreshToken == res.Token.RefreshToken || id1.Subject != login {
		t.Errorf("refresh: rotated %v, subject %q", t1.RefreshToken != res.Token.RefreshToken, id1.Subject)
	}
	// A caller still holding the old tokens, as a concurrent request of
	// the same user would, gets the result of that refresh rather than
	// spend the rotated-out token.
	if t2, _, err := auth.Refresh(ctx, "hydra", res.Token, res.IDToken); err != nil || t2.AccessToken != t1.AccessToken {
		t.Errorf("refresh with the old tokens on the same Auth: %v, want the result of the first refresh", err)
	}
	// A replica that does not share the Store sends the rotated-out refresh
	// token, which Hydra refuses (ending the grant): the application is
	// told to send the user to log in again.
	p, _ := providerNamed(auth, "hydra")
	other := core.New().SealingKeys(testkit.SealingKey()).BaseURL(hydraBase).Provider(p, nil).MustBuild()
	if _, _, err := other.Refresh(ctx, "hydra", res.Token, res.IDToken); !errors.Is(err, core.ErrLoginAgain) {
		t.Errorf("refresh with the rotated-out token: %v, want ErrLoginAgain", err)
	}

	// A fresh login, then revocation and introspection.
	res, err = hydraLogin(t, ctx, s, auth, login)
	if err != nil {
		t.Fatalf("second login: %v", err)
	}
	p, _ = providerNamed(auth, "hydra")
	client, err := p.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := s.Introspect(ctx, res.Token.AccessToken); err != nil || in["active"] != true || in["sub"] != login {
		t.Fatalf("introspection before revocation: %v %v", in, err)
	}
	if err := client.Revoke(ctx, res.Token.RefreshToken, core.HintRefreshToken); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	// Revoking the refresh token revokes its access token at Hydra.
	if in, err := s.Introspect(ctx, res.Token.AccessToken); err != nil || in["active"] != false {
		t.Errorf("introspection after revocation: %v %v", in, err)
	}
	introspector, err := core.NewClient(core.Config{ClientID: "introspector", ClientSecret: "unused-secret",
		Endpoints: core.Endpoints{TokenURL: s.Endpoints.Token, IntrospectionURL: s.Endpoints.Introspection}})
	if err != nil {
		t.Fatal(err)
	}
	if in, err := introspector.Introspect(ctx, res.Token.RefreshToken, core.HintRefreshToken); err != nil || in.Active {
		t.Errorf("core.Client.Introspect of the revoked refresh token: %+v %v", in, err)
	}
}

// hydraAdapterJourney logs in through one adapter with a browser, reads the
// protected page, and logs out: the app sends the browser to Hydra's
// end-session endpoint with id_token_hint, and Hydra sends it back to the
// app.
func hydraAdapterJourney(t *testing.T, ctx context.Context, s *hydra.Server, a adapter) {
	ln, base := listen(t)
	t.Cleanup(func() { _ = ln.Close() })
	c := s.NewClient(t, hydra.ClientSpec{RedirectURIs: []string{base + loginPrefix + "/hydra/callback"},
		PostLogoutRedirectURIs: []string{base + "/"}})
	auth, err := core.New().SealingKeys(testkit.SealingKey()).BaseURL(base + loginPrefix).AfterLogout(base + "/").
		Provider(providers.OIDC("hydra", s.Issuer, c.ID, c.Secret)).Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	a.serve(t, ln, auth)
	br := newBrowser(t)
	login := "hydra-" + a.name

	p := br.get(ctx, base+loginPrefix+"/hydra/login?return_to=%2Fme")
	if p.StatusCode != http.StatusFound || !strings.HasPrefix(p.Header.Get("Location"), s.Endpoints.Authorization+"?") {
		t.Fatalf("login: %d to %q", p.StatusCode, p.Header.Get("Location"))
	}
	cb, err := s.Authorize(ctx, br.Client, p.Header.Get("Location"), login)
	if err != nil {
		t.Fatal(err)
	}
	if p = br.get(ctx, cb.String()); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/me" {
		t.Fatalf("callback: %d to %q: %s", p.StatusCode, p.Header.Get("Location"), p.body)
	}
	p = br.get(ctx, base+"/me")
	var me adaptertest.Me
	if p.StatusCode != http.StatusOK || json.Unmarshal([]byte(p.body), &me) != nil || me.ID != login || me.Email != opuser.Account(login).Email {
		t.Fatalf("GET /me: %d %s", p.StatusCode, p.body)
	}

	p = br.do(ctx, http.MethodPost, base+loginPrefix+"/hydra/logout", url.Values{})
	end := p.Header.Get("Location")
	eu, _ := url.Parse(end)
	if p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(end, s.Endpoints.EndSession+"?") ||
		eu.Query().Get("id_token_hint") == "" || eu.Query().Get("post_logout_redirect_uri") != base+"/" {
		t.Fatalf("logout: %d to %q", p.StatusCode, end)
	}
	out, err := s.Logout(ctx, br.Client, end)
	if err != nil || out == nil || out.String() != base+"/" {
		t.Fatalf("after logout Hydra sends the browser to %v (%v), want %s", out, err, base+"/")
	}
	if p = br.get(ctx, base+"/me"); p.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /me after logout: %d", p.StatusCode)
	}
}

// hydraBackChannel logs in with a client that has a back-channel logout
// URI, ends the login session at Hydra, and verifies the logout token
// Hydra delivers with the provider's verifier: signed with the ID-token
// key, for this client, naming the login's sid.
func hydraBackChannel(t *testing.T, ctx context.Context, s *hydra.Server) {
	var (
		mu     sync.Mutex
		tokens = make(chan string, 4)
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		mu.Lock()
		defer mu.Unlock()
		select {
		case tokens <- form.Get("logout_token"):
		default:
		}
	}))
	t.Cleanup(receiver.Close)
	auth, login := hydraAuth(t, s, hydra.AuthSecretBasic, false, func(c *hydra.ClientSpec) {
		c.BackchannelLogoutURI = receiver.URL + "/backchannel"
		c.BackchannelLogoutSessionRequired = true
	})
	res, err := hydraLogin(t, ctx, s, auth, login)
	if err != nil {
		t.Fatal(err)
	}
	if res.IDToken.SessionID == "" {
		t.Fatal("the ID token has no sid")
	}
	if err := s.RevokeLoginSession(ctx, res.IDToken.SessionID); err != nil {
		t.Fatal(err)
	}
	var raw string
	select {
	case raw = <-tokens:
	case <-ctx.Done():
		t.Fatal("Hydra delivered no logout token")
	}
	p, _ := providerNamed(auth, "hydra")
	v, err := coreaccess.Verifier(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	lt, err := v.(*oidc.Verifier).VerifyLogoutToken(ctx, raw)
	if err != nil {
		t.Fatalf("Hydra's logout token: %v", err)
	}
	if lt.SessionID != res.IDToken.SessionID {
		t.Errorf("logout token for session %q, want %q", lt.SessionID, res.IDToken.SessionID)
	}
}

// jwtHeader decodes the header of a compact JWS without checking it.
func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	seg, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	var h map[string]any
	if err != nil || json.Unmarshal(seg, &h) != nil {
		t.Fatalf("not a JWS header: %v", err)
	}
	return h
}

// ecJWKS is the public JWK Set of a P-256 key, for a private_key_jwt
// client.
func ecJWKS(t *testing.T, key *ecdsa.PrivateKey, kid string) json.RawMessage {
	t.Helper()
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	b := pub.Bytes() // 0x04 || X || Y
	enc := base64.RawURLEncoding.EncodeToString
	out, err := json.Marshal(map[string]any{"keys": []any{map[string]string{
		"kty": "EC", "crv": "P-256", "x": enc(b[1:33]), "y": enc(b[33:]), "kid": kid, "alg": "ES256", "use": "sig",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
