package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/dpop"
	"github.com/spf13/cobra"
)

// maxTokenInput caps what is read as a token file.
const maxTokenInput = 1 << 20

// tokenFlags are the flags of the commands that use a stored token.
type tokenFlags struct {
	target      targetFlags
	tokenFile   string
	dpopKeyFile string
	hint        string
	showTokens  bool
	save        string
	scope       string
}

func (f *tokenFlags) register(cmd *cobra.Command, hint bool) {
	f.target.register(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&f.tokenFile, "token-file", "-", `the token: a file saved by "login --save", login's --json output, or the bare token ("-" is standard input)`)
	_ = cmd.MarkFlagFilename("token-file", "json")
	fl.StringVar(&f.dpopKeyFile, "dpop-key", "", "the DPoP key of the token, a PEM file (default: the token file's, FILE"+dpopKeySuffix+", for a DPoP token)")
	_ = cmd.MarkFlagFilename("dpop-key", "pem")
	if hint {
		fl.StringVar(&f.hint, "hint", "", "which token of the file to use and the token_type_hint to send: access_token or refresh_token")
		_ = cmd.RegisterFlagCompletionFunc("hint", cobra.FixedCompletions(
			[]string{core.HintAccessToken, core.HintRefreshToken}, cobra.ShellCompDirectiveNoFileComp))
	}
}

// tokenInput is a token read from a file or standard input: a token answer
// (token set) or a bare token (raw set).
type tokenInput struct {
	token *core.Token
	raw   string
	// jkt is the thumbprint of the DPoP key the token is bound to, from a
	// file that login or refresh saved.
	jkt string
}

// bound reports whether the token answer says that it is DPoP-bound.
func (in *tokenInput) bound() bool {
	return in.jkt != "" || isDPoP(in.token)
}

// readToken reads the token of --token-file.
func readToken(a *app, path string) (*tokenInput, error) {
	var r io.Reader = a.stdin
	name := "standard input"
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return nil, usageError(fmt.Errorf("token: %w", err))
		}
		defer file.Close()
		r, name = file, path
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTokenInput+1))
	if err != nil {
		return nil, usageError(fmt.Errorf("token: reading %s: %w", name, err))
	}
	if len(data) > maxTokenInput {
		return nil, usagef("token: %s is larger than %d bytes", name, maxTokenInput)
	}
	return parseToken(data, name)
}

// parseToken reads a token answer ({"access_token": ...}), login's --json
// output ({"token": {...}}) or a bare token.
func parseToken(data []byte, name string) (*tokenInput, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, usagef("token: %s is empty", name)
	}
	if data[0] != '{' {
		s := string(data)
		if strings.ContainsAny(s, " \t\r\n") {
			return nil, usagef("token: %s holds neither a JSON token answer nor a single token", name)
		}
		return &tokenInput{raw: s}, nil
	}
	var outer struct {
		Token *tokenJSON `json:"token"`
		tokenJSON
		ExpiresIn json.Number `json:"expires_in"`
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(&outer); err != nil {
		return nil, usagef("token: %s is not a token answer: %v", name, err)
	}
	j := &outer.tokenJSON
	if outer.Token != nil {
		j = outer.Token
	}
	if j.AccessToken == "" && j.RefreshToken == "" && j.IDToken == "" {
		if len(j.Hidden) > 0 {
			return nil, usagef("token: %s has no tokens: it was printed without --show-tokens (use login --save)", name)
		}
		return nil, usagef("token: %s has no access_token, refresh_token or id_token", name)
	}
	return &tokenInput{token: j.token(), jkt: j.DPoPJKT}, nil
}

