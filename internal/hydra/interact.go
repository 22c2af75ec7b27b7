package hydra

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

// maxSteps bounds the redirects of one walk through Hydra and the app.
const maxSteps = 30

// Authorize plays the user for an authorization request: it GETs authURL
// and follows the redirects through Hydra and the login and consent app,
// signing in as login, and returns the first redirect that leaves them,
// that is the callback to the application with code and state (or error).
// It does not request that URL.
//
// An empty login means the request's login_hint, then
// [Options.DefaultLogin]; [Deny] refuses the sign-in. When the client's
// cookies hold a Hydra login session, Hydra skips the login and the user of
// that session is signed in again whatever login says (use prompt=login or
// a fresh client to change users).
//
// client carries Hydra's cookies; with a nil client, or one without a
// cookie jar, a fresh jar is used for this call only. Use a client with a
// jar to keep the login session across calls, as logout needs. The
// client's CheckRedirect is not used.
func (s *Server) Authorize(ctx context.Context, client *http.Client, authURL, login string) (*url.URL, error) {
	u, page, err := s.walk(ctx, client, authURL, login)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("hydra: authorization ended on a page, not a redirect: %s", page)
	}
	return u, nil
}

// Logout plays the user for RP-initiated logout: it GETs endSessionURL (the
// end_session_endpoint with id_token_hint, post_logout_redirect_uri,
// state), lets the app accept the logout, and returns the redirect to the
// application. Without a post_logout_redirect_uri Hydra ends on the app's
// signed-out page and Logout returns a nil URL. client must be the one
// whose cookie jar holds the login session, or Hydra has no session to end
// (it then goes to the signed-out page without asking the app).
func (s *Server) Logout(ctx context.Context, client *http.Client, endSessionURL string) (*url.URL, error) {
	u, page, err := s.walk(ctx, client, endSessionURL, "")
	if err != nil {
		return nil, err
	}
	if u == nil && !strings.Contains(page, loggedOutText) {
		return nil, fmt.Errorf("hydra: logout did not end on the signed-out page: %s", page)
	}
	return u, nil
}

// walk sends a GET and then follows redirects like a browser as long as
// they stay with Hydra's public port or the app. It stops at the first
// redirect elsewhere (returned as a URL) or at a page with status 200
// (returned as text); another status is an error with the page's text.
func (s *Server) walk(ctx context.Context, client *http.Client, target, login string) (*url.URL, string, error) {
	c := opuser.Browser(client)
	hydra, err := url.Parse(s.Issuer)
	if err != nil {
		return nil, "", fmt.Errorf("hydra: bad issuer: %w", err)
	}
	app, err := url.Parse(s.AppURL)
	if err != nil {
		return nil, "", fmt.Errorf("hydra: bad app URL: %w", err)
	}
	for step := 0; step < maxSteps; step++ {
		u, err := url.Parse(target)
		if err != nil {
			return nil, "", fmt.Errorf("hydra: bad URL %q: %w", target, err)
		}
		switch {
		case opuser.SameOrigin(u, app):
			if u.Path == "/login" && login != "" {
				q := u.Query()
				q.Set(loginParam, login)
				u.RawQuery = q.Encode()
			}
		case !opuser.SameOrigin(u, hydra):
			return u, "", nil
		}
		p, err := opuser.Fetch(ctx, c, http.MethodGet, u, nil)
		if err != nil {
			return nil, "", err
		}
		if p.Next != nil {
			target = p.Next.String()
			continue
		}
		text := strings.TrimSpace(p.Body)
		if len(text) > 2000 {
			text = text[:2000] + "…"
		}
		if p.Status != http.StatusOK {
			return nil, "", fmt.Errorf("hydra: GET %s: status %d: %s", u, p.Status, text)
		}
		if strings.Contains(p.Body, "<form") {
			// response_mode=form_post: the page posts the response to the
			// application.
			return nil, "", fmt.Errorf("hydra: GET %s answers a form (response_mode=form_post is not supported by this helper): %s", u, text)
		}
		return nil, text, nil
	}
	return nil, "", fmt.Errorf("hydra: more than %d redirects, giving up", maxSteps)
}
