package providers

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// Alipay's authorization page and Open API gateway.
const (
	alipayAuthURL    = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm"
	alipayGatewayURL = "https://openapi.alipay.com/gateway.do"
)

// The gateway methods a login calls.
const (
	alipayTokenMethod = "alipay.system.oauth.token"
	alipayUserMethod  = "alipay.user.info.share"
)

// alipayZone is China Standard Time, the zone of the gateway's timestamp
// parameter.
var alipayZone = time.FixedZone("CST", 8*60*60)

// alipaySubCodes maps the gateway's sub_code values onto RFC codes; they
// are more precise than the code beside them.
var alipaySubCodes = map[string]core.ErrorCode{
	"isv.code-invalid":                 core.CodeInvalidGrant, // auth_code unknown, used or expired
	"isv.refresh-token-invalid":        core.CodeInvalidGrant,
	"isv.refresh-token-time-out":       core.CodeInvalidGrant,
	"isv.refreshed-token-invalid":      core.CodeInvalidGrant,
	"isv.grant-type-invalid":           core.CodeUnsupportedGrantType,
	"isv.invalid-app-id":               core.CodeInvalidClient,
	"isv.invalid-signature":            core.CodeInvalidClient,
	"isv.insufficient-isv-permissions": core.CodeUnauthorizedClient,
	"aop.invalid-auth-token":           core.CodeInvalidToken,
	"aop.auth-token-time-out":          core.CodeInvalidToken,
}

// alipayCodes maps the gateway's public codes, for sub_codes not listed
// above.
var alipayCodes = map[string]core.ErrorCode{
	"20000": core.CodeTemporarilyUnavailable, // service unavailable
	"20001": core.CodeInvalidToken,           // insufficient auth_token permissions
	"40001": core.CodeInvalidRequest,         // a required parameter is missing
	"40002": core.CodeInvalidRequest,         // an invalid parameter
	"40006": core.CodeUnauthorizedClient,     // insufficient app permissions
}

