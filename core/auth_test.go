package core

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// flowServer is a fake provider whose codes are single use.
func flowServer(t *testing.T) *fakeServer {
	f := newFakeServer(t)
	var used atomic.Int32
	f.handle("/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.Form.Get("code") != "good-code" || used.Add(1) > 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		if r.Form.Get("code_verifier") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_request"}`))
			return
		}
		_, _ = w.Write([]byte(okToken))
	})
	f.answer("/user", 200, "application/json", `{"id":42,"login":"octo"}`)
	return f
}

func testProvider(t testing.TB, f *fakeServer, name string, edit func(*ProviderSpec)) *Provider {
	t.Helper()
	spec := ProviderSpec{
		Name: name,
		Client: Config{ClientID: "client-1", ClientSecret: "s3cret-value", Endpoints: f.endpoints(), Issuer: f.URL, Scopes: []string{"read"},
			HTTPClient: f.Client()}, // its own transport (see newTestClient)
		FetchUser: func(ctx context.Context, r UserRequest) (*User, error) {
			m, err := r.Client.Resource(ctx, ResourceRequest{URL: f.URL + "/user", Token: r.Token})
			if err != nil {
				return nil, err
			}
			return &User{ID: jsonmap.String(m, "id"), Username: jsonmap.String(m, "login"), Raw: m}, nil
		},
	}
	if edit != nil {
		edit(&spec)
	}
	p, err := NewProvider(spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type flowEnv struct {
	auth  *Auth
	f     *fakeServer
	clock *testkit.Clock
}

func newFlowEnv(t *testing.T, edit func(*ProviderSpec)) *flowEnv {
	f := flowServer(t)
	clock := newFakeClock()
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Clock(clock).
		Provider(testProvider(t, f, "fake", edit), nil).
		Provider(testProvider(t, f, "other", nil), nil).MustBuild()
	return &flowEnv{auth: a, f: f, clock: clock}
}

// begin starts a flow and returns the provider URL's query and the cookie.
func (e *flowEnv) begin(t *testing.T, provider string, opts BeginOptions) (url.Values, http.Cookie) {
	t.Helper()
	u, c, err := e.auth.Begin(context.Background(), provider, opts)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return pu.Query(), c
}

func jar(cookies ...http.Cookie) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for _, c := range cookies {
			if c.Name == name {
				return c.Value, true
			}
		}
		return "", false
	}
}

func TestBeginAuthorizationRequest(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, func(s *ProviderSpec) { s.OIDC = false })
	q, c := e.begin(t, "fake", BeginOptions{ReturnTo: "/after?x=1", LoginHint: "a@b.example"})
	if len(q.Get("state")) != 43 || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("query %v", q)
	}
	if q.Get("redirect_uri") != "https://app.example/auth/fake/callback" || q.Get("login_hint") != "a@b.example" || q.Has("nonce") {
		t.Errorf("query %v", q)
	}
	// On https the flow cookie is a __Host- cookie: this host only, Secure,
	// path "/" (a sibling subdomain cannot plant one).
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != 600 || !strings.HasPrefix(c.Name, "__Host-oauth20_") {
		t.Errorf("cookie %+v", c)
	}
	for _, secret := range []string{q.Get("state"), "s3cret-value"} {
		if strings.Contains(c.Value, secret) {
			t.Error("cookie value reveals the record")
		}
	}
	q2, c2 := e.begin(t, "fake", BeginOptions{})
	if q2.Get("state") == q.Get("state") || q2.Get("code_challenge") == q.Get("code_challenge") || c2.Name == c.Name {
		t.Error("two flows share state, challenge or cookie")
	}
}

func TestCompleteFlow(t *testing.T) {
	t.Parallel()
	type tc struct {
		name      string
		callback  func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie)
		wantErr   error
		wantCode  int
		wantToken bool
	}
	okCallback := func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
		return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, []http.Cookie{c}
	}
	tests := []tc{
		{name: "success", callback: okCallback, wantToken: true},
		{name: "extra parameters are ignored", wantToken: true, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}, "foo": {"bar"}}, []http.Cookie{c}
		}},
		{name: "user denied", wantErr: ErrAccessDenied, wantCode: 401, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"error": {"access_denied"}, "error_description": {"<script>"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "provider error", wantErr: ErrServerError, wantCode: 502, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"error": {"server_error"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "error with a bad state is a state error", wantErr: ErrFlowMissing, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"error": {"access_denied"}, "state": {"forged"}}, []http.Cookie{c}
		}},
		{name: "missing cookie", wantErr: ErrFlowMissing, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, nil
		}},
		{name: "missing state", wantErr: ErrStateMismatch, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}}, []http.Cookie{c}
		}},
		{name: "state of another flow", wantErr: ErrFlowInvalid, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			q2, c2 := e.begin(t, "fake", BeginOptions{})
			c2.Value = c.Value // this flow's record under the other flow's name
			return "fake", url.Values{"code": {"good-code"}, "state": {q2.Get("state")}}, []http.Cookie{c2}
		}},
		{name: "tampered cookie", wantErr: ErrFlowInvalid, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			b := []byte(c.Value)
			b[len(b)/2] ^= 1
			if b[len(b)/2] == c.Value[len(b)/2] {
				b[len(b)/2] = 'A'
			}
			c.Value = string(b)
			return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "expired flow", wantErr: ErrFlowExpired, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			e.clock.Advance(11 * time.Minute)
			return okCallback(t, e, q, c)
		}},
		{name: "cookie from another provider", wantErr: ErrProviderMismatch, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			q2, c2 := e.begin(t, "other", BeginOptions{})
			return "fake", url.Values{"code": {"good-code"}, "state": {q2.Get("state")}}, []http.Cookie{c2}
		}},
		{name: "unknown provider", wantErr: ErrUnknownProvider, wantCode: 404, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "nope", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "wrong iss (mix-up)", wantErr: ErrAuthResponseIssuer, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}, "iss": {"https://attacker.example"}}, []http.Cookie{c}
		}},
		{name: "wrong iss on an error response", wantErr: ErrAuthResponseIssuer, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"error": {"access_denied"}, "state": {q.Get("state")}, "iss": {"https://attacker.example"}}, []http.Cookie{c}
		}},
		{name: "right iss", wantToken: true, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}, "iss": {e.f.URL}}, []http.Cookie{c}
		}},
		{name: "code and error", wantErr: ErrInvalidCallback, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"good-code"}, "error": {"access_denied"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "neither code nor error", wantErr: ErrInvalidCallback, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"state": {q.Get("state")}}, []http.Cookie{c}
		}},
		{name: "bad code", wantErr: ErrInvalidGrant, wantCode: 400, callback: func(t *testing.T, e *flowEnv, q url.Values, c http.Cookie) (string, url.Values, []http.Cookie) {
			return "fake", url.Values{"code": {"bad-code"}, "state": {q.Get("state")}}, []http.Cookie{c}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newFlowEnv(t, nil)
			q, c := e.begin(t, "fake", BeginOptions{ReturnTo: "/dashboard"})
			provider, params, cookies := tt.callback(t, e, q, c)
			res, clear, err := e.auth.Complete(context.Background(), provider, params, jar(cookies...))
			if tt.wantToken {
				if err != nil {
					t.Fatal(err)
				}
				if res.Token.AccessToken != "at-123" || res.User.ID != "42" || res.User.Username != "octo" || res.ReturnTo != "/dashboard" || res.Provider != "fake" {
					t.Errorf("result %+v user %+v", res, res.User)
				}
				if clear.Name != c.Name || clear.MaxAge >= 0 || clear.Path != c.Path {
					t.Errorf("clearing cookie %+v for %+v", clear, c)
				}
				return
			}
			var ce *CallbackError
			if !errors.As(err, &ce) || !errors.Is(err, tt.wantErr) || ce.Status != tt.wantCode || statusOf(err) != tt.wantCode {
				t.Fatalf("err = %v, want %v with status %d", err, tt.wantErr, tt.wantCode)
			}
			if res != nil {
				t.Error("result with an error")
			}
			assertNoSecrets(t, "error", err.Error())
			if strings.Contains(err.Error(), q.Get("state")) {
				t.Error("error reveals the state")
			}
		})
	}
}

func TestCompleteReplay(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, nil)
	q, c := e.begin(t, "fake", BeginOptions{})
	params := url.Values{"code": {"good-code"}, "state": {q.Get("state")}}
	if _, _, err := e.auth.Complete(context.Background(), "fake", params, jar(c)); err != nil {
		t.Fatal(err)
	}
	// The browser deleted the cookie: a replay from it has none.
	_, _, err := e.auth.Complete(context.Background(), "fake", params, jar())
	if !errors.Is(err, ErrFlowMissing) || statusOf(err) != 400 {
		t.Fatalf("replay without cookie: %v", err)
	}
	// A replay that kept a copy of the cookie is refused before the
	// provider is asked anything: a provider that tolerated code reuse
	// would otherwise log the attacker in a second time.
	before := len(e.f.requests())
	_, _, err = e.auth.Complete(context.Background(), "fake", params, jar(c))
	if !errors.Is(err, ErrFlowUsed) || statusOf(err) != 400 || ProblemOf(err).Type != "urn:oauth20:flow-used" {
		t.Fatalf("replay with cookie: %v", err)
	}
	if n := len(e.f.requests()) - before; n != 0 {
		t.Errorf("the replay reached the provider (%d requests)", n)
	}
}

func TestTwoParallelFlows(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, nil)
	qa, ca := e.begin(t, "fake", BeginOptions{ReturnTo: "/a"})
	qb, cb := e.begin(t, "fake", BeginOptions{ReturnTo: "/b"})
	// Both cookies are in the browser; the second tab finishes first.
	both := jar(ca, cb)
	res, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {qb.Get("state")}}, both)
	if err != nil || res.ReturnTo != "/b" {
		t.Fatalf("tab b: %v %v", res, err)
	}
	// Tab a's flow is intact (its code is refused only because the fake
	// provider's one good code is spent).
	_, _, err = e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {qa.Get("state")}}, both)
	if !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("tab a: %v (its flow should have reached the token endpoint)", err)
	}
	if got := e.f.last(t).Form.Get("redirect_uri"); got != "https://app.example/auth/fake/callback" {
		t.Errorf("redirect_uri %q", got)
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	old := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	newKey := []byte("ffffffffffffffffffffffffffffffff-new")
	rotated := New().SealingKeys(newKey, testKey).BaseURL("https://app.example/auth").Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	dropped := New().SealingKeys(newKey).BaseURL("https://app.example/auth").Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	u, c, err := old.Begin(context.Background(), "fake", BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(u)
	params := url.Values{"code": {"good-code"}, "state": {pu.Query().Get("state")}}
	if _, _, err := dropped.Complete(context.Background(), "fake", params, jar(c)); !errors.Is(err, ErrFlowInvalid) {
		t.Fatalf("unknown key: %v", err)
	}
	if _, _, err := rotated.Complete(context.Background(), "fake", params, jar(c)); err != nil {
		t.Fatalf("old key no longer opens: %v", err)
	}
}

func TestReturnTo(t *testing.T) {
	t.Parallel()
	bad := []string{"//evil.example", "/\\evil.example", "\\/evil", "/%09/evil", "/%5Cevil", "/%2F/evil", "https://evil.example",
		"https://good.example@evil", "https:evil", "javascript:alert(1)", "/%0d%0aLocation:%20https://evil", "/a\r\nb", "evil", ""}
	for _, p := range bad {
		if safeReturnTo(p) {
			t.Errorf("safeReturnTo(%q) = true", p)
		}
	}
	for _, p := range []string{"/", "/a/b?c=d#e", "/files/a%2Fb", "/~user"} {
		if !safeReturnTo(p) {
			t.Errorf("safeReturnTo(%q) = false", p)
		}
	}
	e := newFlowEnv(t, nil)
	q, c := e.begin(t, "fake", BeginOptions{ReturnTo: "//evil.example"})
	res, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c))
	if err != nil || res.ReturnTo != "/" {
		t.Fatalf("return-to %v, err %v", res, err)
	}
}

func TestFormPostCookie(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, func(s *ProviderSpec) {
		s.FormPost = true
		s.AuthOptions = []Option{WithParam("response_mode", "form_post")}
	})
	q, c := e.begin(t, "fake", BeginOptions{})
	if c.SameSite != http.SameSiteNoneMode || !c.Secure || q.Get("response_mode") != "form_post" {
		t.Errorf("cookie %+v, query %v", c, q)
	}
}

func TestBuildReportsEverything(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	p := testProvider(t, f, "dup", nil)
	_, err := New().SealingKeys([]byte("short")).BaseURL("ftp://x").
		Provider(p, nil).Provider(p, nil).
		Provider(NewProvider(ProviderSpec{Name: "Bad Name"})).
		LoginURL("//evil").FlowLifetime(-time.Second).AfterLogout("javascript:alert(1)").Build()
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"sealing key 1 is 5 bytes", "base URL", `two providers are named "dup"`, `provider name "Bad Name"`, "FetchUser is required", "login URL", "flow lifetime", "after-logout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := New().BaseURL("https://x.example").Provider(p, nil).Build(); err == nil || !strings.Contains(err.Error(), "no sealing key") {
		t.Errorf("missing key: %v", err)
	}
	if _, err := New().SealingKeys(testKey).BaseURL("http://app.example").Provider(p, nil).Build(); err == nil {
		t.Error("plain http base URL on a public host accepted")
	}
}

func TestBeginRefusesProtocolParams(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, func(s *ProviderSpec) { s.OIDC = true })
	for _, k := range []string{"code_challenge", "nonce", "response_type", "client_id", "redirect_uri", "state", "max_age", "scope"} {
		_, _, err := e.auth.Begin(context.Background(), "fake", BeginOptions{Params: map[string]string{k: ""}})
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), strconv.Quote(k)) {
			t.Errorf("Params[%q]: %v", k, err)
		}
	}
	q, _ := e.begin(t, "fake", BeginOptions{Params: map[string]string{"hd": "example.com"}})
	if q.Get("hd") != "example.com" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
		t.Errorf("extra parameter: %v", q)
	}
}

func TestBeginKeepsOpenIDScope(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, func(s *ProviderSpec) { s.OIDC = true })
	q, _ := e.begin(t, "fake", BeginOptions{Scopes: []string{"email", "offline_access"}})
	if q.Get("scope") != "openid email offline_access" {
		t.Errorf("scope %q", q.Get("scope"))
	}
	q, _ = e.begin(t, "other", BeginOptions{Scopes: []string{"email"}})
	if q.Get("scope") != "email" {
		t.Errorf("non-OpenID scope %q", q.Get("scope"))
	}
}

// TestMaxAgeAlwaysChecked: max_age rounds up to whole seconds (a
// sub-second MaxAge is not max_age=0 unchecked), and a max_age the provider
// itself sends is checked too.
func TestMaxAgeAlwaysChecked(t *testing.T) {
	t.Parallel()
	v := &recordingVerifier{}
	e := newFlowEnv(t, func(s *ProviderSpec) {
		s.OIDC = true
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Endpoints: s.Client.Endpoints, Verifier: v}, nil
		}
	})
	withIDToken := func(f *fakeServer) {
		f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"Bearer","id_token":"h.p.s"}`)
	}
	withIDToken(e.f)
	for _, tt := range []struct {
		opts    BeginOptions
		wantURL string
		want    time.Duration
	}{
		{BeginOptions{MaxAge: 300 * time.Millisecond}, "1", time.Second},
		{BeginOptions{MaxAge: 90 * time.Second}, "90", 90 * time.Second},
	} {
		q, c := e.begin(t, "fake", tt.opts)
		if q.Get("max_age") != tt.wantURL {
			t.Errorf("max_age %q, want %q", q.Get("max_age"), tt.wantURL)
		}
		if _, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c)); err != nil {
			t.Fatal(err)
		}
		if got := v.last(); !got.MaxAgeSet || got.MaxAge != tt.want {
			t.Errorf("verified with %+v, want max_age %v", got, tt.want)
		}
	}
	// max_age from the provider's own options.
	e2 := newFlowEnv(t, func(s *ProviderSpec) {
		s.OIDC = true
		s.AuthOptions = []Option{WithParam("max_age", "0")}
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Endpoints: s.Client.Endpoints, Verifier: v}, nil
		}
	})
	withIDToken(e2.f)
	q, c := e2.begin(t, "fake", BeginOptions{})
	_, _, _ = e2.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c))
	if got := v.last(); !got.MaxAgeSet || got.MaxAge != 0 {
		t.Errorf("provider's max_age=0 verified with %+v", got)
	}
}

