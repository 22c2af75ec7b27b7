package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/oidc"
)

// tokenBase is the application's base URL in the token tests. Nothing
// listens there: the tests take the callback from realop's helpers and
// hand it to core.Auth.Complete themselves.
const tokenBase = "http://127.0.0.1:9" + loginPrefix

// TestTokens runs through core what an application does with the tokens of
// a login, against oidc-provider and with each of its clients: userinfo,
// introspection, refresh (rotating the public client's refresh token),
// revocation; then client credentials and the device flow for the clients
// that have those grants.
func TestTokens(t *testing.T) {
	t.Parallel()
	var redirects []string
	for _, c := range opClients {
		redirects = append(redirects, tokenBase+"/"+c.name+"/callback")
	}
	s, ctx := startOP(t, redirects, nil)
	wire := newWireAuth(t, s)
	b := wire.use(core.New().SealingKeys(testkit.SealingKey()).BaseURL(tokenBase))
	for _, c := range opClients {
		b = b.Provider(opProvider(s, c.client(s), c.name))
	}
	auth, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })

	for _, c := range opClients {
		t.Run("login/"+c.name, func(t *testing.T) {
			t.Parallel()
			timed(t)
			loginTokens(t, ctx, s, auth, c)
			wire.check(t, c.client(s).ID, c.method)
		})
	}
	for _, c := range opClients[:2] { // the public client has no client_credentials grant
		t.Run("client-credentials/"+c.name, func(t *testing.T) {
			t.Parallel()
			timed(t)
			clientCredentials(t, ctx, s, auth, c)
		})
	}
	t.Run("id-token-for-another-client", func(t *testing.T) {
		t.Parallel()
		timed(t)
		// A genuine ID token of oidc-provider, issued to one client, is
		// refused by the verifier of another (aud, OpenID Connect Core
		// §3.1.3.7 step 3), even with its nonce supplied.
		res := completeLogin(t, ctx, s, auth, opClients[1].name, "aud-"+opClients[1].name, core.BeginOptions{})
		other, _ := providerNamed(auth, opClients[0].name)
		v, err := coreaccess.Verifier(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.VerifyIDToken(ctx, res.IDToken.Raw, core.IDTokenExpectations{Nonce: res.IDToken.Nonce})
		if !errors.Is(err, oidc.ErrAudienceMismatch) {
			t.Fatalf("ID token of %s accepted for %s: %v", opClients[1].name, opClients[0].name, err)
		}
	})
	for _, c := range []opClient{opClients[0], opClients[2]} { // the post client has no device grant
		t.Run("device/"+c.name, func(t *testing.T) {
			t.Parallel()
			timed(t)
			deviceFlow(t, ctx, s, auth, c)
		})
	}
}

