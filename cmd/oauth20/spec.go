package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/go-oauth20/oauth20/providers"
	"go.yaml.in/yaml/v3"
)

// specFile says which provider a command talks to, without its
// credentials. It is what --spec reads (YAML or JSON, the same fields), and
// what --provider, --set and --issuer fill in on the command line. Exactly
// one of three forms:
//
//   - provider (+ settings): a built-in provider;
//   - issuer: any OpenID provider, by discovery;
//   - endpoints (+ the rest): a provider the library does not ship,
//     described field by field and turned into a core.ProviderSpec.
//
// The README's "Spec files" section documents every field.
type specFile struct {
	// Name is the provider's name in cassettes, errors and logs.
	Name        string `json:"name,omitempty" yaml:"name,omitempty"`
	DisplayName string `json:"display_name,omitempty" yaml:"display_name,omitempty"`

	Provider string            `json:"provider,omitempty" yaml:"provider,omitempty"`
	Settings map[string]string `json:"settings,omitempty" yaml:"settings,omitempty"`

	Issuer string `json:"issuer,omitempty" yaml:"issuer,omitempty"`

	// PAR pushes every login's authorization request (RFC 9126), as
	// login's --par does; DPoP binds the tokens of logins to a key (RFC
	// 9449), as login's --dpop does. Any of the three forms takes them.
	PAR  bool `json:"par,omitempty" yaml:"par,omitempty"`
	DPoP bool `json:"dpop,omitempty" yaml:"dpop,omitempty"`

	Endpoints      *specEndpoints    `json:"endpoints,omitempty" yaml:"endpoints,omitempty"`
	AuthMethod     string            `json:"auth_method,omitempty" yaml:"auth_method,omitempty"`
	PrivateKeyFile string            `json:"private_key_file,omitempty" yaml:"private_key_file,omitempty"`
	KeyID          string            `json:"key_id,omitempty" yaml:"key_id,omitempty"`
	Scopes         []string          `json:"scopes,omitempty" yaml:"scopes,omitempty"`
	ScopeSeparator string            `json:"scope_separator,omitempty" yaml:"scope_separator,omitempty"`
	PKCE           *bool             `json:"pkce,omitempty" yaml:"pkce,omitempty"`
	Headers        map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	ParamNames     map[string]string `json:"param_names,omitempty" yaml:"param_names,omitempty"`
	Token          *specToken        `json:"token,omitempty" yaml:"token,omitempty"`
	Errors         *specErrors       `json:"errors,omitempty" yaml:"errors,omitempty"`
	User           *specUser         `json:"user,omitempty" yaml:"user,omitempty"`

	// dir is the spec file's directory: private_key_file is relative to it.
	dir string
}

// specEndpoints are the provider's URLs; authorization and token are
// required.
type specEndpoints struct {
	Authorization       string `json:"authorization" yaml:"authorization"`
	Token               string `json:"token" yaml:"token"`
	UserInfo            string `json:"userinfo,omitempty" yaml:"userinfo,omitempty"`
	Revocation          string `json:"revocation,omitempty" yaml:"revocation,omitempty"`
	Introspection       string `json:"introspection,omitempty" yaml:"introspection,omitempty"`
	DeviceAuthorization string `json:"device_authorization,omitempty" yaml:"device_authorization,omitempty"`
	PushedAuthorization string `json:"pushed_authorization,omitempty" yaml:"pushed_authorization,omitempty"`
}

// specToken is how the token endpoint is spoken to and how it answers.
type specToken struct {
	// Method is POST (default) or GET.
	Method string `json:"method,omitempty" yaml:"method,omitempty"`
	// Format of the request: form (default), json or query.
	Format string `json:"format,omitempty" yaml:"format,omitempty"`
	// Response format: json (default), form, jsonp or auto.
	Response string `json:"response,omitempty" yaml:"response,omitempty"`
	// Fields renames token members: {"access_token": "accessToken"}.
	Fields map[string]string `json:"fields,omitempty" yaml:"fields,omitempty"`
	// Envelope names the member holding the token fields ({"data": {...}}).
	Envelope string `json:"envelope,omitempty" yaml:"envelope,omitempty"`
	// DefaultTokenType is assumed when the answer has no token_type.
	DefaultTokenType string `json:"default_token_type,omitempty" yaml:"default_token_type,omitempty"`
}

