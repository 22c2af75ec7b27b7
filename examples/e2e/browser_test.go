package e2e

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/examples/demo/app"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// envChromium names the environment variable that points at the browser
// when it is not chromium or chromium-browser in PATH.
const envChromium = "OAUTH20_CHROMIUM"

// browserTimeout bounds one browser journey.
const browserTimeout = 60 * time.Second

// findChromium returns the path of Chromium, or skips the test (fails it
// with OAUTH20_E2E=1) when there is none.
func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "Chromium (chromium or chromium-browser) not found in PATH and %s not set"
	if os.Getenv(realop.EnvE2E) == "1" {
		t.Fatalf(msg+" (%s=1, so this is a failure, not a skip)", envChromium, realop.EnvE2E)
	}
	t.Skipf(msg+"; skipping the browser test (set %s=1 to fail instead)", envChromium, realop.EnvE2E)
	return ""
}

// startChromium starts headless Chromium for the test and returns a
// context of its first tab; it is stopped when the test ends.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	out := &testkit.SyncBuffer{} // the browser's output, written from another goroutine
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		// No network but loopback here: keep Chromium from calling home.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		chromedp.CombinedOutput(out),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser to exit, before TempDir's cleanup
		if t.Failed() {
			t.Logf("chromium output:\n%s", out.String())
		}
	})
	began := time.Now()
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	t.Logf("chromium started after %v", time.Since(began).Round(time.Millisecond))
	return ctx
}

// startDemo serves the net/http demo (examples/demo/app) at base on ln,
// with env as its environment, until the test ends.
func startDemo(t *testing.T, ln net.Listener, base string, env map[string]string) *app.App {
	t.Helper()
	a, err := app.New(demoapp.Config{BaseURL: base, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return a
}

// TestBrowser logs in to the net/http demo with headless Chromium, first
// with the demo's in-process provider, then with oidc-provider (whose
// sign-in and consent pages it fills in), and checks the user on the page,
// the cookies, and logout.
func TestBrowser(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)

	t.Run("in-process provider", func(t *testing.T) {
		t.Parallel()
		timed(t)
		ln, base := listen(t)
		startDemo(t, ln, base, nil)
		ctx := newTab(t, browser)
		user := oidctest.DefaultUser()

		do(t, ctx, "open the demo and log in",
			chromedp.Navigate(base+"/"),
			chromedp.Click(chromedp.CSS(`a[href="/auth/local/login"]`)),
			chromedp.WaitVisible(chromedp.CSS("#user")))
		checkLoggedIn(t, ctx, base, user.Subject, user.Name, user.Email)

		do(t, ctx, "log out", // the in-process provider ends the session without asking
			chromedp.Click(chromedp.CSS(`#user button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#login")))
		checkLoggedOut(t, ctx, base)
	})

	t.Run("oidc-provider", func(t *testing.T) {
		t.Parallel()
		timed(t)
		ln, base := listen(t)
		s, _ := startOP(t, []string{base + demoapp.Prefix + "/oidc/callback"}, []string{base + "/"})
		startDemo(t, ln, base, map[string]string{
			"OIDC_ISSUER": s.Issuer, "OIDC_CLIENT_ID": s.Basic.ID, "OIDC_CLIENT_SECRET": s.Basic.Secret,
		})
		ctx := newTab(t, browser)
		login := "browser-user"
		want := opuser.Account(login)

		do(t, ctx, "open the demo and go to the provider",
			chromedp.Navigate(base+"/"),
			chromedp.Click(chromedp.CSS(`a[href="/auth/oidc/login"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
		// While the user is at the provider, the flow cookie is there.
		if flows := appCookies(t, ctx, base, isFlowCookie); len(flows) != 1 {
			t.Errorf("flow cookies while at the provider: %v, want one", flows)
		}
		do(t, ctx, "sign in at the provider",
			chromedp.SendKeys(chromedp.CSS(`input[name="login"]`), login),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), realop.Password),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)))
		do(t, ctx, "consent at the provider",
			chromedp.WaitReady(chromedp.CSS(`input[name="prompt"][value="consent"]`)),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#user")))
		checkLoggedIn(t, ctx, base, login, want.Name, want.Email)

		do(t, ctx, "log out and confirm at the provider",
			chromedp.Click(chromedp.CSS(`#user button[type="submit"]`)),
			chromedp.Click(chromedp.CSS(`button[name="logout"][value="yes"]`)),
			chromedp.WaitVisible(chromedp.CSS("#login")))
		checkLoggedOut(t, ctx, base)

		do(t, ctx, "log in again: the provider asks for the login",
			chromedp.Click(chromedp.CSS(`a[href="/auth/oidc/login"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name="login"]`)))
	})
}

// newTab opens a tab in a browser context of its own (its own cookies)
// and returns a context for it bounded by browserTimeout.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil { // opens the tab, for the tab's lifetime
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(tab, browserTimeout)
	t.Cleanup(cancelTimeout)
	return ctx
}

// do runs the browser actions of a step and fails the test with the page
// the browser is on when one fails.
func do(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%.1000s", step, err, loc, text)
	}
}

// checkLoggedIn checks the demo's page after a login: the user's card, and
// the session cookie without any flow cookie left.
func checkLoggedIn(t *testing.T, ctx context.Context, base, id, name, email string) {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if loc != base+"/" {
		t.Errorf("after login the browser is at %s, want %s", loc, base+"/")
	}
	card, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#user")))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Signed in with", id, name, email, "verified", "Sign out"} {
		if !strings.Contains(card, s) {
			t.Errorf("the user card lacks %q:\n%s", s, card)
		}
	}
	if got := appCookies(t, ctx, base, isFlowCookie); len(got) != 0 {
		t.Errorf("flow cookies left after login: %v", got)
	}
	if got := appCookies(t, ctx, base, isSessionCookie); len(got) != 1 {
		t.Errorf("session cookies after login: %v, want one", got)
	}
}

// checkLoggedOut checks the demo's page after logout: the login buttons,
// no session cookie, no flow cookie.
func checkLoggedOut(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page, "Continue with") || strings.Contains(page, "Signed in with") {
		t.Errorf("the page after logout:\n%s", page)
	}
	if got := appCookies(t, ctx, base, func(name string) bool { return strings.HasPrefix(name, "oauth20_") }); len(got) != 0 {
		t.Errorf("cookies left after logout: %v", got)
	}
}

func isSessionCookie(name string) bool { return name == "oauth20_session" }

func isFlowCookie(name string) bool {
	return strings.HasPrefix(name, "oauth20_") && !isSessionCookie(name)
}

// appCookies returns the names of the browser's cookies for the demo's
// pages and login routes that match keep.
func appCookies(t *testing.T, ctx context.Context, base string, keep func(string) bool) []string {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{
		URLs: []string{base + "/", base + demoapp.Prefix + "/"},
	})
	if err != nil {
		t.Fatalf("read the cookies: %v", err)
	}
	var names []string
	for _, c := range res.Cookies {
		if keep(c.Name) && !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	return names
}
