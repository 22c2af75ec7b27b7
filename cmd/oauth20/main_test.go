package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the output of this run")

// testTimeout bounds one command run in a test.
const testTimeout = 2 * time.Minute

// cli runs the command in-process with fake streams, an environment of
// its own and a browser played by the test.
type cli struct {
	t     *testing.T
	env   map[string]string
	stdin string
	// browser plays the user for an authorization URL (or, in the device
	// flow, the verification URL); nil fails the test if called.
	browser func(ctx context.Context, u string) error
	// httpClient and clock go into the app as they are.
	httpClient *http.Client
	clock      interface {
		Now() time.Time
		After(time.Duration) <-chan time.Time
	}

	// stderrHook sees everything written to stderr, as it is written.
	stderrHook func(text string)

	mu          sync.Mutex
	browserErrs []error
	browserWG   sync.WaitGroup
}

// result is what one run printed and its exit code.
type result struct {
	code           int
	stdout, stderr string
}

func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{}}
}

// run executes the command line and waits for the browser automation it
// started.
func (c *cli) run(args ...string) result {
	c.t.Helper()
	var stdout bytes.Buffer
	stderr := &hookWriter{hook: c.stderrHook}
	a := &app{
		stdin: strings.NewReader(c.stdin), stdout: &stdout, stderr: stderr,
		getenv:     func(k string) string { return c.env[k] },
		httpClient: c.httpClient,
		openBrowser: func(ctx context.Context, u string) error {
			if c.browser == nil {
				c.t.Errorf("the command opened a browser at %s", u)
				return errors.New("no browser in this test")
			}
			// The browser runs beside the command, as a real one does, and
			// outlives it: it reads the last page after the login is over.
			c.browserWG.Add(1)
			go func() {
				defer c.browserWG.Done()
				bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), testTimeout)
				defer cancel()
				if err := c.browser(bctx, u); err != nil {
					c.mu.Lock()
					c.browserErrs = append(c.browserErrs, err)
					c.mu.Unlock()
				}
			}()
			return nil
		},
	}
	if c.clock != nil {
		a.clock = c.clock
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	code := run(ctx, a, args)
	c.browserWG.Wait()
	c.mu.Lock()
	for _, err := range c.browserErrs {
		c.t.Errorf("browser: %v", err)
	}
	c.browserErrs = nil
	c.mu.Unlock()
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// hookWriter is a buffer that shows each write to a hook; safe for
// concurrent use.
type hookWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	hook func(string)
}

func (w *hookWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hook != nil {
		w.hook(string(p))
	}
	return w.buf.Write(p)
}

func (w *hookWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// mustRun runs and fails the test unless the exit code is want.
func (c *cli) mustRun(want int, args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code != want {
		c.t.Fatalf("oauth20 %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// startOP starts an oidctest provider whose default client is public or
// confidential as the test needs; the browser registers each redirect URI
// the command chooses before following the authorization URL.
func startOP(t *testing.T, opts ...oidctest.Option) *oidctest.Server {
	t.Helper()
	opts = append([]oidctest.Option{oidctest.WithAlgorithm("ES256")}, opts...)
	return oidctest.New(t, opts...)
}

// oidctestBrowser plays the browser against op: it registers the
// redirect URI of the authorization URL for its client (as a developer
// registers the CLI's loopback URI), then follows the redirects, the last
// of which is the CLI's loopback listener.
func oidctestBrowser(op *oidctest.Server) func(ctx context.Context, u string) error {
	return func(ctx context.Context, u string) error {
		au, err := url.Parse(u)
		if err != nil {
			return err
		}
		q := au.Query()
		cl, ok := op.Client(q.Get("client_id"))
		if !ok {
			return fmt.Errorf("unknown client %q", q.Get("client_id"))
		}
		if ru := q.Get("redirect_uri"); !slices.Contains(cl.RedirectURIs, ru) {
			cl.RedirectURIs = append(cl.RedirectURIs, ru)
			if err := op.RegisterClient(cl); err != nil {
				return err
			}
		}
		return follow(ctx, &http.Client{}, u)
	}
}

// follow GETs u as a browser does, following redirects, and fails unless
// the last page is the CLI's "Logged in" page.
func follow(ctx context.Context, hc *http.Client, u string) error {
	if hc.Jar == nil {
		jar, _ := cookiejar.New(nil)
		hc.Jar = jar
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("Logged in")) {
		return fmt.Errorf("the browser ended on %s with %d: %s", resp.Request.URL, resp.StatusCode, body)
	}
	return nil
}

// golden compares got with testdata/name.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -run '%s' -update rewrites it):\n%s", path, t.Name(), lineDiff(string(want), got))
	}
}

// lineDiff shows the lines that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// scrubber replaces what changes from run to run (ports, random values)
// with fixed names, so that output can be compared with a golden file.
type scrubber struct {
	pairs []string
	res   []*regexp.Regexp
	subs  []string
}

func (s *scrubber) literal(old, new string) *scrubber {
	if old != "" {
		s.pairs = append(s.pairs, old, new)
	}
	return s
}

func (s *scrubber) pattern(re, sub string) *scrubber {
	s.res = append(s.res, regexp.MustCompile(re))
	s.subs = append(s.subs, sub)
	return s
}

func (s *scrubber) apply(text string) string {
	text = strings.NewReplacer(s.pairs...).Replace(text)
	for i, re := range s.res {
		text = re.ReplaceAllString(text, s.subs[i])
	}
	return text
}
