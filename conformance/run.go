package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

// Run replays every scenario of c against p, each as a subtest of t named
// after the scenario (go test -run 'Conformance/github/exchange_error'),
// and reports every difference with t.Error. Scenarios run in parallel,
// each on a fresh HTTP client whose transport is an httpmock transport
// (never the global one) and with a clock fixed at the cassette's time.
// p is not modified. An invalid cassette fails t at once.
//
// p must be built with fake credentials: they are bound to
// {{client_id}}, {{client_secret}} and {{redirect_uri}}.
func Run(t *testing.T, p *core.Provider, c *Cassette) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			for _, d := range replay(t.Context(), p, c, s) {
				t.Errorf("conformance: %s/%s: %s", c.Provider, s.Name, d)
			}
		})
	}
}

// Check replays every scenario of c against p, like Run, outside a test.
// It returns an error only for an invalid cassette; the provider's
// differences are in the report.
func Check(ctx context.Context, p *core.Provider, c *Cassette) (*Report, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	r := &Report{Provider: c.Provider}
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		src := c.SourceOf(s)
		r.Scenarios = append(r.Scenarios, ScenarioResult{Name: s.Name, Source: src, Problems: replay(ctx, p, c, s)})
		if src == "" || strings.HasPrefix(src, UnverifiedPrefix) {
			r.Unverified++
		}
	}
	return r, nil
}

// Report is the outcome of Check.
type Report struct {
	Provider  string
	Scenarios []ScenarioResult
	// Unverified counts the scenarios whose source is "unverified: …" or
	// missing: their shapes pass the replay but nobody checked them against
	// the provider.
	Unverified int
}

// ScenarioResult lists one scenario's differences; none means it passed.
type ScenarioResult struct {
	Name string
	// Source is where the scenario's shapes come from (Scenario.Source).
	Source   string
	Problems []string
}

// OK reports whether every scenario passed.
func (r *Report) OK() bool { return r.Err() == nil }

