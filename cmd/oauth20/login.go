package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/spf13/cobra"
)

// loginFlags are the flags of login and record.
type loginFlags struct {
	target      targetFlags
	redirectURL string
	port        int
	noBrowser   bool
	device      bool
	clientCreds bool
	scope       string
	prompt      string
	loginHint   string
	params      []string
	showTokens  bool
	save        string
	par         bool
	dpop        bool
	dpopKeyFile string
}

func (f *loginFlags) register(cmd *cobra.Command, flows bool) {
	f.target.register(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&f.redirectURL, "redirect-url", defaultRedirectURL, "the loopback redirect URI to register with the provider; port 0 picks a free one")
	fl.IntVar(&f.port, "port", 0, "the port of the redirect URI, 0 for any free one (replaces the one in --redirect-url)")
	fl.BoolVar(&f.noBrowser, "no-browser", false, "print the URL instead of opening the browser")
	fl.StringVar(&f.scope, "scope", "", "the scopes to ask for, space- or comma-separated (default: the provider's)")
	fl.StringVar(&f.prompt, "prompt", "", "the OpenID Connect prompt parameter (login, consent, select_account, none)")
	fl.StringVar(&f.loginHint, "login-hint", "", "the OpenID Connect login_hint parameter")
	fl.StringArrayVar(&f.params, "param", nil, "an extra request parameter, key=value (repeatable)")
	if !flows {
		return
	}
	fl.BoolVar(&f.device, "device", false, "use the device authorization grant (RFC 8628) instead of a browser redirect")
	fl.BoolVar(&f.clientCreds, "client-credentials", false, "get a token for the client itself (RFC 6749 §4.4): no user")
	fl.BoolVar(&f.showTokens, "show-tokens", false, "print the tokens (they are bearer credentials)")
	fl.StringVar(&f.save, "save", "", "write the token answer, tokens included, to this file (mode 0600); a DPoP key goes beside it, to FILE"+dpopKeySuffix)
	fl.BoolVar(&f.par, "par", false, "push the authorization request to the provider first (PAR, RFC 9126): the browser gets a request_uri only")
	fl.BoolVar(&f.dpop, "dpop", false, "bind the tokens to a fresh DPoP key (RFC 9449); --save keeps it beside the token file")
	fl.StringVar(&f.dpopKeyFile, "dpop-key", "", "bind the tokens to the DPoP key in this PEM file instead of a fresh one (implies --dpop)")
	cmd.MarkFlagsMutuallyExclusive("device", "client-credentials")
	cmd.MarkFlagsMutuallyExclusive("par", "device")
	cmd.MarkFlagsMutuallyExclusive("par", "client-credentials")
	_ = cmd.MarkFlagFilename("save", "json")
	_ = cmd.MarkFlagFilename("dpop-key", "pem")
}

// portFlag sets port to -1 when --port was not given: the port of
// --redirect-url then applies.
func (f *loginFlags) portFlag(cmd *cobra.Command) {
	if !cmd.Flags().Changed("port") {
		f.port = -1
	}
}

// scopes splits --scope.
func (f *loginFlags) scopes() []string {
	return strings.FieldsFunc(f.scope, func(r rune) bool { return r == ' ' || r == ',' })
}

// paramMap parses --param.
func (f *loginFlags) paramMap() (map[string]string, error) {
	m := map[string]string{}
	for _, kv := range f.params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("--param %q: want key=value", kv)
		}
		m[k] = v
	}
	return m, nil
}

// grantOptions are --scope and --param for a token or device request.
func (f *loginFlags) grantOptions() ([]core.Option, error) {
	params, err := f.paramMap()
	if err != nil {
		return nil, err
	}
	var opts []core.Option
	if s := f.scopes(); len(s) > 0 {
		opts = append(opts, core.WithParam("scope", strings.Join(s, " ")))
	}
	for _, k := range sortedKeys(params) {
		opts = append(opts, core.WithParam(k, params[k]))
	}
	return opts, nil
}

func newLoginCmd(a *app, g *globals) *cobra.Command {
	f := &loginFlags{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in and print the token answer, the verified ID-token claims and the user",
		Long: `login logs in with a built-in provider (--provider), any OpenID provider (--issuer)
or a provider described by a spec file (--spec).

By default it runs the authorization code flow with PKCE on a loopback redirect
(RFC 8252): it listens on --redirect-url (http://127.0.0.1 with a free port
unless --port or the URL fixes one), opens the browser at the provider's login
page (or prints the URL with --no-browser), and completes the login when the
provider redirects back: state, PKCE, the ID token (signature, iss, aud, nonce,
at_hash, ...) and the user are all checked by the library. Register the
redirect URI with the provider; most accept any port on a loopback address.

--device uses the device authorization grant instead (the code to enter is
printed), --client-credentials the client credentials grant.

--par pushes the authorization request to the provider (RFC 9126) before the
browser goes there, with a request_uri only. --dpop binds the tokens to a DPoP
key (RFC 9449), a fresh one or that of --dpop-key: every token request then
carries a proof signed with it, and the access token is sent only with a proof.

The client secret comes from $OAUTH20_CLIENT_SECRET, --client-secret-file or a
prompt. Tokens are described, not printed: --show-tokens prints them, --save
writes the token answer to a file for refresh, revoke, introspect and userinfo,
and a DPoP key beside it (FILE.dpop.pem, mode 0600), which they then use.`,
		Example: example(
			"oauth20 login --provider github --client-id Iv1.abc --scope read:user",
			"oauth20 login --issuer https://accounts.google.com --client-id ID --port 8085 --save token.json",
			"oauth20 login --issuer https://sso.example.com/realms/demo --client-id cli --public --device",
			"oauth20 login --issuer https://idp.example --client-id app --par --dpop --save token.json",
			"OAUTH20_CLIENT_SECRET=$(pass show idp) oauth20 login --issuer https://idp.example --client-id svc --client-credentials --json",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.portFlag(cmd)
			return runLogin(cmd.Context(), a, g, f)
		},
	}
	f.register(cmd, true)
	return cmd
}

