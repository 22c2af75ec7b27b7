package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/spf13/cobra"
)

// verifyCheck is one step of oidc.Verifier.Verify, in the order Verify
// runs them (OpenID Connect Core §3.1.3.7; oidc/doc.go lists the order).
// A failure is attributed to the first step whose sentinel it wraps; the
// steps before it passed and those after it did not run.
type verifyCheck struct {
	name string
	// errs are the sentinels that mean this step failed.
	errs []error
	// asked reports whether the step runs at all (nonce, at_hash, ... only
	// when their input is given); nil means always. It returns why not.
	asked func(*verifyRun) (bool, string)
	// detail describes a passed step.
	detail func(*verifyRun) string
}

// verifyRun is what the checks are described from.
type verifyRun struct {
	raw      string
	header   map[string]any
	claims   map[string]any
	md       *oidc.Metadata
	v        *oidc.Verifier
	audGiven bool
	want     oidc.Expectations
	now      time.Time
}

// claim returns a claim formatted for display, "absent" when missing.
func (r *verifyRun) claim(name string) string {
	v, ok := r.claims[name]
	if !ok {
		return "absent"
	}
	return claimString(name, v)
}

// timeClaim formats a NumericDate claim with its distance from now.
func (r *verifyRun) timeClaim(name string) string {
	s := r.claim(name)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return s + " (" + relative(t, r.now) + ")"
	}
	return s
}

var verifyChecks = []verifyCheck{
	{name: "format", errs: []error{oidc.ErrMalformedToken}, detail: func(r *verifyRun) string {
		return fmt.Sprintf("compact JWS, %d bytes, JSON header and payload", len(r.raw))
	}},
	{name: "alg", errs: []error{oidc.ErrUnsupportedAlgorithm}, detail: func(r *verifyRun) string {
		return fmt.Sprintf("%s, allowed: %s", claimString("", r.header["alg"]), strings.Join(r.v.Algorithms(), " "))
	}},
	{name: "crit", errs: []error{oidc.ErrUnsupportedHeader}, detail: func(*verifyRun) string { return "no critical header extensions" }},
	{name: "typ", errs: []error{oidc.ErrWrongTokenType}, detail: func(r *verifyRun) string {
		if t, ok := r.header["typ"]; ok {
			return claimString("", t)
		}
		return "absent"
	}},
	{name: "key", errs: []error{oidc.ErrUnknownKey, oidc.ErrKeyNotUsable, oidc.ErrEndpointNotAllowed, oidc.ErrVerifierClosed, core.ErrTransport, core.ErrUnexpectedStatus, core.ErrMalformedResponse}, detail: func(r *verifyRun) string {
		if kid, ok := r.header["kid"]; ok {
			return fmt.Sprintf("kid %q from %s", claimString("", kid), r.md.JWKSURL)
		}
		return "no kid: the one key of " + r.md.JWKSURL + " that fits"
	}},
	{name: "signature", errs: []error{oidc.ErrBadSignature}, detail: func(*verifyRun) string { return "valid" }},
	{name: "iss", errs: []error{oidc.ErrIssuerMismatch}, detail: func(r *verifyRun) string { return r.claim("iss") }},
	{name: "aud", errs: []error{oidc.ErrAudienceMismatch},
		asked: func(r *verifyRun) (bool, string) {
			return r.audGiven, fmt.Sprintf("no --audience: the token's own aud %s was taken as the client id", r.claim("aud"))
		},
		detail: func(r *verifyRun) string { return r.claim("aud") }},
	{name: "azp", errs: []error{oidc.ErrAuthorizedPartyMismatch}, detail: func(r *verifyRun) string { return r.claim("azp") }},
	{name: "exp", errs: []error{oidc.ErrTokenExpired}, detail: func(r *verifyRun) string { return r.timeClaim("exp") }},
	{name: "iat", errs: []error{oidc.ErrIssuedInFuture}, detail: func(r *verifyRun) string { return r.timeClaim("iat") }},
	{name: "token age", errs: []error{oidc.ErrTokenTooOld},
		asked: func(*verifyRun) (bool, string) { return false, "no maximum token age" }},
	{name: "nbf", errs: []error{oidc.ErrTokenNotYetValid}, detail: func(r *verifyRun) string { return r.timeClaim("nbf") }},
	{name: "sub", errs: []error{oidc.ErrInvalidSubject}, detail: func(r *verifyRun) string { return r.claim("sub") }},
	{name: "nonce", errs: []error{oidc.ErrNonceMismatch},
		asked:  func(r *verifyRun) (bool, string) { return r.want.Nonce != "", "no --nonce given" },
		detail: func(*verifyRun) string { return "the one sent" }},
	{name: "at_hash", errs: []error{oidc.ErrAtHashMismatch},
		asked: func(r *verifyRun) (bool, string) {
			return r.want.AccessToken != "", "no --access-token-file given"
		},
		detail: func(r *verifyRun) string {
			if _, ok := r.claims["at_hash"]; !ok {
				return "absent (optional in the code flow)"
			}
			return "matches the access token"
		}},
	{name: "auth_time", errs: []error{oidc.ErrAuthTimeTooOld, oidc.ErrAuthTimeMissing},
		asked: func(r *verifyRun) (bool, string) { return r.want.MaxAgeSet, "no --max-age given" },
		detail: func(r *verifyRun) string {
			return fmt.Sprintf("%s, max_age %s", r.timeClaim("auth_time"), r.want.MaxAge)
		}},
	{name: "acr", errs: []error{oidc.ErrACRMismatch},
		asked:  func(r *verifyRun) (bool, string) { return len(r.want.ACR) > 0, "no --acr given" },
		detail: func(r *verifyRun) string { return r.claim("acr") }},
}