// specErrors finds errors in answers that carry a status code member
// (WeChat's errcode, Feishu's code), beside the RFC 6749 error member.
type specErrors struct {
	Code    string `json:"code" yaml:"code"`
	Message string `json:"message,omitempty" yaml:"message,omitempty"`
}

// specUser says where the user is: the URL to ask (default: the userinfo
// endpoint) and the dotted path of each field in its JSON answer.
type specUser struct {
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
	// TokenParam sends the access token as this query parameter instead of
	// an Authorization: Bearer header.
	TokenParam    string `json:"token_param,omitempty" yaml:"token_param,omitempty"`
	ID            string `json:"id" yaml:"id"`
	Email         string `json:"email,omitempty" yaml:"email,omitempty"`
	EmailVerified string `json:"email_verified,omitempty" yaml:"email_verified,omitempty"`
	Name          string `json:"name,omitempty" yaml:"name,omitempty"`
	Username      string `json:"username,omitempty" yaml:"username,omitempty"`
	AvatarURL     string `json:"avatar_url,omitempty" yaml:"avatar_url,omitempty"`
}

// loadSpec reads a spec file: JSON when it starts with "{", YAML
// otherwise. Unknown fields are errors.
func loadSpec(path string) (*specFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError(fmt.Errorf("spec: %w", err))
	}
	s, err := parseSpec(data)
	if err != nil {
		return nil, usageError(fmt.Errorf("spec %s: %w", path, err))
	}
	s.dir = filepath.Dir(path)
	return s, nil
}

// parseSpec decodes and checks a spec file's content.
func parseSpec(data []byte) (*specFile, error) {
	s := &specFile{}
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		d := json.NewDecoder(bytes.NewReader(t))
		d.DisallowUnknownFields()
		if err := d.Decode(s); err != nil {
			return nil, err
		}
		if d.More() {
			return nil, errors.New("data after the JSON object")
		}
	} else {
		d := yaml.NewDecoder(bytes.NewReader(data))
		d.KnownFields(true)
		if err := d.Decode(s); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
	}
	return s, s.check()
}

