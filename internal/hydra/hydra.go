package hydra

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// Timeouts of the harness. The build has its own, in build.go.
const (
	readyTimeout = 60 * time.Second
	stopGrace    = 5 * time.Second
	adminTimeout = 30 * time.Second
)

// launchTries bounds the starts when a port picked as free was taken before
// Hydra could listen on it.
const launchTries = 3

// EnvE2E names the environment variable that turns a missing Go toolchain or
// C compiler from a skip into a test failure. CI sets it to 1.
const EnvE2E = "OAUTH20_E2E"

// DefaultLogin is the user signed in when neither [Server.Authorize] nor
// the authorization request (login_hint) names one, and
// [Options.DefaultLogin] is empty.
const DefaultLogin = "tester"

// Deny, as the login given to [Server.Authorize] or as login_hint, makes
// the login app refuse the sign-in: Hydra then redirects back to the
// application with error=access_denied.
const Deny = "deny"

// Options configures the Hydra that [Start] or [New] runs.
type Options struct {
	// RedirectURIs are registered for clients whose [ClientSpec] has none.
	// Empty means http://127.0.0.1/callback, good enough for tests that stop
	// at the redirect (as [Server.Authorize] does) and never call it.
	RedirectURIs []string

	// PostLogoutRedirectURIs are registered for clients whose [ClientSpec]
	// has none. Empty means http://127.0.0.1/logged-out.
	PostLogoutRedirectURIs []string

	// DefaultLogin is the user signed in when neither Authorize nor the
	// request's login_hint names one. Empty means [DefaultLogin].
	DefaultLogin string

	// Accounts are the claims of chosen subjects, Extra claims included;
	// any other login gets opuser.Account of it.
	Accounts []opuser.Claims

	// AccessTokenStrategy is "opaque" (the default: ory_at_... tokens) or
	// "jwt" (access tokens are JWTs signed with Hydra's
	// hydra.jwt.access-token key set). A client can choose its own with
	// [ClientSpec.AccessTokenStrategy].
	AccessTokenStrategy string

	// Lifetimes of tokens and codes; zero keeps Hydra's defaults (1h for
	// access and ID tokens, 720h for refresh tokens, 10m for codes).
	AccessTokenTTL, RefreshTokenTTL, IDTokenTTL, AuthCodeTTL time.Duration

	// LogLevel is Hydra's log level: "warn" when empty, which shows
	// failures such as an undelivered back-channel logout; "info" adds a
	// line for every request and the reason of every refusal; "debug" more.
	// The output goes to the test log when a test fails.
	LogLevel string

	// Config is merged into the generated configuration last, maps key by
	// key, for any setting of Hydra's configuration file not covered above,
	// for example {"oauth2": {"pkce": {"enforced": true}}}.
	Config map[string]any
}

// Endpoints holds the URLs of the running Hydra. All but Introspection come
// from its discovery document.
type Endpoints struct {
	Authorization string `json:"authorization_endpoint"` // public /oauth2/auth
	Token         string `json:"token_endpoint"`         // public /oauth2/token
	UserInfo      string `json:"userinfo_endpoint"`      // public /userinfo
	JWKS          string `json:"jwks_uri"`               // public /.well-known/jwks.json
	Revocation    string `json:"revocation_endpoint"`    // public /oauth2/revoke
	EndSession    string `json:"end_session_endpoint"`   // public /oauth2/sessions/logout
	Introspection string `json:"-"`                      // admin /admin/oauth2/introspect
}

// Server is a running Hydra with its login and consent app. Its fields are
// set by [New] and must not be changed.
type Server struct {
	// Issuer is the issuer and public URL, http://127.0.0.1:PORT, without a
	// trailing slash.
	Issuer string
	// AdminURL is the base URL of the admin API, http://127.0.0.1:PORT.
	AdminURL string
	// AppURL is the base URL of the login, consent and logout app.
	AppURL string
	// Endpoints are read from the discovery document, plus introspection.
	Endpoints Endpoints
	// Discovery is the raw discovery document.
	Discovery json.RawMessage

	opts     Options
	accounts map[string]opuser.Claims
	admin    *http.Client
	app      *httptest.Server
	dir      string // holds the configuration file

	cmd       *exec.Cmd
	exited    chan struct{} // closed when the process has been waited for
	waitErr   error
	log       *testkit.SyncBuffer // Hydra's output; written by two goroutines
	closeOnce sync.Once
}

// Start runs Hydra for the test t and stops it in t's cleanup, writing
// Hydra's output to the test log if t failed. It skips t when Hydra cannot
// be built here (see [ErrUnavailable]), or fails it when OAUTH20_E2E=1.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if s != nil {
		t.Cleanup(func() {
			s.Close()
			if t.Failed() {
				t.Logf("hydra: output of Hydra:\n%s", s.Output())
			}
		})
	}
	if err != nil {
		SkipOrFail(t, err)
	}
	return s
}

