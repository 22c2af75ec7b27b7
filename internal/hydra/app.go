package hydra

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

// The login, consent and logout app. Hydra has no pages of its own: it
// redirects the browser to these handlers with a challenge, and they accept
// or reject it through the admin API and redirect the browser back to
// Hydra. There is no form: [Server.Authorize] passes the user's login as
// the query parameter login when it reaches /login.
//
//	/login       accepts the login challenge (remember: true, so that Hydra
//	             keeps a login session for logout), or rejects it with
//	             access_denied for the login [Deny]
//	/consent     grants every requested scope and audience, with the
//	             account's claims for those scopes in the ID token
//	/logout      accepts the logout challenge
//	/logged-out  Hydra's post_logout_redirect: a page saying so
//	/error       Hydra's error page: the error as text, status 400

// loginParam is the query parameter that carries the user's login to /login.
const loginParam = "login"

// loggedOutText is the text of /logged-out.
const loggedOutText = "You are signed out."

// appHandler serves the app.
func (s *Server) appHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", s.handleLogin)
	mux.HandleFunc("GET /consent", s.handleConsent)
	mux.HandleFunc("GET /logout", s.handleLogout)
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, loggedOutText)
	})
	mux.HandleFunc("GET /error", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var b strings.Builder
		fmt.Fprintf(&b, "Hydra error %s: %s", q.Get("error"), q.Get("error_description"))
		for _, k := range []string{"error_hint", "error_debug"} {
			if v := q.Get(k); v != "" {
				fmt.Fprintf(&b, " (%s: %s)", k, v)
			}
		}
		http.Error(w, b.String(), http.StatusBadRequest)
	})
	return mux
}

// redirectTo is the answer of Hydra's accept and reject endpoints.
type redirectTo struct {
	RedirectTo string `json:"redirect_to"`
}

// handleLogin accepts or rejects a login challenge.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	challenge := r.URL.Query().Get("login_challenge")
	q := "?login_challenge=" + url.QueryEscape(challenge)
	var lr struct {
		Skip        bool   `json:"skip"`
		Subject     string `json:"subject"`
		OIDCContext struct {
			LoginHint string `json:"login_hint"`
		} `json:"oidc_context"`
	}
	if err := s.Admin(ctx, http.MethodGet, "/admin/oauth2/auth/requests/login"+q, nil, &lr); err != nil {
		s.appError(w, "read the login request", err)
		return
	}

	login := r.URL.Query().Get(loginParam)
	if login == "" {
		login = lr.OIDCContext.LoginHint
	}
	if login == "" {
		login = s.opts.DefaultLogin
	}
	if login == "" {
		login = DefaultLogin
	}
	var answer redirectTo
	var err error
	switch {
	case login == Deny:
		err = s.Admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/login/reject"+q, map[string]any{
			"error":             "access_denied",
			"error_description": "The user refused to sign in.",
		}, &answer)
	default:
		if lr.Skip {
			// Hydra remembers a login session: it must be accepted with
			// its subject, as a browser that is signed in would.
			login = lr.Subject
		}
		err = s.Admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/login/accept"+q, map[string]any{
			"subject":      login,
			"remember":     true,
			"remember_for": 0, // the browser session
			"acr":          "0",
			"amr":          []string{"pwd"},
		}, &answer)
	}
	if err != nil {
		s.appError(w, "answer the login request", err)
		return
	}
	http.Redirect(w, r, answer.RedirectTo, http.StatusFound)
}

// handleConsent grants a consent challenge.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := "?consent_challenge=" + url.QueryEscape(r.URL.Query().Get("consent_challenge"))
	var cr struct {
		Subject        string   `json:"subject"`
		RequestedScope []string `json:"requested_scope"`
		RequestedAud   []string `json:"requested_access_token_audience"`
	}
	if err := s.Admin(ctx, http.MethodGet, "/admin/oauth2/auth/requests/consent"+q, nil, &cr); err != nil {
		s.appError(w, "read the consent request", err)
		return
	}
	var answer redirectTo
	err := s.Admin(ctx, http.MethodPut, "/admin/oauth2/auth/requests/consent/accept"+q, map[string]any{
		"grant_scope":                 nonNil(cr.RequestedScope),
		"grant_access_token_audience": nonNil(cr.RequestedAud),
		"remember":                    false,
		"session": map[string]any{
			"id_token": released(s.claimsOf(cr.Subject), cr.RequestedScope),
		},
	}, &answer)
	if err != nil {
		s.appError(w, "accept the consent request", err)
		return
	}
	http.Redirect(w, r, answer.RedirectTo, http.StatusFound)
}

// handleLogout accepts a logout challenge.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	q := "?logout_challenge=" + url.QueryEscape(r.URL.Query().Get("logout_challenge"))
	var answer redirectTo
	if err := s.Admin(r.Context(), http.MethodPut, "/admin/oauth2/auth/requests/logout/accept"+q, nil, &answer); err != nil {
		s.appError(w, "accept the logout request", err)
		return
	}
	http.Redirect(w, r, answer.RedirectTo, http.StatusFound)
}

// claimsOf returns the claims of a subject: those of Options.Accounts, or
// else opuser.Account.
func (s *Server) claimsOf(subject string) opuser.Claims {
	if c, ok := s.accounts[subject]; ok {
		return c
	}
	return opuser.Account(subject)
}

// appError answers a failed admin call, which the walk in interact.go
// reports with this text.
func (s *Server) appError(w http.ResponseWriter, what string, err error) {
	http.Error(w, "login app: "+what+": "+err.Error(), http.StatusBadGateway)
}

// nonNil turns a nil slice into an empty one, which JSON encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
