package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of the session settings.
const (
	// DefaultSessionLifetime is how long a login lasts.
	DefaultSessionLifetime = 8 * time.Hour
)

// Session is what the library keeps about a logged-in user, sealed in a
// cookie with the Auth's keys: who the user is, where they logged in, and
// when their access token expires. It holds no token unless the Auth was
// built with KeepTokens.
type Session struct {
	// Provider is the name of the provider the user logged in with.
	Provider string `json:"p"`
	// UserID is the provider's stable identifier of the account.
	UserID        string `json:"u"`
	Name          string `json:"n,omitempty"`
	Username      string `json:"un,omitempty"`
	Email         string `json:"e,omitempty"`
	EmailVerified bool   `json:"ev,omitempty"`
	AvatarURL     string `json:"a,omitempty"`
	// Expiry is when the access token expires; zero when the provider gave
	// no lifetime.
	Expiry time.Time `json:"x,omitzero"`
	// Scopes are the granted scopes; empty when the provider did not list
	// them (which means the requested ones, RFC 6749 §5.1).
	Scopes []string `json:"s,omitempty"`
	// Token is the token of the login, kept only with KeepTokens (for API
	// calls and revocation at logout); its IDToken member is empty, the ID
	// token being kept once, in IDToken. A DPoP-bound token keeps its type
	// (TokenTypeDPoP), so it is only ever sent with a proof of the
	// provider's DPoP key, which the application must still hold. Never
	// render or log it.
	Token *Token `json:"t,omitempty"`
	// IDToken is the raw ID token of an OpenID login, kept so that logout
	// can send it as id_token_hint (without it providers refuse to send the
	// browser back). It identifies the user to the provider; never render
	// or log it.
	IDToken string `json:"i,omitempty"`
}

// String describes the session without its tokens; %v and %+v use it.
func (s Session) String() string {
	return fmt.Sprintf("Session{provider=%q, user=%q, name=%q, expiry=%s, scopes=%q, token=%t, id_token=%t}",
		s.Provider, s.UserID, s.Name, s.Expiry.Format(time.RFC3339), s.Scopes, s.Token != nil, s.IDToken != "")
}

// LogValue describes the session to log/slog without its tokens.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("provider", s.Provider), slog.String("user", s.UserID),
		slog.Time("expiry", s.Expiry), slog.Bool("token", s.Token != nil), slog.Bool("id_token", s.IDToken != ""))
}

// newSession makes the session of a completed login. The access and
// refresh tokens are copied only when keepTokens is true; the ID token of
// an OpenID login is kept for logout, once.
func newSession(res *Result, keepTokens bool) *Session {
	s := &Session{Provider: res.Provider}
	if u := res.User; u != nil {
		s.UserID, s.Name, s.Username = u.ID, u.Name, u.Username
		s.Email, s.EmailVerified, s.AvatarURL = u.Email, u.EmailVerified, u.AvatarURL
	}
	if res.IDToken != nil {
		s.IDToken = res.IDToken.Raw
	}
	if t := res.Token; t != nil {
		s.Expiry = t.Expiry.UTC()
		s.Scopes = t.scopes()
		if s.IDToken == "" && keepTokens {
			s.IDToken = t.IDToken
		}
		if keepTokens {
			cp := *t
			cp.Raw, cp.IDToken = nil, ""
			s.Token = &cp
		}
	}
	return s
}

// ErrSessionExpired is the cause when a session cookie is past its
// lifetime.
var ErrSessionExpired = errors.New("oauth20: session expired")

// ErrLoginRequired is the cause of the 401 that RequireLogin returns when
// there is no session and no login page to send the browser to.
var ErrLoginRequired = errors.New("oauth20: login required")

// sealedSession is the sealed form of a session: its expiry and its data.
type sealedSession struct {
	Expires int64    `json:"e"`
	Data    *Session `json:"d"`
}

// sessionCookieName is the name of the session cookie.
func (a *Auth) sessionCookieName() string { return a.cookiePrefix() + "_session" }