// Err returns nil when every scenario passed, else an error with one line
// per difference, each naming the provider and scenario.
func (r *Report) Err() error {
	var lines []string
	for _, s := range r.Scenarios {
		for _, p := range s.Problems {
			lines = append(lines, fmt.Sprintf("%s/%s: %s", r.Provider, s.Name, p))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return errors.New("conformance: " + strings.Join(lines, "\nconformance: "))
}

// String is one line per scenario: "ok name" or "FAIL name (n problems)".
func (r *Report) String() string {
	var b strings.Builder
	for _, s := range r.Scenarios {
		if len(s.Problems) == 0 {
			fmt.Fprintf(&b, "ok   %s/%s\n", r.Provider, s.Name)
		} else {
			fmt.Fprintf(&b, "FAIL %s/%s (%d problems)\n", r.Provider, s.Name, len(s.Problems))
		}
	}
	fmt.Fprintf(&b, "%s: %d scenarios, %d unverified\n", r.Provider, len(r.Scenarios), r.Unverified)
	return b.String()
}

// fixedClock stands still; After fires at once.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func (c fixedClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- c.t.Add(d)
	return ch
}

func (c *Cassette) now() time.Time {
	if c.Clock.IsZero() {
		return DefaultClock
	}
	return c.Clock
}

// outcome is what an operation returned.
type outcome struct {
	authURL string
	token   *core.Token
	user    *core.User
	err     error
}

// replay runs one scenario on a fresh client and lists its differences.
func replay(ctx context.Context, p *core.Provider, c *Cassette, s *Scenario) []string {
	b := newBinder(coreaccess.Spec(p), c.Provider, s.Name, c.Values)
	clock := fixedClock{c.now()}
	if err := b.signIDTokens(c, clock.t); err != nil {
		return []string{err.Error()}
	}
	pl := newPlayer(b, s.Interactions, c.Shared)
	q := coreaccess.WithRuntime(p, &http.Client{Transport: pl.transport()}, clock, nil)
	defer q.Close()
	out := drive(ctx, q, c, s, b, clock.t)
	diffs := pl.problems()
	diffs = append(diffs, pl.unused()...)
	return append(diffs, checkOutcome(s, out, b, clock.t)...)
}

// sendsNonce reports whether a login with spec sends a nonce, and so
// requires it back in the ID token, as core.Auth does.
func sendsNonce(spec core.ProviderSpec) bool { return spec.OIDC && !spec.NonceUnsupported }

// drive performs the scenario's operation as the login flow would, at
// time now.
func drive(ctx context.Context, p *core.Provider, c *Cassette, s *Scenario, b *binder, now time.Time) outcome {
	cl, err := p.Client(ctx)
	if err != nil {
		return outcome{err: err}
	}
	spec := coreaccess.Spec(p)
	in := s.Input
	or := func(v, def string) string {
		if v == "" {
			v = def
		}
		return b.expand(v)
	}
	switch s.Op {
	case OpAuthorizationURL:
		var opts []core.Option
		if coreaccess.PKCE(p, cl) {
			opts = append(opts, core.WithPKCE(b.get("code_verifier")))
		}
		if sendsNonce(spec) {
			opts = append(opts, core.WithParam("nonce", b.get("nonce")))
		}
		opts = append(opts, spec.AuthOptions...)
		for _, k := range sortedKeys(in.Params) {
			opts = append(opts, core.WithParam(b.expand(k), b.expand(in.Params[k])))
		}
		return outcome{authURL: cl.AuthCodeURL(b.get("state"), opts...)}
	case OpExchange:
		var opts []core.Option
		if coreaccess.PKCE(p, cl) {
			opts = append(opts, core.WithPKCE(b.get("code_verifier")))
		}
		for _, k := range sortedKeys(in.Params) {
			opts = append(opts, core.WithParam(b.expand(k), b.expand(in.Params[k])))
		}
		if spec.CheckCallback != nil {
			// As Auth.Complete: the provider checks the callback and
			// names what the exchange carries.
			carried, err := spec.CheckCallback(b.values(in.Callback), now)
			if err != nil {
				return outcome{err: fmt.Errorf("%w: %w", core.ErrInvalidCallback, err)}
			}
			if carried != nil {
				carried.Each(func(k, v string) { opts = append(opts, core.WithParam(k, v)) })
			}
		}
		t, err := cl.Exchange(ctx, or(in.Code, "{{code}}"), opts...)
		if err == nil && spec.OIDC && len(c.IDTokens) > 0 {
			nonce := ""
			if sendsNonce(spec) {
				nonce = b.get("nonce")
			}
			if _, err = verifyIDToken(ctx, p, t.IDToken, core.IDTokenExpectations{Nonce: nonce, AccessToken: t.AccessToken}); err != nil {
				return outcome{err: err}
			}
		}
		return outcome{token: t, err: err}
	case OpRefresh:
		var opts []core.Option
		if len(in.Scopes) > 0 {
			scopes := make([]string, len(in.Scopes))
			for i, sc := range in.Scopes {
				scopes[i] = b.expand(sc)
			}
			opts = append(opts, core.WithParam("scope", strings.Join(scopes, " ")))
		}
		for _, k := range sortedKeys(in.Params) {
			opts = append(opts, core.WithParam(b.expand(k), b.expand(in.Params[k])))
		}
		t, err := cl.Refresh(ctx, or(in.RefreshToken, "{{refresh_token}}"), opts...)
		return outcome{token: t, err: err}
	case OpRevocation:
		return outcome{err: cl.Revoke(ctx, or(in.Token, "{{access_token}}"), b.expand(in.TokenTypeHint))}
	case OpUser:
		tok := &core.Token{AccessToken: or(in.AccessToken, "{{access_token}}"), TokenType: "Bearer", Raw: map[string]any{}}
		for k, v := range in.TokenFields {
			tok.Raw[k] = b.expand(v)
		}
		cb := b.values(in.Callback)
		var id *core.IDToken
		if in.IDToken != "" {
			// A placeholder names a signed ID token; anything else is a
			// recorded token, used as it is.
			raw := in.IDToken
			if strings.HasPrefix(raw, "{{") {
				raw = b.expand(raw)
			}
			if id, err = verifyIDToken(ctx, p, raw, core.IDTokenExpectations{Nonce: b.expand(in.Nonce), AccessToken: tok.AccessToken}); err != nil {
				return outcome{err: err}
			}
		}
		u, err := p.User(ctx, core.UserRequest{Client: cl, Token: tok, IDToken: id, Callback: cb})
		return outcome{user: u, err: err}
	}
	return outcome{err: fmt.Errorf("conformance: unknown operation %q", s.Op)}
}

// values returns m with its values expanded, as callback parameters.
func (b *binder) values(m map[string]string) url.Values {
	v := url.Values{}
	for k, s := range m {
		v.Set(k, b.expand(s))
	}
	return v
}

// verifyIDToken verifies raw with p's verifier, as core.Auth does after an
// exchange: a missing ID token is core.ErrNoIDToken.
func verifyIDToken(ctx context.Context, p *core.Provider, raw string, want core.IDTokenExpectations) (*core.IDToken, error) {
	if raw == "" {
		return nil, core.ErrNoIDToken
	}
	v, err := coreaccess.Verifier(ctx, p)
	if err == nil && v == nil {
		err = fmt.Errorf("conformance: provider %q has an ID token to verify but no verifier", p.Name())
	}
	if err != nil {
		return nil, err
	}
	return v.VerifyIDToken(ctx, raw, want)
}
