package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrSessionExpired is returned by OpenSession for a session past its
// lifetime.
var ErrSessionExpired = errors.New("oauth20: session expired")

type sealedSession struct {
	Expires int64           `json:"e"`
	Data    json.RawMessage `json:"d"`
}

// SealSession seals v (JSON-encoded) into a cookie called name that expires
// after lifetime, with the Auth's keys: a stateless session for the
// adapters' middleware. Keep v small (a cookie holds about 4 KiB) and free
// of tokens unless the application needs them server-side.
func (a *Auth) SealSession(name string, v any, lifetime time.Duration) (Cookie, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Cookie{}, fmt.Errorf("oauth20: session: %w", err)
	}
	plain, err := json.Marshal(sealedSession{Expires: a.cfg.Clock.Now().Add(lifetime).Unix(), Data: data})
	if err != nil {
		return Cookie{}, fmt.Errorf("oauth20: session: %w", err)
	}
	value := a.sealer.seal(plain, "session:"+name)
	if len(value) > maxSealedLen {
		return Cookie{}, fmt.Errorf("oauth20: session: sealed value of %d bytes is too large for a cookie", len(value))
	}
	return Cookie{Name: name, Value: value, Path: "/", MaxAge: int(lifetime / time.Second),
		Secure: a.secure, HttpOnly: true, SameSite: SameSiteLax}, nil
}

// OpenSession opens a value made by SealSession into v.
func (a *Auth) OpenSession(name, value string, v any) error {
	plain, err := a.sealer.open(value, "session:"+name)
	if err != nil {
		return err
	}
	var s sealedSession
	if err := json.Unmarshal(plain, &s); err != nil {
		return fmt.Errorf("%w: undecodable session", ErrUnseal)
	}
	if !a.cfg.Clock.Now().Before(time.Unix(s.Expires, 0)) {
		return ErrSessionExpired
	}
	return json.Unmarshal(s.Data, v)
}

// ClearCookie returns a cookie that deletes the cookie name set by
// SealSession.
func (a *Auth) ClearCookie(name string) Cookie {
	return Cookie{Name: name, Path: "/", MaxAge: -1, Secure: a.secure, HttpOnly: true, SameSite: SameSiteLax}
}
