package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/builtin"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// Fake credentials of the provider that record completes a cassette with
// and check replays it against: the cassette calls them {{client_id}},
// {{client_secret}} and {{redirect_uri}}. They are those the built-in
// providers' cassettes were recorded for, so that a cassette whose answers
// depend on the secret (Shopify signs its callback) replays too.
const (
	fakeClientID     = builtin.ClientID
	fakeClientSecret = builtin.ClientSecret
	fakeRedirectURL  = builtin.RedirectURL
)

// specFileName is the spec that record writes beside the cassette and
// check reads from a cassette directory. It is YAML: every *.json file of
// the directory is read as a cassette.
const specFileName = "provider.yaml"

type recordFlags struct {
	login     loginFlags
	out       string
	name      string
	noRefresh bool
	noRevoke  bool
	force     bool
}

func newRecordCmd(a *app, g *globals) *cobra.Command {
	f := &recordFlags{}
	cmd := &cobra.Command{
		Use:   "record --out DIR (--provider NAME | --issuer URL | --spec FILE)",
		Short: "Log in once through the recorder and write a redacted conformance cassette",
		Long: `record logs in like login (authorization code with PKCE on a loopback
redirect), then refreshes the token and revokes it when the provider can, with
every request and answer going through conformance.Recorder. It writes
DIR/NAME.json: a cassette in which the client credentials, state, PKCE values,
codes, tokens, cookies and personal data are replaced by placeholders, with
the expectations filled in by replaying it against the same provider with fake
credentials. Read them before committing the cassette.

For a provider given by --issuer, --spec or --set, record also writes
DIR/provider.yaml (without key files), which check reads. Then run
"oauth20 check DIR".`,
		Example: example(
			"oauth20 record --provider github --client-id Iv1.abc --out testdata/github",
			"oauth20 record --spec acme.yaml --client-id app --out testdata/acme --no-revoke",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.login.portFlag(cmd)
			return runRecord(cmd.Context(), a, g, f)
		},
	}
	f.login.register(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "the cassette directory (required)")
	fl.StringVar(&f.name, "name", "", "the cassette's file name without .json (default: the provider's name)")
	fl.BoolVar(&f.noRefresh, "no-refresh", false, "do not record a refresh")
	fl.BoolVar(&f.noRevoke, "no-revoke", false, "do not record a revocation")
	fl.BoolVar(&f.force, "force", false, "overwrite an existing cassette file")
	_ = cmd.MarkFlagRequired("out")
	_ = cmd.MarkFlagDirname("out")
	return cmd
}