// recordingVerifier accepts every ID token and keeps the expectations.
type recordingVerifier struct {
	mu   sync.Mutex
	seen []IDTokenExpectations
}

func (v *recordingVerifier) VerifyIDToken(_ context.Context, raw string, want IDTokenExpectations) (*IDToken, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seen = append(v.seen, want)
	return &IDToken{Subject: "42", Raw: raw}, nil
}

func (v *recordingVerifier) last() IDTokenExpectations {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.seen) == 0 {
		return IDTokenExpectations{}
	}
	return v.seen[len(v.seen)-1]
}

func TestPublicClientNeedsPKCE(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	for _, method := range []AuthMethod{"", AuthNone} {
		_, err := NewProvider(ProviderSpec{Name: "pub", PKCE: PKCEUnsupported,
			Client:    Config{ClientID: "c", AuthMethod: method, Endpoints: f.endpoints()},
			FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }})
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "PKCE") {
			t.Errorf("method %q: public client without PKCE: %v", method, err)
		}
	}
}

// TestDiscoveredAuthMethodUnderAuth: a provider whose metadata lists only
// client_secret_post authenticates that way under an Auth too.
func TestDiscoveredAuthMethodUnderAuth(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, func(s *ProviderSpec) {
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Endpoints: s.Client.Endpoints, AuthMethods: []string{"client_secret_post"}}, nil
		}
	})
	q, c := e.begin(t, "fake", BeginOptions{})
	if _, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c)); err != nil {
		t.Fatal(err)
	}
	var tok recorded
	for _, r := range e.f.requests() {
		if r.Path == "/token" {
			tok = r
		}
	}
	if tok.Header.Get("Authorization") != "" || tok.Form.Get("client_secret") != "s3cret-value" {
		t.Errorf("token request authenticated with %q / form %v, want client_secret_post", tok.Header.Get("Authorization"), tok.Form)
	}
}

