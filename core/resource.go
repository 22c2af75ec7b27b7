package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// ResourceRequest is a call to a provider API with an access token, made by
// a provider's user fetch.
type ResourceRequest struct {
	// Method defaults to GET.
	Method string
	URL    string
	// Token is sent as "Authorization: Bearer ..." unless NoBearer is set
	// (RFC 6750 §2.1; never in the query unless the provider demands it,
	// in which case the provider puts it in Query itself). A token of type
	// TokenTypeDPoP is sent as "Authorization: DPoP ..." with a proof of the
	// client's DPoP key, and a use_dpop_nonce challenge is retried once
	// with the server's nonce; without the key the call fails with
	// ErrDPoPKeyMissing.
	Token    *Token
	NoBearer bool
	// Header adds request headers (Twitch's Client-Id, DingTalk's
	// x-acs-dingtalk-access-token).
	Header http.Header
	// Query parameters, appended to URL in order.
	Query *Params
	// Body parameters, sent as BodyFormat (form by default, or
	// FormatJSON); nil sends no body.
	Body       *Params
	BodyFormat Format
	// Format of the answer; default JSON.
	Format Format
	// Detectors find errors in the answer; nil means the dialect's.
	Detectors []errorDetector
	// Into, when set, receives a 2xx JSON answer decoded with
	// encoding/json (numbers as json.Number where it decodes into an
	// interface), and Resource returns nil fields. An object answer is first
	// checked by the detectors; an answer that is not an object (GitHub's
	// /user/emails is an array) is decoded as it is. When Into is a
	// *[]byte, it receives the body of any 2xx answer as it came, neither
	// decoded nor checked (a signed UserInfo answer is a JWT).
	Into any
}

// Resource calls a provider API and returns the decoded answer. Errors have
// the same kinds as token calls (an *Error for provider errors, including
// a 401 with a WWW-Authenticate Bearer challenge).
func (c *Client) Resource(ctx context.Context, rr ResourceRequest) (map[string]any, error) {
	r := c.newRequest(OpUserInfo, rr.URL)
	r.Method, r.Format = rr.Method, FormatQuery
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	for k, vs := range rr.Header {
		// The caller's values are shared, not copied (capped, so that an
		// append never writes into them); names are made canonical as
		// Header.Add would.
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if prev, ok := r.Header[ck]; ok {
			r.Header[ck] = append(prev[:len(prev):len(prev)], vs...)
		} else {
			r.Header[ck] = vs[:len(vs):len(vs)]
		}
	}
	bound := "" // a DPoP-bound access token, sent with a proof
	if rr.Token != nil && !rr.NoBearer {
		if strings.EqualFold(rr.Token.TokenType, TokenTypeDPoP) {
			if c.cfg.DPoPKey == nil {
				return nil, fmt.Errorf("oauth20: %s %s: %w", OpUserInfo, strconv.Quote(redactURL(rr.URL)), ErrDPoPKeyMissing)
			}
			bound = rr.Token.AccessToken
			r.Header.Set("Authorization", TokenTypeDPoP+" "+bound)
		} else {
			r.Header.Set("Authorization", "Bearer "+rr.Token.AccessToken)
		}
	}
	switch {
	case rr.Body != nil:
		r.URL = appendQuery(r.URL, rr.Query)
		r.Params, r.Format = rr.Body.clone(), rr.BodyFormat
		if r.Format == FormatDefault {
			r.Format = FormatForm
		}
	case rr.Query != nil:
		r.Params = rr.Query.clone()
	}
	resp, err := c.sendBound(ctx, r, false, bound)
	if err != nil {
		return nil, err
	}
	if raw, ok := rr.Into.(*[]byte); ok && resp.Status >= 200 && resp.Status <= 299 {
		*raw = resp.Body
		return nil, nil
	}
	if rr.Into != nil && resp.Status >= 200 && resp.Status <= 299 && !looksLikeObject(resp.Body) {
		d := json.NewDecoder(bytes.NewReader(resp.Body))
		d.UseNumber()
		if err := d.Decode(rr.Into); err != nil {
			return nil, fmt.Errorf("oauth20: %s %s: %w: %s", OpUserInfo, strconv.Quote(redactURL(rr.URL)), ErrMalformedResponse, describeBody(resp.Body))
		}
		return nil, nil
	}
	cc := c
	if rr.Detectors != nil {
		d := *c.dialect
		d.ErrorDetectors = rr.Detectors
		cp := *c
		cp.dialect = &d
		cc = &cp
	}
	if err := cc.judge(OpUserInfo, resp, rr.Format); err != nil {
		if rr.Token != nil {
			r.Params.Set("access_token", rr.Token.AccessToken)
		}
		return nil, c.scrub(err, r)
	}
	if rr.Into != nil {
		d := json.NewDecoder(bytes.NewReader(resp.Body))
		d.UseNumber()
		if err := d.Decode(rr.Into); err != nil {
			return nil, fmt.Errorf("oauth20: %s %s: %w: %s", OpUserInfo, strconv.Quote(redactURL(rr.URL)), ErrMalformedResponse, describeBody(resp.Body))
		}
		return nil, nil
	}
	return resp.Fields, nil
}

func looksLikeObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// appendQuery adds p to the query of u, in order, spaces as %20.
func appendQuery(u string, p *Params) string {
	return buildURL(u, p, "")
}

// buildURL returns u with p added to its query, in order, spaces as %20,
// and then the fragment (escaped), written into one buffer.
func buildURL(u string, p *Params, fragment string) string {
	if (p == nil || p.size() == 0) && fragment == "" {
		return u
	}
	var buf [1024]byte
	b := append(buf[:0], u...)
	if p != nil && p.size() > 0 {
		if strings.IndexByte(u, '?') >= 0 {
			b = append(b, '&')
		} else {
			b = append(b, '?')
		}
		b = p.appendTo(b, "%20")
	}
	if fragment != "" {
		b = append(b, '#')
		b = append(b, url.PathEscape(fragment)...)
	}
	return string(b)
}
