package demoapp

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

// TestProvidersFromEnvironment: every provider whose credentials are set
// gets a login button, and its login starts (no network I/O happens for
// providers with fixed endpoints; those with discovery are not begun here).
func TestProvidersFromEnvironment(t *testing.T) {
	env := map[string]string{
		"WECOM_CORP_ID": "corp", "WECOM_AGENT_ID": "1000002", "WECOM_SECRET": "s",
		"MICROSOFT_CLIENT_ID": "id", "MICROSOFT_CLIENT_SECRET": "s",
		"REDDIT_CLIENT_ID": "id", "REDDIT_CLIENT_SECRET": "s",
	}
	for _, sp := range simpleProviders {
		env[sp.env+"_CLIENT_ID"], env[sp.env+"_CLIENT_SECRET"] = "id-"+strings.ToLower(sp.env), "secret"
	}
	s, err := New(Config{BaseURL: "http://127.0.0.1:8000", Getenv: func(k string) string { return env[k] }, Logger: jsonLogger(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := len(simpleProviders) + 4 // local, wecom, microsoft, reddit
	if got := len(s.Auth.Providers()); got != want {
		t.Fatalf("%d providers, want %d", got, want)
	}
	for _, name := range []string{"github", "wechatmp", "qq", "dingtalk", "feishu", "gitee"} {
		u, _, err := s.Auth.Begin(context.Background(), name, core.BeginOptions{})
		if err != nil || !strings.Contains(u, "id-") {
			t.Errorf("%s: %q %v", name, u, err)
		}
	}
	// Without credentials, only the local provider.
	s2, err := New(Config{BaseURL: "http://127.0.0.1:8000", Getenv: func(string) string { return "" }, Logger: jsonLogger(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := len(s2.Auth.Providers()); got != 1 {
		t.Errorf("%d providers without credentials", got)
	}
}