// Alipay returns a provider for Alipay (支付宝) user authorization on the
// web: the user consents on Alipay's page, and the code and the profile
// are fetched with RSA2-signed calls to Alipay's Open API gateway. appID
// is the app's APPID; appPrivateKey is the app's RSA private key (2048
// bits or more) and alipayPublicKey the Alipay public key shown for the
// app, each as PEM (PKCS #1 or PKCS #8, PKIX) or as the bare base64 text
// Alipay's key tool gives. It reports configuration problems, joined, each
// wrapping core.ErrInvalidConfig; it does no network I/O.
//
// Documentation: https://opendocs.alipay.com/open/02xtla
// (alipay.system.oauth.token), https://opendocs.alipay.com/open/02xtlb
// (alipay.user.info.share), https://opendocs.alipay.com/open/291/106118
// (signing) and https://opendocs.alipay.com/open/200/106120 (verifying).
//
// Quirks handled here:
//
//   - The authorization page is
//     https://openauth.alipay.com/oauth2/publicAppAuthorize.htm with app_id
//     (not client_id), scope, redirect_uri and state, and no
//     response_type. The default scope is auth_user (consent, then the
//     profile); auth_base logs in silently with the user's id only.
//   - The callback carries the code as auth_code. No PKCE: the login
//     relies on state.
//   - The code exchange and the refresh are gateway calls: a form POST to
//     https://openapi.alipay.com/gateway.do with app_id,
//     method=alipay.system.oauth.token, format=JSON, charset=utf-8,
//     sign_type=RSA2, timestamp (yyyy-MM-dd HH:mm:ss, China time, from the
//     client's clock), version=1.0, grant_type and code (or
//     refresh_token), and sign. No client secret, no redirect_uri.
//   - sign is SHA256withRSA with the app's private key, base64, over every
//     parameter but sign itself and those with empty values, sorted by
//     name and joined as name=value with '&', the values not URL-encoded.
//   - Every successful answer is verified: the gateway signs the exact
//     text of its <method>_response member (from '{' to '}') with Alipay's
//     private key, and the answer's sign must verify over those bytes with
//     Alipay's public key; an unsigned answer, a signature that does not
//     verify or a duplicated member is refused (core.ErrMalformedResponse).
//     Error answers are not verified: Alipay cannot sign for an unknown
//     app, and an error is reported either way. The certificate mode
//     (alipay_cert_sn) is not supported.
//   - Answers are HTTP 200. The token is in
//     alipay_system_oauth_token_response (access_token, refresh_token,
//     expires_in as a number or a string, re_expires_in, user_id or
//     open_id) without token_type (Bearer is assumed); errors come as
//     error_response, or inside the method's member, with code other than
//     "10000": isv.code-invalid (a code unknown, used or expired) and the
//     refused refresh tokens map to invalid_grant, isv.invalid-app-id and
//     isv.invalid-signature to invalid_client, code 20001
//     (aop.invalid-auth-token) to invalid_token. The sub_code, else the
//     code, stays in ProviderCode.
//   - The user is the gateway call alipay.user.info.share with the access
//     token as auth_token, answered in alipay_user_info_share_response. ID
//     is user_id (the 2088… id) when Alipay gives it, else open_id (apps
//     created since Alipay moved to OpenID get only that); UnionID
//     union_id, Name nick_name (absent when the user set none), AvatarURL
//     avatar. Alipay gives no email. An answer for a user other than the
//     token's is refused, also for a stored token (encoding/json, a session
//     with KeepTokens), which keeps the token answer's user_id, else its
//     open_id, in Token.UserID.
//   - No revocation endpoint and no OpenID Connect.
//
// Options: those every constructor takes (see Option); Alipay has one
// production installation, so there is no WithBaseURL.
//
// The returned provider is immutable and safe for concurrent use.
func Alipay(appID string, appPrivateKey, alipayPublicKey []byte, opts ...Option) (*core.Provider, error) {
	a := &alipay{appID: appID}
	var errs []error
	var err error
	if a.key, err = parseRSAPrivateKey(appPrivateKey); err != nil {
		errs = append(errs, fmt.Errorf("%w: alipay: the app private key: %w", core.ErrInvalidConfig, err))
	}
	if a.alipayKey, err = parseRSAPublicKey(alipayPublicKey); err != nil {
		errs = append(errs, fmt.Errorf("%w: alipay: the Alipay public key: %w", core.ErrInvalidConfig, err))
	}
	dialect := &core.Dialect{
		ParamNames:       map[string]string{"client_id": "app_id"},
		ScopeSeparator:   ",",
		AuthParamOrder:   []string{"app_id", "scope", "redirect_uri", "state"},
		Envelope:         "alipay_system_oauth_token_response",
		DefaultTokenType: "Bearer",
		ErrorDetectors:   []errorDetector{alipayError},
		EditRequest:      a.sign,
		EditToken:        alipayEditToken,
		CheckResponse:    a.verify,
		// The user call takes the access token as auth_token; sign signs
		// requests and answers, and app_auth_token is a merchant's token
		// that a service provider's calls carry.
		TokenParams:  []string{"auth_token"},
		SecretFields: []string{"sign", "app_auth_token"},
	}
	return collect(opts).build(appID, "", spec{
		name: "alipay", display: "Alipay", scopes: []string{"auth_user"},
		endpoints: core.Endpoints{
			AuthURL:     alipayAuthURL,
			TokenURL:    alipayGatewayURL,
			UserInfoURL: alipayGatewayURL,
		},
		method: core.AuthSignedRequest, dialect: dialect, pkce: core.PKCEUnsupported,
		authOptions: []core.Option{core.WithParam("response_type", "")},
		codeParams:  []string{"auth_code"},
		fetchUser:   a.fetchUser,
		userFields:  alipayUserFields,
	}, errs...)
}

// alipayUserFields are the members of Alipay's token and user answers that
// hold personal data.
var alipayUserFields = core.UserFields{
	ID: "user_id", UnionID: "union_id", Name: "nick_name", AvatarURL: "avatar",
	Personal: []string{"open_id", "alipay_user_id", "province", "city", "gender", "cert_no", "user_name",
		"person_birthday", "mobile", "email"},
}

// alipay holds the keys of one Alipay app: its own, which signs the
// requests, and Alipay's, which verifies the answers.
type alipay struct {
	appID     string
	key       *rsa.PrivateKey
	alipayKey *rsa.PublicKey
}

// sign turns a token or user request into a signed gateway call: the
// common parameters, the method's own, and sign.
func (a *alipay) sign(r *core.Request) error {
	p := r.Params
	switch r.Op {
	case core.OpExchange, core.OpRefresh:
		p.Del("redirect_uri")
		p.Del("code_verifier")
		p.Set("method", alipayTokenMethod)
	case core.OpUserInfo:
		if p.Get("method") == "" {
			return fmt.Errorf("providers: alipay: a gateway call without a method")
		}
	default:
		return fmt.Errorf("providers: alipay: the gateway has no %s", r.Op)
	}
	p.Set("app_id", a.appID)
	p.Set("format", "JSON")
	p.Set("charset", "utf-8")
	p.Set("sign_type", "RSA2")
	p.Set("timestamp", r.Clock.Now().In(alipayZone).Format(time.DateTime))
	p.Set("version", "1.0")
	return a.signParams(r)
}

