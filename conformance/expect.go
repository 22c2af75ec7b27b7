package conformance

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// checkOutcome compares what the operation returned with the scenario's
// expectation.
func checkOutcome(s *Scenario, out outcome, b *binder, now time.Time) []string {
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }
	if out.err != nil {
		msg := out.err.Error()
		for _, n := range append(secretPlaceholders[:len(secretPlaceholders):len(secretPlaceholders)], b.idTokens...) {
			if v := b.get(n); len(v) >= 4 && strings.Contains(msg, v) {
				add("the error message leaks the value of {{%s}}", n)
			}
		}
	}
	if s.Op == OpAuthorizationURL {
		return append(diffs, checkAuthURL(s.Authorization, out.authURL, b)...)
	}
	e := s.Expect
	if e == nil {
		e = &Expect{}
	}
	if e.Error != nil {
		return append(diffs, checkError(e.Error, out, b)...)
	}
	if out.err != nil {
		add("got error %s, want %s", b.describe(out.err.Error()), wantedResult(s.Op, e))
		return diffs
	}
	switch {
	case e.Token != nil:
		diffs = append(diffs, checkToken(e.Token, out.token, b, now)...)
	case e.User != nil:
		diffs = append(diffs, checkUser(e.User, out.user, b)...)
	}
	return diffs
}

func wantedResult(op Op, e *Expect) string {
	switch {
	case e.Token != nil:
		return "a token"
	case e.User != nil:
		return "a user"
	case op == OpRevocation:
		return "a successful revocation"
	}
	return "success"
}

func checkAuthURL(want *AuthorizationURL, got string, b *binder) []string {
	u, err := url.Parse(got)
	if err != nil {
		return []string{fmt.Sprintf("authorization URL does not parse: %v", err)}
	}
	var diffs []string
	if w := b.expand(want.URL); !match(w, endpointOf(u)) {
		diffs = append(diffs, fmt.Sprintf("authorization URL: got endpoint %s, want %s", b.describe(endpointOf(u)), b.describe(w)))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		diffs = append(diffs, fmt.Sprintf("authorization URL: query does not parse: %v", err))
	}
	diffs = append(diffs, compareFields("authorization parameter", expandMap(want.Query, b), q, Auth{}, b)...)
	if w := b.expand(want.Fragment); !match(w, u.Fragment) && (w != "" || u.Fragment != "") {
		diffs = append(diffs, fmt.Sprintf("authorization URL: got fragment %s, want %s", b.describe(u.Fragment), b.describe(w)))
	}
	return diffs
}

func checkError(want *ErrorExpectation, out outcome, b *binder) []string {
	if out.err == nil {
		switch {
		case out.token != nil:
			return []string{fmt.Sprintf("got a token, want error %s (was an error answer taken for success?)", want.describe())}
		case out.user != nil:
			return []string{fmt.Sprintf("got a user, want error %s", want.describe())}
		}
		return []string{fmt.Sprintf("got success, want error %s", want.describe())}
	}
	var diffs []string
	got := b.describe(out.err.Error())
	if want.Is != "" {
		if !errors.Is(out.err, sentinels[want.Is]) {
			diffs = append(diffs, fmt.Sprintf("got error %s, want one matching %s", got, want.describe()))
		}
		var se *core.StatusError
		if want.Status != 0 && errors.As(out.err, &se) && se.Status != want.Status {
			diffs = append(diffs, fmt.Sprintf("error status: got HTTP %d, want %d", se.Status, want.Status))
		}
		return diffs
	}
	var pe *core.Error
	if !errors.Is(out.err, &core.Error{Code: core.ErrorCode(want.Code)}) || !errors.As(out.err, &pe) {
		return []string{fmt.Sprintf("got error %s, want %s", got, want.describe())}
	}
	if pe.ProviderCode != want.ProviderCode {
		diffs = append(diffs, fmt.Sprintf("error provider code: got %q, want %q", pe.ProviderCode, want.ProviderCode))
	}
	if want.Status != 0 && pe.StatusCode != want.Status {
		diffs = append(diffs, fmt.Sprintf("error status: got HTTP %d, want %d", pe.StatusCode, want.Status))
	}
	if want.Description != "" && pe.Description != b.expand(want.Description) {
		diffs = append(diffs, fmt.Sprintf("error description: got %s, want %s", b.describe(pe.Description), b.describe(b.expand(want.Description))))
	}
	return diffs
}

