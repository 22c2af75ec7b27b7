package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Token type hints for Revoke and Introspect: they tell the server which
// kind of token it is given (RFC 7009 §2.1); "" sends no hint.
const (
	HintAccessToken  = "access_token"
	HintRefreshToken = "refresh_token"
)

// Revoke revokes a token at the revocation endpoint (RFC 7009). An HTTP 200
// is success whatever the body says, also for a token that was already
// invalid (§2.2). A 503 is returned as an error whose Retryable reports
// true, with the Retry-After hint: the token must be assumed still valid.
func (c *Client) Revoke(ctx context.Context, token, hint string) error {
	r := c.newRequest(OpRevoke, c.cfg.Endpoints.RevocationURL)
	r.Params.Set("token", token)
	r.Params.setIfNotEmpty("token_type_hint", hint)
	resp, err := c.send(ctx, r, true)
	if err != nil {
		return err
	}
	if resp.Status >= 200 && resp.Status <= 299 && !c.dialect.RevocationErrorsIn2xx {
		return nil
	}
	if err := c.judge(OpRevoke, resp, FormatJSON); err != nil {
		if resp.Status >= 200 && resp.Status <= 299 && errors.Is(err, ErrMalformedResponse) {
			return nil // a 2xx body that is not JSON is still success
		}
		return c.scrub(err, r)
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		return nil
	}
	return &StatusError{Op: OpRevoke, Status: resp.Status}
}

// Introspection is an RFC 7662 §2.2 answer. An inactive token has only
// Active false; the other members are meaningful only when Active is true.
type Introspection struct {
	Active    bool
	Scope     string
	ClientID  string
	Username  string
	TokenType string
	Expiry    time.Time
	IssuedAt  time.Time
	NotBefore time.Time
	Subject   string
	Audience  []string
	Issuer    string
	JTI       string
	// Raw holds every member of the answer.
	Raw map[string]any
}

// Introspect asks the introspection endpoint about a token (RFC 7662).
func (c *Client) Introspect(ctx context.Context, token, hint string) (*Introspection, error) {
	r := c.newRequest(OpIntrospect, c.cfg.Endpoints.IntrospectionURL)
	r.Params.Set("token", token)
	r.Params.setIfNotEmpty("token_type_hint", hint)
	resp, err := c.call(ctx, r, true, FormatJSON)
	if err != nil {
		return nil, err
	}
	f := resp.Fields
	active, ok := f["active"].(bool)
	if !ok {
		return nil, fmt.Errorf("oauth20: introspection: %w: active is missing or not a boolean", ErrMalformedResponse)
	}
	in := &Introspection{Active: active, Raw: f}
	if !active {
		return in, nil
	}
	in.Scope, in.ClientID, in.Username = jsonmap.String(f, "scope"), jsonmap.String(f, "client_id"), jsonmap.String(f, "username")
	in.TokenType, in.Subject, in.Issuer, in.JTI = jsonmap.String(f, "token_type"), jsonmap.String(f, "sub"), jsonmap.String(f, "iss"), jsonmap.String(f, "jti")
	in.Expiry, in.IssuedAt, in.NotBefore = unixTime(f["exp"]), unixTime(f["iat"]), unixTime(f["nbf"])
	switch a := f["aud"].(type) {
	case string:
		in.Audience = []string{a}
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok {
				in.Audience = append(in.Audience, s)
			}
		}
	}
	return in, nil
}

// unixTime reads a NumericDate; zero for anything else.
func unixTime(v any) time.Time {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0)
}