// loginTokens logs in with prompt=consent and offline_access, so that
// oidc-provider 9 issues a refresh token, and then uses the tokens.
func loginTokens(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, c opClient) {
	login := "tokens-" + c.name
	want := opuser.Account(login)
	res := completeLogin(t, ctx, s, auth, c.name, login, core.BeginOptions{
		Prompt: "consent", Scopes: []string{"openid", "profile", "email", "offline_access"},
	})
	client, err := mustProvider(t, auth, c.name).Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := c.client(s).ID

	// The login: the ID token names the user, userinfo adds the profile.
	u := res.User
	if res.IDToken == nil || res.IDToken.Subject != login || u.ID != login || u.Email != want.Email ||
		!u.EmailVerified || u.Name != want.Name || u.Username != want.PreferredUsername {
		t.Errorf("login user %+v, ID token %+v; want sub %s, email %s, name %s", u, res.IDToken, login, want.Email, want.Name)
	}
	t0 := res.Token
	if t0.AccessToken == "" || t0.RefreshToken == "" || t0.IDToken == "" || !slices.Contains(strings.Fields(t0.Scope), "offline_access") {
		t.Fatalf("login token lacks a part: access %t, refresh %t, id %t, scope %q",
			t0.AccessToken != "", t0.RefreshToken != "", t0.IDToken != "", t0.Scope)
	}
	checkUserInfo(t, ctx, client, t0.AccessToken, login, want)
	checkActive(t, ctx, client, t0.AccessToken, core.HintAccessToken, true, id, login)

	// Refresh keeps the subject; oidc-provider rotates the refresh token of
	// public clients only, and the one rotated away is dead.
	t1, id1, err := auth.Refresh(ctx, c.name, t0, res.IDToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if id1 == nil || id1.Subject != login || id1 == res.IDToken {
		t.Errorf("refresh ID token %+v, want a new one for %s", id1, login)
	}
	if t1.AccessToken == "" || t1.AccessToken == t0.AccessToken {
		t.Error("refresh gave no new access token")
	}
	rotated := t1.RefreshToken != t0.RefreshToken
	if wantRotated := c.method == core.AuthNone; rotated != wantRotated {
		t.Errorf("refresh token rotated: %t, want %t", rotated, wantRotated)
	}
	if rotated {
		checkActive(t, ctx, client, t0.RefreshToken, core.HintRefreshToken, false, id, login)
	}
	checkUserInfo(t, ctx, client, t1.AccessToken, login, want)
	t2, id2, err := auth.Refresh(ctx, c.name, t1, id1)
	if err != nil {
		t.Fatalf("second refresh, with the refresh token of the first: %v", err)
	}
	if id2 == nil || id2.Subject != login {
		t.Errorf("second refresh ID token %+v", id2)
	}

	// Revocation of the refresh token: oidc-provider then ends the whole
	// grant, so the access token of the same grant dies with it, userinfo
	// refuses it, and the refresh token no longer refreshes. (Revocation
	// of an access token alone is in clientCredentials.)
	checkActive(t, ctx, client, t2.RefreshToken, core.HintRefreshToken, true, id, login)
	checkActive(t, ctx, client, t2.AccessToken, core.HintAccessToken, true, id, login)
	if err := client.Revoke(ctx, t2.RefreshToken, core.HintRefreshToken); err != nil {
		t.Fatalf("revoke the refresh token: %v", err)
	}
	checkActive(t, ctx, client, t2.RefreshToken, core.HintRefreshToken, false, id, login)
	checkActive(t, ctx, client, t2.AccessToken, core.HintAccessToken, false, id, login)
	if _, err := oidc.FetchUserInfo(ctx, nil, client.Endpoints().UserInfoURL, t2.AccessToken, login); !errors.Is(err, core.ErrInvalidToken) {
		t.Errorf("userinfo with the access token of a revoked grant: %v, want invalid_token", err)
	}
	if _, _, err := auth.Refresh(ctx, c.name, t2, id2); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("refresh with a revoked refresh token: %v, want invalid_grant", err)
	}
}

