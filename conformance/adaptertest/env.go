package adaptertest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/storetest"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/go-oauth20/oauth20/providers"
)

// Paths the adapter under test must serve.
const (
	// Prefix is where the login routes are mounted.
	Prefix = "/auth"
	// MePath is the protected route answering Me.
	MePath = "/me"
	// OtherPrefix is where the login routes are mounted a second time, by
	// mistake: not the base URL's path.
	OtherPrefix = "/signin"
)

// Provider names of the table's Auth, both backed by the same oidctest
// server.
const (
	// QueryProvider answers by redirect (response_mode=query).
	QueryProvider = "oidc"
	// FormPostProvider answers with response_mode=form_post.
	FormPostProvider = "post"
)

// Client credentials the table registers at the provider.
const (
	ClientID     = "adapter-app"
	ClientSecret = "adapter-secret-3f9c2a71"
)

// Env is what the adapter under test is built from.
type Env struct {
	// Auth runs the flow, with QueryProvider and FormPostProvider; its
	// post-logout redirect URL is the app's root.
	Auth *core.Auth
	// LoginOptions must be the adapter's Config.LoginOptions, given the
	// login request's query: it asks for application state (app_state)
	// and token-only logins (token_only).
	LoginOptions func(query url.Values) core.BeginOptions
	// OnSuccess must run first in the adapter's Config.OnSuccess: for the
	// logins the application takes itself (with application state, or
	// token-only) it returns the status and JSON body to answer with and
	// true; for the others false, and the adapter's default (its
	// StartSession) must answer.
	OnSuccess func(res *core.Result) (status int, body []byte, handled bool)
}

// loginOptions is Env.LoginOptions.
func loginOptions(q url.Values) core.BeginOptions {
	return core.BeginOptions{AppState: q.Get("app_state"), TokenOnly: q.Get("token_only") == "1"}
}

// onSuccess is Env.OnSuccess: the application's view of a login it takes
// itself.
func onSuccess(res *core.Result) (int, []byte, bool) {
	if res.AppState == "" && res.User != nil {
		return 0, nil, false
	}
	user := ""
	if res.User != nil {
		user = res.User.ID
	}
	body, _ := json.Marshal(map[string]any{"app_state": res.AppState, "user": user, "token": res.Token != nil && res.Token.AccessToken != ""})
	return http.StatusOK, body, true
}

// Me is the JSON body of GET MePath: the session's user.
type Me struct {
	Provider string   `json:"provider"`
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Scopes   []string `json:"scopes"`
}

// Serve starts the adapter under test on ln, built from env, and stops it
// when the test ends (t.Cleanup).
type Serve func(t *testing.T, ln net.Listener, env Env)

// Handler turns a function that builds an http.Handler into a Serve that
// runs it on an httptest server.
func Handler(build func(t *testing.T, env Env) http.Handler) Serve {
	return func(t *testing.T, ln net.Listener, env Env) {
		srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: build(t, env), ReadHeaderTimeout: 10 * time.Second}}
		srv.Start()
		t.Cleanup(srv.Close)
	}
}

// env is one case's world: the provider, the app and a browser.
type env struct {
	op      *oidctest.Server
	clock   *testkit.Clock
	auth    *core.Auth
	store   *storetest.Flaky // the Auth's store, which a case may take down
	baseURL string           // the app's origin, http://127.0.0.1:port
}

// OIDCTestProvider builds the provider an application would for an
// oidctest server: providers.OIDC with its issuer (discovery, ID-token
// verification, UserInfo), answering with response_mode=form_post when
// formPost is set.
func OIDCTestProvider(op *oidctest.Server, name, clientID, secret string, formPost bool) (*core.Provider, error) {
	var opts []providers.Option
	if formPost {
		opts = append(opts, providers.WithFormPost())
	}
	return providers.OIDC(name, op.Issuer(), clientID, secret, opts...)
}

// newEnv starts a provider and the adapter under test, whose sessions are
// kept on the server when serverSessions is set.
func newEnv(t *testing.T, serve Serve, serverSessions bool) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: ClientID, Secret: ClientSecret,
		RedirectURIs:           []string{base + Prefix + "/" + QueryProvider + "/callback", base + Prefix + "/" + FormPostProvider + "/callback"},
		PostLogoutRedirectURIs: []string{base + "/"},
	}))
	clock := testkit.NewClock(time.Now())
	store := &storetest.Flaky{Store: storetest.NewMap(clock.Now)}
	b := core.New().SealingKeys(testkit.SealingKey()).BaseURL(base + Prefix).Clock(clock).AfterLogout(base + "/").Store(store).
		Provider(OIDCTestProvider(op, QueryProvider, ClientID, ClientSecret, false)).
		Provider(OIDCTestProvider(op, FormPostProvider, ClientID, ClientSecret, true))
	if serverSessions {
		b.ServerSessions()
	}
	auth, err := b.Build()
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = auth.Close() })
	serve(t, ln, Env{Auth: auth, LoginOptions: loginOptions, OnSuccess: onSuccess})
	return &env{op: op, clock: clock, auth: auth, store: store, baseURL: base}
}

// MeOf is the Me of a session, for the adapter's MePath handler.
func MeOf(s *core.Session) Me {
	return Me{Provider: s.Provider, ID: s.UserID, Name: s.Name, Email: s.Email, Scopes: s.Scopes}
}

// HTTPLoginOptions is LoginOptions for an adapter on net/http.
func (e Env) HTTPLoginOptions(r *http.Request) core.BeginOptions {
	return e.LoginOptions(r.URL.Query())
}

// HTTPOnSuccess is OnSuccess for an adapter on net/http, falling back to
// start (the adapter's StartSession) for the logins it does not take.
func (e Env) HTTPOnSuccess(start func(http.ResponseWriter, *http.Request, *core.Result)) func(http.ResponseWriter, *http.Request, *core.Result) {
	return func(w http.ResponseWriter, r *http.Request, res *core.Result) {
		if status, body, ok := e.OnSuccess(res); ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write(body)
			return
		}
		start(w, r, res)
	}
}
