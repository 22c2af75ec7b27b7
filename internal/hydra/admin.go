package hydra

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Grant types that Hydra v2.3.0 knows. It has no device authorization grant
// (urn:ietf:params:oauth:grant-type:device_code).
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
	GrantImplicit          = "implicit"
	GrantJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// Client authentication methods at the token endpoint.
const (
	AuthSecretBasic   = "client_secret_basic"
	AuthSecretPost    = "client_secret_post"
	AuthNone          = "none"
	AuthPrivateKeyJWT = "private_key_jwt"
)

// IDTokenKeySet is the key set whose newest key signs ID tokens, signed
// userinfo responses and logout tokens.
const IDTokenKeySet = "hydra.openid.id-token"

// DefaultScope is the scope of a client whose [ClientSpec] has none.
const DefaultScope = "openid offline_access profile email"

// ClientSpec describes a client to register with [Server.CreateClient].
// Zero fields get defaults.
type ClientSpec struct {
	// ID is the client_id; empty means a random one.
	ID string
	// Secret is the client_secret of the client_secret_* methods (at least
	// 6 characters); empty means a random one. The none and
	// private_key_jwt methods have none.
	Secret string
	// AuthMethod is the token_endpoint_auth_method; empty means
	// client_secret_basic.
	AuthMethod string
	// SigningAlg is token_endpoint_auth_signing_alg for private_key_jwt;
	// empty means Hydra's default, RS256.
	SigningAlg string
	// JWKS is the client's public JSON Web Key Set ({"keys": [...]}), for
	// private_key_jwt; or JWKSURI where Hydra fetches it.
	JWKS    json.RawMessage
	JWKSURI string

	// GrantTypes default to authorization_code and refresh_token.
	GrantTypes []string
	// ResponseTypes default to code.
	ResponseTypes []string
	// Scope is space-separated; empty means [DefaultScope].
	Scope string
	// Audience lists the audiences the client may request for access
	// tokens.
	Audience []string
	// RedirectURIs and PostLogoutRedirectURIs default to those of
	// [Options].
	RedirectURIs           []string
	PostLogoutRedirectURIs []string

	// UserinfoSignedResponseAlg is RS256 for userinfo answered as a signed
	// JWT (application/jwt); empty means plain JSON.
	UserinfoSignedResponseAlg string
	// BackchannelLogoutURI receives logout tokens; with
	// BackchannelLogoutSessionRequired the client asks for sid in them
	// (Hydra always sends it).
	BackchannelLogoutURI             string
	BackchannelLogoutSessionRequired bool
	// FrontchannelLogoutURI is loaded in an iframe by Hydra's logout page.
	FrontchannelLogoutURI string
	// AccessTokenStrategy is "opaque" or "jwt"; empty means the server's.
	AccessTokenStrategy string
	// SkipConsent makes Hydra skip the consent app for this client.
	SkipConsent bool

	// Extra fields of Hydra's client model, set last.
	Extra map[string]any
}

// Client is a registered client.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret; empty for none and private_key_jwt.
	Secret string
	// AuthMethod is the token_endpoint_auth_method.
	AuthMethod string
	// RedirectURIs and PostLogoutRedirectURIs are those registered.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// Raw is Hydra's answer to the registration.
	Raw json.RawMessage
}

// CreateClient registers a client through the admin API (POST
// /admin/clients).
func (s *Server) CreateClient(ctx context.Context, spec ClientSpec) (Client, error) {
	method := spec.AuthMethod
	if method == "" {
		method = AuthSecretBasic
	}
	c := Client{
		ID:                     spec.ID,
		AuthMethod:             method,
		RedirectURIs:           spec.RedirectURIs,
		PostLogoutRedirectURIs: spec.PostLogoutRedirectURIs,
	}
	if c.ID == "" {
		c.ID = "client-" + randomHex(8)
	}
	if method == AuthSecretBasic || method == AuthSecretPost {
		c.Secret = spec.Secret
		if c.Secret == "" {
			c.Secret = randomHex(16)
		}
	}
	if len(c.RedirectURIs) == 0 {
		c.RedirectURIs = s.opts.RedirectURIs
		if len(c.RedirectURIs) == 0 {
			c.RedirectURIs = []string{"http://127.0.0.1/callback"}
		}
	}
	if len(c.PostLogoutRedirectURIs) == 0 {
		c.PostLogoutRedirectURIs = s.opts.PostLogoutRedirectURIs
		if len(c.PostLogoutRedirectURIs) == 0 {
			c.PostLogoutRedirectURIs = []string{"http://127.0.0.1/logged-out"}
		}
	}
	grants := spec.GrantTypes
	if len(grants) == 0 {
		grants = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	responses := spec.ResponseTypes
	if len(responses) == 0 {
		responses = []string{"code"}
	}
	scope := spec.Scope
	if scope == "" {
		scope = DefaultScope
	}

	body := map[string]any{
		"client_id":                  c.ID,
		"token_endpoint_auth_method": method,
		"grant_types":                grants,
		"response_types":             responses,
		"scope":                      scope,
		"redirect_uris":              c.RedirectURIs,
		"post_logout_redirect_uris":  c.PostLogoutRedirectURIs,
	}
	set := func(key, v string) {
		if v != "" {
			body[key] = v
		}
	}
	set("client_secret", c.Secret)
	set("token_endpoint_auth_signing_alg", spec.SigningAlg)
	set("jwks_uri", spec.JWKSURI)
	set("userinfo_signed_response_alg", spec.UserinfoSignedResponseAlg)
	set("backchannel_logout_uri", spec.BackchannelLogoutURI)
	set("frontchannel_logout_uri", spec.FrontchannelLogoutURI)
	set("access_token_strategy", spec.AccessTokenStrategy)
	if len(spec.JWKS) > 0 {
		body["jwks"] = spec.JWKS
	}
	if len(spec.Audience) > 0 {
		body["audience"] = spec.Audience
	}
	if spec.BackchannelLogoutSessionRequired {
		body["backchannel_logout_session_required"] = true
	}
	if spec.SkipConsent {
		body["skip_consent"] = true
	}
	for k, v := range spec.Extra {
		body[k] = v
	}
	if err := s.Admin(ctx, http.MethodPost, "/admin/clients", body, &c.Raw); err != nil {
		return Client{}, fmt.Errorf("hydra: register client %s: %w", c.ID, err)
	}
	return c, nil
}

// NewClient is [Server.CreateClient] for tests: it fails t on an error and
// deletes the client in t's cleanup.
func (s *Server) NewClient(t testing.TB, spec ClientSpec) Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	c, err := s.CreateClient(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
		defer cancel()
		_ = s.DeleteClient(ctx, c.ID)
	})
	return c
}

