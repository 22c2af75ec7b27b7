package adaptertest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
)

// ExampleApp is what a runnable example of an adapter needs around the
// code it shows: a listener for the application, an in-process OpenID
// provider that signs Jane Doe in at once, and a provider named "demo" for
// it, registered with the callback {App}/auth/demo/callback.
type ExampleApp struct {
	// Listener is where the application must serve.
	Listener net.Listener
	// App is the application's root URL, http://127.0.0.1:{port}.
	App string
	// Provider is the "demo" provider.
	Provider *core.Provider
	op       *oidctest.Server
}

// StartExample starts an ExampleApp, or exits the program (examples have
// no testing.T).
func StartExample() *ExampleApp {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	app := "http://" + ln.Addr().String()
	op, err := oidctest.Start(oidctest.Config{Algorithm: "ES256", Clients: []oidctest.Client{{
		ID: "my-app", Secret: "my-secret", RedirectURIs: []string{app + "/auth/demo/callback"},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	p, err := OIDCTestProvider(op, "demo", "my-app", "my-secret", false)
	if err != nil {
		log.Fatal(err)
	}
	return &ExampleApp{Listener: ln, App: app, Provider: p, op: op}
}

// Close stops the provider; the application closes its own server.
func (e *ExampleApp) Close() { e.op.Close() }

// Visit plays a browser with an empty cookie jar: it opens the login of
// the demo provider with return_to set to path, follows every redirect
// (to the provider and back to the callback and to path), and prints the
// path it ends on and the page's text.
func (e *ExampleApp) Visit(path string) {
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: &http.Transport{}}
	defer browser.CloseIdleConnections()
	resp, err := browser.Get(e.App + "/auth/demo/login?return_to=" + path)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Request.URL.Path)
	fmt.Println(string(body))
}