// loginOutcome is what a login got, in any flow.
type loginOutcome struct {
	provider string
	flow     string
	token    *core.Token
	// claims are the ID token's, verified by the library; nil without one.
	claims map[string]any
	user   *core.User
	// key is the DPoP key of the login, nil without one; fresh tells a
	// key made for it from the one of --dpop-key.
	key   *dpop.Key
	fresh bool
}

func runLogin(ctx context.Context, a *app, g *globals, f *loginFlags) error {
	spec, err := f.target.spec()
	if err != nil {
		return err
	}
	id, secret, err := f.target.credentials(a, spec)
	if err != nil {
		return err
	}
	key, fresh, err := f.loginKey(spec)
	if err != nil {
		return err
	}
	bo := buildOptions{par: f.par, dpopKey: key}
	var out *loginOutcome
	switch {
	case f.device || f.clientCreds:
		sess, err := newSession(a, g, spec, id, secret, bo, nil)
		if err != nil {
			return err
		}
		defer sess.close()
		if f.device {
			out, err = deviceLogin(ctx, a, sess, f)
		} else {
			out, err = clientCredentialsLogin(ctx, sess, f)
		}
		if err != nil {
			return err
		}
	default:
		lb, err := listenLoopback(f.redirectURL, f.port)
		if err != nil {
			return err
		}
		defer lb.close()
		bo.redirectURL = lb.redirectURL
		sess, err := newSession(a, g, spec, id, secret, bo, nil)
		if err != nil {
			return err
		}
		defer sess.close()
		var authURL string
		res, err := codeLogin(ctx, a, sess, lb, f, func(u string) { authURL = u })
		if err != nil {
			return err
		}
		out = &loginOutcome{provider: res.Provider, flow: "authorization code with PKCE", token: res.Token, user: res.User}
		if u, err := url.Parse(authURL); err == nil && u.Query().Has("request_uri") {
			out.flow += ", pushed (PAR)"
		}
		if res.IDToken != nil {
			out.claims = payloadClaims(res.IDToken.Payload)
		}
	}
	out.key, out.fresh = key, fresh
	if f.save != "" {
		if err := saveToken(f.save, out.token, key); err != nil {
			return err
		}
	} else if fresh && isDPoP(out.token) {
		fmt.Fprintln(a.stderr, "The token is bound to a fresh DPoP key that this command does not keep: it is useless once the command ends. Give --save FILE to keep the key beside the token, or --dpop-key FILE.")
	}
	return printLogin(a, g, f, out)
}

// codeLogin runs the authorization code flow through the loopback
// listener: Begin, the browser, Complete. authURL, when set, is told the
// authorization URL (the recorder keeps it).
func codeLogin(ctx context.Context, a *app, sess *session, lb *loopback, f *loginFlags, authURL func(string)) (*core.Result, error) {
	params, err := f.paramMap()
	if err != nil {
		return nil, err
	}
	name := sess.provider.Name()
	u, cookie, err := sess.auth.Begin(ctx, name, core.BeginOptions{
		Scopes: f.scopes(), Prompt: f.prompt, LoginHint: f.loginHint, Params: params,
	})
	if err != nil {
		if errors.Is(err, core.ErrNoEndpoint) {
			return nil, usagef("provider %s names no pushed authorization request endpoint, so its logins cannot be pushed (--par, or par in the spec file)", name)
		}
		var ce *core.CallbackError
		if errors.As(err, &ce) && ce.Status == http.StatusInternalServerError {
			return nil, usageError(err)
		}
		return nil, err
	}
	if authURL != nil {
		authURL(u)
	}
	if f.noBrowser {
		fmt.Fprintf(a.stderr, "Open this URL in a browser to log in with %s:\n\n  %s\n\nWaiting for the redirect to %s ...\n", sess.provider.DisplayName(), u, lb.redirectURL)
	} else {
		fmt.Fprintf(a.stderr, "Opening the browser to log in with %s. If it does not open, visit:\n\n  %s\n\nWaiting for the redirect to %s ...\n", sess.provider.DisplayName(), u, lb.redirectURL)
		if err := a.openBrowser(ctx, u); err != nil {
			fmt.Fprintf(a.stderr, "Could not open the browser (%v): open the URL above yourself.\n", err)
		}
	}
	cookies := func(n string) (string, bool) {
		if n == cookie.Name {
			return cookie.Value, true
		}
		return "", false
	}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no redirect came back from the provider: %w", ctx.Err())
		case cb := <-lb.callbacks:
			res, _, err := sess.auth.Complete(ctx, name, cb.params, cookies)
			if errors.Is(err, core.ErrFlowMissing) || errors.Is(err, core.ErrStateMismatch) {
				// Not the login this process started (a stale tab, another
				// program): refuse it and keep waiting.
				cb.reply <- errors.New("this is not the login the terminal is waiting for")
				fmt.Fprintln(a.stderr, "Ignored a redirect that belongs to another login.")
				continue
			}
			cb.reply <- err
			return res, err
		}
	}
}