// SkipOrFail ends the test t for an error of [New]: a skip for
// [ErrUnavailable] unless OAUTH20_E2E=1, a failure otherwise. It is for
// tests that share a Server started in TestMain.
func SkipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrUnavailable) {
		if os.Getenv(EnvE2E) == "1" {
			t.Fatalf("%v (%s=1, so this is a failure, not a skip)", err, EnvE2E)
		}
		t.Skipf("%v; skipping the end-to-end test against Ory Hydra (set %s=1 to fail instead)", err, EnvE2E)
	}
	t.Fatal(err)
}

// New builds Hydra if needed (see [Binary]) and runs it with its login and
// consent app. The caller must [Server.Close] it. Tests use [Start]; New is
// for a Server shared by the tests of a package, started in TestMain. On an
// error after the process started, New returns the Server too, stopped, so
// that its output can be shown.
func New(opts Options) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:     opts,
		accounts: map[string]opuser.Claims{},
		admin:    &http.Client{Timeout: adminTimeout},
		log:      &testkit.SyncBuffer{},
	}
	for _, c := range opts.Accounts {
		s.accounts[c.Subject] = c
	}
	s.app = httptest.NewServer(s.appHandler())
	s.AppURL = s.app.URL
	if s.dir, err = os.MkdirTemp("", "oauth20-hydra-"); err != nil {
		s.app.Close()
		return nil, fmt.Errorf("hydra: temporary folder: %w", err)
	}

	for try := 1; ; try++ {
		err = s.launch(bin)
		if err == nil || !errors.Is(err, errPortTaken) || try == launchTries {
			break
		}
		fmt.Fprintf(s.log, "hydra: %v; starting again on other ports\n", err)
	}
	if err != nil {
		s.Close()
		return s, err
	}
	return s, nil
}

// errPortTaken reports a start that failed because a port was in use.
var errPortTaken = errors.New("hydra: a port was taken")

// launch starts one Hydra process on fresh ports and waits until it is
// ready and serves its discovery document.
func (s *Server) launch(bin string) error {
	public, admin, err := pickPorts()
	if err != nil {
		return err
	}
	s.Issuer = "http://127.0.0.1:" + strconv.Itoa(public)
	s.AdminURL = "http://127.0.0.1:" + strconv.Itoa(admin)
	cfg, err := json.MarshalIndent(s.config(public, admin), "", "  ")
	if err != nil {
		return fmt.Errorf("hydra: encode the configuration: %w", err)
	}
	// JSON is YAML, and Hydra picks the parser by the file's extension.
	file := filepath.Join(s.dir, "hydra.yml")
	if err := os.WriteFile(file, cfg, 0o600); err != nil {
		return fmt.Errorf("hydra: write the configuration: %w", err)
	}

	cmd := exec.Command(bin, "serve", "all", "--dev", "--sqa-opt-out", "-c", file)
	cmd.Dir = s.dir
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = s.log, s.log
	testkit.SetParentDeathSignal(cmd)
	mark := s.log.Len()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("hydra: start %s: %w", bin, err)
	}
	s.cmd, s.exited, s.waitErr = cmd, make(chan struct{}), nil
	go func(exited chan struct{}) {
		s.waitErr = cmd.Wait()
		close(exited)
	}(s.exited)

	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		if strings.Contains(s.log.StringFrom(mark), "address already in use") {
			s.stop()
			return fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return err
	}
	if err := s.adminJSON(ctx, http.MethodGet, s.Issuer+"/.well-known/openid-configuration", nil, &s.Discovery); err != nil {
		return fmt.Errorf("hydra: discovery: %w", err)
	}
	if err := json.Unmarshal(s.Discovery, &s.Endpoints); err != nil {
		return fmt.Errorf("hydra: decode discovery: %w", err)
	}
	s.Endpoints.Introspection = s.AdminURL + "/admin/oauth2/introspect"
	// Another process that took a port first may have answered the
	// checks above while this Hydra failed to listen.
	select {
	case <-s.exited:
		if strings.Contains(s.log.StringFrom(mark), "address already in use") {
			return fmt.Errorf("%w: Hydra exited: %v", errPortTaken, s.waitErr)
		}
		return fmt.Errorf("hydra: Hydra exited right after it was ready: %v", s.waitErr)
	default:
	}
	return nil
}

