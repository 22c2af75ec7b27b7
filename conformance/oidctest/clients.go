package oidctest

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AuthMethod is a token endpoint client authentication method
// (OpenID Connect Core §9, RFC 6749 §2.3.1).
type AuthMethod string

// The client authentication methods the server implements.
const (
	// AuthSecretBasic sends client_id and client_secret, each
	// form-urlencoded, in an HTTP Basic Authorization header.
	AuthSecretBasic AuthMethod = "client_secret_basic"
	// AuthSecretPost sends client_id and client_secret as body parameters.
	AuthSecretPost AuthMethod = "client_secret_post"
	// AuthNone is a public client: client_id in the body, no secret, PKCE
	// required.
	AuthNone AuthMethod = "none"
)

// Identifiers of DefaultClient.
const (
	DefaultClientID     = "oidctest-client"
	DefaultClientSecret = "oidctest-secret"
)

// Client is a registered client (relying party).
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret; empty for a public client.
	Secret string
	// AuthMethod is how the client authenticates at the token, revocation
	// and introspection endpoints. Empty means AuthSecretBasic when Secret
	// is set and AuthNone otherwise. A client may use only its own method.
	AuthMethod AuthMethod
	// RedirectURIs are compared with the redirect_uri parameter by exact
	// string equality, as RFC 9700 §2.1 requires.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the allowed post_logout_redirect_uri
	// values of the end-session endpoint, compared exactly.
	PostLogoutRedirectURIs []string
	// VerifySecret, when set, checks the secret a client_secret_basic or
	// client_secret_post client sends, in place of comparing it with
	// Secret: for a provider whose client secret is not a fixed string,
	// such as Apple's JWT signed by the client. Secret may then be empty.
	VerifySecret func(secret string) error
}

// DefaultClient returns the client registered when Config.Clients is nil: a
// confidential client using client_secret_basic, with no redirect URI. Give
// it one with RegisterClient before driving a login through it.
func DefaultClient() Client {
	return Client{ID: DefaultClientID, Secret: DefaultClientSecret, AuthMethod: AuthSecretBasic}
}

func (c Client) public() bool { return c.AuthMethod == AuthNone }

// normalize fills the default AuthMethod, copies the slices and checks c.
func (c Client) normalize() (Client, error) {
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	if c.AuthMethod == "" {
		c.AuthMethod = AuthSecretBasic
		if c.Secret == "" {
			c.AuthMethod = AuthNone
		}
	}
	if c.ID == "" {
		return c, fmt.Errorf("%w: client without an ID", ErrInvalidConfig)
	}
	switch c.AuthMethod {
	case AuthSecretBasic, AuthSecretPost:
		if c.Secret == "" && c.VerifySecret == nil {
			return c, fmt.Errorf("%w: client %q uses %s without a secret", ErrInvalidConfig, c.ID, c.AuthMethod)
		}
	case AuthNone:
		if c.Secret != "" {
			return c, fmt.Errorf("%w: public client %q has a secret", ErrInvalidConfig, c.ID)
		}
	default:
		return c, fmt.Errorf("%w: client %q: unsupported auth method %q", ErrInvalidConfig, c.ID, c.AuthMethod)
	}
	for _, uris := range [][]string{c.RedirectURIs, c.PostLogoutRedirectURIs} {
		for _, raw := range uris {
			u, err := url.Parse(raw)
			if err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(raw, "#") {
				return c, fmt.Errorf("%w: client %q: redirect URI %q must be absolute without a fragment",
					ErrInvalidConfig, c.ID, raw)
			}
		}
	}
	return c, nil
}

// RegisterClient adds c, or replaces the client with the same ID. It is safe
// to call while requests are served.
func (s *Server) RegisterClient(c Client) error {
	c, err := c.normalize()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = c
	return nil
}

// Client returns the registered client with the given ID.
func (s *Server) Client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return Client{}, false
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	return c, true
}

func (s *Server) lookupClient(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}

// authenticateClient identifies and authenticates the client of a token,
// revocation or introspection request by its registered method
// (RFC 6749 §2.3). It never accepts a method other than the registered one,
// and rejects requests that use two methods at once.
func (s *Server) authenticateClient(r *http.Request, form url.Values) (Client, *oauthError) {
	basicID, basicSecret, hasBasic, err := basicCredentials(r)
	if err != nil {
		return Client{}, errInvalidClient(true, "malformed Basic credentials")
	}
	_, hasPostSecret := form["client_secret"]
	if _, ok := form["client_assertion"]; ok {
		return Client{}, errInvalidClient(hasBasic, "client_assertion is not supported")
	}
	if hasBasic && hasPostSecret {
		return Client{}, newError(http.StatusBadRequest, "invalid_request", "more than one client authentication method")
	}
	id := form.Get("client_id")
	if hasBasic {
		if id != "" && id != basicID {
			return Client{}, errInvalidClient(true, "client_id differs from the Basic credentials")
		}
		id = basicID
	}
	if id == "" {
		return Client{}, errInvalidClient(hasBasic, "no client authentication")
	}
	c, ok := s.lookupClient(id)
	if !ok {
		return Client{}, errInvalidClient(hasBasic, "unknown client")
	}
	var secret string
	switch c.AuthMethod {
	case AuthSecretBasic:
		if !hasBasic {
			return Client{}, errInvalidClient(false, "client must authenticate with client_secret_basic")
		}
		secret = basicSecret
	case AuthSecretPost:
		if !hasPostSecret { // both at once was refused above
			return Client{}, errInvalidClient(hasBasic, "client must authenticate with client_secret_post")
		}
		secret = form.Get("client_secret")
	case AuthNone:
		if hasBasic || hasPostSecret {
			return Client{}, errInvalidClient(hasBasic, "public client must not send a secret")
		}
		return c, nil
	}
	if c.VerifySecret != nil {
		if err := c.VerifySecret(secret); err != nil {
			return Client{}, errInvalidClient(hasBasic, "client secret refused: "+err.Error())
		}
		return c, nil
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return Client{}, errInvalidClient(hasBasic, "wrong client secret")
	}
	return c, nil
}

// basicCredentials decodes an "Authorization: Basic" header. Per RFC 6749
// §2.3.1 the client ID and secret are form-urlencoded before the Basic
// encoding, so they are decoded here. ok is false when there is no Basic
// header at all.
func basicCredentials(r *http.Request) (id, secret string, ok bool, err error) {
	h := r.Header.Get("Authorization")
	scheme, rest, found := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	if !found {
		return "", "", true, errMalformed
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", true, errMalformed
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errMalformed
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", true, errMalformed
	}
	if secret, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", true, errMalformed
	}
	return id, secret, true, nil
}
