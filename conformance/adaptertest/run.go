package adaptertest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

// want is the expected outcome of a case, the same for every adapter.
type want struct {
	status int
	// problem is the problem type of an error answer; "" for none.
	problem string
	// provider is the provider a problem must name; "" for none.
	provider string
	// location is the exact Location of a redirect; "{op}" stands for the
	// provider's issuer, "{app}" for the app's origin (query-escaped) and
	// "{id_token}" for the ID token of the login (any compact JWT).
	location string
	// callback marks the answer of a callback route, which must carry
	// no-store and no-referrer and clear the flow cookie, unless keepsFlow
	// (the callback's state names no flow of this browser).
	callback  bool
	keepsFlow bool
	// loggedIn says whether GET MePath answers the user afterwards.
	loggedIn bool
	// page is the kind of failure an HTML error page must show (the
	// answer to a browser), instead of a problem document.
	page string
	// body is what the answer's body must contain.
	body string
}

// step is what a case did: the answer to check and the flow it used.
type step struct {
	resp *response
	cb   *callback
}

type tcase struct {
	name string
	run  func(t *testing.T, e *env, b *browser) step
	want want
	// serverOnly runs the case with server-side sessions only.
	serverOnly bool
}

var cases = []tcase{
	{name: "success", want: want{status: 303, location: "/me?tab=1", callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me?tab=1")
			return step{b.deliver(cb), cb}
		}},
	{name: "unsafe return_to falls back to /", want: want{status: 303, location: "/", callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "//evil.example/")
			return step{b.deliver(cb), cb}
		}},
	// The application's state comes back to its success hook, after a
	// login that fetched the user.
	{name: "application state through the flow", want: want{status: 200, callback: true,
		body: `{"app_state":"cart-7 \u0026 step 2","token":true,"user":"` + oidctest.DefaultUser().Subject + `"}`},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.loginWith(QueryProvider, url.Values{"app_state": {"cart-7 & step 2"}})
			return step{b.deliver(cb), cb}
		}},
	// A token-only login ends at the token: no user, no session.
	{name: "token-only login", want: want{status: 200, callback: true, body: `{"app_state":"","token":true,"user":""}`},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.loginWith(FormPostProvider, url.Values{"token_only": {"1"}})
			if n := e.op.Count(oidctest.UserInfoEndpoint); n != 0 {
				t.Fatalf("%d UserInfo requests before the callback", n)
			}
			r := b.deliver(cb)
			if n := e.op.Count(oidctest.UserInfoEndpoint); n != 0 {
				t.Errorf("a token-only login asked for the user (%d UserInfo requests)", n)
			}
			return step{r, cb}
		}},
	{name: "user denied", want: want{status: 401, problem: "urn:oauth20:access-denied", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			e.op.UpdateFaults(func(f *oidctest.Faults) {
				f.Errors = map[oidctest.Endpoint]oidctest.ErrorResponse{oidctest.AuthorizeEndpoint: {Code: "access_denied", Description: "the user said no"}}
			})
			cb := b.login(QueryProvider, "/me")
			return step{b.deliver(cb), cb}
		}},
	{name: "missing flow cookie", want: want{status: 400, problem: "urn:oauth20:flow-missing", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			b.setCookie(cb.cookie, "")
			return step{b.deliver(cb), cb}
		}},
	{name: "expired flow cookie", want: want{status: 400, problem: "urn:oauth20:flow-expired", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			e.clock.Advance(11 * time.Minute)
			return step{b.deliver(cb), cb}
		}},
	{name: "tampered flow cookie", want: want{status: 400, problem: "urn:oauth20:flow-invalid", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			v, _ := b.cookie(cb.cookie)
			flip := byte('A')
			if v[10] == 'A' {
				flip = 'B'
			}
			b.setCookie(cb.cookie, v[:10]+string(flip)+v[11:])
			return step{b.deliver(cb), cb}
		}},
	// A copy of the flow cookie does not make a callback usable twice: it
	// is refused before the code reaches the provider again.
	{name: "replayed callback with the old cookie", want: want{status: 400, problem: "urn:oauth20:flow-used", provider: QueryProvider, callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			old, _ := b.cookie(cb.cookie)
			if r := b.deliver(cb); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("first delivery: %d %s", r.StatusCode, r.body)
			}
			if _, ok := b.cookie(cb.cookie); ok {
				t.Error("the flow cookie survived a completed login")
			}
			b.setCookie(cb.cookie, old)
			return step{b.deliver(cb), cb}
		}},
	{name: "replayed callback", want: want{status: 400, problem: "urn:oauth20:flow-missing", provider: QueryProvider, callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			if r := b.deliver(cb); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("first delivery: %d %s", r.StatusCode, r.body)
			}
			return step{b.deliver(cb), cb}
		}},
	{name: "state altered", want: want{status: 400, problem: "urn:oauth20:flow-missing", provider: QueryProvider, callback: true, keepsFlow: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			p := cb.params()
			p.Set("state", "forged-"+p.Get("state")[7:])
			cb.setParams(p)
			return step{b.deliver(cb), cb}
		}},
	{name: "state missing", want: want{status: 400, problem: "urn:oauth20:state-mismatch", provider: QueryProvider, callback: true, keepsFlow: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			p := cb.params()
			p.Del("state")
			cb.setParams(p)
			return step{b.deliver(cb), cb}
		}},
	{name: "callback at the wrong provider", want: want{status: 400, problem: "urn:oauth20:provider-mismatch", provider: FormPostProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			cb.withProvider(FormPostProvider)
			return step{b.deliver(cb), cb}
		}},
	{name: "unknown provider", want: want{status: 404, problem: "urn:oauth20:unknown-provider", provider: "nope"},
		run: func(t *testing.T, e *env, b *browser) step {
			return step{resp: b.get(b.appURL(Prefix + "/nope/login").String())}
		}},
	{name: "provider answers 500", want: want{status: 502, problem: "urn:oauth20:provider-error", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			e.op.UpdateFaults(func(f *oidctest.Faults) {
				f.Errors = map[oidctest.Endpoint]oidctest.ErrorResponse{oidctest.TokenEndpoint: {Status: 500, Body: "<html>upstream exploded</html>"}}
			})
			cb := b.login(QueryProvider, "/me")
			return step{b.deliver(cb), cb}
		}},
	{name: "form_post", want: want{status: 303, location: "/me", callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(FormPostProvider, "/me")
			if cb.method != http.MethodPost {
				t.Fatalf("callback method %s, want POST", cb.method)
			}
			return step{b.deliver(cb), cb}
		}},
	{name: "two parallel flows", want: want{status: 303, location: "/a", callback: true, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			a := b.login(QueryProvider, "/a")
			bb := b.login(QueryProvider, "/b")
			if a.cookie == bb.cookie {
				t.Fatal("two flows share a cookie")
			}
			if r := b.deliver(bb); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/b" {
				t.Fatalf("second tab: %d %q %s", r.StatusCode, r.Header.Get("Location"), r.body)
			}
			return step{b.deliver(a), a}
		}},
	// The session keeps the ID token, so logout sends it as
	// id_token_hint, without which providers refuse to send the browser
	// back to post_logout_redirect_uri.
	{name: "logout", want: want{status: 303, location: "{op}/end_session?id_token_hint={id_token}&post_logout_redirect_uri={app}%2F&client_id=" + ClientID},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			if r := b.deliver(cb); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.StatusCode, r.body)
			}
			return step{resp: b.post(b.appURL(Prefix+"/"+QueryProvider+"/logout").String(), nil)}
		}},
	{name: "protected route without a session", want: want{status: 401, problem: "urn:oauth20:login-required"},
		run: func(t *testing.T, e *env, b *browser) step {
			return step{resp: b.get(b.appURL(MePath).String())}
		}},
	// A browser is shown a page in its terms, with a way to try again.
	{name: "a browser gets an error page", want: want{status: 400, page: "expired", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			b.setCookie(cb.cookie, "")
			b.accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
			return step{b.deliver(cb), cb}
		}},
	// Logout ends the session only on a POST of this site: a link, or a
	// form of another site, does nothing.
	{name: "logout by a link or another site is refused", want: want{status: 403, loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			if r := b.deliver(cb); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.StatusCode, r.body)
			}
			logout := b.appURL(Prefix + "/" + QueryProvider + "/logout").String()
			if r := b.get(logout); r.StatusCode != http.StatusMethodNotAllowed && r.StatusCode != http.StatusNotFound {
				t.Errorf("GET logout: %d, want 405 (or no route)", r.StatusCode)
			}
			b.fetchSite = "cross-site"
			r := b.post(logout, nil)
			b.fetchSite = ""
			return step{resp: r}
		}},
	// Routes mounted under another prefix than the base URL's are reported
	// at the first login, not as a 404 after the provider.
	{name: "routes under another prefix than the base URL", want: want{status: 500, problem: "urn:oauth20:configuration", provider: QueryProvider},
		run: func(t *testing.T, e *env, b *browser) step {
			return step{resp: b.get(b.appURL(OtherPrefix + "/" + QueryProvider + "/login").String())}
		}},
	// A login begun on another name of the host (localhost for
	// 127.0.0.1) is sent to the base URL's host before a flow cookie is
	// set there, where the callback could not find it.
	{name: "login on another host name", want: want{status: 302, location: "{app_raw}" + Prefix + "/" + QueryProvider + "/login?return_to=%2Fme"},
		run: func(t *testing.T, e *env, b *browser) step {
			u := b.appURL(Prefix + "/" + QueryProvider + "/login")
			u.Host = strings.Replace(u.Host, "127.0.0.1", "localhost", 1)
			u.RawQuery = "return_to=%2Fme"
			r := b.get(u.String())
			if len(r.Cookies()) != 0 {
				t.Errorf("a flow cookie was set on the wrong host: %v", r.Header["Set-Cookie"])
			}
			return step{resp: r}
		}},
	// Without its store, a callback cannot be marked used: it is refused,
	// not accepted without the check.
	{name: "store unavailable at the callback", want: want{status: 503, problem: "urn:oauth20:unavailable", provider: QueryProvider, callback: true},
		run: func(t *testing.T, e *env, b *browser) step {
			cb := b.login(QueryProvider, "/me")
			e.store.Down.Store(true)
			defer e.store.Down.Store(false)
			return step{b.deliver(cb), cb}
		}},
	// A session that cannot be read is refused with a 503, not taken for
	// absent (which would send the user to log in again) nor for present;
	// it is back when the store is.
	{name: "store unavailable with a session", serverOnly: true, want: want{status: 503, problem: "urn:oauth20:unavailable", loggedIn: true},
		run: func(t *testing.T, e *env, b *browser) step {
			if r := b.deliver(b.login(QueryProvider, "/me")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.StatusCode, r.body)
			}
			e.store.Down.Store(true)
			defer e.store.Down.Store(false)
			return step{resp: b.get(b.appURL(MePath).String())}
		}},
	{name: "sessions revoked centrally", serverOnly: true, want: want{status: 401, problem: "urn:oauth20:login-required"},
		run: func(t *testing.T, e *env, b *browser) step {
			if r := b.deliver(b.login(QueryProvider, "/me")); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", r.StatusCode, r.body)
			}
			if err := e.auth.RevokeSessions(context.Background(), QueryProvider, oidctest.DefaultUser().Subject); err != nil {
				t.Fatal(err)
			}
			return step{resp: b.get(b.appURL(MePath).String())}
		}},
}