// cookiePrefix starts the names of the library's cookies: the session
// cookie is oauth20_session and each flow cookie oauth20_{hash of its
// state}. On https the names start with __Host- (RFC 6265bis §4.1.3.2):
// the browser then takes such a cookie only from this exact host, Secure
// and for the path "/", so that a sibling subdomain cannot plant a
// session or a flow and make the victim act in the attacker's account.
func (a *Auth) cookiePrefix() string {
	if a.secure {
		return "__Host-oauth20"
	}
	return "oauth20"
}

// SessionCookie seals the session of a completed login into the session
// cookie. The session holds the user's id, name, email, avatar, the token
// expiry and the granted scopes, and the tokens when the Auth keeps them.
// The error is a *CallbackError (500) when the sealed session would not fit
// in a cookie.
func (a *Auth) SessionCookie(res *Result) (http.Cookie, error) {
	name := a.sessionCookieName()
	plain, err := json.Marshal(sealedSession{Expires: a.cfg.clock.Now().Add(a.cfg.sessionLifetime).Unix(), Data: newSession(res, a.cfg.keepTokens)})
	if err != nil {
		return http.Cookie{}, callbackErr(http.StatusInternalServerError, res.Provider, fmt.Errorf("oauth20: session: %w", err))
	}
	value := a.sealer.seal(plain, "session:"+name)
	if len(value) > maxSealedLen {
		// A configuration problem, not a provider failure: the tokens this
		// provider issues are too large to keep in a cookie.
		return http.Cookie{}, callbackErr(http.StatusInternalServerError, res.Provider,
			fmt.Errorf("%w: the sealed session of %d bytes does not fit in a cookie (at most %d): keep fewer tokens (KeepTokens) or keep sessions on the server (a Store)",
				ErrInvalidConfig, len(value), maxSealedLen))
	}
	return http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(a.cfg.sessionLifetime / time.Second),
		Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}, nil
}

// Session returns the logged-in user's session from the request's cookies
// (looked up by name). It reports false for a missing, expired, tampered or
// foreign cookie.
func (a *Auth) Session(cookies func(name string) (string, bool)) (*Session, bool) {
	if cookies == nil {
		return nil, false
	}
	name := a.sessionCookieName()
	v, ok := cookies(name)
	if !ok || v == "" {
		return nil, false
	}
	plain, err := a.sealer.open(v, "session:"+name)
	if err != nil {
		return nil, false
	}
	var s sealedSession
	if err := json.Unmarshal(plain, &s); err != nil || s.Data == nil {
		return nil, false
	}
	if !a.cfg.clock.Now().Before(time.Unix(s.Expires, 0)) || s.Data.Provider == "" || s.Data.UserID == "" {
		return nil, false
	}
	return s.Data, true
}

// clearSessionCookie returns the cookie that deletes the session cookie.
func (a *Auth) clearSessionCookie() http.Cookie {
	return http.Cookie{Name: a.sessionCookieName(), Path: "/", MaxAge: -1, Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// RequireLogin is the rule of every adapter's login-required middleware,
// for a request with the given method and request URI (path and query):
// with a valid session cookie it returns the session; without one it
// returns the URL to redirect a GET or HEAD to when the Auth has a LoginURL
// (with return_to set to requestURI), and otherwise a *CallbackError with
// status 401 wrapping ErrLoginRequired.
func (a *Auth) RequireLogin(method, requestURI string, cookies func(name string) (string, bool)) (*Session, string, error) {
	if s, ok := a.Session(cookies); ok {
		return s, "", nil
	}
	login := ""
	if a.cfg.loginURL != "" {
		sep := "?"
		if strings.Contains(a.cfg.loginURL, "?") {
			sep = "&"
		}
		login = a.cfg.loginURL + sep + url.Values{"return_to": {requestURI}}.Encode()
		if method == http.MethodGet || method == http.MethodHead {
			return nil, login, nil
		}
	}
	return nil, "", &CallbackError{Status: http.StatusUnauthorized, Err: ErrLoginRequired, Retry: login}
}

type userKey struct{}

// ContextWithUser returns a copy of ctx that carries s, for UserFrom. The
// adapters' middleware calls it.
func ContextWithUser(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, userKey{}, s)
}

// UserFrom returns the session that an adapter's login-required middleware
// put in the request's context.
func UserFrom(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(userKey{}).(*Session)
	return s, ok && s != nil
}