// TestSessionKeepsIDTokenOnce: a session that keeps the tokens holds the ID
// token once (a 1.4 KB ID token, as Hydra's, fits in the cookie with the
// access and refresh tokens), and a session that still cannot fit is a
// configuration problem, not a provider failure.
func TestSessionKeepsIDTokenOnce(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").KeepTokens().
		Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	idToken := strings.Repeat("i", 1400)
	res := &Result{Provider: "fake", User: &User{ID: "42"}, IDToken: &IDToken{Raw: idToken},
		Token: &Token{AccessToken: strings.Repeat("a", 90), TokenType: "Bearer", RefreshToken: strings.Repeat("r", 90), IDToken: idToken}}
	c, err := a.SessionCookie(context.Background(), res)
	if err != nil {
		t.Fatalf("a Hydra-sized session does not fit: %v", err)
	}
	s, ok, _ := a.Session(context.Background(), jar(c))
	if !ok || s.IDToken != idToken || s.Token == nil || s.Token.IDToken != "" || s.Token.AccessToken != res.Token.AccessToken {
		t.Fatalf("session %v %v", s, ok)
	}
	res.Token.AccessToken = strings.Repeat("a", 4000)
	_, err = a.SessionCookie(context.Background(), res)
	if p := ProblemOf(err); !errors.Is(err, ErrInvalidConfig) || p.Status != 500 || p.Type != "urn:oauth20:configuration" {
		t.Fatalf("oversized session: %v (%+v)", err, p)
	}
}

