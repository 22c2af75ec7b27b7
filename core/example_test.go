package core_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/core"
)

// exampleServer is a tiny authorization server for the examples.
func exampleServer() *httptest.Server {
	var polls atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/device":
			fmt.Fprint(w, `{"device_code":"dc","user_code":"WDJB-MJHT","verification_uri":"https://example.com/device","expires_in":600,"interval":1}`)
		case r.Form.Get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code" && polls.Add(1) < 2:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"authorization_pending"}`)
		case r.Form.Get("grant_type") == "authorization_code" && r.Form.Get("code_verifier") == "":
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_request","error_description":"PKCE verifier missing"}`)
		case r.Form.Get("grant_type") == "refresh_token":
			fmt.Fprint(w, `{"access_token":"fresh","token_type":"Bearer","expires_in":3600}`)
		default:
			fmt.Fprint(w, `{"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt","scope":"read"}`)
		}
	}))
}

func Example() {
	srv := exampleServer()
	defer srv.Close()

	client, err := core.NewClient(core.Config{
		ClientID:     "my-app",
		ClientSecret: "my-secret",
		Endpoints:    core.Endpoints{AuthURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token"},
		RedirectURL:  "http://127.0.0.1:8000/callback",
		Scopes:       []string{"read"},
	})
	if err != nil {
		panic(err)
	}

	// 1. Send the user to the provider. Keep state and verifier for the
	//    callback (core.Auth does this for you, in a sealed cookie).
	// GenerateVerifier's 32 random bytes make a good state too.
	state, verifier := core.GenerateVerifier(), core.GenerateVerifier()
	authURL := client.AuthCodeURL(state, core.WithPKCE(verifier))
	u, _ := url.Parse(authURL)
	fmt.Println(u.Query().Get("code_challenge_method"), u.Query().Get("scope"))

	// 2. On the callback, check state, then exchange the code.
	tok, err := client.Exchange(context.Background(), "code-from-callback", core.WithPKCE(verifier))
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.TokenType, tok.Scope, tok.RefreshToken != "")

	// Errors are typed.
	_, err = client.Exchange(context.Background(), "code-from-callback")
	fmt.Println(err)
	// Output:
	// S256 read
	// Bearer read true
	// oauth20: exchange: invalid_request: "PKCE verifier missing" [HTTP 400]
}

func ExampleClient_Refresh() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := core.NewClient(core.Config{ClientID: "my-app", ClientSecret: "my-secret",
		Endpoints: core.Endpoints{TokenURL: srv.URL + "/token"}})

	// The server did not rotate the refresh token, so the old one is kept.
	tok, err := client.Refresh(context.Background(), "stored-refresh-token")
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.AccessToken, tok.RefreshToken)

	// A TokenSource refreshes on demand, once for all concurrent callers,
	// and reports rotated tokens so they can be saved.
	ts := client.TokenSource(&core.Token{AccessToken: "old", RefreshToken: "stored-refresh-token", Expiry: time.Now()},
		core.TokenSourceOptions{OnRefresh: func(_ context.Context, t *core.Token, _ *core.IDToken) { fmt.Println("persist new token") }})
	tok, _ = ts.Token(context.Background())
	fmt.Println(tok.AccessToken)
	// Output:
	// fresh stored-refresh-token
	// persist new token
	// fresh
}

func ExampleClient_DeviceToken() {
	srv := exampleServer()
	defer srv.Close()
	client, _ := core.NewClient(core.Config{ClientID: "tv-app",
		Endpoints: core.Endpoints{TokenURL: srv.URL + "/token", DeviceAuthURL: srv.URL + "/device"}})

	da, err := client.DeviceAuthorize(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Printf("Visit %s and enter %s\n", da.VerificationURI, da.UserCode)
	// Polls every interval (1 s here) until the user has approved.
	tok, err := client.DeviceToken(context.Background(), da)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.ToLower(tok.TokenType), tok.AccessToken)
	// Output:
	// Visit https://example.com/device and enter WDJB-MJHT
	// bearer at
}

