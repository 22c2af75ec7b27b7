package core

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/internal/httpx"
)

// newRequest starts a request for op to endpoint with the dialect's token
// method and format.
func (c *Client) newRequest(op string, endpoint string) *Request {
	// One allocation for the request, its parameters and room for eight of
	// them: this is on the path of every token call.
	box := &struct {
		r          Request
		p          Params
		keys, vals [8]string
	}{}
	box.p.keys, box.p.vals = box.keys[:0], box.vals[:0]
	r := &box.r
	*r = Request{Op: op, Method: http.MethodPost, URL: endpoint, Header: http.Header{}, Format: FormatForm, Clock: c.clock, Params: &box.p}
	if op != OpUserInfo {
		if c.dialect.TokenMethod == http.MethodGet {
			r.Method, r.Format = http.MethodGet, FormatQuery
		} else if f := c.dialect.TokenFormat; f != FormatDefault && f != FormatForm {
			r.Format = f
		}
	}
	return r
}

// response is a provider's answer as the library saw it.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	// Fields is the decoded body (nil when it was not decoded).
	Fields map[string]any
}

// send authenticates r when auth is true, applies the dialect, sends it and
// returns the answer. It reports transport failures (wrapping
// ErrTransport), oversized bodies (ErrResponseTooLarge) and answers the
// dialect's CheckResponse refuses, and nothing else: callers decode and
// judge the answer.
func (c *Client) send(ctx context.Context, r *Request, auth bool) (*response, error) {
	return c.sendBound(ctx, r, auth, "")
}

// sendBound is send for a request that may carry a DPoP proof: those to
// the authorization server's token-issuing and revocation endpoints when
// the client has a DPoP key, and a resource request with a DPoP-bound
// accessToken. A use_dpop_nonce challenge is answered with one retry that
// carries the server's nonce (RFC 9449 §8, §9); the request is prepared
// again for it (a client assertion is single use).
func (c *Client) sendBound(ctx context.Context, r *Request, auth bool, accessToken string) (*response, error) {
	if r.URL == "" {
		return nil, fmt.Errorf("%w: %s", ErrNoEndpoint, r.Op)
	}
	proof := c.cfg.DPoPKey != nil && (accessToken != "" || dpopOps[r.Op])
	if !proof {
		return c.sendOnce(ctx, r, auth, "")
	}
	orig := *r
	orig.Params, orig.Header = r.Params.clone(), r.Header.Clone()
	for attempt := 0; ; attempt++ {
		resp, err := c.sendOnce(ctx, r, auth, accessToken)
		if err != nil || attempt > 0 || !c.nonces.challenged(resp, accessToken != "") {
			return resp, err
		}
		*r = orig
		r.Params, r.Header = orig.Params.clone(), orig.Header.Clone()
	}
}

