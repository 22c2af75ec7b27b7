package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// shopifyAPIVersion is the Admin API version of the shop call. Shopify
// keeps a version for a year and then serves the oldest supported one in
// its place.
const shopifyAPIVersion = "2025-01"

// shopifyShop is the pattern Shopify documents for the shop parameter: a
// permanent *.myshopify.com domain, nothing else, so that no other host is
// ever sent a code or a client secret.
var shopifyShop = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)

// shopifyCallbackAge is how old a callback's timestamp may be, as in
// Shopify's own library.
const shopifyCallbackAge = 24 * time.Hour

// Errors of Shopify's callback check; each fails the login with 400.
var (
	errShopifySignature = errors.New("providers: shopify: the callback's hmac does not match")
	errShopifyShop      = errors.New("providers: shopify: the callback is for another shop")
	errShopifyTimestamp = errors.New("providers: shopify: the callback's timestamp is missing or more than a day away")
)

// Shopify returns a provider for one shop's "Shopify App authorization"
// (the authorization code grant of a non-embedded app). shop is the shop's
// permanent domain, "my-store.myshopify.com"; clientID and clientSecret
// are the app's. It reports configuration problems (a shop that is not a
// *.myshopify.com domain, an empty client id or secret, a bad redirect
// URL), joined, each wrapping core.ErrInvalidConfig; it does no network
// I/O. Build one provider per shop, with WithName to tell them apart.
//
// Documentation:
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
// and https://shopify.dev/docs/apps/build/authentication-authorization/access-token-types/online-access-tokens
//
// Quirks handled here:
//
//   - Every endpoint is on the shop's own domain: /admin/oauth/authorize
//     and /admin/oauth/access_token. The domain must match
//     ^[a-z0-9][a-z0-9-]*\.myshopify\.com$ (Shopify's pattern, lowercased).
//   - Scopes are comma-separated; none is sent by default (an app may
//     declare them in its configuration). No PKCE: Shopify does not take it
//     for this grant; the login relies on state and the signed callback.
//   - The callback is signed: before its code is used, its hmac is checked
//     (HMAC-SHA256 with the client secret, lowercase hex, over every other
//     parameter, escaped and sorted as Shopify's own library does, keys
//     ending in [] folded into a JSON list), in constant time; its shop
//     must be this provider's shop and its timestamp within a day. Any
//     failure is a 400 core.ErrInvalidCallback and no request is sent.
//   - Credentials go in the body. The token answer has no token_type; a
//     used or unknown code is answered 400 {"error":"invalid_request",
//     "error_description":"The authorization code was not found or was
//     already used"}, which maps to invalid_grant.
//   - Access modes: by default the token is an offline token for the shop
//     (it does not expire; there is no refresh). For an online token, bound
//     to the staff member who logs in and valid 24 hours, pass
//     WithAuthParam("grant_options[]", "per-user").
//   - The user: with an online token, the staff member of the token
//     answer's associated_user, without another call: its id becomes the
//     ID, first and last name the Name, email and email_verified the Email
//     and EmailVerified. A stored online token (encoding/json, a session
//     with KeepTokens) keeps the staff member's id alone, in Token.UserID:
//     its user is that ID, without name or email, and shop.json is not
//     asked (it would name the shop). With an offline token the only
//     identity is the shop: GET /admin/api/2025-01/shop.json with
//     X-Shopify-Access-Token (not Bearer), whose id becomes the ID, name
//     the Name, email the Email (not marked verified) and myshopify_domain
//     the Username. The Admin API's errors ({"errors":"[API] Invalid API
//     key or access token ..."} with 401) map to invalid_token.
//   - No revocation: Shopify's way to drop a token is to uninstall the app
//     from the shop, which a logout must not do.
//
// Options: those every constructor takes (see Option).
//
// The returned provider is immutable and safe for concurrent use.
func Shopify(shop, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	host := strings.ToLower(strings.TrimSpace(shop))
	var err error
	if !shopifyShop.MatchString(host) {
		err = fmt.Errorf("%w: shopify: shop %q is not a *.myshopify.com domain", core.ErrInvalidConfig, shop)
		host = "invalid.myshopify.com" // keeps the other checks meaningful
	}
	base := "https://" + host
	s := &shopify{shop: host, shopURL: base + "/admin/api/" + shopifyAPIVersion + "/shop.json"}
	return collect(opts).build(clientID, clientSecret, spec{
		name: "shopify", display: "Shopify",
		endpoints: core.Endpoints{
			AuthURL: base + "/admin/oauth/authorize", TokenURL: base + "/admin/oauth/access_token", UserInfoURL: s.shopURL,
		},
		method: core.AuthSecretPost, dialect: shopifyDialect, pkce: core.PKCEUnsupported,
		checkCallback: func(cb url.Values, now time.Time) (*core.Params, error) {
			return nil, s.checkCallback(cb, clientSecret, now)
		},
		fetchUser: s.fetchUser, userFields: shopifyUserFields,
	}, err)
}