// pick returns the token to use and its hint: the one hint names, else the
// preferred kinds in order. A bare token is used as it is.
func (in *tokenInput) pick(hint string, prefer ...string) (string, string, error) {
	if in.raw != "" {
		return in.raw, hint, nil
	}
	kinds := prefer
	if hint != "" {
		kinds = []string{hint}
	}
	for _, k := range kinds {
		switch k {
		case core.HintAccessToken:
			if in.token.AccessToken != "" {
				return in.token.AccessToken, k, nil
			}
		case core.HintRefreshToken:
			if in.token.RefreshToken != "" {
				return in.token.RefreshToken, k, nil
			}
		default:
			return "", "", usagef("--hint %q: want access_token or refresh_token", k)
		}
	}
	return "", "", usagef("the token file has no %s", strings.Join(kinds, " or "))
}

// tokenCmd is what a token command works with: the provider, its client,
// the token read, the DPoP key of the token (nil without one), which the
// client holds, and the token to send with its hint.
type tokenCmd struct {
	sess      *session
	c         *core.Client
	in        *tokenInput
	key       *dpop.Key
	tok, hint string
}

// use says how a token command uses the token, for a DPoP token without
// its key.
type use int

const (
	// asCredential: the token is presented to the provider (a refresh
	// token at the token endpoint, an access token at UserInfo). A DPoP
	// token needs its key.
	asCredential use = iota
	// asSubject: the token is what the client, authenticated as itself,
	// asks about (introspection, revocation). A DPoP token goes without a
	// proof when its key is not found, with a note.
	asSubject
)

// tokenSession reads the token, finds its DPoP key, builds the provider
// for a token command and picks the token to send (tokenInput.pick with
// hint and prefer). A DPoP token used as a credential without its key is
// refused before anything is sent. The caller closes sess.
func tokenSession(ctx context.Context, a *app, g *globals, f *tokenFlags, u use, hint string, prefer ...string) (*tokenCmd, error) {
	spec, err := f.target.spec()
	if err != nil {
		return nil, err
	}
	id, secret, err := f.target.credentials(a, spec)
	if err != nil {
		return nil, err
	}
	in, err := readToken(a, f.tokenFile)
	if err != nil {
		return nil, err
	}
	key, err := f.tokenKey(in)
	if err != nil {
		return nil, err
	}
	if key == nil && in.bound() {
		if u == asCredential {
			return nil, f.errKeyNotFound()
		}
		fmt.Fprintln(a.stderr, "The token is DPoP-bound and its key was not found: it is sent without a proof, in the request body, not as a credential.")
	}
	sess, err := newSession(a, g, spec, id, secret, buildOptions{dpopKey: key}, nil)
	if err != nil {
		return nil, err
	}
	tc := &tokenCmd{sess: sess, in: in, key: key}
	if tc.c, err = sess.provider.Client(ctx); err == nil {
		tc.tok, tc.hint, err = in.pick(hint, prefer...)
	}
	if err != nil {
		sess.close()
		return nil, err
	}
	return tc, nil
}

