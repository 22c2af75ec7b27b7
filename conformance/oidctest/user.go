package oidctest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// User is the end user that a login authenticates as. Its fields become the
// standard claims of the ID token and of the userinfo response, filtered by
// the granted scopes as in OpenID Connect Core §5.4: "profile" releases
// name, preferred_username and picture; "email" releases email and
// email_verified.
type User struct {
	// Subject is the sub claim: required, at most 255 ASCII characters.
	Subject string
	// Name, PreferredUsername and Picture are the claims of the "profile"
	// scope; empty ones are left out.
	Name              string
	PreferredUsername string
	Picture           string
	// Email and EmailVerified are the claims of the "email" scope; both are
	// left out when Email is empty.
	Email         string
	EmailVerified bool
	// Claims are extra claims released whatever the scope, for example
	// {"groups": []string{"admin"}}. They cannot override the claims the
	// server sets itself (iss, sub, aud, exp, ...).
	Claims map[string]any
}

// DefaultUser returns the user a server authenticates as unless configured
// otherwise.
func DefaultUser() User {
	return User{
		Subject:           "248289761001",
		Name:              "Jane Doe",
		PreferredUsername: "jane",
		Email:             "jane.doe@example.com",
		EmailVerified:     true,
		Picture:           "https://example.com/jane.jpg",
	}
}

func (u User) isZero() bool {
	return u.Subject == "" && u.Name == "" && u.PreferredUsername == "" && u.Email == "" &&
		!u.EmailVerified && u.Picture == "" && len(u.Claims) == 0
}

func (u User) validate() error {
	if u.Subject == "" || len(u.Subject) > 255 {
		return fmt.Errorf("%w: user subject must be 1 to 255 characters, got %d", ErrInvalidConfig, len(u.Subject))
	}
	for _, r := range u.Subject {
		if r < 0x20 || r > 0x7e {
			return fmt.Errorf("%w: user subject %q is not printable ASCII", ErrInvalidConfig, u.Subject)
		}
	}
	return nil
}

// clone returns a copy that shares no map with u.
func (u User) clone() User {
	u.Claims = maps.Clone(u.Claims)
	return u
}

// claims returns the user's claims released for scope, sub included.
func (u User) claims(scope []string) map[string]any {
	out := make(map[string]any, 8+len(u.Claims))
	maps.Copy(out, u.Claims)
	out["sub"] = u.Subject
	if hasScope(scope, "profile") {
		setIf(out, "name", u.Name)
		setIf(out, "preferred_username", u.PreferredUsername)
		setIf(out, "picture", u.Picture)
	}
	if hasScope(scope, "email") && u.Email != "" {
		out["email"] = u.Email
		out["email_verified"] = u.EmailVerified
	}
	return out
}

func setIf(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// splitScope splits a space-delimited scope parameter (RFC 6749 §3.3).
func splitScope(s string) []string {
	return strings.Fields(s)
}

func hasScope(scope []string, want string) bool {
	return slices.Contains(scope, want)
}

// SetUser sets the user that the following logins authenticate as. Grants
// issued before keep the user they were issued for.
func (s *Server) SetUser(u User) error {
	if err := u.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u.clone()
	return nil
}

// User returns the user that the next login authenticates as.
func (s *Server) User() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user.clone()
}