// sessionModes are the two places a session can live: the table runs in
// both.
var sessionModes = []struct {
	name   string
	server bool
}{{"cookie sessions", false}, {"server sessions", true}}

// Run runs the shared table against the adapter that serve starts, each
// case in parallel with its own provider, app and browser, once with
// sessions in cookies and once with sessions on the server.
func Run(t *testing.T, serve Serve) {
	t.Helper()
	for _, mode := range sessionModes {
		t.Run(mode.name, func(t *testing.T) {
			for _, tc := range cases {
				if tc.serverOnly && !mode.server {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, serve, mode.server)
					b := newBrowser(t, e)
					st := tc.run(t, e, b)
					check(t, e, b, st, tc.want)
				})
			}
		})
	}
}

func check(t *testing.T, e *env, b *browser, st step, w want) {
	t.Helper()
	r := st.resp
	if r.StatusCode != w.status {
		t.Fatalf("status %d, want %d; body %s", r.StatusCode, w.status, r.body)
	}
	if w.location != "" {
		loc := strings.NewReplacer("{op}", e.op.Issuer(), "{app}", url.QueryEscape(e.baseURL), "{app_raw}", e.baseURL).Replace(w.location)
		if got := r.Header.Get("Location"); !matchLocation(got, loc) {
			t.Errorf("Location %q, want %q", got, loc)
		}
	}
	if w.problem != "" {
		checkProblem(t, r, w, st.cb)
	}
	if w.page != "" {
		checkPage(t, e, r, w)
	}
	if w.body != "" && !strings.Contains(r.body, w.body) {
		t.Errorf("body %s, want it to contain %s", r.body, w.body)
	}
	if r.StatusCode == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
		t.Error("a 401 without WWW-Authenticate")
	}
	if w.callback {
		if cc, rp := r.Header.Get("Cache-Control"), r.Header.Get("Referrer-Policy"); cc != "no-store" || rp != "no-referrer" {
			t.Errorf("callback headers Cache-Control %q Referrer-Policy %q", cc, rp)
		}
	}
	if w.callback && !w.keepsFlow {
		if !cleared(r, st.cb.cookie) {
			t.Errorf("callback did not clear the flow cookie %s: %v", st.cb.cookie, r.Header["Set-Cookie"])
		}
		if _, ok := b.cookie(st.cb.cookie); ok {
			t.Errorf("flow cookie still in the jar")
		}
	}
	me := b.get(b.appURL(MePath).String())
	if !w.loggedIn {
		if me.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without login: %d %s", MePath, me.StatusCode, me.body)
		}
		return
	}
	var got Me
	if me.StatusCode != http.StatusOK || json.Unmarshal([]byte(me.body), &got) != nil {
		t.Fatalf("GET %s: %d %s", MePath, me.StatusCode, me.body)
	}
	// A page for one user: no shared cache may keep it.
	if cc := me.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") || !strings.Contains(cc, "private") ||
		!strings.Contains(strings.Join(me.Header.Values("Vary"), ","), "Cookie") {
		t.Errorf("protected page Cache-Control %q, Vary %q", cc, me.Header.Values("Vary"))
	}
	u := oidctest.DefaultUser()
	if got.ID != u.Subject || got.Email != u.Email || got.Name != u.Name || got.Provider == "" || len(got.Scopes) == 0 {
		t.Errorf("GET %s = %+v", MePath, got)
	}
	for _, c := range b.jar.Cookies(b.appURL("/")) {
		if strings.Contains(c.Value, "access_token") || strings.Contains(c.Value, ClientSecret) {
			t.Errorf("cookie %s is not sealed", c.Name)
		}
	}
}

