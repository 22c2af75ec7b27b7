package oidc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
	"github.com/go-oauth20/oauth20/internal/urls"
	"github.com/go-resty/resty/v2"
)

// UserInfo is a UserInfo response (OpenID Connect Core §5.3) whose sub was
// checked against the ID token's.
type UserInfo struct {
	Subject string
	Email   string
	// EmailVerified is true when email_verified is the JSON value true.
	EmailVerified     bool
	Name              string
	GivenName         string
	FamilyName        string
	PreferredUsername string
	Picture           string
	Locale            string
	// Signed is true when the response was a JWT whose signature, iss and
	// aud were verified.
	Signed bool
	// Encrypted is true when the response was a JWE decrypted with the
	// client's keys (VerifierConfig.DecryptionKeys).
	Encrypted bool
	// Payload is the JSON object of claims (for a signed response, the
	// JWT's payload).
	Payload json.RawMessage

	claims map[string]any
}

// Claims decodes the response's claims into v.
func (u *UserInfo) Claims(v any) error { return json.Unmarshal(u.Payload, v) }

// UserInfoOption changes how FetchUserInfo handles the response.
type UserInfoOption func(*userInfoOptions)

type userInfoOptions struct {
	verifier      *Verifier
	requireSigned bool
	jwt           bool // the answer was labelled application/jwt
}

// WithUserInfoVerifier lets FetchUserInfo accept a signed response
// (Content-Type application/jwt), verified with v's keys, issuer, client id
// and UserInfo allow-list (VerifierConfig.UserInfoAlgorithms, narrowed to
// RegisteredUserInfoAlgorithm). exp is checked only when present: signed
// UserInfo often has none. When v was configured with
// RegisteredUserInfoAlgorithm, a plain JSON answer is refused with
// ErrUserInfoNotSigned, as under RequireSignedUserInfo. Without a verifier
// a signed response is an error.
func WithUserInfoVerifier(v *Verifier) UserInfoOption {
	return func(o *userInfoOptions) { o.verifier = v }
}

// RequireSignedUserInfo refuses a plain JSON response, for clients
// registered with userinfo_signed_response_alg (a downgrade to JSON would
// otherwise pass). It implies WithUserInfoVerifier(v).
func RequireSignedUserInfo(v *Verifier) UserInfoOption {
	return func(o *userInfoOptions) { o.verifier, o.requireSigned = v, true }
}

// FetchUserInfo calls the UserInfo endpoint with the access token in the
// Authorization header (never in the URL, RFC 6750 §2.1, RFC 9700 §4.3.2)
// and returns the response only if its sub equals wantSub, the ID token's
// sub (§5.3.2); otherwise nothing from it is returned. hc may be nil (a
// client of the library's own is used); no redirect is followed and the
// body is capped whatever client is given. A 401 with a Bearer error is
// returned as a *core.Error with Endpoint "userinfo".
func FetchUserInfo(ctx context.Context, hc *http.Client, endpoint, accessToken, wantSub string, opts ...UserInfoOption) (*UserInfo, error) {
	if err := urls.CheckEndpoint(endpoint, false); err != nil {
		return nil, fmt.Errorf("oidc: userinfo endpoint: %w", err)
	}
	if wantSub == "" {
		return nil, fmt.Errorf("%w: no ID token subject to compare with", ErrUserInfoSubjectMismatch)
	}
	resp, err := httpx.Resty(hc).R().SetContext(ctx).
		SetHeader("Authorization", "Bearer "+accessToken).
		SetHeader("Accept", "application/json, application/jwt").
		Get(endpoint)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", httpx.TransportError("userinfo", http.MethodGet, endpoint, err))
	}
	if resp.StatusCode() != http.StatusOK {
		return nil, userInfoError(resp)
	}
	media, _, _ := mime.ParseMediaType(resp.Header().Get("Content-Type"))
	if media == "application/jwt" {
		opts = append(opts, func(o *userInfoOptions) { o.jwt = true })
	}
	return ParseUserInfo(ctx, resp.Body(), wantSub, opts...)
}