// check reports every problem of the spec, joined.
func (s *specFile) check() error {
	var errs []error
	forms := 0
	for _, set := range []bool{s.Provider != "", s.Issuer != "", s.Endpoints != nil} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		return errors.New("give exactly one of provider (a built-in provider), issuer (an OpenID provider) or endpoints (a provider of your own)")
	}
	custom := []struct {
		name string
		set  bool
	}{
		{"auth_method", s.AuthMethod != "" && s.Issuer == ""}, {"private_key_file", s.PrivateKeyFile != ""},
		{"key_id", s.KeyID != ""}, {"scope_separator", s.ScopeSeparator != ""},
		{"pkce", s.PKCE != nil}, {"headers", s.Headers != nil}, {"param_names", s.ParamNames != nil},
		{"token", s.Token != nil}, {"errors", s.Errors != nil}, {"user", s.User != nil},
	}
	if s.Endpoints == nil {
		for _, f := range custom {
			if f.set {
				errs = append(errs, fmt.Errorf("%s is only for a provider described by its endpoints", f.name))
			}
		}
	}
	if s.Settings != nil && s.Provider == "" {
		errs = append(errs, errors.New("settings are only for a built-in provider"))
	}
	if s.Provider != "" {
		if _, err := findBuiltin(s.Provider); err != nil {
			errs = append(errs, err)
		}
	}
	if e := s.Endpoints; e != nil {
		if e.Authorization == "" || e.Token == "" {
			errs = append(errs, errors.New("endpoints: authorization and token are required"))
		}
		if s.Name == "" {
			errs = append(errs, errors.New("name is required for a provider described by its endpoints"))
		}
		if s.User == nil || s.User.ID == "" {
			errs = append(errs, errors.New("user.id is required: the path of the user's id in the user answer"))
		}
		if s.User != nil && s.User.URL == "" && e.UserInfo == "" {
			errs = append(errs, errors.New("user.url or endpoints.userinfo is required"))
		}
		if s.PAR && e.PushedAuthorization == "" {
			errs = append(errs, errors.New("par needs endpoints.pushed_authorization"))
		}
		switch core.AuthMethod(s.AuthMethod) {
		case "", core.AuthSecretBasic, core.AuthSecretPost, core.AuthNone, core.AuthSecretJWT, core.AuthPrivateKeyJWT:
		default:
			errs = append(errs, fmt.Errorf("auth_method %q: want client_secret_basic, client_secret_post, none, private_key_jwt or client_secret_jwt", s.AuthMethod))
		}
		if t := s.Token; t != nil {
			if _, err := t.dialect(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// needsSecret reports whether the provider's client authenticates with a
// client secret.
func (s *specFile) needsSecret() bool {
	switch {
	case s.Provider != "":
		b, err := findBuiltin(s.Provider)
		return err != nil || !b.noSecret
	case s.Endpoints != nil:
		m := core.AuthMethod(s.AuthMethod)
		return m != core.AuthNone && m != core.AuthPrivateKeyJWT
	}
	return s.AuthMethod != string(core.AuthNone)
}

// label names the provider in messages and as the default cassette name.
func (s *specFile) label() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Provider != "":
		return s.Provider
	}
	return "oidc"
}

// recordable refuses what the conformance kit cannot record or replay yet
// (pushed requests, DPoP proofs), for record and check.
func (s *specFile) recordable() error {
	if s.PAR || s.DPoP {
		return usagef("the conformance kit records and replays neither pushed authorization requests nor DPoP proofs yet: leave par and dpop out of the spec file")
	}
	return nil
}

// buildOptions are what a command adds to the spec when it builds the
// provider.
type buildOptions struct {
	// redirectURL is the login's loopback redirect URI.
	redirectURL string
	// par pushes the login's authorization request (login --par), as the
	// spec's par does.
	par bool
	// dpopKey binds the client's tokens to this key (login --dpop, or the
	// key of the token a token command uses).
	dpopKey *dpop.Key
}

// build makes the provider with the given credentials.
func (s *specFile) build(id, secret string, o buildOptions) (*core.Provider, error) {
	if s.Endpoints != nil {
		return s.buildCustom(id, secret, o)
	}
	var opts []providers.Option
	if o.redirectURL != "" {
		opts = append(opts, providers.WithRedirectURL(o.redirectURL))
	}
	if s.Name != "" {
		opts = append(opts, providers.WithName(s.Name))
	}
	if s.DisplayName != "" {
		opts = append(opts, providers.WithDisplayName(s.DisplayName))
	}
	if s.Scopes != nil {
		opts = append(opts, providers.WithScopes(s.Scopes...))
	}
	if s.PAR || o.par {
		opts = append(opts, providers.WithPAR())
	}
	if o.dpopKey != nil {
		opts = append(opts, providers.WithDPoP(o.dpopKey))
	}
	if s.Provider != "" {
		b, err := findBuiltin(s.Provider)
		if err != nil {
			return nil, err
		}
		return b.build(id, secret, s.Settings, opts)
	}
	if s.AuthMethod != "" {
		opts = append(opts, providers.WithAuthMethod(core.AuthMethod(s.AuthMethod)))
	}
	p, err := providers.OIDC("oidc", s.Issuer, id, secret, opts...)
	return p, usageError(err)
}

// buildCustom turns a provider described by its endpoints into a
// core.ProviderSpec.
func (s *specFile) buildCustom(id, secret string, o buildOptions) (*core.Provider, error) {
	d := &core.Dialect{Name: s.Name, ScopeSeparator: s.ScopeSeparator, ParamNames: s.ParamNames, Headers: s.Headers}
	if s.Token != nil {
		td, err := s.Token.dialect()
		if err != nil {
			return nil, usageError(err)
		}
		d.TokenMethod, d.TokenFormat, d.Response = td.TokenMethod, td.TokenFormat, td.Response
		d.TokenFields, d.Envelope, d.DefaultTokenType = td.TokenFields, td.Envelope, td.DefaultTokenType
	}
	if s.Errors != nil {
		d.ErrorDetectors = []func(int, map[string]any) *core.Error{providers.DetectRFC6749, providers.CodeDetector(s.Errors.Code, s.Errors.Message, nil)}
	}
	cfg := core.Config{
		ClientID: id, ClientSecret: secret, RedirectURL: o.redirectURL, Scopes: s.Scopes,
		AuthMethod: core.AuthMethod(s.AuthMethod), KeyID: s.KeyID, Dialect: d, DPoPKey: o.dpopKey,
		Endpoints: core.Endpoints{
			AuthURL: s.Endpoints.Authorization, TokenURL: s.Endpoints.Token, UserInfoURL: s.Endpoints.UserInfo,
			RevocationURL: s.Endpoints.Revocation, IntrospectionURL: s.Endpoints.Introspection,
			DeviceAuthURL: s.Endpoints.DeviceAuthorization, PushedAuthURL: s.Endpoints.PushedAuthorization,
		},
	}
	if core.AuthMethod(s.AuthMethod) == core.AuthPrivateKeyJWT && s.PrivateKeyFile == "" {
		return nil, usagef("auth_method private_key_jwt needs private_key_file (oauth20 keygen --private-key-jwt makes one)")
	}
	if s.PrivateKeyFile != "" {
		path := s.PrivateKeyFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(s.dir, path)
		}
		key, err := readPrivateKey(path)
		if err != nil {
			return nil, usageError(err)
		}
		cfg.PrivateKey = key
	}
	pkce := core.PKCES256
	if s.PKCE != nil && !*s.PKCE {
		pkce = core.PKCEUnsupported
	}
	u := *s.User
	if u.URL == "" {
		u.URL = s.Endpoints.UserInfo
	}
	p, err := core.NewProvider(core.ProviderSpec{
		Name: s.Name, DisplayName: s.DisplayName, Client: cfg, PKCE: pkce, PAR: s.PAR || o.par,
		FetchUser: u.fetch,
	})
	return p, usageError(err)
}

