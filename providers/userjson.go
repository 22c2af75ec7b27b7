package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-oauth20/oauth20/core"
)

// fetchJSON is shared by providers whose user endpoints answer with
// something other than a JSON object (GitHub's /user/emails is an array),
// which core.Client.Resource does not decode. It GETs rawURL through the
// client's own HTTP client (its transport, timeout and body cap) with the
// access token as a Bearer credential, and decodes the answer into out with
// numbers as json.Number. Errors have the kinds of core's: a provider error
// body becomes *core.Error, another non-2xx answer *core.StatusError, a
// network failure wraps core.ErrTransport and an undecodable body wraps
// core.ErrMalformedResponse. No token appears in an error.
func fetchJSON(ctx context.Context, c *core.Client, rawURL string, tok *core.Token, header http.Header, out any) error {
	req := c.HTTPClient().R().SetContext(ctx)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if tok != nil {
		req.SetHeader("Authorization", "Bearer "+tok.AccessToken)
	}
	if req.Header.Get("Accept") == "" {
		req.SetHeader("Accept", "application/json")
	}
	resp, err := req.Get(rawURL)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return fmt.Errorf("%w: %s GET %q: %w", core.ErrTransport, core.OpUserInfo, endpointOnly(rawURL), err)
	}
	status := resp.StatusCode()
	if status < 200 || status > 299 {
		if fields, derr := core.DecodeBody(core.ResponseJSON, resp.Body()); derr == nil {
			if e := core.DetectRFC6749(status, fields); e != nil {
				e.Endpoint = string(core.OpUserInfo)
				return e
			}
		}
		return &core.StatusError{Op: core.OpUserInfo, Status: status, ContentType: resp.Header().Get("Content-Type")}
	}
	d := json.NewDecoder(bytes.NewReader(resp.Body()))
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		return fmt.Errorf("providers: %s %q: %w: the body does not decode as the expected JSON (%d bytes)",
			core.OpUserInfo, endpointOnly(rawURL), core.ErrMalformedResponse, len(resp.Body()))
	}
	return nil
}

// endpointOnly drops the query, fragment and user info of a URL for error
// messages.
func endpointOnly(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return u.String()
}
