package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
)

// Example_recordAndCheck walks through proving a provider of one's own:
// log in once through a Recorder, turn the recording into a cassette,
// then replay it. Acme SSO runs in-process here; with a real provider, the
// same steps run in a small program and the browser does the approving.
func Example_recordAndCheck() {
	ctx := context.Background()
	idp := newAcmeServer()
	defer idp.Close()

	// 1. Record: make a Recorder the transport of the HTTP client the
	// provider (or the Auth) uses, build the provider with the real
	// credentials, and log in once.
	rec := &conformance.Recorder{}
	live := acmeProvider(idp.URL, "real-client-id", "real-client-secret", &http.Client{Transport: rec})
	client, _ := live.Client(ctx)
	verifier := core.GenerateVerifier()
	authURL := client.AuthCodeURL(core.GenerateVerifier(), core.WithPKCE(verifier))
	rec.AuthorizationURL(authURL)
	code := idp.approve(authURL) // the browser's part: consent, callback with ?code=
	tok, err := client.Exchange(ctx, code, core.WithPKCE(verifier))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := live.User(ctx, core.UserRequest{Client: client, Token: tok}); err != nil {
		fmt.Println(err)
		return
	}

	// 2. Make the cassette: secrets and personal data (the fields the
	// provider declares, and the standard ones) are replaced by
	// placeholders; Complete writes down what the provider returns as the
	// expectations (review them), then save it under testdata/acme/.
	cassette, err := rec.Cassette(live)
	if err != nil {
		fmt.Println(err)
		return
	}
	fake := acmeProvider(idp.URL, "test-client", "test-secret", nil)
	if err := conformance.Complete(ctx, fake, cassette); err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "cassettes")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "login.json")
	if err := cassette.WriteFile(path); err != nil {
		fmt.Println(err)
		return
	}
	data, _ := os.ReadFile(path)
	for _, secret := range []string{"real-client-secret", code, tok.AccessToken, "jane.doe@acme.example"} {
		if strings.Contains(string(data), secret) {
			fmt.Println("the cassette leaks a secret")
		}
	}

	// 3. Check: in a test, conformance.Run(t, fake, loaded) runs each
	// scenario as a subtest; Check does the same outside tests.
	loaded, err := conformance.LoadDir(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	report, err := conformance.Check(ctx, fake, loaded)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(report)
	fmt.Println(loaded.Scenarios[2].Expect.User.Email)
	// Output:
	// ok   acme/authorization_url
	// ok   acme/exchange_success
	// ok   acme/user
	// acme: 3 scenarios, 0 unverified
	// {{email}}
}