// dialect converts the token section.
func (t *specToken) dialect() (*core.Dialect, error) {
	d := &core.Dialect{TokenFields: t.Fields, Envelope: t.Envelope, DefaultTokenType: t.DefaultTokenType}
	switch strings.ToUpper(t.Method) {
	case "", http.MethodPost:
	case http.MethodGet:
		d.TokenMethod = http.MethodGet
	default:
		return nil, fmt.Errorf("token.method %q: want POST or GET", t.Method)
	}
	switch t.Format {
	case "", "form":
	case "json":
		d.TokenFormat = core.FormatJSON
	case "query":
		d.TokenFormat = core.FormatQuery
	default:
		return nil, fmt.Errorf("token.format %q: want form, json or query", t.Format)
	}
	switch t.Response {
	case "", "json":
	case "form":
		d.Response = core.FormatForm
	case "jsonp":
		d.Response = core.FormatJSONP
	case "auto":
		d.Response = core.FormatAuto
	default:
		return nil, fmt.Errorf("token.response %q: want json, form, jsonp or auto", t.Response)
	}
	return d, nil
}

// fetch asks the user URL and reads the fields at their paths.
func (u specUser) fetch(ctx context.Context, r core.UserRequest) (*core.User, error) {
	rr := core.ResourceRequest{URL: u.URL, Token: r.Token}
	if u.TokenParam != "" {
		rr.NoBearer = true
		rr.Query = &core.Params{}
		rr.Query.Set(u.TokenParam, r.Token.AccessToken)
	}
	fields, err := r.Client.Resource(ctx, rr)
	if err != nil {
		return nil, err
	}
	get := func(path string) string { return jsonPath(fields, path) }
	user := &core.User{
		ID: get(u.ID), Email: get(u.Email), Name: get(u.Name), Username: get(u.Username),
		AvatarURL: get(u.AvatarURL), Raw: fields,
	}
	if v, err := strconv.ParseBool(get(u.EmailVerified)); err == nil {
		user.EmailVerified = v
	}
	return user, nil
}

// jsonPath returns the value at a dotted path of a decoded JSON object as
// a string (numbers in base 10, booleans as true/false); "" when absent or
// not a scalar.
func jsonPath(m map[string]any, path string) string {
	if path == "" {
		return ""
	}
	var v any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = obj[part]
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// readPrivateKey reads a PKCS#8 (or PKCS#1 / SEC 1) PEM private key, such
// as the one keygen writes.
func readPrivateKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("private key %s: no PEM block", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("private key %s: PEM block %q is not a private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("private key %s: %T cannot sign", path, key)
	}
	return signer, nil
}
