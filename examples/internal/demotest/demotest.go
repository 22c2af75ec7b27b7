// Package demotest drives a demo application end to end over real HTTP,
// as a browser with a cookie jar would: login, the provider, the callback,
// the page with the user, the protected page, logout.
package demotest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

// Drive runs the whole journey against the demo at baseURL whose
// in-process provider has the given issuer.
func Drive(t *testing.T, baseURL, issuer string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var hops []string
	// An own transport: httptest servers of parallel tests close the idle
	// connections of http.DefaultTransport when they stop.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: tr, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		hops = append(hops, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		return nil
	}}
	user := oidctest.DefaultUser()

	// Anonymous: the login button, and the protected page sends us home.
	page := get(t, c, baseURL+"/profile")
	if !strings.Contains(page.body, `href="/auth/local/login?return_to=%2Fprofile"`) || strings.Contains(page.body, user.Name) {
		t.Fatalf("anonymous /profile did not land on the login page:\n%s", page.body)
	}

	// Login: app -> provider -> callback -> /profile.
	hops = nil
	page = get(t, c, baseURL+"/auth/local/login?return_to=%2Fprofile")
	want := []string{issuer + "/authorize", baseURL + "/auth/local/callback", baseURL + "/profile"}
	if strings.Join(hops, " ") != strings.Join(want, " ") {
		t.Errorf("login went %v, want %v", hops, want)
	}
	for _, s := range []string{user.Subject, user.Name, user.Email, "(verified)", "openid", "Token expiry", "Log out", "protected page"} {
		if !strings.Contains(page.body, s) {
			t.Errorf("page after login lacks %q:\n%s", s, page.body)
		}
	}
	if strings.Contains(page.body, "eyJ") || strings.Contains(strings.ToLower(page.body), "access_token") {
		t.Error("the page shows a raw token")
	}
	if home := get(t, c, baseURL+"/"); !strings.Contains(home.body, user.Email) {
		t.Errorf("home after login lacks the user:\n%s", home.body)
	}

	// Logout: app -> provider's end-session -> home, logged out.
	hops = nil
	resp, err := c.PostForm(baseURL+"/auth/local/logout", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	page = read(t, resp)
	if want := []string{issuer + "/end_session", baseURL + "/"}; strings.Join(hops, " ") != strings.Join(want, " ") {
		t.Errorf("logout went %v, want %v", hops, want)
	}
	if strings.Contains(page.body, user.Email) || !strings.Contains(page.body, "Local test provider") {
		t.Errorf("page after logout:\n%s", page.body)
	}
	if page = get(t, c, baseURL+"/profile"); strings.Contains(page.body, user.Email) {
		t.Error("the protected page still shows the user after logout")
	}
}

type answer struct {
	status int
	body   string
}

func get(t *testing.T, c *http.Client, u string) answer {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", resp.Request.URL, resp.StatusCode, b)
	}
	return answer{status: resp.StatusCode, body: string(b)}
}
