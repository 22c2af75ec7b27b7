package realop

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// Timeouts of the harness. The npm install has its own, in npm.go.
const (
	readyTimeout     = 45 * time.Second
	discoveryTimeout = 30 * time.Second
	stopGrace        = 5 * time.Second
)

// EnvE2E names the environment variable that turns a missing Node.js from a
// skip into a test failure. CI sets it to 1.
const EnvE2E = "OAUTH20_E2E"

// Options configures the provider that [Start] runs.
type Options struct {
	// RedirectURIs are registered for all three clients. Empty means
	// http://127.0.0.1/callback, good enough for tests that stop at the
	// redirect (as [Server.Authorize] does) and never call it.
	RedirectURIs []string

	// PostLogoutRedirectURIs are registered for all three clients. Empty
	// means http://127.0.0.1/logged-out.
	PostLogoutRedirectURIs []string

	// Port is the TCP port on 127.0.0.1; zero picks a free one.
	Port int

	// FullIDTokenClaims puts the profile and email claims into ID tokens even
	// when an access token is issued too (oidc-provider's
	// conformIdTokenClaims=false). By default they come from userinfo only.
	FullIDTokenClaims bool

	// RequirePAR makes pushed authorization requests (RFC 9126) mandatory
	// for every client, and the discovery document says so with
	// require_pushed_authorization_requests. By default only the client
	// realop-par (and realop-fapi) must push.
	RequirePAR bool
}

// Client describes one of the provider's fixed clients.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret; empty for the public client.
	Secret string
	// AuthMethod is the token_endpoint_auth_method: client_secret_basic,
	// client_secret_post or none.
	AuthMethod string
}

// Endpoints holds the URLs from the provider's discovery document.
type Endpoints struct {
	Authorization       string `json:"authorization_endpoint"`                // /auth
	Token               string `json:"token_endpoint"`                        // /token
	UserInfo            string `json:"userinfo_endpoint"`                     // /me
	JWKS                string `json:"jwks_uri"`                              // /jwks
	DeviceAuthorization string `json:"device_authorization_endpoint"`         // /device/auth; users go to /device
	Introspection       string `json:"introspection_endpoint"`                // /token/introspection
	Revocation          string `json:"revocation_endpoint"`                   // /token/revocation
	EndSession          string `json:"end_session_endpoint"`                  // /session/end
	PushedAuthorization string `json:"pushed_authorization_request_endpoint"` // /request
}

// The fixed clients of node/server.mjs.
var (
	basicClient  = Client{ID: "realop-basic", Secret: "realop-basic-secret", AuthMethod: "client_secret_basic"}
	postClient   = Client{ID: "realop-post", Secret: "realop-post-secret", AuthMethod: "client_secret_post"}
	publicClient = Client{ID: "realop-public", AuthMethod: "none"}

	parClient   = Client{ID: "realop-par", Secret: "realop-par-secret", AuthMethod: "client_secret_basic"}
	jarClient   = Client{ID: "realop-jar", AuthMethod: "private_key_jwt"}
	dpopClient  = Client{ID: "realop-dpop", Secret: "realop-dpop-secret", AuthMethod: "client_secret_basic"}
	jarmClient  = Client{ID: "realop-jarm", Secret: "realop-jarm-secret", AuthMethod: "client_secret_basic"}
	jweClient   = Client{ID: "realop-jwe", Secret: "realop-jwe-secret", AuthMethod: "client_secret_basic"}
	jweECClient = Client{ID: "realop-jwe-ec", Secret: "realop-jwe-ec-secret", AuthMethod: "client_secret_basic"}
	fapiClient  = Client{ID: "realop-fapi", AuthMethod: "private_key_jwt"}
)

