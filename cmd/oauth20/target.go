package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/spf13/cobra"
)

// Environment variables that hold credentials.
const (
	envClientID     = "OAUTH20_CLIENT_ID"
	envClientSecret = "OAUTH20_CLIENT_SECRET"
)

// targetFlags choose the provider a command talks to and the client it
// talks as: --provider (with --set), --issuer or --spec, and the
// credentials.
type targetFlags struct {
	provider   string
	issuer     string
	specPath   string
	set        []string
	authMethod string

	clientID   string
	secretFile string
	public     bool
}

// register adds the flags to cmd; withClient adds the credential flags.
func (f *targetFlags) register(cmd *cobra.Command, withClient bool) {
	fl := cmd.Flags()
	fl.StringVarP(&f.provider, "provider", "p", "", "a built-in provider by name ('oauth20 providers' lists them)")
	fl.StringVar(&f.issuer, "issuer", "", "any OpenID provider, by its issuer URL (discovery)")
	fl.StringVar(&f.specPath, "spec", "", "a spec file (YAML or JSON) describing the provider")
	fl.StringArrayVar(&f.set, "set", nil, "a setting of the built-in provider, key=value (repeatable; 'oauth20 providers' lists them)")
	fl.StringVar(&f.authMethod, "auth-method", "", "client authentication: client_secret_basic, client_secret_post or none (default: from discovery)")
	cmd.MarkFlagsMutuallyExclusive("provider", "issuer", "spec")
	_ = cmd.RegisterFlagCompletionFunc("provider", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return builtinNames(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("set", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		b, err := findBuiltin(f.provider)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var keys []string
		for _, k := range b.settingKeys() {
			keys = append(keys, k+"=")
		}
		return keys, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("auth-method", cobra.FixedCompletions(
		[]string{"client_secret_basic", "client_secret_post", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("spec", "yaml", "yml", "json")
	if !withClient {
		return
	}
	fl.StringVar(&f.clientID, "client-id", "", "the client id (default $"+envClientID+")")
	fl.StringVar(&f.secretFile, "client-secret-file", "", "read the client secret from this file (default $"+envClientSecret+", else a prompt)")
	fl.BoolVar(&f.public, "public", false, "a public client: no client secret, PKCE only")
	cmd.MarkFlagsMutuallyExclusive("client-secret-file", "public")
	_ = cmd.MarkFlagFilename("client-secret-file")
}

// spec returns the provider the flags describe.
func (f *targetFlags) spec() (*specFile, error) {
	var s *specFile
	switch {
	case f.specPath != "":
		var err error
		if s, err = loadSpec(f.specPath); err != nil {
			return nil, err
		}
	case f.issuer != "":
		s = &specFile{Issuer: f.issuer}
	case f.provider != "":
		if _, err := findBuiltin(f.provider); err != nil {
			return nil, err
		}
		s = &specFile{Provider: f.provider}
	default:
		return nil, usagef("say which provider: --provider NAME, --issuer URL or --spec FILE")
	}
	if len(f.set) > 0 {
		if s.Provider == "" {
			return nil, usagef("--set is for built-in providers (--provider)")
		}
		if s.Settings == nil {
			s.Settings = map[string]string{}
		}
		for _, kv := range f.set {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, usagef("--set %q: want key=value", kv)
			}
			s.Settings[k] = v
		}
		if iss := s.Settings["issuer"]; s.Provider == "oidc" && iss != "" && len(s.Settings) == 1 {
			s = &specFile{Issuer: iss}
		}
	}
	if f.authMethod != "" {
		switch {
		case s.Provider != "":
			if s.Settings == nil {
				s.Settings = map[string]string{}
			}
			s.Settings["auth-method"] = f.authMethod
		default:
			s.AuthMethod = f.authMethod
		}
	}
	if f.public {
		if s.Provider == "" {
			s.AuthMethod = string(core.AuthNone)
		}
	}
	return s, nil
}

// credentials returns the client id and secret: the id from --client-id or
// the environment; the secret from the environment, --client-secret-file or
// a prompt, never from the command line. A public client, and a provider
// that needs no secret, gets "".
func (f *targetFlags) credentials(a *app, s *specFile) (id, secret string, err error) {
	id = f.clientID
	if id == "" {
		id = a.getenv(envClientID)
	}
	if id == "" {
		return "", "", usagef("no client id: give --client-id or set %s", envClientID)
	}
	if f.public || !s.needsSecret() {
		return id, "", nil
	}
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return "", "", usageError(fmt.Errorf("client secret: %w", err))
		}
		secret = strings.TrimRight(string(b), "\r\n")
		if secret == "" {
			return "", "", usagef("client secret: %s is empty", f.secretFile)
		}
		return id, secret, nil
	}
	if secret = a.getenv(envClientSecret); secret != "" {
		return id, secret, nil
	}
	if a.prompt != nil {
		secret, err = a.prompt(fmt.Sprintf("Client secret for %s: ", s.label()))
		if err != nil {
			return "", "", usageError(fmt.Errorf("client secret: %w", err))
		}
		if secret != "" {
			return id, secret, nil
		}
	}
	return "", "", usagef("no client secret: set %s, give --client-secret-file, or --public for a public client", envClientSecret)
}

// session is a provider inside a core.Auth: the login flow's runtime (the
// app's HTTP client and clock, the --verbose logger) around it.
type session struct {
	auth     *core.Auth
	provider *core.Provider
}

// newSession builds the provider and an Auth around it: the Auth's base
// URL is the origin of the login's redirect URL (loopback), and hc, when
// set, replaces the app's HTTP client (record's recorder).
func newSession(a *app, g *globals, s *specFile, id, secret string, o buildOptions, hc *http.Client) (*session, error) {
	p, err := s.build(id, secret, o)
	if err != nil {
		return nil, err
	}
	key := make([]byte, core.MinSealingKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	base := "http://127.0.0.1"
	if o.redirectURL != "" {
		base = strings.TrimSuffix(originOf(o.redirectURL), "/")
	}
	b := core.New().SealingKeys(key).BaseURL(base).Provider(p, nil)
	if hc == nil {
		hc = a.httpClient
	}
	if hc != nil {
		b = b.HTTPClient(hc)
	}
	if a.clock != nil {
		b = b.Clock(a.clock)
	}
	if l := g.logger(a); l != nil {
		b = b.Logger(l)
	}
	auth, err := b.Build()
	if err != nil {
		return nil, usageError(err)
	}
	// The Auth holds p alone, bound to its own HTTP client and clock.
	ps := auth.Providers()
	if len(ps) != 1 {
		return nil, errors.New("the provider is missing from its Auth")
	}
	return &session{auth: auth, provider: ps[0]}, nil
}

// close ends the provider's background work.
func (s *session) close() { _ = s.auth.Close() }