func (e *ErrorExpectation) describe() string {
	if e.Is != "" {
		return "is " + e.Is
	}
	s := "code " + e.Code
	if e.ProviderCode != "" {
		s += " (provider code " + e.ProviderCode + ")"
	}
	return s
}

func checkToken(want *TokenExpectation, got *core.Token, b *binder, now time.Time) []string {
	if got == nil {
		return []string{"got no token and no error"}
	}
	var diffs []string
	field := func(name, want, got string) {
		if w := b.expand(want); w != got {
			diffs = append(diffs, fmt.Sprintf("token %s: got %s, want %s", name, b.describe(got), b.describe(w)))
		}
	}
	field("access_token", want.AccessToken, got.AccessToken)
	field("token_type", want.TokenType, got.TokenType)
	field("refresh_token", want.RefreshToken, got.RefreshToken)
	field("id_token", want.IDToken, got.IDToken)
	field("scope", want.Scope, got.Scope)
	field("user_id", want.UserID, got.UserID)
	var secs int64
	if !got.Expiry.IsZero() {
		secs = int64(math.Round(got.Expiry.Sub(now).Seconds()))
	}
	if secs != want.ExpiresIn {
		diffs = append(diffs, fmt.Sprintf("token expires_in: got %d seconds after the clock, want %d", secs, want.ExpiresIn))
	}
	diffs = append(diffs, compareRaw("token raw", want.Raw, got.Raw, b)...)
	if len(want.IDTokenClaims) > 0 {
		claims, err := idTokenClaims(got.IDToken)
		if err != nil {
			return append(diffs, "token id_token_claims: "+err.Error())
		}
		diffs = append(diffs, compareRaw("id_token claim", want.IDTokenClaims, claims, b)...)
	}
	return diffs
}

// idTokenClaims decodes the payload of a compact JWS without checking it:
// the operation verified it already.
func idTokenClaims(raw string) (map[string]any, error) {
	if raw == "" {
		return nil, errors.New("the token has no ID token")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("the ID token is not a compact JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	if err == nil {
		err = decodeJSON(payload, &claims)
	}
	if err != nil || claims == nil {
		return nil, errors.New("the ID token's payload is not a JSON object")
	}
	return claims, nil
}

func checkUser(want *UserExpectation, got *core.User, b *binder) []string {
	if got == nil {
		return []string{"got no user and no error"}
	}
	var diffs []string
	field := func(name, want, got string) {
		if w := b.expand(want); w != got {
			diffs = append(diffs, fmt.Sprintf("user %s: got %s, want %s", name, b.describe(got), b.describe(w)))
		}
	}
	field("id", want.ID, got.ID)
	field("email", want.Email, got.Email)
	field("name", want.Name, got.Name)
	field("username", want.Username, got.Username)
	field("avatar_url", want.AvatarURL, got.AvatarURL)
	field("union_id", want.UnionID, got.UnionID)
	if want.EmailVerified != got.EmailVerified {
		diffs = append(diffs, fmt.Sprintf("user email_verified: got %t, want %t", got.EmailVerified, want.EmailVerified))
	}
	return append(diffs, compareRaw("user raw", want.Raw, got.Raw, b)...)
}

// compareRaw compares the listed raw members as JSON values.
func compareRaw(kind string, want map[string]json.RawMessage, got map[string]any, b *binder) []string {
	var diffs []string
	for _, k := range sortedKeys(want) {
		gv, ok := got[k]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s %q: missing", kind, k))
			continue
		}
		var w any
		if err := decodeJSON(b.expandJSON(want[k]), &w); err != nil {
			diffs = append(diffs, fmt.Sprintf("%s %q: the cassette's value does not decode: %v", kind, k, err))
			continue
		}
		gt, err := json.Marshal(gv)
		var g any
		if err == nil {
			err = decodeJSON(gt, &g)
		}
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("%s %q: cannot encode the returned value: %v", kind, k, err))
			continue
		}
		for _, d := range compareJSON(k, w, g, Auth{}, b) {
			diffs = append(diffs, kind+" "+d)
		}
	}
	return diffs
}