// signParams signs r's parameters and sends them sorted by name, sign
// last.
func (a *alipay) signParams(r *core.Request) error {
	base, sorted := alipaySignedText(r.Params)
	sum := sha256.Sum256([]byte(base))
	sig, err := rsa.SignPKCS1v15(nil, a.key, crypto.SHA256, sum[:])
	if err != nil {
		return fmt.Errorf("providers: alipay: signing: %w", err)
	}
	sorted.Set("sign", base64.StdEncoding.EncodeToString(sig))
	r.Params, r.Method, r.Format = sorted, http.MethodPost, core.FormatForm
	return nil
}

// alipaySignedText returns the text Alipay's signature covers — every
// parameter but sign and those with empty values, sorted by name, joined as
// name=value with '&', the values as they are — and the parameters sorted
// by name, without sign.
func alipaySignedText(p *core.Params) (string, *core.Params) {
	type kv struct{ k, v string }
	var all []kv
	p.Each(func(k, v string) {
		if k != "sign" {
			all = append(all, kv{k, v})
		}
	})
	slices.SortFunc(all, func(x, y kv) int { return strings.Compare(x.k, y.k) })
	var base strings.Builder
	sorted := &core.Params{}
	for _, p := range all {
		sorted.Set(p.k, p.v)
		if p.v == "" {
			continue
		}
		if base.Len() > 0 {
			base.WriteByte('&')
		}
		base.WriteString(p.k + "=" + p.v)
	}
	return base.String(), sorted
}

// verify checks the signature of a successful gateway answer over the
// exact text of its <method>_response member.
func (a *alipay) verify(r *core.Request, status int, body []byte) error {
	if status < 200 || status > 299 {
		return nil
	}
	name := strings.ReplaceAll(r.Params.Get("method"), ".", "_") + "_response"
	members, err := alipayMembers(body)
	if err != nil {
		return fmt.Errorf("providers: alipay: %w: %v", core.ErrMalformedResponse, err)
	}
	signed, ok := members[name]
	if !ok {
		if _, isErr := members["error_response"]; isErr {
			return nil
		}
		return fmt.Errorf("providers: alipay: %w: the answer has no %s", core.ErrMalformedResponse, name)
	}
	if alipayFailed(signed) {
		return nil
	}
	if _, ok := members["alipay_cert_sn"]; ok {
		return fmt.Errorf("providers: alipay: %w: the answer is signed in certificate mode, which is not supported", core.ErrMalformedResponse)
	}
	var sign string
	if json.Unmarshal(members["sign"], &sign) != nil || sign == "" {
		return fmt.Errorf("providers: alipay: %w: the answer is not signed", core.ErrMalformedResponse)
	}
	sig, err := base64.StdEncoding.DecodeString(sign)
	sum := sha256.Sum256(signed)
	if err != nil || rsa.VerifyPKCS1v15(a.alipayKey, crypto.SHA256, sum[:], sig) != nil {
		return fmt.Errorf("providers: alipay: %w: the answer's signature does not verify with Alipay's public key", core.ErrMalformedResponse)
	}
	return nil
}

// alipayFailed reports whether a <method>_response member holds an error:
// a code other than "10000".
func alipayFailed(member []byte) bool {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(member))
	d.UseNumber()
	if d.Decode(&m) != nil {
		return false
	}
	code := jsonmap.String(m, "code")
	return code != "" && code != "10000"
}

// alipayError reports error_response, or a <method>_response member with a
// code other than "10000".
func alipayError(status int, body map[string]any) *core.Error {
	obj := jsonmap.Object(body, "error_response")
	if obj == nil {
		for _, k := range slices.Sorted(maps.Keys(body)) {
			if o := jsonmap.Object(body, k); o != nil && strings.HasSuffix(k, "_response") {
				obj = o
				break
			}
		}
	}
	code := jsonmap.String(obj, "code")
	if obj == nil || code == "" || code == "10000" {
		return nil
	}
	e := &core.Error{Code: core.CodeProviderError, ProviderCode: code, Description: jsonmap.String(obj, "sub_msg"), StatusCode: status}
	if e.Description == "" {
		e.Description = jsonmap.String(obj, "msg")
	}
	sub := jsonmap.String(obj, "sub_code")
	if sub != "" {
		e.ProviderCode = sub
	}
	if std, ok := alipaySubCodes[sub]; ok {
		e.Code = std
	} else if std, ok := alipayCodes[code]; ok {
		e.Code = std
	}
	return e
}

