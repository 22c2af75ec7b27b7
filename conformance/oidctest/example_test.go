package oidctest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

// A login with nothing but net/http: the authorization request, the code
// exchange with PKCE, and the userinfo call. In a test, use oidctest.New(t)
// instead of Start and Close.
func Example() {
	srv, err := oidctest.Start(oidctest.Config{
		Clients: []oidctest.Client{{
			ID:           "my-app",
			Secret:       "my-secret",
			RedirectURIs: []string{"https://app.example/callback"},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// The authorization request. The server has no login page: it answers
	// with a redirect straight back to the client.
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk" // RFC 7636 Appendix B
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {"my-app"},
		"redirect_uri":          {"https://app.example/callback"},
		"scope":                 {"openid email"},
		"state":                 {"xyz"},
		"nonce":                 {"n-0S6"},
		"code_challenge":        {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"},
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(srv.URL(oidctest.AuthorizeEndpoint) + "?" + q.Encode())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	callback, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println("state:", callback.Query().Get("state"))
	fmt.Println("iss is the issuer:", callback.Query().Get("iss") == srv.Issuer())

	// The code exchange, authenticated with client_secret_basic.
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {callback.Query().Get("code")},
		"redirect_uri":  {"https://app.example/callback"},
		"code_verifier": {verifier},
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL(oidctest.TokenEndpoint), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("my-app", "my-secret")
	var token struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		IDToken     string `json:"id_token"`
	}
	if err := call(req, &token); err != nil {
		log.Fatal(err)
	}
	fmt.Println("token type:", token.TokenType, "with ID token:", token.IDToken != "")

	// The userinfo call, with the access token in the Authorization header.
	req, _ = http.NewRequest(http.MethodGet, srv.URL(oidctest.UserInfoEndpoint), nil)
	req.Header.Set("Authorization", "Bearer "+token.AccessToken)
	var user map[string]any
	if err := call(req, &user); err != nil {
		log.Fatal(err)
	}
	fmt.Println("user:", user["sub"], user["email"])

	// Output:
	// state: xyz
	// iss is the issuer: true
	// token type: Bearer with ID token: true
	// user: 248289761001 jane.doe@example.com
}

// Fault knobs make the server misbehave on purpose. Here the token endpoint
// fails once with invalid_grant, then recovers.
func ExampleServer_SetFaults() {
	srv, err := oidctest.Start(oidctest.Config{Algorithm: "ES256"})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	srv.SetFaults(oidctest.Faults{
		Errors: map[oidctest.Endpoint]oidctest.ErrorResponse{
			oidctest.TokenEndpoint: {Code: "invalid_grant", Description: "try again", Count: 1},
		},
	})
	for range 2 {
		form := url.Values{"grant_type": {"client_credentials"}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL(oidctest.TokenEndpoint), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(oidctest.DefaultClientID, oidctest.DefaultClientSecret)
		var body map[string]any
		err := call(req, &body)
		fmt.Println(err, body["token_type"])
	}
	fmt.Println("token requests:", srv.Count(oidctest.TokenEndpoint))

	// Output:
	// status 400: invalid_grant <nil>
	// <nil> Bearer
	// token requests: 2
}

// call sends req and decodes the JSON response into v, or reports the
// status and OAuth error code.
func call(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("status %d: %s", resp.StatusCode, e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
