package oidctest

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAuthorizeErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, challenge := pkce()
	tests := []struct {
		name   string
		client Client
		change func(url.Values)
		// page is the status of an error page shown instead of a redirect;
		// zero means an error redirect carrying code.
		page int
		code string
	}{
		{name: "unknown client", client: basicClient, change: func(q url.Values) { q.Set("client_id", "nobody") }, page: 400},
		{name: "missing client_id", client: basicClient, change: func(q url.Values) { q.Del("client_id") }, page: 400},
		{name: "unregistered redirect_uri", client: basicClient, change: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, page: 400},
		{name: "redirect_uri with trailing slash", client: basicClient, change: func(q url.Values) { q.Set("redirect_uri", testRedirect+"/") }, page: 400},
		{name: "missing redirect_uri", client: basicClient, change: func(q url.Values) { q.Del("redirect_uri") }, page: 400},
		{name: "response_type token", client: basicClient, change: func(q url.Values) { q.Set("response_type", "token") }, code: "unsupported_response_type"},
		{name: "missing response_type", client: basicClient, change: func(q url.Values) { q.Del("response_type") }, code: "invalid_request"},
		{name: "scope without openid", client: basicClient, change: func(q url.Values) { q.Set("scope", "profile email") }, code: "invalid_scope"},
		{name: "plain PKCE", client: basicClient, change: func(q url.Values) { q.Set("code_challenge_method", "plain") }, code: "invalid_request"},
		{name: "challenge without method", client: basicClient, change: func(q url.Values) { q.Del("code_challenge_method") }, code: "invalid_request"},
		{name: "malformed challenge", client: basicClient, change: func(q url.Values) { q.Set("code_challenge", "short") }, code: "invalid_request"},
		{name: "public client without PKCE", client: publicClient, change: func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, code: "invalid_request"},
		{name: "repeated parameter", client: basicClient, change: func(q url.Values) { q.Add("scope", "openid") }, code: "invalid_request"},
		{name: "request object", client: basicClient, change: func(q url.Values) { q.Set("request", "eyJ.e30.") }, code: "request_not_supported"},
		{name: "unknown response_mode", client: basicClient, change: func(q url.Values) { q.Set("response_mode", "fragment") }, code: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := authParams(tc.client, challenge)
			tc.change(q)
			resp := h.authorize(q)
			if tc.page != 0 {
				if resp.StatusCode != tc.page || resp.Header.Get("Location") != "" {
					t.Fatalf("status %d, Location %q; want an error page %d and no redirect",
						resp.StatusCode, resp.Header.Get("Location"), tc.page)
				}
				return
			}
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d, want 302", resp.StatusCode)
			}
			loc, _ := url.Parse(resp.Header.Get("Location"))
			cb := loc.Query()
			if cb.Get("error") != tc.code || cb.Get("code") != "" || cb.Get("state") != q.Get("state") || cb.Get("iss") != h.srv.Issuer() {
				t.Errorf("callback = %v, want error %q with state and iss", cb, tc.code)
			}
		})
	}
}

func TestAuthorizeKeepsRedirectQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	code, verifier := h.login(publicClient) // redirect URI .../cb?app=1
	resp := h.authorize(authParams(publicClient, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("app") != "1" || loc.Query().Get("code") == "" {
		t.Errorf("Location %q lost the registered query", loc)
	}
	if tok := h.exchange(publicClient, code, verifier); str(tok["id_token"]) == "" {
		t.Errorf("public client got no ID token: %v", tok)
	}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

func TestAuthorizeFormPost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	verifier, challenge := pkce()
	q := authParams(basicClient, challenge)
	q.Set("response_mode", "form_post")
	q.Set("state", `a"<b>&c`)
	resp, err := h.http.Get(h.srv.URL(AuthorizeEndpoint) + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, `<form method="post" action="`+testRedirect+`">`) || !strings.Contains(page, "submit()") {
		t.Fatalf("not an auto-submitting form to the redirect URI:\n%s", page)
	}
	if strings.Contains(page, "<b>") {
		t.Fatalf("state not escaped:\n%s", page)
	}
	fields := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		fields.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	if fields.Get("state") != q.Get("state") || fields.Get("iss") != h.srv.Issuer() || fields.Get("code") == "" {
		t.Fatalf("form fields = %v", fields)
	}
	h.exchange(basicClient, fields.Get("code"), verifier)
}