func (a *alipay) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	body := &core.Params{}
	body.Set("method", alipayUserMethod)
	body.Set("auth_token", r.Token.AccessToken)
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		Method: http.MethodPost, URL: r.Client.Endpoints().UserInfoURL, Token: r.Token, NoBearer: true, Body: body,
	})
	if err != nil {
		return nil, err
	}
	info := jsonmap.Object(fields, "alipay_user_info_share_response")
	if info == nil {
		return nil, fmt.Errorf("providers: alipay: %w: the answer has no alipay_user_info_share_response", core.ErrMalformedResponse)
	}
	if !alipaySameUser(r.Token, info) {
		return nil, fmt.Errorf("providers: alipay: %w: the profile is of another user than the token's", core.ErrMalformedResponse)
	}
	id := jsonmap.String(info, "user_id")
	if id == "" {
		id = jsonmap.String(info, "open_id")
	}
	return &core.User{
		ID:        id,
		UnionID:   jsonmap.String(info, "union_id"),
		Name:      jsonmap.String(info, "nick_name"),
		AvatarURL: jsonmap.String(info, "avatar"),
		Raw:       info,
	}, nil
}

// alipayEditToken keeps the token answer's user_id, else its open_id, in
// Token.UserID.
func alipayEditToken(t *core.Token, _ map[string]any) error {
	t.UserID = jsonmap.String(t.Raw, "user_id")
	if t.UserID == "" {
		t.UserID = jsonmap.String(t.Raw, "open_id")
	}
	return nil
}

// alipaySameUser reports whether the profile info may be the user of the
// token: each id the token answer gave must equal the profile's; a stored
// token, without its answer, has its UserID, which must be one of the
// profile's ids.
func alipaySameUser(t *core.Token, info map[string]any) bool {
	answered := false
	for _, k := range []string{"user_id", "open_id"} {
		want, got := jsonmap.String(t.Raw, k), jsonmap.String(info, k)
		if want != "" && got != "" && want != got {
			return false
		}
		answered = answered || want != ""
	}
	if answered || t.UserID == "" {
		return true
	}
	uid, oid := jsonmap.String(info, "user_id"), jsonmap.String(info, "open_id")
	return uid == "" && oid == "" || t.UserID == uid || t.UserID == oid
}

// parseRSAPrivateKey reads an RSA private key of 2048 bits or more: PEM
// (PKCS #1 or PKCS #8) or bare base64 DER.
func parseRSAPrivateKey(b []byte) (*rsa.PrivateKey, error) {
	der, err := keyDER(b)
	if err != nil {
		return nil, err
	}
	var key any
	if key, err = x509.ParsePKCS8PrivateKey(der); err != nil {
		if key, err = x509.ParsePKCS1PrivateKey(der); err != nil {
			return nil, errors.New("neither a PKCS #8 nor a PKCS #1 private key")
		}
	}
	k, ok := key.(*rsa.PrivateKey)
	switch {
	case !ok:
		return nil, fmt.Errorf("a %T, not an RSA key", key)
	case k.N.BitLen() < 2048:
		return nil, fmt.Errorf("RSA key of %d bits: RSA2 takes 2048 or more", k.N.BitLen())
	}
	return k, nil
}

// parseRSAPublicKey reads an RSA public key: PEM (PKIX or PKCS #1) or bare
// base64 DER.
func parseRSAPublicKey(b []byte) (*rsa.PublicKey, error) {
	der, err := keyDER(b)
	if err != nil {
		return nil, err
	}
	var key any
	if key, err = x509.ParsePKIXPublicKey(der); err != nil {
		if key, err = x509.ParsePKCS1PublicKey(der); err != nil {
			return nil, errors.New("neither a PKIX nor a PKCS #1 public key")
		}
	}
	k, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key", key)
	}
	return k, nil
}

// keyDER returns the DER of a PEM block, or of bare base64 text (as
// Alipay's key tool shows keys, spaces and line breaks allowed).
func keyDER(b []byte) ([]byte, error) {
	if block, _ := pem.Decode(b); block != nil {
		return block.Bytes, nil
	}
	text := strings.Join(strings.Fields(string(b)), "")
	if text == "" {
		return nil, errors.New("empty")
	}
	der, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, errors.New("neither PEM nor base64")
	}
	return der, nil
}

// alipayMembers returns the top-level members of a JSON object with the
// exact bytes of each value. It is written by hand because the signature
// covers the text Alipay sent, which decoding and encoding again would not
// give back (spacing, escapes, number forms); it refuses a duplicated
// member, so that the text verified is the text decoded.
func alipayMembers(body []byte) (map[string][]byte, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	out := map[string][]byte{}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, errors.New("invalid JSON")
		}
		name, _ := t.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, errors.New("invalid JSON")
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("the member %q appears twice", name)
		}
		out[name] = v
	}
	if t, err := d.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("invalid JSON")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON object")
	}
	return out, nil
}
