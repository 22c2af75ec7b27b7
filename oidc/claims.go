package oidc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/golang-jwt/jwt/v5"
)

// maxUnixTime is 9999-12-31T23:59:59Z; later NumericDates are rejected.
const maxUnixTime = 253402300799

// claim presence bits.
const (
	hasIss uint32 = 1 << iota
	hasSub
	hasAud
	hasAzp
	hasExp
	hasIat
	hasNbf
	hasAuthTime
	hasNonce
	hasAtHash
	hasCHash
	hasACR
	hasSID
	hasTID
	hasEvents
	hasJTI
)

// backChannelLogoutEvent is the member a logout token's events claim must
// hold (OpenID Connect Back-Channel Logout 1.0 §2.4).
const backChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// claimSet holds the registered claims of one JWT payload. It implements
// jwt.Claims so golang-jwt decodes the payload into it; its UnmarshalJSON
// reads the claims with exact, case-sensitive names and rejects duplicate
// names. Decoding problems are recorded in err rather than returned, so that
// they are reported only after the signature has been verified (a forged
// token always fails as a bad signature, never as a claim error alone).
type claimSet struct {
	payload []byte // a copy of the payload
	text    string // string(payload); the claim strings read are slices of it

	// t receives the claims core.IDToken has fields for.
	t      *core.IDToken
	has    uint32
	cHash  string
	tid    string
	jti    string
	audBuf [2]string
	// logoutEvent is true when events holds the back-channel logout member
	// with an object value.
	logoutEvent bool

	decoded bool
	err     error
}

var _ jwt.Claims = (*claimSet)(nil)

// UnmarshalJSON implements json.Unmarshaler. It never fails; see claimSet.
func (c *claimSet) UnmarshalJSON(data []byte) error {
	c.decoded = true
	c.payload = bytes.Clone(data)
	c.text = string(c.payload)
	if err := eachMember(c.payload, c.member); err != nil && c.err == nil {
		c.err = fmt.Errorf("%w: payload: %v", ErrMalformedToken, err)
	}
	return nil
}

func (c *claimSet) fail(name, reason string) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: claim %q %s", ErrMalformedToken, name, reason)
	}
}

// member stores one payload member. Names match exactly: "Sub" is not sub.
func (c *claimSet) member(name []byte, vs, ve int) error {
	if ve-vs == 4 && c.text[vs:ve] == "null" {
		return nil // null is the same as absent
	}
	switch string(name) {
	case "iss":
		c.stringClaim(hasIss, &c.t.Issuer, "iss", vs, ve)
	case "sub":
		c.stringClaim(hasSub, &c.t.Subject, "sub", vs, ve)
	case "azp":
		c.stringClaim(hasAzp, &c.t.AuthorizedParty, "azp", vs, ve)
	case "nonce":
		c.stringClaim(hasNonce, &c.t.Nonce, "nonce", vs, ve)
	case "at_hash":
		c.stringClaim(hasAtHash, &c.t.AccessTokenHash, "at_hash", vs, ve)
	case "c_hash":
		c.stringClaim(hasCHash, &c.cHash, "c_hash", vs, ve)
	case "acr":
		c.stringClaim(hasACR, &c.t.ACR, "acr", vs, ve)
	case "sid":
		c.stringClaim(hasSID, &c.t.SessionID, "sid", vs, ve)
	case "tid":
		c.stringClaim(hasTID, &c.tid, "tid", vs, ve)
	case "jti":
		c.stringClaim(hasJTI, &c.jti, "jti", vs, ve)
	case "aud":
		c.audience(vs, ve)
	case "exp":
		c.dateClaim(hasExp, &c.t.Expiry, "exp", vs, ve)
	case "iat":
		c.dateClaim(hasIat, &c.t.IssuedAt, "iat", vs, ve)
	case "nbf":
		c.dateClaim(hasNbf, &c.t.NotBefore, "nbf", vs, ve)
	case "auth_time":
		c.dateClaim(hasAuthTime, &c.t.AuthTime, "auth_time", vs, ve)
	case "amr":
		if err := json.Unmarshal(c.payload[vs:ve], &c.t.AMR); err != nil {
			c.fail("amr", "is not an array of strings")
		}
	case "events":
		c.events(vs, ve)
	}
	return nil
}