func runRecord(ctx context.Context, a *app, g *globals, f *recordFlags) error {
	spec, err := f.login.target.spec()
	if err != nil {
		return err
	}
	if err := spec.recordable(); err != nil {
		return err
	}
	id, secret, err := f.login.target.credentials(a, spec)
	if err != nil {
		return err
	}
	// The replay builds the authorization URL with the provider's default
	// scopes and the scenario's parameters: the scopes asked for become the
	// provider's (and go into provider.yaml), the other parameters go into
	// the authorization scenario.
	login := f.login
	if scopes := login.scopes(); len(scopes) > 0 {
		spec.Scopes, login.scope = scopes, ""
	}
	authParams, err := login.paramMap()
	if err != nil {
		return err
	}
	if login.prompt != "" {
		authParams["prompt"] = login.prompt
	}
	if login.loginHint != "" {
		authParams["login_hint"] = login.loginHint
	}
	name := f.name
	if name == "" {
		name = spec.label()
	}
	path := filepath.Join(f.out, name+".json")
	if _, err := os.Stat(path); err == nil && !f.force {
		return usagef("%s exists: give --force to overwrite it or --name for another file", path)
	}
	lb, err := listenLoopback(f.login.redirectURL, f.login.port)
	if err != nil {
		return err
	}
	defer lb.close()
	rec := &conformance.Recorder{Clock: a.clock}
	hc := &http.Client{Transport: rec}
	if a.httpClient != nil {
		rec.Transport = a.httpClient.Transport
		hc.Timeout = a.httpClient.Timeout
	}
	sess, err := newSession(a, g, spec, id, secret, buildOptions{redirectURL: lb.redirectURL}, hc)
	if err != nil {
		return err
	}
	defer sess.close()
	res, err := codeLogin(ctx, a, sess, lb, &login, rec.AuthorizationURL)
	if err != nil {
		return err
	}
	secrets := []string{secret, res.Token.AccessToken, res.Token.RefreshToken, res.Token.IDToken}
	c, err := sess.provider.Client(ctx)
	if err != nil {
		return err
	}
	if res.IDToken != nil {
		// The replay drives a user fetch without an ID token (conformance
		// does not replay ID tokens yet), and an OpenID provider asks for
		// the user differently with one: record the fetch the replay makes,
		// and keep it instead of the login's (see replaceUserScenario).
		rec.Begin(userScenario, conformance.OpUser)
		_, err := sess.provider.User(ctx, core.UserRequest{Client: c, Token: res.Token})
		rec.End()
		if err != nil {
			return fmt.Errorf("fetching the user with the access token: %w", err)
		}
	}
	tok := res.Token
	var notes []string
	dropRefresh := false
	if !f.noRefresh && tok.RefreshToken != "" {
		fmt.Fprintln(a.stderr, "Recording a refresh ...")
		if t, err := c.Refresh(ctx, tok.RefreshToken); err != nil {
			fmt.Fprintf(a.stderr, "The refresh failed (recorded as it is): %v\n", err)
		} else {
			tok = t
			secrets = append(secrets, t.AccessToken, t.RefreshToken, t.IDToken)
			if t.IDToken != "" {
				// The client verified it live; the replay cannot (conformance
				// does not replay ID tokens yet) and would expect an error.
				dropRefresh = true
				notes = append(notes, "refresh: left out: its answer has an ID token, which the replay cannot verify yet")
			}
		}
	}
	if !f.noRevoke && c.Endpoints().RevocationURL != "" {
		fmt.Fprintln(a.stderr, "Recording a revocation ...")
		hint, value := core.HintAccessToken, tok.AccessToken
		if tok.RefreshToken != "" {
			hint, value = core.HintRefreshToken, tok.RefreshToken
		}
		if err := c.Revoke(ctx, value, hint); err != nil {
			fmt.Fprintf(a.stderr, "The revocation failed (recorded as it is): %v\n", err)
		}
	}
	cassette, err := rec.Cassette(sess.provider)
	if err != nil {
		return err
	}
	cassette.Provider = spec.cassetteProvider()
	if res.IDToken != nil {
		replaceUserScenario(cassette)
	}
	if dropRefresh {
		dropScenarios(cassette, conformance.OpRefresh)
	}
	if len(authParams) > 0 {
		for i := range cassette.Scenarios {
			if cassette.Scenarios[i].Op == conformance.OpAuthorizationURL {
				cassette.Scenarios[i].Input.Params = authParams
			}
		}
	}
	fake, cleanup, err := spec.buildFake()
	if err != nil {
		return err
	}
	defer cleanup()
	if err := conformance.Complete(ctx, fake, cassette); err != nil {
		return fmt.Errorf("completing the cassette: %w", err)
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return usageError(err)
	}
	if err := cassette.WriteFile(path); err != nil {
		return err
	}
	if err := checkRedacted(path, secrets); err != nil {
		_ = os.Remove(path)
		return err
	}
	wroteSpec := false
	if spec.needsSpecFile() {
		if err := writeSpecFile(filepath.Join(f.out, specFileName), spec); err != nil {
			return err
		}
		wroteSpec = true
	}
	var names []string
	for _, s := range cassette.Scenarios {
		names = append(names, s.Name)
	}
	if g.json {
		return writeJSON(a.stdout, map[string]any{"cassette": path, "provider": cassette.Provider, "scenarios": names, "spec_file": wroteSpec, "notes": notes})
	}
	fmt.Fprintf(a.stdout, "Recorded %d scenarios of %s into %s:\n  %s\n", len(names), cassette.Provider, path, strings.Join(names, "\n  "))
	for _, n := range notes {
		fmt.Fprintf(a.stdout, "Note: %s\n", n)
	}
	if wroteSpec {
		fmt.Fprintf(a.stdout, "Wrote %s, which check reads.\n", filepath.Join(f.out, specFileName))
	}
	fmt.Fprintf(a.stdout, "Read the expectations before committing, then run: oauth20 check %s\n", f.out)
	return nil
}

// userScenario names the user fetch that record makes itself.
const userScenario = "user_from_access_token"

// replaceUserScenario drops the user scenarios of the login (fetched with a
// verified ID token, which the replay cannot give yet) and keeps the one
// record made with the access token alone, named "user".
func replaceUserScenario(c *conformance.Cassette) {
	kept := c.Scenarios[:0]
	for _, s := range c.Scenarios {
		switch {
		case s.Name == userScenario:
			s.Name = "user"
			s.Description = "The user fetched with the access token alone, as the replay does it."
		case s.Op == conformance.OpUser:
			continue
		}
		kept = append(kept, s)
	}
	c.Scenarios = kept
}

// dropScenarios removes the scenarios of an operation.
func dropScenarios(c *conformance.Cassette, op conformance.Op) {
	kept := c.Scenarios[:0]
	for _, s := range c.Scenarios {
		if s.Op != op {
			kept = append(kept, s)
		}
	}
	c.Scenarios = kept
}

// checkRedacted fails when a secret of the live login is in the file.
func checkRedacted(path string, secrets []string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, s := range secrets {
		if len(s) >= 8 && bytes.Contains(data, []byte(s)) {
			return errors.New("the cassette still holds a secret of the login; it was not written")
		}
	}
	return nil
}

// cassetteProvider is the provider name a cassette records: the built-in
// provider's name, so that check finds it without a spec file.
func (s *specFile) cassetteProvider() string {
	if s.Provider != "" && s.Name == "" {
		return s.Provider
	}
	return s.label()
}

// needsSpecFile reports whether check needs a spec file to rebuild the
// provider: anything but a built-in provider without settings.
func (s *specFile) needsSpecFile() bool {
	return s.Provider == "" || len(s.Settings) > 0 || s.Name != "" || s.Scopes != nil
}

// writeSpecFile writes s for check, without paths to key files (check
// uses a throwaway key where the recorded one was).
func writeSpecFile(path string, s *specFile) error {
	c := *s
	c.PrivateKeyFile = ""
	if c.Settings != nil {
		c.Settings = map[string]string{}
		for k, v := range s.Settings {
			if k != "key-file" {
				c.Settings[k] = v
			}
		}
	}
	var b bytes.Buffer
	b.WriteString("# The provider of the cassettes in this directory, for oauth20 check.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