// sendOnce prepares r (client authentication, the dialect), adds a DPoP
// proof when the client has a key and either the operation takes one or
// accessToken is a DPoP-bound token, and sends it once.
func (c *Client) sendOnce(ctx context.Context, r *Request, auth bool, accessToken string) (*response, error) {
	if auth {
		if err := c.authenticate(r); err != nil {
			return nil, err
		}
	}
	d := c.dialect
	if r.Op != OpUserInfo {
		for std, wire := range d.ParamNames {
			r.Params.rename(std, wire)
		}
		r.Params.moveToFront(d.TokenParamOrder)
	}
	for k, v := range d.Headers {
		if r.Header.Get(k) == "" {
			r.Header.Set(k, v)
		}
	}
	if d.EditRequest != nil {
		if err := d.EditRequest(r); err != nil {
			return nil, err
		}
		// The hook may have put a map of its own there, and may have
		// written names that are not canonical: send a copy with every
		// name in its canonical form, as Header.Add would have.
		h := make(http.Header, len(r.Header)+3)
		for k, vs := range r.Header {
			ck := textproto.CanonicalMIMEHeaderKey(k)
			h[ck] = append(h[ck], vs...)
		}
		r.Header = h
	}
	target := r.URL
	var body io.Reader
	switch r.Format {
	case FormatQuery:
		target = appendQuery(target, r.Params)
	case FormatJSON:
		r.Header["Content-Type"] = []string{"application/json"}
		body = bytes.NewReader(encodeJSONParams(r.Params))
	default:
		if r.Params.size() > 0 || r.Method != http.MethodGet {
			r.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
			body = strings.NewReader(r.Params.encode())
		}
	}
	if r.Header.Get("Accept") == "" {
		r.Header["Accept"] = []string{"application/json"}
	}
	// The request's header map is handed to resty as it is, the body as a
	// reader (net/http sets its length), and the answer is read here
	// (httpx.ReadBody): resty would otherwise copy the header and the body
	// twice each and read the answer in small steps.
	req := c.http.R()
	req.SetContext(ctx)
	req.SetDoNotParseResponse(true)
	req.Header = r.Header
	if body != nil {
		req.SetBody(body)
	}
	var start time.Time
	debug := c.log.Enabled(ctx, slog.LevelDebug)
	if debug {
		start = c.clock.Now()
	}
	if c.cfg.DPoPKey != nil && (accessToken != "" || dpopOps[r.Op]) {
		proof, err := c.dpopProof(r.Method, target, accessToken)
		if err != nil {
			return nil, err
		}
		req.Header.Set("DPoP", proof)
	}
	resp, err := req.Execute(r.Method, target)
	var raw []byte
	if err == nil {
		raw, err = httpx.ReadBody(resp.RawResponse)
	} else if resp != nil && resp.RawResponse != nil && resp.RawResponse.Body != nil {
		resp.RawResponse.Body.Close()
	}
	if err != nil {
		err = transportError(r, err)
		if debug {
			c.log.LogAttrs(ctx, slog.LevelDebug, "oauth20: provider call failed",
				slog.String("op", r.Op), slog.String("endpoint", redactURL(r.URL)), slog.String("error", err.Error()))
		}
		return nil, err
	}
	out := &response{Status: resp.StatusCode(), Header: resp.Header(), Body: raw}
	if c.cfg.DPoPKey != nil {
		c.nonces.remember(target, accessToken != "", out.Header.Get("DPoP-Nonce"))
	}
	if debug {
		c.log.LogAttrs(ctx, slog.LevelDebug, "oauth20: provider call",
			slog.String("op", r.Op), slog.String("endpoint", redactURL(r.URL)),
			slog.Int("status", out.Status), slog.Duration("duration", c.clock.Now().Sub(start)))
	}
	if d.CheckResponse != nil {
		if err := d.CheckResponse(r, out.Status, out.Body); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// call sends r and decodes the answer in the dialect's format, running the
// error detectors on every status. A 2xx answer without a detected error is
// returned decoded.
func (c *Client) call(ctx context.Context, r *Request, auth bool, format Format) (*response, error) {
	resp, err := c.send(ctx, r, auth)
	if err != nil {
		return nil, err
	}
	if err := c.judge(r.Op, resp, format); err != nil {
		return nil, c.scrub(err, r)
	}
	return resp, nil
}

// secretParams are the request parameters whose values must never be
// repeated in an error, even when a provider echoes them back.
var secretParams = []string{"client_secret", "code", "code_verifier", "refresh_token", "token", "client_assertion", "device_code", "access_token"}

// scrub removes from a provider's error description the client secret and
// any secret value that the request carried, in case the provider echoed it.
func (c *Client) scrub(err error, r *Request) error {
	e, ok := err.(*Error)
	if !ok || e.Description == "" {
		return err
	}
	redact := func(v string) {
		if len(v) >= 4 {
			e.Description = strings.ReplaceAll(e.Description, v, "[redacted]")
		}
	}
	redact(c.cfg.ClientSecret)
	for _, k := range secretParams {
		redact(r.Params.Get(k))
		redact(r.Params.Get(c.dialect.paramName(k)))
	}
	return e
}

// judge decodes resp and turns provider errors into *Error, other non-2xx
// answers into ErrUnexpectedStatus and undecodable 2xx answers into
// ErrMalformedResponse.
func (c *Client) judge(op string, resp *response, format Format) error {
	fields, derr := decodeBody(format, resp.Body)
	if derr != nil && format != FormatJSON && format != FormatDefault {
		// An error body may still be JSON when the success format is not.
		if f, err := decodeBody(FormatJSON, resp.Body); err == nil {
			fields, derr = f, nil
		}
	}
	resp.Fields = fields
	if fields != nil {
		for _, det := range c.dialect.detectors() {
			if e := det(resp.Status, fields); e != nil {
				e.Endpoint = op
				if e.StatusCode == 0 {
					e.StatusCode = resp.Status
				}
				e.RetryAfter = retryAfter(resp.Header, c.clock.Now())
				return e
			}
		}
	}
	if resp.Status < 200 || resp.Status > 299 {
		if resp.Status == http.StatusUnauthorized {
			if e := bearerChallenge(resp.Header); e != nil {
				e.Endpoint, e.StatusCode = op, resp.Status
				return e
			}
		}
		return &StatusError{Op: op, Status: resp.Status, ContentType: resp.Header.Get("Content-Type"),
			RetryAfter: retryAfter(resp.Header, c.clock.Now()), Location: redactURL(resp.Header.Get("Location"))}
	}
	if derr != nil {
		return fmt.Errorf("oauth20: %s: %w", op, derr)
	}
	return nil
}

// StatusError is a non-2xx answer that carried no recognisable OAuth error
// (an HTML error page, a bare 503, a redirect). It wraps
// ErrUnexpectedStatus.
type StatusError struct {
	Op          string
	Status      int
	ContentType string
	// RetryAfter is the server's Retry-After hint, zero when absent.
	RetryAfter time.Duration
	// Location is the redirect target without its query, for 3xx answers.
	Location string
}

// Error implements error: the operation, the status, the content type and a
// redirect target without its query.
func (e *StatusError) Error() string {
	s := fmt.Sprintf("oauth20: %s: unexpected HTTP status %d", e.Op, e.Status)
	if e.ContentType != "" {
		s += " (" + strconv.Quote(truncate(e.ContentType, 60)) + ")"
	}
	if e.Location != "" {
		s += " redirecting to " + strconv.Quote(e.Location)
	}
	return s
}

// Unwrap returns ErrUnexpectedStatus.
func (e *StatusError) Unwrap() error { return ErrUnexpectedStatus }

// transportError describes a failed request of the pipeline.
func transportError(r *Request, err error) error {
	return httpx.TransportError(r.Op, r.Method, r.URL, err)
}

// redactURL drops the query, fragment and user info of a URL.
func redactURL(raw string) string { return httpx.RedactURL(raw) }

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// bearerChallenge reads RFC 6750 §3 WWW-Authenticate: Bearer error="...",
// or its RFC 9449 §7.1 counterpart for DPoP.
func bearerChallenge(h http.Header) *Error {
	v := h.Get("WWW-Authenticate")
	var rest string
	switch {
	case len(v) >= 6 && strings.EqualFold(v[:6], "bearer"):
		rest = v[6:]
	case len(v) >= 4 && strings.EqualFold(v[:4], "dpop"):
		rest = v[4:]
	default:
		return nil
	}
	params := parseAuthParams(rest)
	if params["error"] == "" {
		return nil
	}
	return &Error{Code: ErrorCode(params["error"]), Description: params["error_description"], URI: params["error_uri"]}
}

func parseAuthParams(s string) map[string]string {
	out := map[string]string{}
	for len(s) > 0 {
		s = strings.TrimLeft(s, " ,")
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			break
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = s[eq+1:]
		var val string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				break
			}
			val, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		out[key] = val
	}
	return out
}

// encodeJSONParams writes the parameters as a JSON object of strings, in
// order.
func encodeJSONParams(p *Params) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	i := 0
	p.Each(func(k, v string) {
		if i > 0 {
			b.WriteByte(',')
		}
		i++
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	})
	b.WriteByte('}')
	return b.Bytes()
}
