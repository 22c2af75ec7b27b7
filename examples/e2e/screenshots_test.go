package e2e

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/examples/internal/demoapp"
)

// envArtifacts names the environment variable of a directory where the
// browser tests keep their screenshots (in a subdirectory per test), for
// CI to publish; without it they go to the test's temporary directory.
const envArtifacts = "OAUTH20_ARTIFACTS"

// screen is a window size the pages are shown and captured at.
type screen struct {
	name          string
	width, height int64
}

// screens are a laptop's window and a phone's.
var screens = []screen{{"desktop", 1280, 800}, {"phone", 390, 844}}

// TestDemoScreenshots shows the net/http demo's home page, an error page
// and the signed-in page in Chromium at a laptop's and a phone's size,
// checks what each shows by reading the DOM (the provider buttons, the
// development-only warning, the error, the user with the verified ID-token
// claims and the token expiry), that the inline stylesheet was applied
// (the Content-Security-Policy lets it through) and nothing overflows
// sideways, and captures each as a PNG of the window's size.
func TestDemoScreenshots(t *testing.T) {
	t.Parallel()
	timed(t)
	browser := startChromium(t)
	ln, base := listen(t)
	op := startDemo(t, ln, base, nil).TestProvider()
	if op == nil {
		t.Fatal("the development test provider is off on a loopback address")
	}
	ctx := newTab(t, browser)
	blocked := watchSecurity(t, ctx)
	dir := artifactsDir(t)
	user := oidctest.DefaultUser()

	// The home page: one button per provider, with its name, and the
	// warning that the test provider is for development only.
	do(t, ctx, "open the home page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	buttons := evaluate[[]map[string]string](t, ctx, `[...document.querySelectorAll("#login a.provider")].map(a => ({
		name: a.dataset.provider, href: a.getAttribute("href"),
		label: a.querySelector(".label").textContent, badge: a.querySelector(".badge")?.textContent ?? ""}))`)
	want := map[string]string{"name": demoapp.DevProviderName, "href": demoapp.Prefix + "/" + demoapp.DevProviderName + "/login",
		"label": "Continue with Test provider", "badge": "development only"}
	if len(buttons) != 1 || !maps.Equal(buttons[0], want) {
		t.Errorf("the provider buttons are %v, want [%v]", buttons, want)
	}
	warning := evaluate[string](t, ctx, `document.querySelector("#dev-warning").textContent.replace(/\s+/g, " ").trim()`)
	if !strings.HasPrefix(warning, "Development only.") || !strings.Contains(warning, "loopback") {
		t.Errorf("the development warning says %q", warning)
	}
	if bg := evaluate[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(246, 247, 249)" {
		t.Errorf("the page's background is %s: the stylesheet was not applied", bg)
	}
	capture(t, ctx, dir, "home")

	// An error page: the provider refuses the first sign-in (the user
	// cancelled); the page says so, and Try again signs in.
	op.SetFaults(oidctest.Faults{Errors: map[oidctest.Endpoint]oidctest.ErrorResponse{
		oidctest.AuthorizeEndpoint: {Code: "access_denied", Description: "the user cancelled", Count: 1},
	}})
	do(t, ctx, "sign in and cancel at the provider",
		chromedp.Click(chromedp.CSS(`#login a.provider`)),
		chromedp.WaitVisible(chromedp.CSS(`body > main > a.button`))) // core's problem page
	if got := text(t, ctx, "main h1"); got != "Access denied" {
		t.Errorf("the error page's title is %q", got)
	}
	if got := text(t, ctx, "main p"); got != "Sign-in was cancelled." {
		t.Errorf("the error page says %q", got)
	}
	if got := text(t, ctx, "main small"); got != "Error 401 · access_denied" {
		t.Errorf("the error page's footnote is %q", got)
	}
	if got := text(t, ctx, "main a.button"); got != "Try again" {
		t.Errorf("the error page's button says %q", got)
	}
	if body := text(t, ctx, "body"); strings.Contains(body, "the user cancelled") || strings.Contains(body, "127.0.0.1") {
		t.Errorf("the error page shows internal detail:\n%s", body)
	}
	capture(t, ctx, dir, "error")

	// The signed-in page: the user, the token expiry, the ID token's
	// claims, and no token.
	began := time.Now()
	do(t, ctx, "try again", chromedp.Click(chromedp.CSS(`main a.button`)), chromedp.WaitVisible(chromedp.CSS("#user")))
	if got := text(t, ctx, "#user-name"); got != user.Name {
		t.Errorf("the signed-in page names %q, want %q", got, user.Name)
	}
	if got := evaluate[string](t, ctx, `document.querySelector("#user .who .badge")?.textContent ?? ""`); got != "test user" {
		t.Errorf("the signed-in page marks the test user with %q, want %q", got, "test user")
	}
	facts := text(t, ctx, "#facts")
	for _, s := range []string{user.Subject, user.PreferredUsername, user.Email, "verified", "openid"} {
		if !strings.Contains(facts, s) {
			t.Errorf("the user's facts lack %q:\n%s", s, facts)
		}
	}
	expiry, err := time.Parse(time.RFC3339, evaluate[string](t, ctx, `document.querySelector("#expiry time").dateTime`))
	if err != nil {
		t.Errorf("the token expiry: %v", err)
	} else if lo, hi := began.Add(oidctest.DefaultAccessTokenTTL-time.Minute), time.Now().Add(oidctest.DefaultAccessTokenTTL+time.Second); expiry.Before(lo) || expiry.After(hi) {
		t.Errorf("the token expires at %v, want between %v and %v", expiry, lo, hi)
	}
	if got := text(t, ctx, "#expiry"); !strings.Contains(got, "(in ") {
		t.Errorf("the token expiry reads %q", got)
	}
	claims := evaluate[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll("#claims tr")].map(r =>
		[r.querySelector("th").innerText, r.querySelector("td").innerText]))`)
	for name, want := range map[string]string{"iss": op.Issuer(), "sub": user.Subject, "aud": "oauth20-demo",
		"email": user.Email, "name": user.Name, "email_verified": "true"} {
		if claims[name] != want {
			t.Errorf("claim %s reads %q, want %q", name, claims[name], want)
		}
	}
	for _, name := range []string{"exp", "iat", "nonce"} {
		if claims[name] == "" {
			t.Errorf("claim %s is not shown: %v", name, claims)
		}
	}
	if html := evaluate[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, "eyJ") {
		t.Error("the signed-in page holds a JWT")
	}
	capture(t, ctx, dir, "signed-in")
	if got := blocked(); len(got) != 0 {
		t.Errorf("the browser blocked something on the pages:\n%s", strings.Join(got, "\n"))
	}
}

// watchSecurity collects what the browser reports in the tab's log as a
// security error, such as a resource or inline style that the
// Content-Security-Policy blocked, and returns a function that returns
// them so far.
func watchSecurity(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && e.Entry.Source == log.EntrySourceSecurity {
			mu.Lock()
			seen = append(seen, e.Entry.URL+": "+e.Entry.Text)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// artifactsDir returns the directory for the test's screenshots.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv(envArtifacts)
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, "screenshots", t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// capture shows the current page at each screen size, checks that nothing
// is wider than the window, and saves a screenshot of the window as
// dir/{name}-{screen}.png, which must be a PNG of the window's size that
// is not blank.
func capture(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	for _, s := range screens {
		do(t, ctx, "resize the window to "+s.name, chromedp.EmulateViewport(s.width, s.height))
		if w := evaluate[int64](t, ctx, `document.documentElement.scrollWidth`); w > s.width {
			t.Errorf("%s on a %s: the page is %dpx wide in a %dpx window", name, s.name, w, s.width)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("%s on a %s: screenshot: %v", name, s.name, err)
		}
		file := filepath.Join(dir, name+"-"+s.name+".png")
		if err := os.WriteFile(file, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if b := img.Bounds(); b.Dx() != int(s.width) || b.Dy() != int(s.height) {
			t.Errorf("%s is %dx%d, want %dx%d", file, b.Dx(), b.Dy(), s.width, s.height)
		}
		if n := colours(img, 16); n < 16 {
			t.Errorf("%s has %d colours: the page looks blank", file, n)
		}
	}
	do(t, ctx, "reset the window", chromedp.EmulateViewport(screens[0].width, screens[0].height))
	t.Logf("screenshots of %s in %s", name, dir)
}

// colours counts the distinct colours of img, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// evaluate returns the value of a JavaScript expression on the page.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text returns the visible text of the first element sel matches, with
// its white space collapsed.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}