// TestCookiesOnPlainHTTP: on a loopback http base URL (development) the
// cookies have no __Host- prefix (it needs Secure) and the flow cookie is
// scoped to the login routes.
func TestCookiesOnPlainHTTP(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	a := New().SealingKeys(testKey).BaseURL("http://127.0.0.1:8000/auth").Provider(testProvider(t, f, "fake", nil), nil).MustBuild()
	_, c, err := a.Begin(context.Background(), "fake", BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Secure || c.Path != "/auth/" || !strings.HasPrefix(c.Name, "oauth20_") {
		t.Errorf("flow cookie %+v", c)
	}
}

// TestCompleteRefusalWithoutCode: for a provider whose spec says so, a
// callback with the flow's state and nothing else is the user refusing
// (401 access_denied); the flow is checked first, and a code is still
// exchanged as usual.
func TestCompleteRefusalWithoutCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		refusal  bool
		params   func(state string) url.Values
		wantErr  error
		wantCode int
	}{
		{"state only is a refusal", true, func(s string) url.Values { return url.Values{"state": {s}} }, ErrAccessDenied, 401},
		{"state only, forged state", true, func(string) url.Values { return url.Values{"state": {"forged"}} }, ErrFlowMissing, 400},
		{"state only without the rule", false, func(s string) url.Values { return url.Values{"state": {s}} }, ErrInvalidCallback, 400},
		{"a code is exchanged", true, func(s string) url.Values { return url.Values{"state": {s}, "code": {"good-code"}} }, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newFlowEnv(t, func(s *ProviderSpec) { s.RefusalWithoutCode = tt.refusal })
			q, c := e.begin(t, "fake", BeginOptions{})
			res, _, err := e.auth.Complete(context.Background(), "fake", tt.params(q.Get("state")), jar(c))
			if tt.wantErr == nil {
				if err != nil || res.User.ID != "42" {
					t.Fatalf("got %+v, %v", res, err)
				}
				return
			}
			var ce *CallbackError
			if !errors.As(err, &ce) || !errors.Is(err, tt.wantErr) || ce.Status != tt.wantCode {
				t.Fatalf("err = %v, want %v with status %d", err, tt.wantErr, tt.wantCode)
			}
			if n := len(e.f.requests()); n != 0 {
				t.Errorf("%d requests to the provider", n)
			}
		})
	}
}