// sentinelNames names the errors a verification can end with, for the
// typed error in the output: the name to look up in the documentation.
var sentinelNames = []struct {
	err  error
	name string
}{
	{oidc.ErrMalformedToken, "oidc.ErrMalformedToken"},
	{oidc.ErrUnsupportedAlgorithm, "oidc.ErrUnsupportedAlgorithm"},
	{oidc.ErrUnsupportedHeader, "oidc.ErrUnsupportedHeader"},
	{oidc.ErrWrongTokenType, "oidc.ErrWrongTokenType"},
	{oidc.ErrUnknownKey, "oidc.ErrUnknownKey"},
	{oidc.ErrKeyNotUsable, "oidc.ErrKeyNotUsable"},
	{oidc.ErrBadSignature, "oidc.ErrBadSignature"},
	{oidc.ErrIssuerMismatch, "oidc.ErrIssuerMismatch"},
	{oidc.ErrAudienceMismatch, "oidc.ErrAudienceMismatch"},
	{oidc.ErrAuthorizedPartyMismatch, "oidc.ErrAuthorizedPartyMismatch"},
	{oidc.ErrTokenExpired, "oidc.ErrTokenExpired"},
	{oidc.ErrIssuedInFuture, "oidc.ErrIssuedInFuture"},
	{oidc.ErrTokenTooOld, "oidc.ErrTokenTooOld"},
	{oidc.ErrTokenNotYetValid, "oidc.ErrTokenNotYetValid"},
	{oidc.ErrInvalidSubject, "oidc.ErrInvalidSubject"},
	{oidc.ErrNonceMismatch, "oidc.ErrNonceMismatch"},
	{oidc.ErrAtHashMismatch, "oidc.ErrAtHashMismatch"},
	{oidc.ErrCHashMismatch, "oidc.ErrCHashMismatch"},
	{oidc.ErrAuthTimeTooOld, "oidc.ErrAuthTimeTooOld"},
	{oidc.ErrAuthTimeMissing, "oidc.ErrAuthTimeMissing"},
	{oidc.ErrEndpointNotAllowed, "oidc.ErrEndpointNotAllowed"},
	{oidc.ErrACRMismatch, "oidc.ErrACRMismatch"},
	{oidc.ErrRefreshMismatch, "oidc.ErrRefreshMismatch"},
	{oidc.ErrVerifierClosed, "oidc.ErrVerifierClosed"},
	{oidc.ErrMissingClaim, "oidc.ErrMissingClaim"},
	{oidc.ErrDecryption, "oidc.ErrDecryption"},
	{oidc.ErrNotEncrypted, "oidc.ErrNotEncrypted"},
	{core.ErrTransport, "core.ErrTransport"},
	{core.ErrResponseTooLarge, "core.ErrResponseTooLarge"},
	{core.ErrUnexpectedStatus, "core.ErrUnexpectedStatus"},
	{core.ErrMalformedResponse, "core.ErrMalformedResponse"},
}

// errorNames returns the names of the sentinels err wraps.
func errorNames(err error) []string {
	var names []string
	for _, s := range sentinelNames {
		if errors.Is(err, s.err) {
			names = append(names, s.name)
		}
	}
	return names
}

type verifyFlags struct {
	issuer          string
	audience        string
	nonce           string
	accessTokenFile string
	maxAge          time.Duration
	acr             []string
	secretFile      string
	tokenFile       string
}