// shopifyUserFields are the members of Shopify's answers that hold personal
// data: the staff member of an online token (associated_user, whole) and
// the shop's owner, contact and address in shop.json. The shop's
// myshopify_domain is also the host of every endpoint, which a recording
// keeps as it is.
var shopifyUserFields = core.UserFields{
	ID: "id", Name: "name", Email: "email", Username: "myshopify_domain",
	Personal: []string{"associated_user", "shop_owner", "customer_email", "domain", "address1", "address2", "zip",
		"city", "province", "latitude", "longitude"},
}

var shopifyDialect = &core.Dialect{
	ScopeSeparator:   ",",
	DefaultTokenType: "Bearer",
	ErrorDetectors:   []errorDetector{shopifyDetectToken, shopifyDetectAPI},
	// The Admin API takes the token in X-Shopify-Access-Token. The
	// callback's hmac is signed with the client secret; its shop and host
	// name the shop, which the endpoints' URLs hold anyway, and its
	// timestamp is neither.
	TokenHeaders: []string{"X-Shopify-Access-Token"},
	SecretFields: []string{"hmac"},
	EditToken:    shopifyEditToken,
}

// shopifyEditToken keeps the id of an online token's staff member in
// Token.UserID (the member is nested, out of reach of UserIDMember).
func shopifyEditToken(t *core.Token, fields map[string]any) error {
	t.UserID = jsonmap.String(jsonmap.Object(fields, "associated_user"), "id")
	return nil
}

// shopifyDetectToken is DetectRFC6749, with Shopify's invalid_request
// for a used or unknown code read as invalid_grant (RFC 6749 §5.2).
func shopifyDetectToken(status int, body map[string]any) *core.Error {
	e := DetectRFC6749(status, body)
	if e != nil && e.Code == core.CodeInvalidRequest && strings.Contains(strings.ToLower(e.Description), "authorization code was not found") {
		e.Code, e.ProviderCode = core.CodeInvalidGrant, string(core.CodeInvalidRequest)
	}
	return e
}

// shopifyDetectAPI reads the Admin API's {"errors": ...}: invalid_token for
// a 401, insufficient_scope for a 403, provider_error otherwise.
func shopifyDetectAPI(status int, body map[string]any) *core.Error {
	v, ok := body["errors"]
	if !ok || status < 400 {
		return nil
	}
	e := &core.Error{Code: core.CodeProviderError, StatusCode: status}
	if s, ok := v.(string); ok {
		e.Description = s
	}
	switch status {
	case http.StatusUnauthorized:
		e.Code = core.CodeInvalidToken
	case http.StatusForbidden:
		e.Code = core.CodeInsufficientScope
	}
	return e
}

type shopify struct {
	shop    string // the *.myshopify.com domain
	shopURL string
}