// TestNonceUnsupported: an OpenID provider sends a nonce and Complete
// hands it to the verifier, which requires it in the ID token; a provider
// marked NonceUnsupported (LinkedIn) sends none and verifies without one;
// a flow started without a nonce does not complete for a provider that
// needs one; and the mark is refused on a provider that is not OpenID.
func TestNonceUnsupported(t *testing.T) {
	t.Parallel()
	v := &recordingVerifier{}
	openID := func(noNonce bool) func(*ProviderSpec) {
		return func(s *ProviderSpec) {
			s.OIDC, s.NonceUnsupported = true, noNonce
			s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
				return &Discovery{Endpoints: s.Client.Endpoints, Verifier: v}, nil
			}
		}
	}
	complete := func(e *flowEnv, q url.Values, c http.Cookie) error {
		e.f.answer("/token", 200, "application/json", `{"access_token":"at","token_type":"Bearer","id_token":"h.p.s"}`)
		_, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c))
		return err
	}

	withNonce := newFlowEnv(t, openID(false))
	q, c := withNonce.begin(t, "fake", BeginOptions{})
	if len(q.Get("nonce")) < 32 {
		t.Fatalf("nonce %q sent by an OpenID provider", q.Get("nonce"))
	}
	if err := complete(withNonce, q, c); err != nil {
		t.Fatal(err)
	}
	if got := v.last().Nonce; got != q.Get("nonce") {
		t.Errorf("verified with nonce %q, want the one sent", got)
	}

	noNonce := newFlowEnv(t, openID(true))
	q, c = noNonce.begin(t, "fake", BeginOptions{})
	if q.Has("nonce") {
		t.Errorf("nonce %q sent by a NonceUnsupported provider", q.Get("nonce"))
	}
	if err := complete(noNonce, q, c); err != nil {
		t.Fatal(err)
	}
	if got := v.last().Nonce; got != "" {
		t.Errorf("verified with nonce %q, want none", got)
	}

	// The same sealing keys: the cookie of a flow without a nonce opens
	// under the Auth whose provider requires one, and must not pass.
	if err := complete(withNonce, q, c); !errors.Is(err, ErrFlowInvalid) || !strings.Contains(err.Error(), "no nonce") {
		t.Errorf("a flow without a nonce completed for a provider that needs one: %v", err)
	}

	_, err := NewProvider(ProviderSpec{Name: "plain", NonceUnsupported: true, Client: Config{ClientID: "c", ClientSecret: "s", Endpoints: flowServer(t).endpoints()},
		FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }})
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "NonceUnsupported") {
		t.Errorf("NonceUnsupported without OIDC: %v", err)
	}
}

