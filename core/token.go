package core

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// maxExpiresIn bounds expires_in: anything longer than ten years is taken as
// a provider bug rather than trusted.
const maxExpiresIn = 10 * 365 * 24 * time.Hour

// Token is the answer of a token endpoint. Its fields are bearer
// credentials: never log them. A Token is a value; the library never
// modifies one it has returned.
type Token struct {
	// AccessToken is the token for API calls.
	AccessToken string `json:"access_token"`
	// TokenType is "Bearer", or TokenTypeDPoP for a token bound to the
	// client's DPoP key (RFC 9449), which the library accepts only from a
	// client that has that key (Config.DPoPKey) and sends only with a proof
	// of it. Other types are rejected (RFC 6749 §7.1); the comparison is
	// case-insensitive and the stored spelling is canonical. A Token that
	// is stored (a session with KeepTokens) keeps its type, and so its
	// binding.
	TokenType string `json:"token_type"`
	// RefreshToken is empty when the provider issued none. After a refresh
	// that did not rotate it, the previous refresh token is kept here.
	RefreshToken string `json:"refresh_token,omitempty"`
	// IDToken is the raw OpenID Connect ID token, when one was issued. It is
	// not verified here; Auth verifies it.
	IDToken string `json:"id_token,omitempty"`
	// Scope is the granted scope as the provider spelled it ("" when the
	// answer did not say, meaning the requested scope, RFC 6749 §5.1).
	Scope string `json:"scope,omitempty"`
	// Expiry is the moment the access token expires, computed when the
	// answer was received; zero when the provider gave no lifetime.
	Expiry time.Time `json:"expiry,omitzero"`
	// UserID is the provider's id of the user, when the token answer names
	// it (WeChat's openid, Weibo's uid, Douyin's open_id …: the member that
	// Dialect.UserIDMember names, or what Dialect.EditToken sets). Unlike
	// Raw it is kept when the token is stored (encoding/json, a session
	// with KeepTokens), so that the user can be fetched from a stored token
	// alone, with Provider.User. A refresh whose answer does not name the
	// user keeps the previous token's (Auth.Refresh, Auth.SessionToken,
	// TokenSource). It identifies the user to the provider but is not a
	// credential. It is empty when the provider's dialect reads no such
	// member: most providers' user calls need the access token alone.
	UserID string `json:"user_id,omitempty"`
	// Raw holds every member of the answer (numbers as json.Number), for
	// provider-specific data. It is not encoded (json:"-"): a stored token
	// loses it, and what a user fetch needs from it travels in UserID.
	Raw map[string]any `json:"-"`
}

// expired reports whether the access token has expired at now, or will
// within margin. A token without expiry never expires here.
func (t *Token) expired(now time.Time, margin time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return true
	}
	if t.Expiry.IsZero() {
		return false
	}
	return !now.Add(margin).Before(t.Expiry)
}

// scopes returns the granted scopes split on spaces and commas.
func (t *Token) scopes() []string {
	return strings.FieldsFunc(t.Scope, func(r rune) bool { return r == ' ' || r == ',' })
}

// LogValue describes the token to log/slog without revealing it, so that a
// JSON handler logging a Token writes its type, scope, expiry and user id
// (as Session's LogValue does), never its credentials (encoding/json would
// otherwise write every member).
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", t.TokenType), slog.Int("access_bytes", len(t.AccessToken)),
		slog.Bool("refresh", t.RefreshToken != ""), slog.Bool("id_token", t.IDToken != ""),
		slog.String("scope", t.Scope), slog.Time("expiry", t.Expiry), slog.String("user", t.UserID))
}

// String describes the token without revealing it; %v and %+v use it.
func (t Token) String() string {
	return fmt.Sprintf("Token{type=%s, access=%d bytes, refresh=%t, id_token=%t, scope=%q, expiry=%s, user=%q}",
		t.TokenType, len(t.AccessToken), t.RefreshToken != "", t.IDToken != "", t.Scope, t.Expiry.Format(time.RFC3339), t.UserID)
}

// tokenFromFields builds a Token from a decoded token-endpoint answer. A
// DPoP-bound token is accepted only when dpopKey says the client has the
// key it is bound to.
func tokenFromFields(d *Dialect, fields map[string]any, now time.Time, dpopKey bool) (*Token, error) {
	src := fields
	if d.Envelope != "" {
		if inner := jsonmap.Object(fields, d.Envelope); inner != nil {
			src = inner
		}
	}
	t := &Token{
		AccessToken:  jsonmap.String(src, d.tokenField("access_token")),
		TokenType:    jsonmap.String(src, d.tokenField("token_type")),
		RefreshToken: jsonmap.String(src, d.tokenField("refresh_token")),
		IDToken:      jsonmap.String(src, d.tokenField("id_token")),
		Scope:        scopeString(src[d.tokenField("scope")]),
		Raw:          src,
	}
	if d.UserIDMember != "" {
		t.UserID = jsonmap.String(src, d.UserIDMember)
	}
	if t.AccessToken == "" {
		return nil, ErrMissingAccessToken
	}
	switch {
	case t.TokenType == "" && d.DefaultTokenType != "":
		t.TokenType = d.DefaultTokenType
	case t.TokenType == "":
		return nil, fmt.Errorf("%w: token_type is missing", ErrUnsupportedTokenTypeLocal)
	}
	switch {
	case strings.EqualFold(t.TokenType, "bearer"):
		t.TokenType = "Bearer"
	case strings.EqualFold(t.TokenType, TokenTypeDPoP) && dpopKey:
		t.TokenType = TokenTypeDPoP
	case strings.EqualFold(t.TokenType, TokenTypeDPoP):
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedTokenTypeLocal, ErrDPoPKeyMissing)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedTokenTypeLocal, truncate(t.TokenType, 40))
	}
	secs, ok, err := seconds(src[d.tokenField("expires_in")])
	if err != nil {
		return nil, err
	}
	if ok {
		lifetime := time.Duration(secs * float64(time.Second))
		switch {
		case secs < 0:
			return nil, fmt.Errorf("%w: negative (%v)", ErrInvalidExpiry, secs)
		case secs > maxExpiresIn.Seconds():
			return nil, fmt.Errorf("%w: %v seconds is more than ten years", ErrInvalidExpiry, secs)
		case secs > 0:
			t.Expiry = now.Add(lifetime)
		}
	}
	if d.EditToken != nil {
		if err := d.EditToken(t, fields); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// scopeString accepts a scope given as a string or as an array of strings
// (Twitch).
func scopeString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []any:
		parts := make([]string, 0, len(s))
		for _, p := range s {
			if ps, ok := p.(string); ok {
				parts = append(parts, ps)
			}
		}
		return strings.Join(parts, " ")
	}
	return ""
}