func newVerifyCmd(a *app, g *globals) *cobra.Command {
	f := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify [TOKEN|-] --issuer URL [--audience CLIENT_ID]",
		Short: "Verify an ID token: discovery, JWKS and every check, showing which one fails",
		Long: `verify checks an ID token the way a login does (OpenID Connect Core §3.1.3.7):
it reads the issuer's discovery document and JWK Set, then checks the format,
the algorithm (only those the issuer advertises, never "none"), the header,
the key, the signature, iss, aud, azp, exp, iat, nbf and sub, and, when given,
the nonce, at_hash, auth_time against --max-age and acr. It prints each check;
the first that fails ends the verification and is shown with its typed error
(oidc.ErrTokenExpired, oidc.ErrAudienceMismatch, ...), and the checks after it
are not run.

The token is the argument, or read from standard input ("-" or nothing); a
token file saved by "login --save" works too (its id_token is used). Without
--audience the token's own aud is taken as the client id and the aud check is
reported as skipped. HS256/384/512 tokens need the client secret
($OAUTH20_CLIENT_SECRET or --client-secret-file).`,
		Example: example(
			"oauth20 verify --issuer https://accounts.google.com --audience ID < id_token.txt",
			"oauth20 verify eyJhbGciOi... --issuer https://idp.example --audience app --nonce n-0S6_WzA2Mj",
			"oauth20 verify --issuer https://idp.example --audience app --json --token-file token.json",
		),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), a, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.issuer, "issuer", "", "the issuer URL, exactly as the provider spells it (required)")
	fl.StringVar(&f.audience, "audience", "", "the client id that must be in aud")
	fl.StringVar(&f.nonce, "nonce", "", "the nonce sent in the authorization request")
	fl.StringVar(&f.accessTokenFile, "access-token-file", "", "check at_hash against the access token in this file (a token file or the bare token)")
	fl.DurationVar(&f.maxAge, "max-age", 0, "the max_age sent: auth_time must be no older")
	fl.StringArrayVar(&f.acr, "acr", nil, "an acceptable acr value (repeatable)")
	fl.StringVar(&f.secretFile, "client-secret-file", "", "the client secret, for HS256/384/512 tokens")
	fl.StringVar(&f.tokenFile, "token-file", "", `read the token from this file instead of the argument ("-" is standard input)`)
	_ = cmd.MarkFlagRequired("issuer")
	_ = cmd.MarkFlagFilename("access-token-file")
	_ = cmd.MarkFlagFilename("client-secret-file")
	_ = cmd.MarkFlagFilename("token-file", "json")
	return cmd
}

// checkResult is one line of verify's report.
type checkResult struct {
	Name   string `json:"name"`
	Status string `json:"status"` // ok, failed, skipped, not run
	Detail string `json:"detail,omitempty"`
}

// verifyJSON is verify's --json output.
type verifyJSON struct {
	Issuer   string         `json:"issuer"`
	Audience string         `json:"audience"`
	Verified bool           `json:"verified"`
	Error    string         `json:"error,omitempty"`
	Errors   []string       `json:"error_types,omitempty"`
	Checks   []checkResult  `json:"checks"`
	Header   map[string]any `json:"header,omitempty"`
	Claims   map[string]any `json:"claims,omitempty"`
}

