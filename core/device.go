package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// defaultPollInterval is used when the device authorization answer has no
// interval (RFC 8628 §3.2).
const defaultPollInterval = 5 * time.Second

// slowDownStep is added to the interval for this and every later poll after
// a slow_down answer (RFC 8628 §3.5).
const slowDownStep = 5 * time.Second

// DeviceAuth is a device authorization answer (RFC 8628 §3.2). Show
// UserCode and VerificationURI to the user verbatim; the library never
// opens VerificationURIComplete itself.
type DeviceAuth struct {
	DeviceCode              string
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	// Interval is the minimum wait between polls (5 s when not given).
	Interval time.Duration
	// Expiry is when the device code stops being valid.
	Expiry time.Time
	// Raw holds every member of the answer.
	Raw map[string]any
}

// ErrDeviceAuthResponse reports a device authorization answer that lacks a
// required member.
var ErrDeviceAuthResponse = errors.New("oauth20: invalid device authorization response")

// DeviceAuthorize starts the device authorization grant (RFC 8628 §3.1)
// with the client's scopes unless WithParam("scope", …) is given.
func (c *Client) DeviceAuthorize(ctx context.Context, opts ...Option) (*DeviceAuth, error) {
	g := &grantRequest{scopes: c.cfg.Scopes}
	for _, o := range opts {
		o.applyGrant(g)
	}
	r := c.newRequest(OpDeviceAuth, c.cfg.Endpoints.DeviceAuthURL)
	r.Method, r.Format = "POST", FormatForm
	// The request always names the client in the form, whatever the
	// authentication (RFC 8628 §3.1 allows it): some servers read only the
	// form and would otherwise issue a code for no client.
	r.Params.Set("client_id", c.cfg.ClientID)
	if len(g.scopes) > 0 {
		r.Params.Set("scope", strings.Join(g.scopes, c.dialect.scopeSeparator()))
	}
	if g.params != nil {
		g.params.Each(r.Params.Set)
	}
	resp, err := c.call(ctx, r, true, FormatJSON)
	if err != nil {
		return nil, err
	}
	f := resp.Fields
	da := &DeviceAuth{
		DeviceCode: jsonmap.String(f, "device_code"), UserCode: jsonmap.String(f, "user_code"),
		VerificationURI:         firstNonEmpty(jsonmap.String(f, "verification_uri"), jsonmap.String(f, "verification_url")),
		VerificationURIComplete: jsonmap.String(f, "verification_uri_complete"),
		Interval:                defaultPollInterval, Raw: f,
	}
	for name, v := range map[string]string{"device_code": da.DeviceCode, "user_code": da.UserCode, "verification_uri": da.VerificationURI} {
		if v == "" {
			return nil, fmt.Errorf("%w: %s is missing", ErrDeviceAuthResponse, name)
		}
	}
	exp, ok, err := seconds(f["expires_in"])
	if err != nil || !ok || exp <= 0 {
		return nil, fmt.Errorf("%w: expires_in is missing or invalid", ErrDeviceAuthResponse)
	}
	da.Expiry = c.clock.Now().Add(time.Duration(exp * float64(time.Second)))
	if iv, ok, err := seconds(f["interval"]); err == nil && ok && iv > 0 {
		da.Interval = time.Duration(iv * float64(time.Second))
	}
	return da, nil
}

// DeviceToken polls the token endpoint until the user approves, denies, or
// the code expires (RFC 8628 §3.4, §3.5). An ID token in the answer is
// verified with Config.IDTokenVerifier, or dropped when there is none. It waits Interval before every
// poll, adds 5 s to the interval for this and all later polls after
// slow_down, keeps polling on authorization_pending, stops on any other
// error, and ends with ErrDeviceCodeExpired at Expiry or with ctx.Err()
// when ctx ends. On a transport failure it doubles the wait (§3.5 asks to
// back off) and tries again until Expiry.
func (c *Client) DeviceToken(ctx context.Context, da *DeviceAuth) (*Token, error) {
	interval := da.Interval
	if interval <= 0 {
		interval = defaultPollInterval
	}
	wait := interval
	for {
		if !c.clock.Now().Add(wait).Before(da.Expiry) {
			return nil, ErrDeviceCodeExpired
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.clock.After(wait):
		}
		r := c.newRequest(OpDeviceToken, c.cfg.Endpoints.TokenURL)
		r.Params.Set("grant_type", "urn:ietf:params:oauth:grant-type:device_code")
		r.Params.Set("device_code", da.DeviceCode)
		if c.cfg.AuthMethod != AuthNone {
			r.Params.Set("client_id", c.cfg.ClientID)
		}
		t, err := c.tokenRequest(ctx, r, &grantRequest{})
		var oe *Error
		switch {
		case err == nil:
			if t.IDToken != "" {
				if _, err := c.verifyIDToken(ctx, t, IDTokenExpectations{AccessToken: t.AccessToken}); err != nil {
					return nil, fmt.Errorf("oauth20: %s: ID token: %w", OpDeviceToken, err)
				}
			}
			return t, nil
		case errors.As(err, &oe) && oe.Code == CodeAuthorizationPending:
			wait = interval
		case errors.As(err, &oe) && oe.Code == CodeSlowDown:
			interval += slowDownStep
			wait = interval
		case errors.Is(err, ErrTransport) && ctx.Err() == nil:
			wait *= 2
		default:
			return nil, err
		}
	}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
