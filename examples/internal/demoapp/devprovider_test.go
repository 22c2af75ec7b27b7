package demoapp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

func TestDevProviderRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, listen, base, provider string
		off                          string // part of the reason, "" when on
	}{
		{"loopback v4", "127.0.0.1:8000", "http://127.0.0.1:8000", "127.0.0.1:0", ""},
		{"loopback v6", "[::1]:8000", "http://[::1]:8000", "[::1]:9000", ""},
		{"localhost", "127.0.0.1:8000", "http://localhost:8000", "localhost:9000", ""},
		{"all interfaces v4", "0.0.0.0:8000", "http://127.0.0.1:8000", "127.0.0.1:0", `listens on "0.0.0.0:8000"`},
		{"all interfaces v6", "[::]:8000", "http://127.0.0.1:8000", "127.0.0.1:0", `listens on "[::]:8000"`},
		{"port only", ":8000", "http://127.0.0.1:8000", "127.0.0.1:0", `listens on ":8000"`},
		{"a LAN address", "192.168.1.20:8000", "http://192.168.1.20:8000", "127.0.0.1:0", "not a loopback address"},
		{"behind a proxy", "127.0.0.1:8000", "https://demo.example", "127.0.0.1:0", `base URL "https://demo.example"`},
		{"a name that only looks local", "127.0.0.1:8000", "http://localhost.example:8000", "127.0.0.1:0", "base URL"},
		{"provider on all interfaces", "127.0.0.1:8000", "http://127.0.0.1:8000", "0.0.0.0:9000", `provider address "0.0.0.0:9000"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := devProviderRule(tc.listen, tc.base, tc.provider)
			if tc.off == "" && got != "" || tc.off != "" && !strings.Contains(got, tc.off) {
				t.Errorf("devProviderRule(%q, %q, %q) = %q, want %q", tc.listen, tc.base, tc.provider, got, tc.off)
			}
		})
	}
}

// TestDevProviderOffBehindProxy: a demo on loopback behind a proxy with a
// public URL has no test provider.
func TestDevProviderOffBehindProxy(t *testing.T) {
	t.Parallel()
	var logs testkit.SyncBuffer
	s, err := New(Config{BaseURL: "https://demo.example", ListenAddr: "127.0.0.1:8000", Logger: jsonLogger(&logs),
		Getenv: env(map[string]string{"GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret"})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Provider != nil {
		t.Error("the test provider runs behind a public URL")
	}
	for _, p := range s.Auth.Providers() {
		if p.Name() == DevProviderName {
			t.Error("the test provider is a login provider behind a public URL")
		}
	}
	if v := s.View("test", nil, "", time.Now()); v.DevProvider || len(v.Buttons) != 1 || v.Buttons[0].Name != "github" {
		t.Errorf("the page offers %+v (dev warning %t)", v.Buttons, v.DevProvider)
	}
	line := logLine(t, &logs, "oauth20 demo: development test provider off")
	if line["level"] != "INFO" || !strings.Contains(line["reason"].(string), `base URL "https://demo.example"`) {
		t.Errorf("log line %v", line)
	}
}

// TestDemoListensBeyondLoopback starts a demo as its main function does,
// listening on every interface: the test provider is off, on the page and
// in the log, and the providers from the environment work.
func TestDemoListensBeyondLoopback(t *testing.T) {
	t.Parallel()
	var logs testkit.SyncBuffer
	base, setup := runDemo(t, []string{"-addr", "0.0.0.0:0"}, &logs,
		map[string]string{"GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret"})
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Errorf("the demo's URL is %s, want one on 127.0.0.1", base)
	}
	if setup.Provider != nil {
		t.Error("the test provider runs on a demo that listens on every interface")
	}
	page := string(testkit.Get(t, base+"/"))
	if strings.Contains(page, `data-provider="local"`) || strings.Contains(page, "dev-warning") || !strings.Contains(page, "Continue with GitHub") {
		t.Errorf("the home page:\n%s", page)
	}
	resp, err := http.Get(base + Prefix + "/local/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the test provider's login answers %d, want 404", resp.StatusCode)
	}
	line := logLine(t, &logs, "oauth20 demo: development test provider off")
	if reason, _ := line["reason"].(string); !strings.Contains(reason, "not a loopback address") {
		t.Errorf("log line %v", line)
	}
	if strings.Contains(logs.String(), "DEVELOPMENT ONLY") {
		t.Errorf("the log announces the test provider:\n%s", logs.String())
	}
}

// TestDemoOnLoopback starts a demo as its main function does on loopback:
// the test provider is on, and both the page and the log say loudly that
// it is for development only.
func TestDemoOnLoopback(t *testing.T) {
	t.Parallel()
	var logs testkit.SyncBuffer
	base, setup := runDemo(t, []string{"-addr", "127.0.0.1:0"}, &logs, nil)
	if setup.Provider == nil {
		t.Fatal("the test provider is off on loopback")
	}
	page := string(testkit.Get(t, base+"/"))
	for _, s := range []string{`id="dev-warning"`, "Development only.", `data-provider="local"`, "development only</span>"} {
		if !strings.Contains(page, s) {
			t.Errorf("the home page lacks %q:\n%s", s, page)
		}
	}
	line := logLine(t, &logs, "oauth20 demo: DEVELOPMENT ONLY: the test provider is on")
	if line["level"] != "WARN" || line["issuer"] != setup.Provider.Issuer() {
		t.Errorf("log line %v", line)
	}
}

// TestNoProviderBeyondLoopback: with the test provider off and no
// credentials, the demo does not start, and says why.
func TestNoProviderBeyondLoopback(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), "test", []string{"-addr", "0.0.0.0:0"}, env(nil), jsonLogger(io.Discard), buildForTest(nil), nil)
	if err == nil || !strings.Contains(err.Error(), "no login provider") || !strings.Contains(err.Error(), "not a loopback address") {
		t.Errorf("run: %v", err)
	}
}

// runDemo runs the demo's main function with args and the environment e
// until the test ends, logging to logs, and returns its URL and setup.
func runDemo(t *testing.T, args []string, logs io.Writer, e map[string]string) (string, *Setup) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	setups := make(chan *Setup, 1)
	serving := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, "test", args, env(e), jsonLogger(logs), buildForTest(setups), func(base string) { serving <- base })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case base := <-serving:
		return base, <-setups
	case err := <-done:
		done <- nil // for the cleanup: run has returned
		t.Fatalf("run: %v", err)
		return "", nil
	}
}

// buildForTest builds a demo on net/http as examples/demo does (which
// cannot be imported here), sending its setup to setups.
func buildForTest(setups chan<- *Setup) func(Config) (Server, error) {
	return func(cfg Config) (Server, error) {
		s, err := New(cfg)
		if err != nil {
			return nil, err
		}
		h := oauth20http.MustNew(oauth20http.Config{Auth: s.Auth})
		mux := http.NewServeMux()
		h.Mount(mux, Prefix)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			sess, _, _ := h.Session(r)
			Render(s.View("test", sess, "", time.Now())).WriteHTTP(w)
		})
		if setups != nil {
			setups <- s
		}
		return HTTPServer(mux, s.Close), nil
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func jsonLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// logLine returns the first JSON log line in logs whose message starts
// with msg.
func logLine(t *testing.T, logs *testkit.SyncBuffer, msg string) map[string]any {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if s, _ := m["msg"].(string); strings.HasPrefix(s, msg) {
			return m
		}
	}
	t.Fatalf("no log line %q in:\n%s", msg, logs.String())
	return nil
}