// stringAt decodes the JSON string at [vs, ve).
func (c *claimSet) stringAt(vs, ve int) (string, bool) {
	if ve-vs < 2 || c.payload[vs] != '"' {
		return "", false
	}
	raw := c.payload[vs+1 : ve-1]
	for _, b := range raw {
		if b == '\\' || b < 0x20 || b >= 0x7f {
			var s string
			if err := json.Unmarshal(c.payload[vs:ve], &s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return c.text[vs+1 : ve-1], true
}

func (c *claimSet) stringClaim(bit uint32, dst *string, name string, vs, ve int) {
	s, ok := c.stringAt(vs, ve)
	if !ok {
		c.fail(name, "is not a string")
		return
	}
	*dst = s
	c.has |= bit
}

func (c *claimSet) audience(vs, ve int) {
	if c.payload[vs] == '"' {
		s, ok := c.stringAt(vs, ve)
		if !ok {
			c.fail("aud", "is not a string")
			return
		}
		c.audBuf[0] = s
		c.t.Audience = c.audBuf[:1]
		c.has |= hasAud
		return
	}
	c.t.Audience = c.audBuf[:0]
	ok := eachElement(c.payload[vs:ve], func(es, ee int) bool {
		s, ok := c.stringAt(vs+es, vs+ee)
		if ok {
			c.t.Audience = append(c.t.Audience, s)
		}
		return ok
	})
	if !ok {
		c.t.Audience = nil
		c.fail("aud", "is neither a string nor an array of strings")
		return
	}
	c.has |= hasAud
}

func (c *claimSet) dateClaim(bit uint32, dst *time.Time, name string, vs, ve int) {
	t, ok := numericDate(c.text[vs:ve])
	if !ok {
		c.fail(name, "is not a NumericDate")
		return
	}
	*dst = t
	c.has |= bit
}

// numericDate parses a JSON number of seconds since the epoch (RFC 7519 §2).
// Strings, booleans, negative, non-finite and absurdly large values fail.
func numericDate(s string) (time.Time, bool) {
	if len(s) == 0 || len(s) > 40 {
		return time.Time{}, false
	}
	if len(s) <= 12 {
		var n int64
		digits := true
		for i := 0; i < len(s); i++ {
			d := s[i]
			if d < '0' || d > '9' {
				digits = false
				break
			}
			n = n*10 + int64(d-'0')
		}
		if digits {
			if n > maxUnixTime || (len(s) > 1 && s[0] == '0') {
				return time.Time{}, false
			}
			return time.Unix(n, 0), true
		}
	}
	if c := s[0]; c != '-' && (c < '0' || c > '9') {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxUnixTime {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

func (c *claimSet) events(vs, ve int) {
	if c.payload[vs] != '{' {
		c.fail("events", "is not an object")
		return
	}
	c.has |= hasEvents
	err := eachMember(c.payload[vs:ve], func(name []byte, es, _ int) error {
		if string(name) == backChannelLogoutEvent && c.payload[vs+es] == '{' {
			c.logoutEvent = true
		}
		return nil
	})
	if err != nil {
		c.fail("events", "is not a valid object")
	}
}

// The jwt.Claims methods are not used: golang-jwt's claim validation is
// switched off and Verify checks every claim itself with its own clock and
// errors.

func (c *claimSet) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (c *claimSet) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (c *claimSet) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (c *claimSet) GetIssuer() (string, error)                   { return c.t.Issuer, nil }
func (c *claimSet) GetSubject() (string, error)                  { return c.t.Subject, nil }
func (c *claimSet) GetAudience() (jwt.ClaimStrings, error)       { return c.t.Audience, nil }