// Server is a running oidc-provider. Its fields are set by [Start] and must
// not be changed.
type Server struct {
	// Issuer is the provider's issuer, http://127.0.0.1:PORT.
	Issuer string
	// Basic authenticates with client_secret_basic.
	Basic Client
	// Post authenticates with client_secret_post.
	Post Client
	// Public has no secret; it must use PKCE.
	Public Client

	// The feature clients, each registered for one feature beyond plain
	// OpenID Connect (see the package documentation).
	PAR, JAR, DPoP, JARM, JWE, JWEEC, FAPI Client
	// ClientKeys are the private keys whose public halves the feature
	// clients registered.
	ClientKeys ClientKeys
	// APIResource is the resource indicator for which access tokens are JWTs.
	APIResource string
	// Endpoints are read from the discovery document.
	Endpoints Endpoints
	// Discovery is the raw discovery document.
	Discovery json.RawMessage

	cmd       *exec.Cmd
	stdin     io.WriteCloser
	exited    chan struct{} // closed when the process has been waited for
	waitErr   error
	log       *testkit.SyncBuffer // the provider's output; written by two goroutines
	closeOnce sync.Once
}

// readyLine is the JSON after "READY " on the server's stdout.
type readyLine struct {
	Issuer      string `json:"issuer"`
	Port        int    `json:"port"`
	APIResource string `json:"apiResource"`
	Clients     map[string]struct {
		Secret     string `json:"secret"`
		AuthMethod string `json:"authMethod"`
	} `json:"clients"`
	ClientKeys map[string]json.RawMessage `json:"clientKeys"`
}

// serverConfig is passed to server.mjs in REALOP_CONFIG.
type serverConfig struct {
	Port                   int      `json:"port,omitempty"`
	RedirectURIs           []string `json:"redirectUris,omitempty"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectUris,omitempty"`
	FullIDTokenClaims      bool     `json:"fullIdTokenClaims,omitempty"`
	RequirePAR             bool     `json:"requirePar,omitempty"`
}