// config is Hydra's configuration file.
func (s *Server) config(public, admin int) map[string]any {
	level := s.opts.LogLevel
	if level == "" {
		level = "warn"
	}
	strategy := s.opts.AccessTokenStrategy
	if strategy == "" {
		strategy = "opaque"
	}
	ttl := map[string]any{}
	for key, d := range map[string]time.Duration{
		"access_token":  s.opts.AccessTokenTTL,
		"refresh_token": s.opts.RefreshTokenTTL,
		"id_token":      s.opts.IDTokenTTL,
		"auth_code":     s.opts.AuthCodeTTL,
	} {
		if d > 0 {
			ttl[key] = d.String()
		}
	}
	cfg := map[string]any{
		"dsn": "memory",
		"serve": map[string]any{
			"public": map[string]any{"host": "127.0.0.1", "port": public},
			"admin":  map[string]any{"host": "127.0.0.1", "port": admin},
		},
		"urls": map[string]any{
			"self": map[string]any{
				"issuer": s.Issuer,
				"public": s.Issuer,
				"admin":  s.AdminURL,
			},
			"login":                s.AppURL + "/login",
			"consent":              s.AppURL + "/consent",
			"logout":               s.AppURL + "/logout",
			"error":                s.AppURL + "/error",
			"post_logout_redirect": s.AppURL + "/logged-out",
		},
		"secrets": map[string]any{"system": []string{randomHex(32)}},
		"strategies": map[string]any{
			"access_token": strategy,
		},
		"oauth2": map[string]any{
			// Error responses carry Hydra's hint and debug text.
			"expose_internal_errors": true,
			"pkce":                   map[string]any{"enforced_for_public_clients": true},
			// Client secrets are hashed on every client authentication; one
			// round keeps the tests fast.
			"hashers": map[string]any{
				"algorithm": "pbkdf2",
				"pbkdf2":    map[string]any{"iterations": 1},
			},
		},
		"webfinger": map[string]any{
			"oidc_discovery": map[string]any{
				"supported_scope":  []string{"profile", "email"},
				"supported_claims": supportedClaims,
			},
		},
		"log": map[string]any{
			"level":                 level,
			"format":                "text",
			"leak_sensitive_values": true,
		},
	}
	if len(ttl) > 0 {
		cfg["ttl"] = ttl
	}
	merge(cfg, s.opts.Config)
	return cfg
}

// merge copies src into dst, merging maps key by key.
func merge(dst, src map[string]any) {
	for k, v := range src {
		sub, ok := v.(map[string]any)
		if have, ok2 := dst[k].(map[string]any); ok && ok2 {
			have = maps.Clone(have)
			merge(have, sub)
			dst[k] = have
			continue
		}
		dst[k] = v
	}
}

// cleanEnv is the environment of the Hydra process: Hydra reads any of its
// settings from environment variables (DSN, LOG_LEVEL, SERVE_..., URLS_...),
// so only what a process needs is passed on.
func cleanEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "TZ", "SYSTEMROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// pickPorts is freePorts; tests replace it.
var pickPorts = freePorts

// freePorts picks two free TCP ports on 127.0.0.1. They are free when
// picked; another process may take them before Hydra listens, which launch
// notices.
func freePorts() (public, admin int, err error) {
	var ports [2]int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, fmt.Errorf("hydra: find a free port: %w", err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}

// waitReady polls /health/ready on both ports until both answer 200.
func (s *Server) waitReady(ctx context.Context) error {
	var last error
	for {
		last = nil
		// A port taken by another process may accept and never answer.
		try, cancel := context.WithTimeout(ctx, time.Second)
		for _, base := range []string{s.Issuer, s.AdminURL} {
			if err := s.adminJSON(try, http.MethodGet, base+"/health/ready", nil, nil); err != nil {
				last = err
				break
			}
		}
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("hydra: Hydra exited before it was ready: %v", s.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("hydra: Hydra not ready within %v: %w", readyTimeout, last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close stops Hydra (SIGTERM, then SIGKILL after a grace period) and the
// login app, and removes the configuration. It is safe to call more than
// once. [Start] registers it as a test cleanup.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.stop()
		if s.app != nil {
			s.app.Close()
		}
		if s.dir != "" {
			os.RemoveAll(s.dir)
		}
	})
}

// stop ends the current Hydra process and waits for it.
func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	testkit.StopProcess(s.cmd.Process, s.exited, stopGrace)
}

// Output returns what Hydra wrote to stdout and stderr so far.
func (s *Server) Output() string { return s.log.String() }

// LogOnFailure writes what Hydra writes from now until the end of t to t's
// log, if t fails. It is for tests that share a Server.
func (s *Server) LogOnFailure(t testing.TB) {
	mark := s.log.Len()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hydra: output of Hydra during the test:\n%s", s.log.StringFrom(mark))
		}
	})
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