// checkCallback verifies the signed callback: the shop, the timestamp, and
// the hmac last, in constant time.
func (s *shopify) checkCallback(cb url.Values, secret string, now time.Time) error {
	if !strings.EqualFold(cb.Get("shop"), s.shop) {
		return errShopifyShop
	}
	ts, err := strconv.ParseInt(cb.Get("timestamp"), 10, 64)
	if err != nil {
		return errShopifyTimestamp
	}
	if d := now.Sub(time.Unix(ts, 0)); d > shopifyCallbackAge || d < -shopifyCallbackAge {
		return errShopifyTimestamp
	}
	got, err := hex.DecodeString(cb.Get("hmac"))
	if err != nil || len(got) != sha256.Size || len(cb["hmac"]) != 1 {
		return errShopifySignature
	}
	msg, err := shopifySignedMessage(cb)
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(msg))
	if !hmac.Equal(m.Sum(nil), got) {
		return errShopifySignature
	}
	return nil
}

// shopifySignedMessage is what Shopify signs: every parameter but hmac as
// key=value, with "%" and "=" escaped in keys, "%" in values and "&" in
// both, sorted and joined with "&". A key ending in [] stands for a list,
// written as Python's json.dumps writes it (["1", "2"]). This follows
// Shopify's own library (shopify_python_api, Session.calculate_hmac) rather
// than a fixed list of parameters, so a parameter Shopify adds later is
// signed too.
func shopifySignedMessage(cb url.Values) (string, error) {
	pairs := make([]string, 0, len(cb))
	for k, vs := range cb {
		if k == "hmac" {
			continue
		}
		var v string
		if strings.HasSuffix(k, "[]") {
			k, v = strings.TrimRight(k, "[]"), pythonJSONList(vs)
		} else if len(vs) == 1 {
			v = vs[0]
		} else {
			return "", fmt.Errorf("%w: parameter %q is repeated", errShopifySignature, k)
		}
		k = strings.ReplaceAll(strings.ReplaceAll(k, "%", "%25"), "=", "%3D")
		v = strings.ReplaceAll(v, "%", "%25")
		pairs = append(pairs, strings.ReplaceAll(k+"="+v, "&", "%26"))
	}
	slices.Sort(pairs)
	return strings.Join(pairs, "&"), nil
}

// pythonJSONList writes strings as Python's json.dumps writes a list of
// them: ", " between items, non-ASCII as \u escapes (surrogate pairs above
// U+FFFF), "/" left as it is.
func pythonJSONList(vs []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		for _, r := range v {
			switch {
			case r == '"' || r == '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r == '\b':
				b.WriteString(`\b`)
			case r == '\f':
				b.WriteString(`\f`)
			case r < 0x20 || r >= 0x7f && r < 0x10000:
				fmt.Fprintf(&b, `\u%04x`, r)
			case r >= 0x10000:
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

func (s *shopify) fetchUser(ctx context.Context, r core.UserRequest) (*core.User, error) {
	if au := jsonmap.Object(r.Token.Raw, "associated_user"); au != nil {
		return &core.User{
			ID:            jsonmap.String(au, "id"),
			Name:          strings.TrimSpace(jsonmap.String(au, "first_name") + " " + jsonmap.String(au, "last_name")),
			Email:         jsonmap.String(au, "email"),
			EmailVerified: jsonmap.String(au, "email") != "" && jsonmap.Bool(au, "email_verified"),
			Raw:           map[string]any{"associated_user": au, "shop": s.shop},
		}, nil
	}
	if id := r.Token.UserID; id != "" {
		// A stored online token: its staff member is known by id only, and
		// shop.json would name the shop instead.
		return &core.User{ID: id, Raw: map[string]any{"associated_user": map[string]any{"id": id}, "shop": s.shop}}, nil
	}
	fields, err := r.Client.Resource(ctx, core.ResourceRequest{
		URL: s.shopURL, Token: r.Token, NoBearer: true,
		Header: http.Header{"X-Shopify-Access-Token": {r.Token.AccessToken}},
	})
	if err != nil {
		return nil, err
	}
	shop := jsonmap.Object(fields, "shop")
	if shop == nil {
		return nil, fmt.Errorf("providers: shopify: %w: shop.json has no shop member", core.ErrMalformedResponse)
	}
	return &core.User{
		ID:       jsonmap.String(shop, "id"),
		Name:     jsonmap.String(shop, "name"),
		Email:    jsonmap.String(shop, "email"),
		Username: jsonmap.String(shop, "myshopify_domain"),
		Raw:      fields,
	}, nil
}