// Start runs the provider for the test t and stops it in t's cleanup. It
// skips t when Node.js is missing, or fails it when OAUTH20_E2E=1.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	node, npm, err := lookupTools()
	if err != nil {
		if os.Getenv(EnvE2E) == "1" {
			t.Fatalf("%v (%s=1, so this is a failure, not a skip)", err, EnvE2E)
		}
		t.Skipf("%v; skipping the end-to-end test against oidc-provider (set %s=1 to fail instead)", err, EnvE2E)
	}
	dir, err := nodeDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := ensureModules(npm, dir); err != nil {
		t.Fatal(err)
	}

	s, err := launch(node, dir, opts)
	if errors.Is(err, errNotReady) {
		// Seen once on a CI machine loaded with parallel test binaries and
		// a browser: node printed nothing for a minute. One more try,
		// with the first attempt's output kept in the log.
		t.Logf("%v; starting it once more. Its output:\n%s", err, s.log.String())
		s.Close()
		s, err = launch(node, dir, opts)
	}
	if s != nil {
		t.Cleanup(func() {
			s.Close()
			if t.Failed() {
				t.Logf("realop: oidc-provider output:\n%s", s.log.String())
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lookupTools finds the node and npm executables.
func lookupTools() (node, npm string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", errors.New("realop: Node.js (node) not found in PATH")
	}
	npm, err = exec.LookPath("npm")
	if err != nil {
		return "", "", errors.New("realop: npm not found in PATH")
	}
	return node, npm, nil
}

// nodeDir is the folder holding package.json and server.mjs, found next to
// this source file.
func nodeDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("realop: cannot locate the package source")
	}
	dir := filepath.Join(filepath.Dir(file), "node")
	if _, err := os.Stat(filepath.Join(dir, "server.mjs")); err != nil {
		return "", fmt.Errorf("realop: server.mjs not found: %w", err)
	}
	return dir, nil
}

// launch starts node server.mjs and waits until the provider serves its
// discovery document. On error after the process started, it returns the
// Server too, so that the caller can stop it and show its output.
func launch(node, dir string, opts Options) (*Server, error) {
	cfg, err := json.Marshal(serverConfig{
		Port:                   opts.Port,
		RedirectURIs:           opts.RedirectURIs,
		PostLogoutRedirectURIs: opts.PostLogoutRedirectURIs,
		FullIDTokenClaims:      opts.FullIDTokenClaims,
		RequirePAR:             opts.RequirePAR,
	})
	if err != nil {
		return nil, fmt.Errorf("realop: encode configuration: %w", err)
	}
	cmd := exec.Command(node, "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REALOP_CONFIG="+string(cfg))
	s := &Server{cmd: cmd, exited: make(chan struct{}), log: &testkit.SyncBuffer{}}
	cmd.Stderr = s.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("realop: stdout pipe: %w", err)
	}
	// server.mjs exits when stdin closes, so it dies with the test binary.
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("realop: stdin pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("realop: start node: %w", err)
	}

	ready := make(chan string, 1)
	scanDone := make(chan struct{})
	go func() {
		defer close(scanDone)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.log, line)
			if rest, ok := strings.CutPrefix(line, "READY "); ok {
				select {
				case ready <- rest:
				default:
				}
			}
		}
		_, _ = io.Copy(s.log, stdout)
	}()
	go func() {
		<-scanDone // Wait must not run before stdout is read to its end.
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()

	var line string
	select {
	case line = <-ready:
	case <-s.exited:
		return s, fmt.Errorf("realop: node server.mjs exited before it was ready: %v", s.waitErr)
	case <-time.After(readyTimeout):
		return s, fmt.Errorf("%w within %v", errNotReady, readyTimeout)
	}
	var rl readyLine
	if err := json.Unmarshal([]byte(line), &rl); err != nil {
		return s, fmt.Errorf("realop: bad READY line %q: %w", line, err)
	}
	s.Issuer = rl.Issuer
	s.APIResource = rl.APIResource
	s.Basic, s.Post, s.Public = basicClient, postClient, publicClient
	s.PAR, s.JAR, s.DPoP, s.JARM, s.JWE, s.JWEEC, s.FAPI = parClient, jarClient, dpopClient, jarmClient, jweClient, jweECClient, fapiClient
	if s.ClientKeys, err = parseClientKeys(rl.ClientKeys); err != nil {
		return s, err
	}
	for _, c := range []Client{s.Basic, s.Post, s.Public, s.PAR, s.JAR, s.DPoP, s.JARM, s.JWE, s.JWEEC, s.FAPI} {
		got, ok := rl.Clients[c.ID]
		if !ok || got.Secret != c.Secret || got.AuthMethod != c.AuthMethod {
			return s, fmt.Errorf("realop: server.mjs and realop.go disagree on client %s", c.ID)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	if s.Discovery, err = waitDiscovery(ctx, s.Issuer); err != nil {
		return s, err
	}
	if err := json.Unmarshal(s.Discovery, &s.Endpoints); err != nil {
		return s, fmt.Errorf("realop: decode discovery: %w", err)
	}
	return s, nil
}

// waitDiscovery polls the discovery document until it answers 200.
func waitDiscovery(ctx context.Context, issuer string) (json.RawMessage, error) {
	url := issuer + "/.well-known/openid-configuration"
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return nil, fmt.Errorf("realop: discovery request: %w", err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			switch {
			case rerr != nil:
				err = rerr
			case resp.StatusCode == http.StatusOK && json.Valid(body):
				return body, nil
			default:
				err = fmt.Errorf("status %s", resp.Status)
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("realop: discovery at %s not ready: %w", url, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops the provider: it closes its stdin, sends SIGTERM, and kills it
// if it has not exited after a grace period. It waits for the process and is
// safe to call more than once. [Start] registers it as a test cleanup.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.stdin != nil {
			_ = s.stdin.Close()
		}
		testkit.StopProcess(s.cmd.Process, s.exited, stopGrace)
	})
}

// Output returns what the provider wrote to stdout and stderr so far.
func (s *Server) Output() string { return s.log.String() }

// errNotReady reports a server that did not announce itself in time.
var errNotReady = errors.New("realop: no READY line from node server.mjs")