// deviceLogin runs the device authorization grant (RFC 8628).
func deviceLogin(ctx context.Context, a *app, sess *session, f *loginFlags) (*loginOutcome, error) {
	c, err := sess.provider.Client(ctx)
	if err != nil {
		return nil, err
	}
	if c.Endpoints().DeviceAuthURL == "" {
		return nil, usagef("provider %s has no device authorization endpoint", sess.provider.Name())
	}
	opts, err := f.grantOptions()
	if err != nil {
		return nil, err
	}
	da, err := c.DeviceAuthorize(ctx, opts...)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "To log in with %s, visit\n\n  %s\n\nand enter the code\n\n  %s\n\n", sess.provider.DisplayName(), da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" && !f.noBrowser {
		if err := a.openBrowser(ctx, da.VerificationURIComplete); err != nil {
			fmt.Fprintf(a.stderr, "Could not open the browser (%v).\n", err)
		}
	}
	fmt.Fprintf(a.stderr, "Waiting for the approval (the code expires at %s) ...\n", da.Expiry.Format(time.Kitchen))
	tok, err := c.DeviceToken(ctx, da)
	if err != nil {
		return nil, err
	}
	out := &loginOutcome{provider: sess.provider.Name(), flow: "device authorization", token: tok}
	out.claims = idTokenClaims(tok)
	u, err := sess.provider.User(ctx, core.UserRequest{Client: c, Token: tok})
	if err != nil {
		fmt.Fprintf(a.stderr, "The token works, but the user could not be fetched: %v\n", err)
	} else {
		out.user = u
	}
	return out, nil
}

// clientCredentialsLogin gets a token for the client itself.
func clientCredentialsLogin(ctx context.Context, sess *session, f *loginFlags) (*loginOutcome, error) {
	c, err := sess.provider.Client(ctx)
	if err != nil {
		return nil, err
	}
	opts, err := f.grantOptions()
	if err != nil {
		return nil, err
	}
	tok, err := c.ClientCredentials(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &loginOutcome{provider: sess.provider.Name(), flow: "client credentials", token: tok}, nil
}

// idTokenClaims returns the claims of a token's ID token. The library
// verified it before handing the token over (a client drops an ID token it
// cannot verify), so it is only decoded here.
func idTokenClaims(t *core.Token) map[string]any {
	if t.IDToken == "" {
		return nil
	}
	_, claims, err := jwtParts(t.IDToken)
	if err != nil {
		return nil
	}
	return claims
}

// payloadClaims decodes a verified ID token's payload.
func payloadClaims(p json.RawMessage) map[string]any {
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(string(p)))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return nil
	}
	return m
}

// loginJSON is login's --json output.
type loginJSON struct {
	Provider      string         `json:"provider"`
	Flow          string         `json:"flow"`
	Token         *tokenJSON     `json:"token"`
	IDTokenClaims map[string]any `json:"id_token_claims,omitempty"`
	User          *core.User     `json:"user,omitempty"`
}

func printLogin(a *app, g *globals, f *loginFlags, o *loginOutcome) error {
	if g.json {
		return writeJSON(a.stdout, loginJSON{Provider: o.provider, Flow: o.flow, Token: newTokenJSON(o.token, f.showTokens, o.key),
			IDTokenClaims: o.claims, User: o.user})
	}
	head := &section{}
	head.add("provider", o.provider)
	head.add("flow", o.flow)
	if f.save != "" {
		head.add("saved", f.save)
	}
	switch {
	case o.key == nil:
	case !isDPoP(o.token):
		head.add("DPoP", "asked for, but the provider issued a "+o.token.TokenType+" token, not bound to the key")
	case f.save != "":
		head.add("DPoP key", describeKey(o.key)+", saved in "+dpopKeyPath(f.save))
	case o.fresh:
		head.add("DPoP key", describeKey(o.key)+", not kept")
	default:
		head.add("DPoP key", describeKey(o.key)+", from "+f.dpopKeyFile)
	}
	printSections(a.stdout, head, tokenSection(o.token, f.showTokens, now(a)),
		claimsSection("ID token claims (verified)", o.claims), userSection(o.user))
	return nil
}

// now is the app's time.
func now(a *app) time.Time {
	if a.clock != nil {
		return a.clock.Now()
	}
	return time.Now()
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