// With ServerSessions the session lives in the Store (here the in-memory
// default; stores/oauth20redis shares it between replicas) and the cookie
// holds a sealed session ID: sessions can be ended centrally, and
// SessionToken refreshes a kept token once for all replicas and writes it
// back.
func ExampleBuilder_ServerSessions() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()
	provider, _ := core.NewProvider(core.ProviderSpec{
		Name:   "example",
		Client: core.Config{ClientID: "my-app", ClientSecret: "my-secret", Endpoints: core.Endpoints{AuthURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token"}},
		FetchUser: func(context.Context, core.UserRequest) (*core.User, error) {
			return &core.User{ID: "42", Name: "Ada"}, nil
		},
	})
	auth := core.New().SealingKeys([]byte("an example key of 32 bytes or more")).BaseURL("http://127.0.0.1:8000/auth").
		ServerSessions().KeepTokens().Provider(provider, nil).MustBuild()

	// What Complete returns on the callback, with a token about to expire.
	res := &core.Result{Provider: "example", User: &core.User{ID: "42", Name: "Ada"},
		Token: &core.Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", Expiry: time.Now().Add(time.Second)}}
	cookie, err := auth.SessionCookie(ctx, res)
	if err != nil {
		panic(err)
	}
	lookup := func(name string) (string, bool) { return cookie.Value, name == cookie.Name }

	s, ok, err := auth.Session(ctx, lookup)
	fmt.Println(ok, err, s.Name, len(s.ID))
	tok, _, err := auth.SessionToken(ctx, s)
	fmt.Println(tok.AccessToken, err)

	_ = auth.RevokeSessions(ctx, "example", "42")
	_, ok, err = auth.Session(ctx, lookup)
	fmt.Println(ok, err)
	// Output:
	// true <nil> Ada 43
	// fresh <nil>
	// false <nil>
}

// A login without a framework: Begin on the login route, Complete on the
// callback, then the session cookie; Session on every later request. This
// is what each adapter does in its framework's terms (and a little more:
// Host and Path checks, a form_post callback, RequireLogin).
func ExampleAuth() {
	ex := adaptertest.StartExample() // a test OpenID provider, registered as "demo"
	defer ex.Close()
	auth := core.New().SealingKeys([]byte("an example key of at least 32 bytes")).BaseURL(ex.App+"/auth").
		Provider(ex.Provider, nil).MustBuild()
	defer auth.Close()
	cookies := func(r *http.Request) func(string) (string, bool) {
		return func(name string) (string, bool) {
			c, err := r.Cookie(name)
			if err != nil {
				return "", false
			}
			return c.Value, true
		}
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/demo/login", func(w http.ResponseWriter, r *http.Request) {
		to, flow, err := auth.Begin(r.Context(), "demo", core.BeginOptions{ReturnTo: r.URL.Query().Get("return_to")})
		if err != nil {
			http.Error(w, "the login cannot start", http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &flow)
		http.Redirect(w, r, to, http.StatusFound)
	})
	mux.HandleFunc("GET /auth/demo/callback", func(w http.ResponseWriter, r *http.Request) {
		res, clear, err := auth.Complete(r.Context(), "demo", r.URL.Query(), cookies(r))
		http.SetCookie(w, &clear) // the flow is single use, whatever the outcome
		if err == nil {
			var session http.Cookie
			if session, err = auth.SessionCookie(r.Context(), res); err == nil {
				http.SetCookie(w, &session)
				http.Redirect(w, r, res.ReturnTo, http.StatusSeeOther)
				return
			}
		}
		p := core.ProblemOf(err) // a page for browsers, problem+json for the rest; no secret
		header, body := p.Render(r.Header.Get("Accept"))
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(p.Status)
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		s, ok, err := auth.Session(r.Context(), cookies(r))
		if err != nil || !ok {
			http.Error(w, "log in first", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "Hello %s (%s user %s)\n", s.Name, s.Provider, s.UserID)
	})

	srv := &httptest.Server{Listener: ex.Listener, Config: &http.Server{Handler: mux}}
	srv.Start()
	defer srv.Close()
	ex.Visit("/me")
	// Output:
	// /me
	// Hello Jane Doe (demo user 248289761001)
}
