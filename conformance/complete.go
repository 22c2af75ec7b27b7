package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

// Complete fills the expect block of every scenario of c that has none by
// replaying it against p and writing down what p returned: the token (its
// expiry as seconds after the cassette's clock), the user, or the error
// (its code, provider code, status and description, or the core sentinel
// it matches). Generated and recorded values are written as their
// placeholders. Scenarios that already have an expectation are left
// alone.
//
// Complete turns a recording into a regression test of the provider as it
// is now: read the expectations before committing them, since they are
// only as right as the provider was. It fails, changing nothing, when a
// scenario's requests differ from the recording (the provider under test
// is not the one that was recorded) or the cassette is invalid.
func Complete(ctx context.Context, p *core.Provider, c *Cassette) error {
	if err := c.validate("", false); err != nil {
		return err
	}
	expects := make([]*Expect, len(c.Scenarios))
	var errs []error
	for i := range c.Scenarios {
		s := &c.Scenarios[i]
		if s.Op == OpAuthorizationURL || s.Expect != nil {
			continue
		}
		b := newBinder(coreaccess.Spec(p), c.Provider, s.Name, c.Values)
		clock := fixedClock{c.now()}
		if err := b.signIDTokens(c, clock.t); err != nil {
			return fmt.Errorf("conformance: %s/%s: %w", c.Provider, s.Name, err)
		}
		pl := newPlayer(b, s.Interactions, c.Shared)
		q := coreaccess.WithRuntime(p, &http.Client{Transport: pl.transport()}, clock, nil)
		out := drive(ctx, q, c, s, b, clock.t)
		_ = q.Close()
		for _, d := range append(pl.problems(), pl.unused()...) {
			errs = append(errs, fmt.Errorf("conformance: %s/%s: %s", c.Provider, s.Name, d))
		}
		expects[i] = describeOutcome(s.Op, out, b, clock.t)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, e := range expects {
		if e != nil {
			c.Scenarios[i].Expect = e
		}
	}
	return c.Validate()
}

// sentinelOrder is the order in which Complete tries the sentinels: the
// most specific first.
var sentinelOrder = []string{
	"nonce_mismatch", "at_hash_mismatch", "issuer_mismatch", "audience_mismatch", "authorized_party_mismatch",
	"token_expired", "issued_in_future", "token_not_yet_valid", "invalid_subject", "refresh_mismatch",
	"bad_signature", "unknown_key", "key_not_usable", "unsupported_algorithm", "malformed_token",
	"userinfo_subject_mismatch", "response_too_large", "missing_access_token", "unsupported_token_type", "invalid_expiry",
	"no_endpoint", "no_refresh_token", "no_user_id", "no_id_token", "invalid_callback", "unexpected_status",
	"malformed_response", "transport",
}

func describeOutcome(op Op, out outcome, b *binder, now time.Time) *Expect {
	if out.err != nil {
		var pe *core.Error
		if errors.As(out.err, &pe) {
			return &Expect{Error: &ErrorExpectation{Code: string(pe.Code), ProviderCode: pe.ProviderCode,
				Status: pe.StatusCode, Description: b.unbind(pe.Description)}}
		}
		e := &ErrorExpectation{Is: "transport"}
		for _, n := range sentinelOrder {
			if errors.Is(out.err, sentinels[n]) {
				e.Is = n
				break
			}
		}
		var se *core.StatusError
		if errors.As(out.err, &se) {
			e.Status = se.Status
		}
		return &Expect{Error: e}
	}
	switch {
	case out.token != nil:
		t := out.token
		te := &TokenExpectation{AccessToken: b.unbind(t.AccessToken), TokenType: t.TokenType,
			RefreshToken: b.unbind(t.RefreshToken), IDToken: b.unbind(t.IDToken), Scope: t.Scope, UserID: b.unbind(t.UserID)}
		if !t.Expiry.IsZero() {
			te.ExpiresIn = int64(math.Round(t.Expiry.Sub(now).Seconds()))
		}
		if claims, err := idTokenClaims(t.IDToken); err == nil && claims["sub"] != nil {
			if sub, err := json.Marshal(claims["sub"]); err == nil {
				te.IDTokenClaims = map[string]json.RawMessage{"sub": sub}
			}
		}
		return &Expect{Token: te}
	case out.user != nil:
		u := out.user
		return &Expect{User: &UserExpectation{ID: b.unbind(u.ID), Email: b.unbind(u.Email), EmailVerified: u.EmailVerified,
			Name: b.unbind(u.Name), Username: b.unbind(u.Username), AvatarURL: b.unbind(u.AvatarURL), UnionID: b.unbind(u.UnionID)}}
	}
	return &Expect{}
}
