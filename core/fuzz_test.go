package core

import (
	"errors"
	"testing"
	"time"
)

// fuzzDialects covers every decoding path of token answers.
var fuzzDialects = []*Dialect{
	rfc6749,
	{Response: FormatForm},
	{Response: FormatJSONP},
	{Response: FormatAuto},
	{Envelope: "data", DefaultTokenType: "Bearer", ErrorDetectors: []errorDetector{codeDetector("code", "msg", nil), detectRFC6749}},
	{DefaultTokenType: "Bearer", ErrorDetectors: []errorDetector{codeDetector("errcode", "errmsg", nil)}},
	{TokenFields: map[string]string{"access_token": "accessToken", "expires_in": "expireIn"}, DefaultTokenType: "Bearer"},
	{ErrorDetectors: []errorDetector{okFalseDetector(nil), detectRFC6749}},
}

// FuzzTokenResponse feeds arbitrary bodies through decoding, error
// detection and token extraction in every dialect: no panic, and the result
// is either a usable token or an error, never both or neither.
func FuzzTokenResponse(f *testing.F) {
	for _, s := range []string{
		okToken, `{"access_token":"a","token_type":"bearer","expires_in":"3600"}`,
		`{"error":"invalid_grant","error_description":"x"}`, `{"errcode":40029,"errmsg":"invalid code"}`,
		`callback( {"client_id":"1","openid":"2"} );`, "access_token=a&token_type=bearer&expires_in=10",
		`{"code":0,"data":{"access_token":"a","expires_in":1.5}}`, `{"ok":false,"error":"invalid_code"}`,
		`{"error":{"message":"m","type":"OAuthException","code":100}}`, `<html></html>`, ``, `{"expires_in":1e400}`,
	} {
		f.Add(s, 200)
		f.Add(s, 400)
	}
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, body string, status int) {
		for _, d := range fuzzDialects {
			c := &Client{dialect: d, clock: systemClock{}}
			resp := &response{Status: status, Body: []byte(body), Header: map[string][]string{}}
			err := c.judge(OpExchange, resp, d.Response)
			if err != nil {
				if resp.Status >= 200 && resp.Status < 300 {
					var oe *Error
					if !errors.As(err, &oe) && !errors.Is(err, ErrMalformedResponse) {
						t.Fatalf("2xx judged with unexpected error kind: %v", err)
					}
				}
				continue
			}
			tok, err := tokenFromFields(d, resp.Fields, now, false)
			if (tok == nil) == (err == nil) {
				t.Fatalf("token %v and error %v", tok, err)
			}
			if tok != nil && (tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Expiry.Before(now) && !tok.Expiry.IsZero()) {
				t.Fatalf("unusable token %v", tok)
			}
		}
	})
}