func newRefreshCmd(a *app, g *globals) *cobra.Command {
	f := &tokenFlags{}
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Get a new token with a refresh token",
		Long: `refresh sends the refresh token of a saved token answer (or a bare refresh token)
to the provider's token endpoint (RFC 6749 §6) and prints the new answer. An ID
token in it is verified. When the provider rotates refresh tokens, the old one
is dead: --save keeps the new one.

A DPoP token (login --dpop) is refreshed with a proof of its key, which comes
from --dpop-key or from beside the token file (FILE.dpop.pem); without the key
refresh refuses to run. --save writes the key beside the new file too.`,
		Example: example(
			"oauth20 refresh --issuer https://idp.example --client-id app --token-file token.json --save token.json",
			"pass show app/refresh-token | oauth20 refresh --provider google --client-id ID --json --show-tokens",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tc, err := tokenSession(ctx, a, g, f, asCredential, "", core.HintRefreshToken)
			if err != nil {
				return err
			}
			defer tc.sess.close()
			rt := tc.tok
			var opts []core.Option
			if f.scope != "" {
				opts = append(opts, core.WithParam("scope", strings.ReplaceAll(f.scope, ",", " ")))
			}
			tok, err := tc.c.Refresh(ctx, rt, opts...)
			if err != nil {
				return err
			}
			if f.save != "" {
				if err := saveToken(f.save, tok, tc.key); err != nil {
					return err
				}
			}
			rotated := tok.RefreshToken != rt
			if g.json {
				return writeJSON(a.stdout, struct {
					Token   *tokenJSON `json:"token"`
					Rotated bool       `json:"refresh_token_rotated"`
				}{newTokenJSON(tok, f.showTokens, tc.key), rotated})
			}
			head := &section{}
			head.add("provider", tc.sess.provider.Name())
			if rotated {
				head.add("refresh token", "rotated: the old one no longer works")
			}
			if f.save != "" {
				head.add("saved", f.save)
			}
			if tc.key != nil && isDPoP(tok) {
				head.add("DPoP key", describeKey(tc.key))
			}
			printSections(a.stdout, head, tokenSection(tok, f.showTokens, now(a)), claimsSection("ID token claims (verified)", idTokenClaims(tok)))
			return nil
		},
	}
	f.register(cmd, false)
	cmd.Flags().BoolVar(&f.showTokens, "show-tokens", false, "print the tokens (they are bearer credentials)")
	cmd.Flags().StringVar(&f.save, "save", "", "write the new token answer, tokens included, to this file (mode 0600)")
	cmd.Flags().StringVar(&f.scope, "scope", "", "ask for fewer scopes than were granted")
	return cmd
}

func newRevokeCmd(a *app, g *globals) *cobra.Command {
	f := &tokenFlags{}
	cmd := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke a token (RFC 7009)",
		Long: `revoke sends a token to the provider's revocation endpoint (RFC 7009). From a
saved token answer it revokes the refresh token when there is one (which ends
the whole grant at most providers), else the access token; --hint chooses.
A provider answers success for a token it does not know, too.

A DPoP token (login --dpop) is revoked with a proof of its key when the key is
found (--dpop-key, or FILE.dpop.pem beside the token file), and without one
when it is not: the token goes in the request body, not as a credential, and
revoking is what to do with a token whose key is lost.`,
		Example: example(
			"oauth20 revoke --issuer https://idp.example --client-id app --token-file token.json",
			"oauth20 revoke --provider google --client-id ID --hint access_token < token.json",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tc, err := tokenSession(ctx, a, g, f, asSubject, f.hint, core.HintRefreshToken, core.HintAccessToken)
			if err != nil {
				return err
			}
			defer tc.sess.close()
			tok, hint := tc.tok, tc.hint
			if err := tc.c.Revoke(ctx, tok, hint); err != nil {
				if errors.Is(err, core.ErrNoEndpoint) {
					return usagef("provider %s has no revocation endpoint", tc.sess.provider.Name())
				}
				return err
			}
			if g.json {
				return writeJSON(a.stdout, map[string]any{"revoked": true, "token_type_hint": hint})
			}
			what := "the token"
			if hint != "" {
				what = "the " + strings.ReplaceAll(hint, "_", " ")
			}
			fmt.Fprintf(a.stdout, "Revoked %s (%d bytes) at %s.\n", what, len(tok), tc.sess.provider.Name())
			return nil
		},
	}
	f.register(cmd, true)
	return cmd
}

func newIntrospectCmd(a *app, g *globals) *cobra.Command {
	f := &tokenFlags{}
	cmd := &cobra.Command{
		Use:   "introspect",
		Short: "Ask the provider about a token (RFC 7662)",
		Long: `introspect sends a token to the provider's introspection endpoint (RFC 7662) and
prints what the provider says: whether it is active, its scope, client,
subject and lifetime. From a saved token answer it asks about the access token
unless --hint says refresh_token. A DPoP token is asked about like any other
(no proof is sent to introspection); cnf.jkt names the key it is bound to.`,
		Example: example(
			"oauth20 introspect --issuer https://idp.example --client-id api --token-file token.json",
			"oauth20 introspect --issuer https://idp.example --client-id api --json < access_token.txt",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tc, err := tokenSession(ctx, a, g, f, asSubject, f.hint, core.HintAccessToken, core.HintRefreshToken)
			if err != nil {
				return err
			}
			defer tc.sess.close()
			tok, hint := tc.tok, tc.hint
			info, err := tc.c.Introspect(ctx, tok, hint)
			if err != nil {
				if errors.Is(err, core.ErrNoEndpoint) {
					return usagef("provider %s has no introspection endpoint", tc.sess.provider.Name())
				}
				return err
			}
			if g.json {
				if err := writeJSON(a.stdout, info.Raw); err != nil {
					return err
				}
			} else {
				printIntrospection(a, info)
			}
			if !info.Active {
				return failure(fmt.Errorf("the token is not active"))
			}
			return nil
		},
	}
	f.register(cmd, true)
	return cmd
}