// ParseUserInfo checks a UserInfo answer the caller fetched itself (a JSON
// object, or a JWT when signed) as FetchUserInfo does: a signed answer is
// verified with the verifier of WithUserInfoVerifier, an unsigned one is
// refused under RequireSignedUserInfo or when that verifier has a
// RegisteredUserInfoAlgorithm, and the answer is returned only if its sub
// equals wantSub.
func ParseUserInfo(ctx context.Context, body []byte, wantSub string, opts ...UserInfoOption) (*UserInfo, error) {
	var o userInfoOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.verifier != nil && o.verifier.userInfoJWT {
		o.requireSigned = true
	}
	if wantSub == "" {
		return nil, fmt.Errorf("%w: no ID token subject to compare with", ErrUserInfoSubjectMismatch)
	}
	body = bytes.TrimSpace(body)
	info := new(UserInfo)
	encrypted := len(body) > 0 && body[0] != '{' && bytes.Count(body, []byte(".")) == 4
	switch {
	case encrypted && o.verifier == nil:
		return nil, fmt.Errorf("oidc: userinfo: %w: encrypted response but no verifier configured", core.ErrMalformedResponse)
	case encrypted:
		inner, err := o.verifier.decrypt(string(body), o.verifier.userInfoEnc)
		if err != nil {
			return nil, err
		}
		// Signed, then encrypted; or encrypted claims alone (§5.3.2).
		body = bytes.TrimSpace([]byte(inner))
		info.Encrypted = true
	case o.verifier != nil && o.verifier.userInfoEnc.registered():
		return nil, fmt.Errorf("%w: the UserInfo answer is not encrypted (%s was registered)", ErrNotEncrypted, o.verifier.userInfoEnc.Alg)
	}
	payload := body
	if o.jwt || len(body) > 0 && body[0] != '{' && bytes.Count(body, []byte(".")) == 2 {
		if o.verifier == nil {
			return nil, fmt.Errorf("oidc: userinfo: %w: signed response but no verifier configured", core.ErrMalformedResponse)
		}
		r, err := o.verifier.verifyUserInfoJWT(ctx, string(body))
		if err != nil {
			return nil, err
		}
		payload, info.Signed = r.c.payload, true
	} else if o.requireSigned {
		return nil, fmt.Errorf("%w: got a JSON object", ErrUserInfoNotSigned)
	}
	if err := info.decode(payload); err != nil {
		return nil, err
	}
	if info.Subject != wantSub {
		return nil, fmt.Errorf("%w: userinfo sub %s", ErrUserInfoSubjectMismatch, quote(info.Subject))
	}
	return info, nil
}

// verifyUserInfoJWT checks a signed UserInfo response: alg in the UserInfo
// allow-list, signature with the issuer's keys, iss and aud (required,
// §5.3.2), and exp/nbf only when present (Hydra sends neither).
func (v *Verifier) verifyUserInfoJWT(ctx context.Context, raw string) (*verified, error) {
	r, err := v.verifyAddressed(ctx, raw, kindUserInfo)
	if err != nil {
		return nil, err
	}
	c, now := &r.c, v.now()
	if c.has&hasExp != 0 && !now.Before(c.t.Expiry.Add(v.skew)) {
		return nil, fmt.Errorf("%w: userinfo response expired", ErrTokenExpired)
	}
	if c.has&hasNbf != 0 && c.t.NotBefore.After(now.Add(v.skew)) {
		return nil, fmt.Errorf("%w: userinfo response not yet valid", ErrTokenNotYetValid)
	}
	return r, nil
}

// decode reads the claims; names must be unique (also under case folding)
// so "Sub" or a second "sub" cannot pass as the subject.
func (u *UserInfo) decode(payload []byte) error {
	if err := checkUniqueMembers(payload); err != nil {
		return fmt.Errorf("oidc: userinfo: %w: %v", core.ErrMalformedResponse, err)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&u.claims); err != nil {
		return fmt.Errorf("oidc: userinfo: %w: %v", core.ErrMalformedResponse, err)
	}
	u.Payload = append(json.RawMessage(nil), payload...)
	str := func(name string) string { s, _ := u.claims[name].(string); return s }
	u.Subject = str("sub")
	u.Email = str("email")
	u.EmailVerified, _ = u.claims["email_verified"].(bool)
	u.Name = str("name")
	u.GivenName = str("given_name")
	u.FamilyName = str("family_name")
	u.PreferredUsername = str("preferred_username")
	u.Picture = str("picture")
	u.Locale = str("locale")
	return nil
}

