package realop

import (
	"context"
	"errors"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

// maxSteps bounds the pages and redirects of one walk through the provider.
const maxSteps = 30

// Password is what the helpers type into the login form; the provider's
// devInteractions accept any password.
const Password = "any-password"

// Authorize plays the user for an authorization request: it GETs authURL,
// signs in as login on the provider's devInteractions page, approves the
// consent page, follows the provider's redirects, and returns the first
// redirect that leaves the provider, that is the callback to the
// application with code and state (or error). It does not request that URL.
//
// client carries the provider's session cookies; with a nil client, or one
// without a cookie jar, a fresh jar is used for this call only. Use a client
// with a jar to keep the provider session across calls (for example to test
// logout). The client's CheckRedirect is not used.
func (s *Server) Authorize(ctx context.Context, client *http.Client, authURL, login string) (*url.URL, error) {
	u, page, _, err := s.walk(ctx, client, http.MethodGet, authURL, nil, userInput{login: login})
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("realop: authorization ended on a provider page, not a redirect: %s", page)
	}
	return u, nil
}

// AuthorizePost is Authorize for response_mode=form_post (and
// form_post.jwt): the provider ends on a page that posts the response to the
// application, and AuthorizePost returns that form's target and fields
// instead of sending them. It returns a nil form when the provider
// redirected instead (an error sent back by redirect).
func (s *Server) AuthorizePost(ctx context.Context, client *http.Client, authURL, login string) (*url.URL, url.Values, error) {
	u, page, form, err := s.walk(ctx, client, http.MethodGet, authURL, nil, userInput{login: login, acceptPost: true})
	if err != nil {
		return nil, nil, err
	}
	if u == nil {
		return nil, nil, fmt.Errorf("realop: authorization ended on a provider page, not a response: %s", page)
	}
	return u, form, nil
}

// ApproveDevice plays the user for the device flow: it opens the provider's
// /device page, enters userCode, confirms it, signs in as login and
// approves the consent page. It returns nil when the provider shows its
// sign-in success page. client is used as in [Server.Authorize].
func (s *Server) ApproveDevice(ctx context.Context, client *http.Client, userCode, login string) error {
	u, page, _, err := s.walk(ctx, client, http.MethodGet, s.Issuer+"/device", nil,
		userInput{login: login, userCode: userCode})
	if err != nil {
		return err
	}
	if u != nil {
		return fmt.Errorf("realop: device approval left the provider for %s", u)
	}
	if !strings.Contains(page, "Sign-in Success") {
		return fmt.Errorf("realop: device approval did not succeed: %s", page)
	}
	return nil
}

// Logout plays the user for RP-initiated logout: it GETs endSessionURL (the
// end_session_endpoint with id_token_hint, post_logout_redirect_uri, state,
// ...), confirms the sign-out, and returns the redirect to the application.
// Without a post_logout_redirect_uri the provider shows its own success page
// and Logout returns a nil URL. client must be the one whose cookie jar holds
// the provider session, or there is nothing to end.
func (s *Server) Logout(ctx context.Context, client *http.Client, endSessionURL string) (*url.URL, error) {
	u, page, _, err := s.walk(ctx, client, http.MethodGet, endSessionURL, nil, userInput{logout: true})
	if err != nil {
		return nil, err
	}
	if u == nil && !strings.Contains(page, "Sign-out Success") {
		return nil, fmt.Errorf("realop: logout did not succeed: %s", page)
	}
	return u, nil
}

// userInput is what the user types into the forms met on the way.
type userInput struct {
	login    string
	userCode string
	logout   bool
	// acceptPost makes a form that posts to the application the end of
	// the walk, rather than an error.
	acceptPost bool
}

