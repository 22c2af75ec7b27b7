package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of the session settings.
const (
	// DefaultSessionLifetime is how long a login lasts.
	DefaultSessionLifetime = 8 * time.Hour
	// UntilTokenExpiry, given to Builder.SessionLifetime, binds each
	// session to its access token's expiry (see there).
	UntilTokenExpiry time.Duration = math.MinInt64
)

// Session is what the library keeps about a logged-in user, sealed with
// the Auth's keys: who the user is, where they logged in, and when their
// access token expires. It holds no token unless the Auth was built with
// KeepTokens. It lives in the session cookie, or in the Store with
// ServerSessions.
type Session struct {
	// ID identifies a session kept in the Store (ServerSessions), for
	// RevokeSession; it is empty for a session kept in a cookie. It is not
	// a credential: the session cookie is (it holds the ID sealed).
	ID string `json:"-"`
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
	// token being kept once, in IDToken, and its Raw is not kept, while its
	// UserID is, so that Provider.User can fetch the user with it alone. A
	// DPoP-bound token keeps its type (TokenTypeDPoP), so it is only ever
	// sent with a proof of the provider's DPoP key, which the application
	// must still hold. Never render or log it. Use Auth.SessionToken for a
	// token that is refreshed when it expires.
	Token *Token `json:"t,omitempty"`
	// IDToken is the raw ID token of an OpenID login, kept so that logout
	// can send it as id_token_hint (without it providers refuse to send the
	// browser back). It identifies the user to the provider; never render
	// or log it.
	IDToken string `json:"i,omitempty"`

	// expires is when the session ends.
	expires time.Time
	// limit and renewAt are set for a session bound to its token
	// (UntilTokenExpiry): the latest end renewals may reach, and when
	// RequireLogin starts renewing the token.
	limit, renewAt time.Time
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

// ErrSessionEnded is the cause, matching ErrLoginAgain, when a session kept
// in the Store ended (logout, RevokeSession, RevokeSessions, expiry) while
// SessionToken was refreshing its token.
var ErrSessionEnded = errors.New("oauth20: the session has ended")

// sealedSession is the sealed form of a session: its expiry, its data and,
// in the Store, the epoch of its user (see RevokeSessions).
type sealedSession struct {
	Expires int64    `json:"e"`
	Epoch   string   `json:"g,omitempty"`
	Data    *Session `json:"d"`
	// Limit and RenewAt are a bound session's limit and renewAt.
	Limit   int64 `json:"l,omitempty"`
	RenewAt int64 `json:"r,omitempty"`
}

// sealed returns the sealed form of sess, started in epoch.
func sealed(sess *Session, epoch string) sealedSession {
	return sealedSession{Expires: sess.expires.Unix(), Epoch: epoch, Data: sess, Limit: unixOrZero(sess.limit), RenewAt: unixOrZero(sess.renewAt)}
}

// unixOrZero is t in Unix seconds, or 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
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

// SessionCookie starts the session of a completed login and returns the
// session cookie to set. The session holds the user's id, name, email,
// avatar, the token expiry and the granted scopes, and the tokens when the
// Auth keeps them. By default it is sealed into the cookie itself; with
// ServerSessions it is sealed into the Store and the cookie holds only its
// sealed ID.
//
// The error is a *CallbackError: 500 for a login without a user (a
// token-only one) or when the sealed session would not fit
// in a cookie (or, at 64 KiB, in a Store), 503 wrapping ErrStoreUnavailable
// when the Store could not
// take a server-side session (no cookie is issued then, and the session is
// not usable: a write that may have reached the Store is only ever found
// through the cookie that was not issued, and expires with its lifetime).
func (a *Auth) SessionCookie(ctx context.Context, res *Result) (http.Cookie, error) {
	if res == nil || res.User == nil || res.User.ID == "" {
		provider := ""
		if res != nil {
			provider = res.Provider
		}
		return http.Cookie{}, callbackErr(http.StatusInternalServerError, provider,
			configError("the login has no user (a token-only login): it starts no session; take the Result in the success hook"))
	}
	name := a.sessionCookieName()
	sess := newSession(res, a.cfg.keepTokens)
	sess.expires = a.cfg.clock.Now().Add(a.cfg.sessionLifetime)
	if a.cfg.untilTokenExpiry {
		sess.limit = sess.expires
		a.bindToToken(sess, res.Token)
	}
	var value string
	if a.cfg.serverSessions {
		id, err := a.storeSession(ctx, sess)
		if err != nil {
			status := http.StatusServiceUnavailable
			if errors.Is(err, ErrInvalidConfig) {
				status = http.StatusInternalServerError
			}
			return http.Cookie{}, callbackErr(status, res.Provider, err)
		}
		value = a.sealer.seal([]byte(id), "session-id:"+name)
	} else {
		var err error
		if value, err = a.sealSessionCookie(sess); err != nil {
			return http.Cookie{}, callbackErr(http.StatusInternalServerError, res.Provider, err)
		}
	}
	return a.sessionCookie(value, sess.expires), nil
}

// sessionCookie returns the session cookie holding value, for a session
// that ends at expires.
func (a *Auth) sessionCookie(value string, expires time.Time) http.Cookie {
	maxAge := int((expires.Sub(a.cfg.clock.Now()) + time.Second - 1) / time.Second)
	return http.Cookie{Name: a.sessionCookieName(), Value: value, Path: "/", MaxAge: max(maxAge, 1),
		Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// sealSessionCookie seals sess into the value of a session cookie.
func (a *Auth) sealSessionCookie(sess *Session) (string, error) {
	plain, err := json.Marshal(sealed(sess, ""))
	if err != nil {
		return "", fmt.Errorf("oauth20: session: %w", err)
	}
	value := a.sealer.seal(plain, "session:"+a.sessionCookieName())
	if len(value) > maxSealedLen {
		// A configuration problem, not a provider failure: the tokens this
		// provider issues are too large to keep in a cookie.
		return "", fmt.Errorf("%w: the sealed session of %d bytes does not fit in a cookie (at most %d): keep fewer tokens (KeepTokens) or keep sessions on the server (ServerSessions)",
			ErrInvalidConfig, len(value), maxSealedLen)
	}
	return value, nil
}

// Session returns the logged-in user's session from the request's cookies
// (looked up by name). It reports false for a missing, expired, tampered,
// foreign or revoked session. With ServerSessions it reads the Store: when
// the Store cannot be reached it fails closed with a *CallbackError (503,
// wrapping ErrStoreUnavailable) rather than report a session, or its
// absence, that it could not check. A session kept in a cookie never
// returns an error.
func (a *Auth) Session(ctx context.Context, cookies func(name string) (string, bool)) (*Session, bool, error) {
	if cookies == nil {
		return nil, false, nil
	}
	name := a.sessionCookieName()
	v, ok := cookies(name)
	if !ok || v == "" {
		return nil, false, nil
	}
	if a.cfg.serverSessions {
		id, ok := a.sessionID(v)
		if !ok {
			return nil, false, nil
		}
		rec, err := a.loadSession(ctx, id)
		if err != nil {
			return nil, false, callbackErr(http.StatusServiceUnavailable, "", err)
		}
		if rec == nil {
			return nil, false, nil
		}
		return rec.session, true, nil
	}
	plain, err := a.sealer.open(v, "session:"+name)
	if err != nil {
		return nil, false, nil
	}
	rec, ok := a.openSession(plain)
	if !ok {
		return nil, false, nil
	}
	return rec.Data, true, nil
}

// openSession decodes a sealed session's plaintext and checks that it is
// complete and unexpired.
func (a *Auth) openSession(plain []byte) (*sealedSession, bool) {
	var s sealedSession
	if err := json.Unmarshal(plain, &s); err != nil || s.Data == nil {
		return nil, false
	}
	expires := time.Unix(s.Expires, 0)
	if !a.cfg.clock.Now().Before(expires) || s.Data.Provider == "" || s.Data.UserID == "" {
		return nil, false
	}
	s.Data.expires = expires
	if s.Limit != 0 {
		s.Data.limit, s.Data.renewAt = time.Unix(s.Limit, 0), time.Unix(s.RenewAt, 0)
	}
	return &s, true
}

// clearSessionCookie returns the cookie that deletes the session cookie.
func (a *Auth) clearSessionCookie() http.Cookie {
	return http.Cookie{Name: a.sessionCookieName(), Path: "/", MaxAge: -1, Secure: a.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
}

// RequireLogin is the rule of every adapter's login-required middleware,
// for a request with the given method and request URI (path and query):
// with a valid session it returns the session (renewing a session bound to
// its token when that is due, see UntilTokenExpiry, and then calling
// setCookie with the renewed session cookie, which the adapter must set on
// the answer; setCookie may be nil otherwise); without one it returns the
// URL to redirect a GET or HEAD to when the Auth has a LoginURL (with
// return_to set to requestURI), and otherwise a *CallbackError with status
// 401 wrapping ErrLoginRequired. When the session cannot be read (a
// server-side session and an unreachable Store) the error is Session's
// 503: the request is refused, not sent to log in again.
func (a *Auth) RequireLogin(ctx context.Context, method, requestURI string, cookies func(name string) (string, bool), setCookie func(http.Cookie)) (*Session, string, error) {
	s, ok, err := a.Session(ctx, cookies)
	if err != nil {
		return nil, "", err
	}
	if ok {
		if a.cfg.untilTokenExpiry && setCookie != nil {
			var c http.Cookie
			if s, c = a.renewBound(ctx, s); c.Name != "" {
				setCookie(c)
			}
		}
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
