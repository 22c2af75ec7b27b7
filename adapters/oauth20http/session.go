package oauth20http

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// Defaults of a SessionConfig.
const (
	// DefaultSessionCookie is the name of the session cookie.
	DefaultSessionCookie = "oauth20_session"
	// DefaultSessionLifetime is how long a login lasts.
	DefaultSessionLifetime = 8 * time.Hour
)

// Session is what the adapters keep about a logged-in user, sealed in a
// cookie with the Auth's keys: who the user is, where they logged in, and
// when their access token expires. It holds no token unless
// SessionConfig.KeepTokens is set.
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
	// Token and IDToken are the raw credentials, kept only with
	// SessionConfig.KeepTokens (for API calls, revocation at logout and
	// id_token_hint). Never render or log them.
	Token   *core.Token `json:"t,omitempty"`
	IDToken string      `json:"i,omitempty"`
}

// NewSession makes the session of a completed login. Scopes are the
// granted ones as the token answer listed them (empty when the provider did
// not say). Tokens are copied only when keepTokens is true.
func NewSession(res *core.Result, keepTokens bool) *Session {
	s := &Session{Provider: res.Provider}
	if u := res.User; u != nil {
		s.UserID, s.Name, s.Username = u.ID, u.Name, u.Username
		s.Email, s.EmailVerified, s.AvatarURL = u.Email, u.EmailVerified, u.AvatarURL
	}
	if t := res.Token; t != nil {
		s.Expiry = t.Expiry.UTC()
		s.Scopes = t.Scopes()
		if keepTokens {
			cp := *t
			cp.Raw = nil
			s.Token = &cp
			s.IDToken = t.IDToken
		}
	}
	return s
}

// Clone returns a deep copy of s.
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Scopes = slices.Clone(s.Scopes)
	if s.Token != nil {
		t := *s.Token
		c.Token = &t
	}
	return &c
}

// SessionConfig says how sessions are kept. Its zero value is usable.
type SessionConfig struct {
	// CookieName defaults to DefaultSessionCookie.
	CookieName string
	// Lifetime defaults to DefaultSessionLifetime.
	Lifetime time.Duration
	// KeepTokens stores the access, refresh and ID tokens in the session
	// cookie (sealed), so that logout can revoke them. Off by default: a
	// cookie is no place for credentials the application does not need.
	KeepTokens bool
}

func (c SessionConfig) withDefaults() SessionConfig {
	if c.CookieName == "" {
		c.CookieName = DefaultSessionCookie
	}
	if c.Lifetime <= 0 {
		c.Lifetime = DefaultSessionLifetime
	}
	return c
}

func (c SessionConfig) check() error {
	var errs []error
	if c.Lifetime < 0 {
		errs = append(errs, fmt.Errorf("%w: session lifetime %v is negative", core.ErrInvalidConfig, c.Lifetime))
	}
	for i := 0; i < len(c.CookieName); i++ {
		if b := c.CookieName[i]; b <= ' ' || b >= 0x7f || b == ';' || b == ',' || b == '=' || b == '"' {
			errs = append(errs, fmt.Errorf("%w: session cookie name %q has characters cookies cannot carry", core.ErrInvalidConfig, c.CookieName))
			break
		}
	}
	return errors.Join(errs...)
}

// Seal seals s into the session cookie with a's keys.
func (c SessionConfig) Seal(a *core.Auth, s *Session) (core.Cookie, error) {
	c = c.withDefaults()
	return a.SealSession(c.CookieName, s, c.Lifetime)
}

// Open reads the session from the request's cookies (looked up by name).
// It reports false for a missing, expired, tampered or foreign cookie.
func (c SessionConfig) Open(a *core.Auth, cookie func(name string) (string, bool)) (*Session, bool) {
	c = c.withDefaults()
	if cookie == nil {
		return nil, false
	}
	v, ok := cookie(c.CookieName)
	if !ok || v == "" {
		return nil, false
	}
	var s Session
	if err := a.OpenSession(c.CookieName, v, &s); err != nil || s.Provider == "" || s.UserID == "" {
		return nil, false
	}
	return &s, true
}

// Clear returns the cookie that deletes the session cookie.
func (c SessionConfig) Clear(a *core.Auth) core.Cookie {
	return a.ClearCookie(c.withDefaults().CookieName)
}