// completeLogin runs core.Auth.Begin, plays the user at the provider and
// hands the callback to core.Auth.Complete, as an adapter would.
func completeLogin(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, provider, login string, opts core.BeginOptions) *core.Result {
	t.Helper()
	authURL, flow, err := auth.Begin(ctx, provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := s.Authorize(ctx, nil, authURL, login)
	if err != nil {
		t.Fatal(err)
	}
	res, clear, err := auth.Complete(ctx, provider, cb.Query(),
		func(name string) (string, bool) { return flow.Value, name == flow.Name })
	if err != nil {
		t.Fatalf("complete the login: %v", err)
	}
	if clear.Name != flow.Name || clear.MaxAge >= 0 {
		t.Errorf("Complete's cookie %s (max-age %d) does not clear the flow cookie %s", clear.Name, clear.MaxAge, flow.Name)
	}
	return res
}

// checkUserInfo calls the userinfo endpoint with an access token.
func checkUserInfo(t *testing.T, ctx context.Context, client *core.Client, accessToken, sub string, want opuser.Claims) {
	t.Helper()
	info, err := oidc.FetchUserInfo(ctx, nil, client.Endpoints().UserInfoURL, accessToken, sub)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != sub || info.Email != want.Email || !info.EmailVerified || info.Name != want.Name ||
		info.PreferredUsername != want.PreferredUsername {
		t.Errorf("userinfo %+v, want %+v", info, want)
	}
}

// checkActive introspects a token and checks whether it is active and, if
// so, whose it is.
func checkActive(t *testing.T, ctx context.Context, client *core.Client, token string, hint string, active bool, clientID, sub string) {
	t.Helper()
	in, err := client.Introspect(ctx, token, hint)
	if err != nil {
		t.Fatalf("introspect the %s: %v", hint, err)
	}
	if in.Active != active {
		t.Fatalf("the %s is active: %t, want %t", hint, in.Active, active)
	}
	if active && (in.ClientID != clientID || in.Subject != sub || !in.Expiry.After(time.Now())) {
		t.Errorf("introspection of the %s: client %q, sub %q, expiry %v; want %s, %s, in the future",
			hint, in.ClientID, in.Subject, in.Expiry, clientID, sub)
	}
}

// clientCredentials gets a token for the client itself: an opaque one,
// introspected, revoked and then inactive; a JWT for the provider's API
// resource; and nothing with a wrong secret.
func clientCredentials(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, c opClient) {
	client, err := mustProvider(t, auth, c.name).Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := c.client(s).ID
	tok, err := client.ClientCredentials(ctx, core.WithParam("scope", "api:read"))
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken != "" || tok.Scope != "api:read" || tok.Expiry.IsZero() {
		t.Errorf("client credentials token: refresh %t, scope %q, expiry %v", tok.RefreshToken != "", tok.Scope, tok.Expiry)
	}
	in, err := client.Introspect(ctx, tok.AccessToken, core.HintAccessToken)
	if err != nil {
		t.Fatalf("introspect: %v", err)
	}
	if !in.Active || in.ClientID != id || in.Scope != "api:read" || in.Subject != "" {
		t.Errorf("introspection: active %t, client %q, scope %q, sub %q", in.Active, in.ClientID, in.Scope, in.Subject)
	}
	if err := client.Revoke(ctx, tok.AccessToken, core.HintAccessToken); err != nil {
		t.Fatalf("revoke the access token: %v", err)
	}
	if in, err = client.Introspect(ctx, tok.AccessToken, core.HintAccessToken); err != nil || in.Active {
		t.Errorf("introspection of the revoked access token: active %t, error %v; want inactive", in != nil && in.Active, err)
	}

	tok, err = client.ClientCredentials(ctx, core.WithParam("scope", "api:write"), core.WithParam("resource", s.APIResource))
	if err != nil {
		t.Fatalf("client credentials for the API: %v", err)
	}
	var claims struct {
		Aud      string `json:"aud"`
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
	}
	jwtClaims(t, tok.AccessToken, &claims)
	if claims.Aud != s.APIResource || claims.ClientID != id || claims.Scope != "api:write" {
		t.Errorf("API access token claims %+v", claims)
	}

	bad, err := core.NewClient(core.Config{ClientID: id, ClientSecret: "not-the-secret", AuthMethod: c.method, Endpoints: client.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.ClientCredentials(ctx); !errors.Is(err, core.ErrInvalidClient) {
		t.Errorf("client credentials with a wrong secret: %v, want invalid_client", err)
	}
}

// jwtClaims decodes the payload of a JWT without checking it: the test
// only looks at what the provider put in.
func jwtClaims(t *testing.T, raw string, v any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("the access token is not a JWT (%d parts)", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(payload, v); err != nil {
		t.Fatal(err)
	}
}

// devicePollInterval replaces the 5 s that RFC 8628 prescribes when the
// device authorization answer has no interval: oidc-provider 9 sends none
// and never answers slow_down, and the test should not wait for seconds.
const devicePollInterval = 100 * time.Millisecond

// deviceFlow starts a device authorization, polls for the token while the
// user enters the code and approves on the provider's device pages, and
// uses the token.
func deviceFlow(t *testing.T, ctx context.Context, s *realop.Server, auth *core.Auth, c opClient) {
	login := "device-" + c.name
	want := opuser.Account(login)
	client, err := mustProvider(t, auth, c.name).Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	da, err := client.DeviceAuthorize(ctx, core.WithParam("scope", "openid profile email"))
	if err != nil {
		t.Fatalf("device authorization: %v", err)
	}
	if da.DeviceCode == "" || da.UserCode == "" || !strings.HasPrefix(da.VerificationURI, s.Issuer+"/") ||
		!da.Expiry.After(time.Now()) {
		t.Fatalf("device authorization: user code %q, verification URI %q, expiry %v", da.UserCode, da.VerificationURI, da.Expiry)
	}
	if vu, err := url.Parse(da.VerificationURIComplete); err != nil || vu.Query().Get("user_code") != da.UserCode {
		t.Errorf("verification_uri_complete %q does not carry the user code", da.VerificationURIComplete)
	}
	if da.Interval != 5*time.Second {
		t.Errorf("interval %v, want the RFC 8628 default of 5s for an answer without one", da.Interval)
	}
	da.Interval = devicePollInterval

	type result struct {
		tok *core.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := client.DeviceToken(ctx, da)
		done <- result{tok, err}
	}()
	if err := s.ApproveDevice(ctx, nil, da.UserCode, login); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("device token: %v", r.err)
	}
	if r.tok.AccessToken == "" || r.tok.IDToken == "" {
		t.Errorf("device token: access %t, id %t", r.tok.AccessToken != "", r.tok.IDToken != "")
	}
	checkUserInfo(t, ctx, client, r.tok.AccessToken, login, want)

	// The device code is single use.
	if _, err := client.DeviceToken(ctx, da); !errors.Is(err, core.ErrInvalidGrant) {
		t.Errorf("second use of the device code: %v, want invalid_grant", err)
	}
}
