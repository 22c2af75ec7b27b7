package adaptertest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
)

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so that each hop can be checked and tampered with.
type browser struct {
	t      *testing.T
	client *http.Client
	jar    http.CookieJar
	app    *url.URL
	// accept and fetchSite, when set, are sent as Accept and
	// Sec-Fetch-Site, as a browser does.
	accept, fetchSite string
}

func newBrowser(t *testing.T, e *env) *browser {
	app, _ := url.Parse(e.baseURL)
	c := testkit.Browser(t)
	return &browser{t: t, jar: c.Jar, app: app, client: c}
}

// response is an answer with its body read.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) *response {
	b.t.Helper()
	if b.accept != "" {
		req.Header.Set("Accept", b.accept)
	}
	if b.fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", b.fetchSite)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return &response{Response: resp, body: string(body)}
}

func (b *browser) get(u string) *response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) *response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// cookie returns the jar's cookie name for the app.
func (b *browser) cookie(name string) (string, bool) {
	for _, c := range b.jar.Cookies(b.appURL(Prefix + "/")) {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// setCookie replaces (or, with value "", deletes) the app's cookie name on
// the login routes' path.
func (b *browser) setCookie(name, value string) {
	c := &http.Cookie{Name: name, Value: value, Path: Prefix + "/"}
	if value == "" {
		c.MaxAge = -1
	}
	b.jar.SetCookies(b.appURL(Prefix+"/"), []*http.Cookie{c})
}

func (b *browser) appURL(path string) *url.URL {
	u := *b.app
	u.Path = path
	return &u
}

// callback is the authorization response as the browser would deliver it.
type callback struct {
	method string
	url    string
	form   url.Values // for POST
	cookie string     // name of the flow cookie set at login
}

// params returns the response's parameters.
func (c *callback) params() url.Values {
	if c.method == http.MethodPost {
		return c.form
	}
	u, _ := url.Parse(c.url)
	return u.Query()
}

// setParams replaces the response's parameters.
func (c *callback) setParams(p url.Values) {
	if c.method == http.MethodPost {
		c.form = p
		return
	}
	u, _ := url.Parse(c.url)
	u.RawQuery = p.Encode()
	c.url = u.String()
}

// withProvider sends the response to another provider's callback route.
func (c *callback) withProvider(name string) {
	u, _ := url.Parse(c.url)
	u.Path = Prefix + "/" + name + "/callback"
	c.url = u.String()
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	formInput  = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// login starts a login at the app and follows it through the provider up
// to the callback, which it returns without delivering.
func (b *browser) login(provider, returnTo string) *callback {
	b.t.Helper()
	q := url.Values{}
	if returnTo != "" {
		q.Set("return_to", returnTo)
	}
	return b.loginWith(provider, q)
}

// loginWith is login with the login route's query q.
func (b *browser) loginWith(provider string, q url.Values) *callback {
	b.t.Helper()
	u := b.appURL(Prefix + "/" + provider + "/login")
	u.RawQuery = q.Encode()
	resp := b.get(u.String())
	if resp.StatusCode != http.StatusFound {
		b.t.Fatalf("login: status %d, want 302; body %s", resp.StatusCode, resp.body)
	}
	cb := &callback{}
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, "oauth20_") && c.MaxAge >= 0 {
			cb.cookie = c.Name
			if !c.HttpOnly || c.Path != Prefix+"/" {
				b.t.Errorf("flow cookie %s: HttpOnly=%t Path=%q", c.Name, c.HttpOnly, c.Path)
			}
		}
	}
	if cb.cookie == "" {
		b.t.Fatalf("login set no flow cookie: %v", resp.Header["Set-Cookie"])
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		b.t.Errorf("login Cache-Control %q", cc)
	}
	at := b.get(resp.Header.Get("Location"))
	switch at.StatusCode {
	case http.StatusFound:
		cb.method, cb.url = http.MethodGet, at.Header.Get("Location")
	case http.StatusOK:
		m := formAction.FindStringSubmatch(at.body)
		if m == nil {
			b.t.Fatalf("provider page is not a form_post form: %s", at.body)
		}
		cb.method, cb.url, cb.form = http.MethodPost, html.UnescapeString(m[1]), url.Values{}
		for _, in := range formInput.FindAllStringSubmatch(at.body, -1) {
			cb.form.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
		}
	default:
		b.t.Fatalf("provider answered %d: %s", at.StatusCode, at.body)
	}
	return cb
}

// deliver sends the authorization response to the app.
func (b *browser) deliver(cb *callback) *response {
	b.t.Helper()
	if cb.method == http.MethodPost {
		return b.post(cb.url, cb.form)
	}
	return b.get(cb.url)
}