// userInfoError turns a non-200 answer into a typed error: the Bearer
// error of WWW-Authenticate (RFC 6750 §3), a JSON error body, or
// core.ErrUnexpectedStatus.
func userInfoError(resp *resty.Response) error {
	e := &core.Error{Endpoint: "userinfo", StatusCode: resp.StatusCode()}
	if code, desc := bearerError(resp.Header().Get("WWW-Authenticate")); code != "" {
		e.Code, e.Description = core.ErrorCode(code), desc
		return e
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(resp.Body(), &body) == nil && body.Error != "" {
		e.Code, e.Description = core.ErrorCode(body.Error), body.Description
		return e
	}
	return fmt.Errorf("oidc: userinfo: %w: %d", core.ErrUnexpectedStatus, resp.StatusCode())
}

// bearerError extracts error and error_description from a Bearer
// challenge such as: Bearer realm="x", error="invalid_token",
// error_description="expired".
func bearerError(h string) (code, desc string) {
	scheme, params, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", ""
	}
	for params != "" {
		var name, val string
		params = strings.TrimLeft(params, " ,")
		name, params, _ = strings.Cut(params, "=")
		if strings.HasPrefix(params, `"`) {
			end := strings.IndexByte(params[1:], '"')
			if end < 0 {
				return code, desc
			}
			val, params = params[1:1+end], params[2+end:]
		} else {
			val, params, _ = strings.Cut(params, ",")
		}
		switch strings.TrimSpace(name) {
		case "error":
			code = val
		case "error_description":
			desc = val
		}
	}
	return code, desc
}

// UserOption changes how NewUser and ClaimsUser read claims.
type UserOption func(*userOptions)

type userOptions struct {
	stringBools bool
}

// WithStringEmailVerified counts email_verified given as the JSON string
// "true" (in any case) as verified, for providers documented to send
// strings (Apple). Without it only the JSON value true counts: a string is
// not what OpenID Connect Core §5.1 defines, and reading one as true
// everywhere would let a provider's odd spelling vouch for an address.
func WithStringEmailVerified() UserOption {
	return func(o *userOptions) { o.stringBools = true }
}

// NewUser builds core's normalised user from a verified ID token and, when
// not nil, a UserInfo response: sub → ID, email and email_verified, name,
// preferred_username → Username, picture → AvatarURL. UserInfo values win
// over the ID token's, except that email and email_verified are taken as a
// pair from one source, so that one source's email_verified never vouches
// for another source's address: from the UserInfo response when it has an
// email, else from the ID token (when UserInfo gives the ID token's
// address without email_verified, the ID token's flag applies). Raw holds the ID token's claims overlaid with the
// UserInfo claims, with email and email_verified from the chosen source.
// If both are given, their subjects must be equal. Only a JSON true counts
// as verified unless WithStringEmailVerified is given.
func NewUser(tok *core.IDToken, info *UserInfo, opts ...UserOption) (core.User, error) {
	raw := map[string]any{}
	if tok != nil && len(tok.Payload) > 0 {
		dec := json.NewDecoder(bytes.NewReader(tok.Payload))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return core.User{}, fmt.Errorf("%w: ID token payload: %v", ErrMalformedToken, err)
		}
	}
	if info != nil {
		if tok != nil && info.Subject != tok.Subject {
			return core.User{}, fmt.Errorf("%w: userinfo sub %s", ErrUserInfoSubjectMismatch, quote(info.Subject))
		}
		email, _ := info.claims["email"].(string)
		if email != "" {
			tokEmail, _ := raw["email"].(string)
			src := info.claims
			if _, says := info.claims["email_verified"]; !says && tokEmail == email {
				src = raw // the same address: the ID token's flag is about it
			}
			for _, k := range [...]string{"email", "email_verified"} {
				if v, ok := src[k]; ok {
					raw[k] = v
				} else {
					delete(raw, k)
				}
			}
		}
		for k, v := range info.claims {
			if k != "email" && k != "email_verified" {
				raw[k] = v
			}
		}
	}
	u := ClaimsUser(raw, opts...)
	if tok != nil {
		u.ID = tok.Subject
	}
	if u.ID == "" {
		return core.User{}, fmt.Errorf("%w: %w: %q", ErrInvalidSubject, ErrMissingClaim, "sub")
	}
	return u, nil
}

// ClaimsUser maps standard OpenID claims onto core's user: sub → ID, email,
// email_verified (only with an email; only a JSON true counts, or the
// string "true" with WithStringEmailVerified), name, preferred_username →
// Username, picture → AvatarURL; Raw is claims. Claims of another type (a
// JSON null, a locale object) are ignored. It checks nothing: use it on
// claims that are already trusted, and that come from one source.
func ClaimsUser(claims map[string]any, opts ...UserOption) core.User {
	str := func(name string) string { s, _ := claims[name].(string); return s }
	u := core.User{
		ID:        str("sub"),
		Email:     str("email"),
		Name:      str("name"),
		Username:  str("preferred_username"),
		AvatarURL: str("picture"),
		Raw:       claims,
	}
	u.EmailVerified = u.Email != "" && newUserOptions(opts).verified(claims["email_verified"])
	return u
}

func newUserOptions(opts []UserOption) userOptions {
	var o userOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// verified reads an email_verified value: the JSON true, or with
// stringBools the string "true" in any case.
func (o userOptions) verified(v any) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	return o.stringBools && jsonmap.BoolValue(v)
}
