package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// TestDialects proves that each wire quirk of the issue can be expressed
// with a Dialect and is handled end to end.
func TestDialects(t *testing.T) {
	t.Parallel()
	wechat := &Dialect{
		ParamNames: map[string]string{"client_id": "appid", "client_secret": "secret"}, TokenMethod: http.MethodGet,
		TokenParamOrder:  []string{"appid", "secret", "code", "grant_type"},
		DefaultTokenType: "Bearer",
		ErrorDetectors:   []errorDetector{codeDetector("errcode", "errmsg", map[string]ErrorCode{"40029": CodeInvalidGrant})},
		EditToken: func(t *Token, f map[string]any) error {
			t.Raw["seen_by_hook"] = jsonmap.String(f, "openid")
			return nil
		},
	}
	dingtalk := &Dialect{
		ParamNames:  map[string]string{"client_id": "clientId", "client_secret": "clientSecret", "grant_type": "grantType"},
		TokenFormat: FormatJSON, TokenFields: map[string]string{"access_token": "accessToken", "refresh_token": "refreshToken", "expires_in": "expireIn"},
		DefaultTokenType: "Bearer",
	}
	tests := []struct {
		name        string
		dialect     *Dialect
		auth        AuthMethod
		contentType string
		body        string
		checkReq    func(t *testing.T, r recorded)
		checkTok    func(t *testing.T, tok *Token)
		wantErr     error
		wantCode    ErrorCode
		wantPCode   string
	}{
		{
			name: "GET with query parameters, JSON as text/plain", dialect: wechat, auth: AuthSecretPost,
			contentType: "text/plain", body: `{"access_token":"a","expires_in":7200,"refresh_token":"r","openid":"o1","scope":"snsapi_login"}`,
			checkReq: func(t *testing.T, r recorded) {
				if r.Method != "GET" || r.Body != "" {
					t.Errorf("method %s body %q", r.Method, r.Body)
				}
				want := "appid=client-1&secret=s3cret-value&code=the-code&grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback"
				if r.RawQuery != want {
					t.Errorf("query\n got %s\nwant %s", r.RawQuery, want)
				}
			},
			checkTok: func(t *testing.T, tok *Token) {
				if tok.TokenType != "Bearer" || tok.Raw["openid"] != "o1" || tok.Raw["seen_by_hook"] != "o1" {
					t.Errorf("token %v raw %v", tok, tok.Raw)
				}
			},
		},
		{
			name: "errcode/errmsg in HTTP 200", dialect: wechat, auth: AuthSecretPost, contentType: "text/plain",
			body: `{"errcode":40029,"errmsg":"invalid code"}`, wantErr: ErrInvalidGrant, wantCode: CodeInvalidGrant, wantPCode: "40029",
		},
		{
			name: "JSON body with other parameter names and camelCase answer", dialect: dingtalk, auth: AuthSecretPost,
			contentType: "application/json", body: `{"accessToken":"a","refreshToken":"r","expireIn":7200,"corpId":"c"}`,
			checkReq: func(t *testing.T, r recorded) {
				var m map[string]string
				if err := json.Unmarshal([]byte(r.Body), &m); err != nil || r.Header.Get("Content-Type") != "application/json" {
					t.Fatalf("body %q (%v) content type %q", r.Body, err, r.Header.Get("Content-Type"))
				}
				if m["clientId"] != "client-1" || m["clientSecret"] != "s3cret-value" || m["grantType"] != "authorization_code" || m["code"] != "the-code" {
					t.Errorf("body %v", m)
				}
			},
			checkTok: func(t *testing.T, tok *Token) {
				if tok.AccessToken != "a" || tok.RefreshToken != "r" || tok.Expiry.IsZero() {
					t.Errorf("token %v", tok)
				}
			},
		},
		{
			name: "form-encoded answer", dialect: &Dialect{Response: FormatForm}, contentType: "text/plain",
			body: "access_token=fa&token_type=bearer&expires_in=7776000&refresh_token=fr",
			checkTok: func(t *testing.T, tok *Token) {
				if tok.AccessToken != "fa" || tok.RefreshToken != "fr" || tok.Expiry.IsZero() {
					t.Errorf("token %v", tok)
				}
			},
		},
		{
			name: "JSONP answer", dialect: &Dialect{Response: FormatJSONP}, contentType: "text/html",
			body: ` callback( {"access_token":"ja","token_type":"Bearer"} ); `,
			checkTok: func(t *testing.T, tok *Token) {
				if tok.AccessToken != "ja" {
					t.Errorf("token %v", tok)
				}
			},
		},
		{
			name: "auto picks form", dialect: &Dialect{Response: FormatAuto}, body: "access_token=x&token_type=bearer",
			checkTok: func(t *testing.T, tok *Token) {
				if tok.AccessToken != "x" {
					t.Errorf("token %v", tok)
				}
			},
		},
		{
			name: "form dialect still reads a JSON error", dialect: &Dialect{Response: FormatForm}, contentType: "application/json",
			body: `{"error":"invalid_grant"}`, wantErr: ErrInvalidGrant, wantCode: CodeInvalidGrant,
		},
		{
			name: "numeric error member", dialect: &Dialect{Response: FormatJSONP},
			body: `callback( {"error":100019,"error_description":"code to access token error"} );`, wantErr: ErrProviderError, wantCode: CodeProviderError, wantPCode: "100019",
		},
		{
			name: "error member in HTTP 200", body: `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired.","error_uri":"https://docs.example/e"}`,
			contentType: "application/json", wantErr: ErrInvalidGrant, wantCode: CodeInvalidGrant, wantPCode: "bad_verification_code",
		},
		{
			name: "envelope with code and msg", dialect: &Dialect{Envelope: "data", DefaultTokenType: "Bearer", ErrorDetectors: []errorDetector{codeDetector("code", "msg", nil), detectRFC6749}},
			body: `{"code":0,"msg":"ok","data":{"access_token":"env","expires_in":"7200"}}`,
			checkTok: func(t *testing.T, tok *Token) {
				if tok.AccessToken != "env" || tok.Expiry.IsZero() {
					t.Errorf("token %v", tok)
				}
			},
		},
		{
			name: "envelope error", dialect: &Dialect{Envelope: "data", ErrorDetectors: []errorDetector{codeDetector("code", "msg", nil)}},
			body: `{"code":20003,"msg":"code expired"}`, wantErr: ErrProviderError, wantCode: CodeProviderError, wantPCode: "20003",
		},
		{
			name: "ok false", dialect: &Dialect{ErrorDetectors: []errorDetector{okFalseDetector(map[string]ErrorCode{"invalid_code": CodeInvalidGrant})}},
			body: `{"ok":false,"error":"invalid_code"}`, wantErr: ErrInvalidGrant, wantCode: CodeInvalidGrant, wantPCode: "invalid_code",
		},
		{
			name: "facebook error object", body: `{"error":{"message":"Invalid verification code format.","type":"OAuthException","code":100}}`,
			wantErr: ErrInvalidRequest, wantCode: CodeInvalidRequest, wantPCode: "100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", 200, tt.contentType, tt.body)
			c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = tt.dialect; cfg.AuthMethod = tt.auth })
			tok, err := c.Exchange(context.Background(), "the-code")
			if tt.checkReq != nil {
				tt.checkReq(t, f.last(t))
			}
			if tt.wantErr != nil {
				var oe *Error
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &oe) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if oe.Code != tt.wantCode || oe.ProviderCode != tt.wantPCode || oe.StatusCode != 200 || oe.Endpoint != "exchange" {
					t.Errorf("error %+v", oe)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.checkTok(t, tok)
		})
	}
}

func TestExpiresInShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    time.Duration
		wantErr bool
	}{
		{`3600`, time.Hour, false},
		{`"3600"`, time.Hour, false},
		{`3599.9`, 3599900 * time.Millisecond, false},
		{`0`, 0, false},
		{`-1`, 0, true},
		{`1e12`, 0, true},
		{`"soon"`, 0, true},
		{`true`, 0, true},
		{`1e400`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			now := time.Unix(1_700_000_000, 0)
			fields, err := decodeBody(FormatJSON, []byte(`{"access_token":"a","token_type":"Bearer","expires_in":`+tt.raw+`}`))
			if err != nil {
				if tt.wantErr {
					return // 1e400 does not even decode as a number the JSON way
				}
				t.Fatal(err)
			}
			tok, err := tokenFromFields(rfc6749, fields, now, false)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidExpiry) {
					t.Fatalf("err = %v, want ErrInvalidExpiry", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got time.Duration
			if !tok.Expiry.IsZero() {
				got = tok.Expiry.Sub(now)
			}
			if got != tt.want {
				t.Errorf("lifetime %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSignedRequestAndCheckResponse: with AuthSignedRequest the library
// adds no credential and the dialect's EditRequest signs the finished
// request; CheckResponse sees each answer's exact bytes with the request
// that got it, for token calls and resource calls alike, and its error
// refuses the answer.
func TestSignedRequestAndCheckResponse(t *testing.T) {
	t.Parallel()
	const goodAnswer = `{"access_token" : "a",  "token_type":"Bearer"}`
	f := newFakeServer(t)
	f.answer("/token", 200, "application/json", goodAnswer)
	f.answer("/user", 200, "application/json", `{"id": "7"}`)
	type seen struct {
		op, sig string
		body    string
	}
	var got []seen
	d := &Dialect{
		EditRequest: func(r *Request) error {
			r.Params.Set("sig", "signed:"+r.Params.Get("grant_type")+r.Params.Get("q"))
			return nil
		},
		CheckResponse: func(r *Request, status int, body []byte) error {
			got = append(got, seen{r.Op, r.Params.Get("sig"), string(body)})
			if string(body) != goodAnswer && r.Op != OpUserInfo {
				return fmt.Errorf("%w: not the signed text", ErrMalformedResponse)
			}
			return nil
		},
	}
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.ClientSecret, cfg.AuthMethod, cfg.Dialect = "", AuthSignedRequest, d
	})
	ctx := context.Background()
	if _, err := c.Exchange(ctx, "the-code"); err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if r.Header.Get("Authorization") != "" || r.Form.Has("client_id") || r.Form.Has("client_secret") || r.Form.Get("sig") != "signed:authorization_code" {
		t.Errorf("token request header %q form %v", r.Header.Get("Authorization"), r.Form)
	}
	q := &Params{}
	q.Set("q", "1")
	if _, err := c.Resource(ctx, ResourceRequest{URL: f.URL + "/user", Query: q, NoBearer: true}); err != nil {
		t.Fatal(err)
	}
	want := []seen{{OpExchange, "signed:authorization_code", goodAnswer}, {OpUserInfo, "signed:1", `{"id": "7"}`}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("CheckResponse saw %+v, want %+v", got, want)
	}

	f.answer("/token", 200, "application/json", `{"access_token":"a","token_type":"Bearer"}`)
	if _, err := c.Exchange(ctx, "the-code"); !errors.Is(err, ErrMalformedResponse) {
		t.Errorf("an answer CheckResponse refuses: err = %v", err)
	}

	_, err := NewClient(Config{ClientID: "c", AuthMethod: AuthSignedRequest, Endpoints: Endpoints{TokenURL: "https://as.example/token"}})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("AuthSignedRequest without a signing dialect: err = %v", err)
	}
}