// walk sends the request and then keeps going like a browser with a user in
// front of it: it follows redirects within the provider and submits the
// forms of its pages. It stops at the first redirect out of the provider
// (returned as a URL), at a page without a form (returned as text), or, with
// in.acceptPost, at a form that posts out of the provider (returned as its
// target and fields).
func (s *Server) walk(ctx context.Context, client *http.Client, method, target string, form url.Values, in userInput) (*url.URL, string, url.Values, error) {
	c := opuser.Browser(client)
	issuer, err := url.Parse(s.Issuer)
	if err != nil {
		return nil, "", nil, fmt.Errorf("realop: bad issuer: %w", err)
	}
	submitted := map[string]int{} // forms sent, to notice a page that comes back
	for step := 0; step < maxSteps; step++ {
		u, err := url.Parse(target)
		if err != nil {
			return nil, "", nil, fmt.Errorf("realop: bad URL %q: %w", target, err)
		}
		if !opuser.SameOrigin(u, issuer) {
			return u, "", nil, nil
		}
		p, err := opuser.Fetch(ctx, c, method, u, form)
		if err != nil {
			return nil, "", nil, err
		}
		if p.Next != nil {
			method, target, form = http.MethodGet, p.Next.String(), nil
			continue
		}
		page := pageText(p.Body)
		if p.Status != http.StatusOK {
			return nil, "", nil, fmt.Errorf("realop: %s %s: status %d: %s", method, u, p.Status, page)
		}
		forms := parseForms(p.Body)
		if len(forms) == 0 {
			return nil, page, nil, nil
		}
		f := forms[0]
		action, err := u.Parse(f.action)
		if err != nil {
			return nil, "", nil, fmt.Errorf("realop: bad form action %q: %w", f.action, err)
		}
		if !opuser.SameOrigin(action, issuer) {
			// response_mode=form_post: the page posts the response to the app.
			if in.acceptPost {
				return action, "", f.fields, nil
			}
			return nil, "", nil, fmt.Errorf("realop: the provider posts the response to %s (response_mode=form_post is not supported by this helper)", action)
		}
		key := f.method + " " + action.String() + " " + strings.Join(slices.Sorted(maps.Keys(f.fields)), ",")
		if submitted[key]++; submitted[key] > 1 {
			return nil, "", nil, fmt.Errorf("realop: the provider shows the same form again: %s", page)
		}
		if err := in.fill(f); err != nil {
			return nil, "", nil, err
		}
		method, target, form = f.method, action.String(), f.fields
	}
	return nil, "", nil, fmt.Errorf("realop: more than %d pages and redirects, giving up", maxSteps)
}

// fill types the user's input into the form's fields.
func (in userInput) fill(f htmlForm) error {
	switch {
	case f.fields.Has("login"): // devInteractions login page
		if in.login == "" {
			return errors.New("realop: the provider asks for a login, but none was given")
		}
		f.fields.Set("login", in.login)
		f.fields.Set("password", Password)
	case f.fields.Has("user_code") && f.fields.Get("confirm") == "": // device code input page
		if in.userCode == "" && f.fields.Get("user_code") == "" {
			return errors.New("realop: the provider asks for a user code, but none was given")
		}
		if in.userCode != "" {
			f.fields.Set("user_code", in.userCode)
		}
	case f.id == "op.logoutForm": // the "Yes, sign me out" button sends logout=yes
		if in.logout {
			f.fields.Set("logout", "yes")
		}
	}
	// Consent (prompt=consent) and device confirmation (confirm=yes) pages
	// are submitted as they are.
	return nil
}

// htmlForm is a form of a provider page, with the values its inputs submit.
type htmlForm struct {
	id     string
	action string
	method string
	fields url.Values
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form\s*>`)
	inputRE = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
	tagRE   = regexp.MustCompile(`(?s)<style\b.*?</style\s*>|<script\b.*?</script\s*>|<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// parseForms finds the forms of a page and the values of their inputs. The
// provider's pages are known and simple, so regular expressions will do:
// inputs submit their value, except unchecked checkboxes and radio buttons
// and the submit-like types; buttons are left to the caller.
func parseForms(page string) []htmlForm {
	var forms []htmlForm
	for _, m := range formRE.FindAllStringSubmatch(page, -1) {
		attrs := parseAttrs(m[1])
		f := htmlForm{
			id:     attrs["id"],
			action: attrs["action"],
			method: strings.ToUpper(attrs["method"]),
			fields: url.Values{},
		}
		if f.method != http.MethodPost {
			f.method = http.MethodGet
		}
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			a := parseAttrs(in[1])
			name := a["name"]
			if name == "" {
				continue
			}
			switch strings.ToLower(a["type"]) {
			case "submit", "button", "image", "reset", "file":
				continue
			case "checkbox", "radio":
				if _, checked := a["checked"]; !checked {
					continue
				}
			}
			f.fields.Add(name, a["value"])
		}
		forms = append(forms, f)
	}
	return forms
}

// parseAttrs reads the attributes of a tag, lower-casing their names and
// decoding HTML entities in their values.
func parseAttrs(s string) map[string]string {
	attrs := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, seen := attrs[name]; seen {
			continue // the first one counts, as in browsers
		}
		attrs[name] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return attrs
}

// pageText is the visible text of a page, shortened, for error messages.
func pageText(page string) string {
	t := html.UnescapeString(tagRE.ReplaceAllString(page, " "))
	t = strings.TrimSpace(spaceRE.ReplaceAllString(t, " "))
	if r := []rune(t); len(r) > 500 {
		t = string(r[:500]) + "…"
	}
	return t
}