// TestAppState: the application's state comes back from the callback
// unchanged, sealed on the way (never in the provider's URL); a state too
// large for the flow cookie is refused before the browser leaves.
func TestAppState(t *testing.T) {
	t.Parallel()
	e := newFlowEnv(t, nil)
	state := `{"cart":"c-77","step":2}`
	q, c := e.begin(t, "fake", BeginOptions{AppState: state})
	for k, vs := range q {
		if strings.Contains(strings.Join(vs, ""), "c-77") {
			t.Errorf("the application state is in the provider's URL (%s)", k)
		}
	}
	res, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c))
	if err != nil || res.AppState != state || res.User == nil {
		t.Fatalf("result %+v, %v", res, err)
	}
	_, _, err = e.auth.Begin(context.Background(), "fake", BeginOptions{AppState: strings.Repeat("x", MaxAppState+1)})
	if p := ProblemOf(err); !errors.Is(err, ErrInvalidConfig) || p.Status != 500 {
		t.Errorf("an oversized state: %v", err)
	}
}

// TestTokenOnly: a token-only login, per login or per provider, ends at
// the token without a user request; it starts no session.
func TestTokenOnly(t *testing.T) {
	t.Parallel()
	for _, perProvider := range []bool{false, true} {
		e := newFlowEnv(t, func(s *ProviderSpec) { s.TokenOnly = perProvider })
		q, c := e.begin(t, "fake", BeginOptions{TokenOnly: !perProvider})
		before := len(e.f.requests())
		res, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c))
		if err != nil || res.User != nil || res.Token == nil || res.Token.AccessToken == "" {
			t.Fatalf("per provider %t: %+v, %v", perProvider, res, err)
		}
		for _, r := range e.f.requests()[before:] {
			if r.Path != "/token" {
				t.Errorf("per provider %t: a request to %s", perProvider, r.Path)
			}
		}
		if _, err := e.auth.SessionCookie(context.Background(), res); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "token-only") {
			t.Errorf("a session from a token-only login: %v", err)
		}
	}
	// The other logins of the Auth fetch their user as before.
	e := newFlowEnv(t, nil)
	q, c := e.begin(t, "fake", BeginOptions{})
	if res, _, err := e.auth.Complete(context.Background(), "fake", url.Values{"code": {"good-code"}, "state": {q.Get("state")}}, jar(c)); err != nil || res.User == nil {
		t.Fatalf("a login with the user: %+v %v", res, err)
	}
}
