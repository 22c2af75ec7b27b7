package opuser

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// maxBody bounds the body Fetch reads.
const maxBody = 1 << 20

// Browser returns a copy of client that returns redirects instead of
// following them, so that a walk sees every hop, with a fresh cookie jar
// when client has none (a nil client is the zero client). The copy shares
// client's jar: a jar given in keeps the provider's session across walks.
func Browser(client *http.Client) *http.Client {
	var c http.Client
	if client != nil {
		c = *client
	}
	if c.Jar == nil {
		c.Jar, _ = cookiejar.New(nil) // never fails without options
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Page is one answer met on a walk.
type Page struct {
	// Status is the HTTP status.
	Status int
	// Next is where a redirect (a 3xx) goes, resolved against the
	// request's URL; nil for any other status.
	Next *url.URL
	// Body is the body, at most 1 MiB of it.
	Body string
}

// Fetch sends one request as a browser showing pages would (Accept:
// text/html) with c, which should come from Browser, and reads the answer.
// A POST sends form, form-urlencoded; another method sends no body. A
// redirect without a Location, or with one that is not a URL, is an error.
func Fetch(ctx context.Context, c *http.Client, method string, u *url.URL, form url.Values) (Page, error) {
	var rd io.Reader
	if method == http.MethodPost {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return Page{}, fmt.Errorf("opuser: build request: %w", err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		return Page{}, fmt.Errorf("opuser: %s %s: %w", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Page{}, fmt.Errorf("opuser: read %s: %w", u, err)
	}
	p := Page{Status: resp.StatusCode, Body: string(b)}
	if p.Status >= 300 && p.Status < 400 {
		loc := resp.Header.Get("Location")
		if loc == "" {
			return Page{}, fmt.Errorf("opuser: %s %s: redirect without Location", method, u)
		}
		if p.Next, err = u.Parse(loc); err != nil {
			return Page{}, fmt.Errorf("opuser: %s %s: bad Location %q: %w", method, u, loc, err)
		}
	}
	return p, nil
}

// SameOrigin reports whether a and b have the same scheme, host and port.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}