// DeleteClient removes a client (DELETE /admin/clients/{id}).
func (s *Server) DeleteClient(ctx context.Context, id string) error {
	return s.Admin(ctx, http.MethodDelete, "/admin/clients/"+url.PathEscape(id), nil, nil)
}

// RotateSigningKey adds a new key to the ID-token key set (POST
// /admin/keys/hydra.openid.id-token) and returns its kid. From then on it
// signs ID tokens, signed userinfo and logout tokens; the older keys stay
// in the public JWKS. alg is RS256 when empty.
func (s *Server) RotateSigningKey(ctx context.Context, alg string) (kid string, err error) {
	if alg == "" {
		alg = "RS256"
	}
	kid = "oauth20-" + randomHex(8)
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	req := map[string]string{"alg": alg, "kid": kid, "use": "sig"}
	if err := s.Admin(ctx, http.MethodPost, "/admin/keys/"+IDTokenKeySet, req, &set); err != nil {
		return "", fmt.Errorf("hydra: rotate the ID token key: %w", err)
	}
	if len(set.Keys) == 0 || set.Keys[0].Kid != kid {
		return "", fmt.Errorf("hydra: rotate the ID token key: the answer has no key %s", kid)
	}
	return kid, nil
}

// Introspect asks the admin API about a token (POST
// /admin/oauth2/introspect, RFC 7662) and returns the decoded answer. The
// admin API needs no client authentication.
func (s *Server) Introspect(ctx context.Context, token string) (map[string]any, error) {
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoints.Introspection, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("hydra: introspection request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var out map[string]any
	if err := s.do(req, &out); err != nil {
		return nil, fmt.Errorf("hydra: introspect: %w", err)
	}
	return out, nil
}

// RevokeLoginSession ends the login session sid (the sid claim of ID tokens)
// from the server side (DELETE /admin/oauth2/auth/sessions/login?sid=...).
// Hydra then sends back-channel logout tokens to the clients of that
// session, as for an RP-initiated logout.
func (s *Server) RevokeLoginSession(ctx context.Context, sid string) error {
	return s.Admin(ctx, http.MethodDelete, "/admin/oauth2/auth/sessions/login?sid="+url.QueryEscape(sid), nil, nil)
}

// RevokeSubjectSessions ends every login session of subject. Unlike
// [Server.RevokeLoginSession], Hydra sends no logout tokens then.
func (s *Server) RevokeSubjectSessions(ctx context.Context, subject string) error {
	return s.Admin(ctx, http.MethodDelete, "/admin/oauth2/auth/sessions/login?subject="+url.QueryEscape(subject), nil, nil)
}

// RevokeConsent withdraws the consent subject gave to client, or to all
// clients when client is empty; Hydra also revokes the tokens issued under
// it.
func (s *Server) RevokeConsent(ctx context.Context, subject, client string) error {
	q := url.Values{"subject": {subject}}
	if client == "" {
		q.Set("all", "true")
	} else {
		q.Set("client", client)
	}
	return s.Admin(ctx, http.MethodDelete, "/admin/oauth2/auth/sessions/consent?"+q.Encode(), nil, nil)
}

// Admin calls the admin API: method on AdminURL+path with body encoded as
// JSON (unless nil), decoding a JSON answer into out (unless nil; a
// *json.RawMessage takes it as it is). An answer outside 2xx is an error
// carrying Hydra's error text.
func (s *Server) Admin(ctx context.Context, method, path string, body, out any) error {
	return s.adminJSON(ctx, method, s.AdminURL+path, body, out)
}

// adminJSON is [Server.Admin] with a full URL.
func (s *Server) adminJSON(ctx context.Context, method, target string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return s.do(req, out)
}

// do sends req and decodes a 2xx JSON answer into out.
func (s *Server) do(req *http.Request, out any) error {
	resp, err := s.admin.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read the answer: %w", req.Method, req.URL, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s %s: status %s: %s", req.Method, req.URL, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = append(json.RawMessage(nil), b...)
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode the answer: %w", req.Method, req.URL, err)
	}
	return nil
}
