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