func runVerify(ctx context.Context, a *app, g *globals, f *verifyFlags, args []string) error {
	raw, err := verifyInput(a, f, args)
	if err != nil {
		return err
	}
	r := &verifyRun{raw: raw, now: now(a)}
	r.header, r.claims, _ = jwtParts(raw) // for display only; Verify decides
	secret := a.getenv(envClientSecret)
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return usageError(fmt.Errorf("client secret: %w", err))
		}
		secret = strings.TrimRight(string(b), "\r\n")
	}
	if f.accessTokenFile != "" {
		in, err := readToken(a, f.accessTokenFile)
		if err != nil {
			return err
		}
		if r.want.AccessToken, _, err = in.pick("", core.HintAccessToken); err != nil {
			return err
		}
	}
	r.want.Nonce, r.want.ACR = f.nonce, f.acr
	if f.maxAge > 0 {
		r.want.MaxAge, r.want.MaxAgeSet = f.maxAge, true
	}
	audience := f.audience
	r.audGiven = audience != ""
	if audience == "" {
		audience = tokenAudience(r.claims)
		if audience == "" {
			return usagef("the token names no single audience: give --audience")
		}
	}
	dopts := []oidc.DiscoverOption{oidc.WithHTTPClient(a.httpClient)}
	if a.clock != nil {
		dopts = append(dopts, oidc.WithClock(a.clock.Now))
	}
	r.md, err = oidc.Discover(ctx, f.issuer, dopts...)
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	vc := oidc.VerifierConfig{ClientID: audience, ClientSecret: secret, HTTPClient: a.httpClient}
	if a.clock != nil {
		vc.Now = a.clock.Now
	}
	if secret != "" {
		// The allow-list is the advertised one: HS* join it only when the
		// issuer lists them and the secret is known.
		vc.Algorithms = r.md.IDTokenSigningAlgValuesSupported
	}
	r.v, err = r.md.NewVerifier(vc)
	if err != nil {
		return fmt.Errorf("the issuer's metadata cannot verify tokens: %w", err)
	}
	defer r.v.Close()
	_, verr := r.v.Verify(ctx, raw, r.want)
	results := r.results(verr)
	if g.json {
		out := verifyJSON{Issuer: f.issuer, Audience: audience, Verified: verr == nil, Checks: results, Header: r.header, Claims: r.claims}
		if verr != nil {
			out.Error, out.Errors = verr.Error(), errorNames(verr)
		}
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else {
		printVerify(a.stdout, r, f.issuer, audience, results, verr)
	}
	if verr != nil {
		return failure(errReported)
	}
	return nil
}

// results turns the outcome of Verify into one line per check.
func (r *verifyRun) results(verr error) []checkResult {
	failed := -1
	if verr != nil {
		failed = len(verifyChecks) - 1
	find:
		for i, c := range verifyChecks {
			for _, e := range c.errs {
				if errors.Is(verr, e) {
					failed = i
					break find
				}
			}
		}
	}
	out := make([]checkResult, 0, len(verifyChecks))
	for i, c := range verifyChecks {
		res := checkResult{Name: c.name}
		asked, why := true, ""
		if c.asked != nil {
			asked, why = c.asked(r)
		}
		switch {
		case i == failed:
			res.Status, res.Detail = "failed", verr.Error()
		case failed >= 0 && i > failed:
			res.Status = "not run"
		case !asked:
			res.Status, res.Detail = "skipped", why
		default:
			res.Status = "ok"
			if c.detail != nil {
				res.Detail = c.detail(r)
			}
		}
		out = append(out, res)
	}
	return out
}

// statusMarks are the first column of the readable report.
var statusMarks = map[string]string{"ok": "ok", "failed": "FAIL", "skipped": "skip", "not run": "-"}

func printVerify(w io.Writer, r *verifyRun, issuer, audience string, results []checkResult, verr error) {
	head := &section{}
	head.add("issuer", issuer)
	head.add("client id", audience)
	head.add("jwks_uri", r.md.JWKSURL)
	printSections(w, head)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Checks")
	s := &section{}
	for _, res := range results {
		s.rows = append(s.rows, [2]string{statusMarks[res.Status] + "\t" + res.Name, res.Detail})
	}
	s.print(w)
	fmt.Fprintln(w)
	if verr == nil {
		fmt.Fprintln(w, "The ID token is valid.")
		return
	}
	fmt.Fprintf(w, "The ID token is refused: %s\n", strings.Join(errorNames(verr), ", "))
}

// verifyInput returns the token: the argument, --token-file or standard
// input; from a token file, its id_token.
func verifyInput(a *app, f *verifyFlags, args []string) (string, error) {
	path := "-"
	switch {
	case len(args) == 1 && f.tokenFile != "":
		return "", usagef("give the token as the argument or with --token-file, not both")
	case len(args) == 1 && args[0] != "-":
		in, err := parseToken([]byte(args[0]), "the argument")
		if err != nil {
			return "", err
		}
		return in.idToken()
	case f.tokenFile != "":
		path = f.tokenFile
	}
	in, err := readToken(a, path)
	if err != nil {
		return "", err
	}
	return in.idToken()
}

// idToken returns the ID token of a token input.
func (in *tokenInput) idToken() (string, error) {
	if in.raw != "" {
		return in.raw, nil
	}
	if in.token.IDToken == "" {
		return "", usagef("the token answer has no id_token")
	}
	return in.token.IDToken, nil
}

// tokenAudience returns the token's audience when it names exactly one
// (or its azp), "" otherwise.
func tokenAudience(claims map[string]any) string {
	switch aud := claims["aud"].(type) {
	case string:
		return aud
	case []any:
		if len(aud) == 1 {
			s, _ := aud[0].(string)
			return s
		}
	}
	s, _ := claims["azp"].(string)
	return s
}
