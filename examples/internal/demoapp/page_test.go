package demoapp

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// jwt returns a compact JWS with the given payload and a fake signature:
// the page reads the payload of a token verified at login, it does not
// verify it again.
func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"ES256"}`)) + "." + enc(p) + ".c2ln"
}

func TestIDTokenClaims(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	raw := jwt(t, map[string]any{"iss": "https://op.example", "sub": "u1", "aud": []string{"a", "b"},
		"exp": now.Add(time.Hour).Unix(), "iat": now.Add(-time.Minute).Unix(), "email_verified": true,
		"address": map[string]any{"country": "NZ"}, "n": 12345678901234})
	claims, note := idTokenClaims(raw, now)
	if note != "" {
		t.Fatalf("note %q", note)
	}
	got := map[string]Claim{}
	var names []string
	for _, c := range claims {
		got[c.Name] = c
		names = append(names, c.Name)
	}
	if want := "address aud email_verified exp iat iss n sub"; strings.Join(names, " ") != want {
		t.Errorf("claims in order %q, want %q", names, want)
	}
	for name, want := range map[string]Claim{
		"iss":            {Name: "iss", Value: "https://op.example"},
		"aud":            {Name: "aud", Value: "a, b"},
		"exp":            {Name: "exp", Value: "2030-01-02 04:04:05 UTC", Note: "in 1h0m0s"},
		"iat":            {Name: "iat", Value: "2030-01-02 03:03:05 UTC", Note: "1m0s ago"},
		"email_verified": {Name: "email_verified", Value: "true"},
		"address":        {Name: "address", Value: `{"country":"NZ"}`},
		"n":              {Name: "n", Value: "12345678901234"},
	} {
		if got[name] != want {
			t.Errorf("claim %s = %+v, want %+v", name, got[name], want)
		}
	}

	for _, tc := range []struct{ name, raw, note string }{
		{"no ID token", "", "does not issue ID tokens"},
		{"encrypted", "a.b.c.d.e", "encrypted"},
		{"not base64", "a.!!!.c", "cannot be read"},
		{"not an object", "a." + base64.RawURLEncoding.EncodeToString([]byte(`[1]`)) + ".c", "cannot be read"},
	} {
		if claims, note := idTokenClaims(tc.raw, now); claims != nil || !strings.Contains(note, tc.note) {
			t.Errorf("%s: %v %q, want a note with %q", tc.name, claims, note, tc.note)
		}
	}
}

// TestRender renders every kind of page and checks what it shows and the
// headers it is sent with.
func TestRender(t *testing.T) {
	t.Parallel()
	s, err := New(Config{BaseURL: "http://127.0.0.1:8000", Logger: jsonLogger(new(testkit.SyncBuffer)),
		Getenv: env(map[string]string{"GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret"})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	idToken := jwt(t, map[string]any{"iss": s.Provider.Issuer(), "sub": "248289761001", "nonce": "n-0S6_WzA2Mj"})
	tests := []struct {
		name     string
		view     View
		want     []string
		dontWant []string
	}{
		{name: "home", view: s.View("net/http", nil, "/profile", now), want: []string{
			`id="dev-warning"`, "Development only.",
			`<a class="provider dev-only" data-provider="local" href="/auth/local/login?return_to=%2Fprofile">`,
			"Continue with Test provider", "development only</span>",
			`<a class="provider" data-provider="github" href="/auth/github/login?return_to=%2Fprofile"><span class="mark" aria-hidden="true">G</span><span class="label">Continue with GitHub</span></a>`,
		}},
		{name: "home with an unsafe return_to", view: s.View("net/http", nil, "//evil.example", now),
			want: []string{`href="/auth/local/login"`}, dontWant: []string{"evil"}},
		{name: "signed in with the test provider", view: s.View("chi", &core.Session{Provider: "local", UserID: "248289761001",
			Name: "Jane Doe", Username: "jane", Email: "jane@example.com", EmailVerified: true, Scopes: []string{"openid", "email"},
			Expiry: now.Add(time.Hour), IDToken: idToken}, "", now),
			want: []string{`<span class="avatar" aria-hidden="true">JD</span>`, `<h1 id="user-name">Jane Doe</h1>`,
				"Signed in with Test provider", "test user</span>", "jane@example.com <span class=\"ok\">✓ verified</span>",
				`<time datetime="2030-01-02T04:04:05Z">2030-01-02 04:04:05 UTC</time> <span class="muted">(in 1h0m0s)</span>`,
				"openid email", `<table id="claims">`, `<th scope="row">nonce</th><td>n-0S6_WzA2Mj</td>`,
				`<form method="post" action="/auth/local/logout">`, `href="/profile">Protected page</a>`},
			dontWant: []string{idToken, strings.Split(idToken, ".")[1]}},
		{name: "signed in with GitHub, token expired", view: s.View("Gin", &core.Session{Provider: "github", UserID: "42",
			Username: "octocat", Expiry: now.Add(-time.Minute)}, "", now),
			want: []string{`<span class="avatar" aria-hidden="true">O</span>`, `<h1 id="user-name">octocat</h1>`,
				"Signed in with GitHub</p>", "(expired 1m0s ago)", "as requested", "does not issue ID tokens"},
			dontWant: []string{"test user</span>", `<table id="claims">`}},
		{name: "protected page, no expiry", view: func() View {
			v := s.View("Echo", &core.Session{Provider: "github", UserID: "42"}, "", now)
			v.Protected = true
			return v
		}(), want: []string{"<title>Protected page · oauth20 demo</title>", "· protected page", "no expiry given by the provider", `href="/">Home</a>`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := Render(tc.view)
			body := string(a.Body)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %s:\n%s", w, body)
				}
			}
			for _, w := range tc.dontWant {
				if strings.Contains(body, w) {
					t.Errorf("the page holds %s", w)
				}
			}
			checkHeaders(t, a)
		})
	}
}

// checkHeaders checks a page's status and headers, and that its CSP
// allows exactly its inline stylesheet.
func checkHeaders(t *testing.T, a Answer) {
	t.Helper()
	if a.Status != http.StatusOK {
		t.Errorf("status %d", a.Status)
	}
	for k, v := range map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := a.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	styles := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(string(a.Body), -1)
	if len(styles) != 1 || styles[0][1] != stylesheet {
		t.Fatalf("the page has %d <style> elements, or not the stylesheet", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0][1]))
	want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; frame-ancestors 'none'"
	if got := a.Header.Get("Content-Security-Policy"); got != want {
		t.Errorf("Content-Security-Policy %q, want %q", got, want)
	}
	if strings.Contains(string(a.Body), "<script") || strings.Contains(string(a.Body), " style=") {
		t.Error("the page has a script or an inline style attribute, which its CSP blocks")
	}
}

// TestNotFound: the demo's 404 is the library's problem page for a
// browser, with its headers, and a problem document for an API client.
func TestNotFound(t *testing.T) {
	t.Parallel()
	page := NotFound("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	if page.Status != http.StatusNotFound || page.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
		!strings.Contains(string(page.Body), "<h1>Page not found</h1>") || !strings.Contains(string(page.Body), `href="/">Back to the site</a>`) {
		t.Errorf("HTML: %d %v\n%s", page.Status, page.Header, page.Body)
	}
	for _, k := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Cache-Control"} {
		if page.Header.Get(k) == "" {
			t.Errorf("the not-found page has no %s", k)
		}
	}
	doc := NotFound("application/json")
	var p core.Problem
	if err := json.Unmarshal(doc.Body, &p); err != nil || doc.Header.Get("Content-Type") != core.ProblemContentType ||
		p.Status != http.StatusNotFound || p.Title != "Page not found" {
		t.Errorf("JSON: %v %+v %v", doc.Header, p, err)
	}
}

func TestInitials(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Jane Doe": "JD", "jane": "J", "Ana María López": "AM", "张 三": "张三",
		"": "?", "  ": "?", "(bot) x": "X", "248289761001": "2"} {
		if got := initials(in, 2); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
}