// cleared reports whether r deletes the cookie name.
func cleared(r *response, name string) bool {
	for _, c := range r.Cookies() {
		if c.Name == name && (c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now()))) {
			return true
		}
	}
	return false
}

func checkProblem(t *testing.T, r *response, w want, cb *callback) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q", ct)
	}
	var p struct {
		Type     string `json:"type"`
		Title    string `json:"title"`
		Status   int    `json:"status"`
		Detail   string `json:"detail"`
		Provider string `json:"provider"`
	}
	if err := json.Unmarshal([]byte(r.body), &p); err != nil {
		t.Fatalf("problem %q: %v", r.body, err)
	}
	if p.Type != w.problem || p.Status != w.status || p.Title == "" || p.Provider != w.provider {
		t.Errorf("problem %+v, want type %s status %d provider %q", p, w.problem, w.status, w.provider)
	}
	secrets := []string{ClientSecret}
	if cb != nil {
		ps := cb.params()
		secrets = append(secrets, ps.Get("code"), ps.Get("state"))
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(r.body, s) {
			t.Errorf("problem reveals a secret, code or state: %s", r.body)
		}
	}
}

// matchLocation reports whether got is want, where "{id_token}" in want
// stands for a compact JWT (the ID token the provider issued, which the
// browser cannot see).
func matchLocation(got, want string) bool {
	before, after, ok := strings.Cut(want, "{id_token}")
	if !ok {
		return got == want
	}
	if !strings.HasPrefix(got, before) || !strings.HasSuffix(got, after) || len(got) < len(before)+len(after) {
		return false
	}
	jwt := got[len(before) : len(got)-len(after)]
	return strings.Count(jwt, ".") == 2 && !strings.ContainsAny(jwt, "&=?")
}

// checkPage checks the HTML page a browser gets for a failed login: what
// happened in the user's terms, a link to start again, no internal detail,
// and no framing.
func checkPage(t *testing.T, e *env, r *response, w want) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want an HTML page", ct)
	}
	if r.Header.Get("X-Frame-Options") != "DENY" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("page headers %v", r.Header)
	}
	retry := `href="` + e.baseURL + Prefix + "/" + w.provider + "/login"
	if !strings.Contains(r.body, w.page) || !strings.Contains(r.body, retry) {
		t.Errorf("page lacks %q or the link %s: %s", w.page, retry, r.body)
	}
	op, _ := url.Parse(e.op.Issuer())
	for _, internal := range []string{"oauth20:", "urn:", ClientSecret, op.Host} {
		if strings.Contains(r.body, internal) {
			t.Errorf("page shows %q: %s", internal, r.body)
		}
	}
}