func printIntrospection(a *app, info *core.Introspection) {
	s := &section{title: "Introspection"}
	s.add("active", fmt.Sprint(info.Active))
	s.add("scope", info.Scope)
	s.add("client_id", info.ClientID)
	s.add("username", info.Username)
	s.add("sub", info.Subject)
	s.add("token_type", info.TokenType)
	s.add("aud", strings.Join(info.Audience, " "))
	s.add("iss", info.Issuer)
	if cnf, ok := info.Raw["cnf"].(map[string]any); ok {
		// RFC 9449 §6.2: the thumbprint of the DPoP key the token is bound to.
		jkt, _ := cnf["jkt"].(string)
		s.add("cnf.jkt", jkt)
	}
	for _, t := range []struct {
		name string
		at   time.Time
	}{{"exp", info.Expiry}, {"iat", info.IssuedAt}, {"nbf", info.NotBefore}} {
		if !t.at.IsZero() {
			s.add(t.name, fmt.Sprintf("%s (%s)", t.at.UTC().Format(time.RFC3339), relative(t.at, now(a))))
		}
	}
	s.print(a.stdout)
}

func newUserInfoCmd(a *app, g *globals) *cobra.Command {
	f := &tokenFlags{}
	cmd := &cobra.Command{
		Use:   "userinfo",
		Short: "Fetch the user with an access token",
		Long: `userinfo fetches the user that an access token belongs to, the way a login
does: the UserInfo endpoint of an OpenID provider, the user API of the others,
normalised to id, email, name, username and avatar, with every field the
provider answered.

A DPoP token (login --dpop) is sent with a proof of its key, which comes from
--dpop-key or from beside the token file (FILE.dpop.pem); without the key
userinfo refuses to run: the token is never sent as Bearer.`,
		Example: example(
			"oauth20 userinfo --provider github --client-id Iv1.abc --token-file token.json",
			"oauth20 userinfo --issuer https://idp.example --client-id app --public --json < access_token.txt",
		),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			tc, err := tokenSession(ctx, a, g, f, asCredential, "", core.HintAccessToken)
			if err != nil {
				return err
			}
			defer tc.sess.close()
			tok := &core.Token{AccessToken: tc.tok, TokenType: "Bearer"}
			switch {
			case tc.in.token != nil:
				tok = tc.in.token
			case tc.key != nil:
				// A bare access token given with --dpop-key is a DPoP token.
				tok.TokenType = core.TokenTypeDPoP
			}
			u, err := tc.sess.provider.User(ctx, core.UserRequest{Client: tc.c, Token: tok})
			if err != nil {
				return err
			}
			if g.json {
				return writeJSON(a.stdout, u)
			}
			printSections(a.stdout, userSection(u), claimsSection("Fields", flatten(u.Raw)))
			return nil
		},
	}
	f.register(cmd, false)
	return cmd
}

// flatten returns m's members at any depth under dotted names.
func flatten(m map[string]any) map[string]any {
	out := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if obj, ok := v.(map[string]any); ok && len(obj) > 0 {
			for k, x := range obj {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(name, x)
			}
			return
		}
		out[prefix] = v
	}
	for k, v := range m {
		walk(k, v)
	}
	return out
}
