package core

import (
	"context"
	"crypto/elliptic"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

func parClient(t *testing.T, f *fakeServer, edit func(*Config)) *Client {
	t.Helper()
	return newTestClient(t, f, func(c *Config) {
		c.Endpoints.PushedAuthURL = f.URL + "/par"
		c.Issuer = f.URL
		if edit != nil {
			edit(c)
		}
	})
}

// TestPushAuthorization: the pushed request carries the authorization
// parameters and the client's authentication in a form POST (RFC 9126
// §2.1), and the browser goes to the authorization endpoint with client_id
// and request_uri alone.
func TestPushAuthorization(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/par", http.StatusCreated, "application/json", `{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}`)
	c := parClient(t, f, nil)
	params := c.authParams("state-1", []Option{WithPKCE("v-1234567890123456789012345678901234567890123"), WithParam("nonce", "n-1")})
	to, err := c.authorizationRedirect(context.Background(), params, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := f.URL + "/authorize?client_id=client-1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc"; to != want {
		t.Errorf("redirect %s\nwant     %s", to, want)
	}
	r := f.last(t)
	if r.Method != http.MethodPost || r.Path != "/par" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		r.Header.Get("Authorization") != basicAuth("client-1", "s3cret-value") {
		t.Fatalf("pushed request %s %s, type %q, auth %q", r.Method, r.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"))
	}
	want := url.Values{
		"response_type": {"code"}, "client_id": {"client-1"}, "redirect_uri": {"http://127.0.0.1:8000/callback"},
		"state": {"state-1"}, "code_challenge": {s256Challenge("v-1234567890123456789012345678901234567890123")},
		"code_challenge_method": {"S256"}, "nonce": {"n-1"},
	}
	if r.Form.Encode() != want.Encode() {
		t.Errorf("pushed parameters %v\nwant %v", r.Form, want)
	}
}

// TestPushAuthorizationErrors: an error answer is typed like a token
// error, and a success answer without a usable request_uri or expires_in
// is malformed.
func TestPushAuthorizationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   error
	}{
		{"oauth error", 400, `{"error":"invalid_request","error_description":"bad redirect_uri"}`, ErrInvalidRequest},
		{"bad client", 401, `{"error":"invalid_client"}`, ErrInvalidClient},
		{"no request_uri", 201, `{"expires_in":60}`, ErrMalformedResponse},
		{"request_uri not a string", 201, `{"request_uri":5,"expires_in":60}`, ErrMalformedResponse},
		{"no expires_in", 201, `{"request_uri":"urn:x"}`, ErrMalformedResponse},
		{"zero expires_in", 201, `{"request_uri":"urn:x","expires_in":0}`, ErrInvalidExpiry},
		{"a day", 201, `{"request_uri":"urn:x","expires_in":86400}`, ErrInvalidExpiry},
		{"html", 502, `<html>down</html>`, ErrUnexpectedStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/par", tt.status, "application/json", tt.body)
			c := parClient(t, f, nil)
			_, err := c.authorizationRedirect(context.Background(), c.authParams("s", nil), true, false)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var oe *Error
			if errors.As(err, &oe) && oe.Endpoint != OpPAR {
				t.Errorf("endpoint %q, want %q", oe.Endpoint, OpPAR)
			}
			if strings.Contains(err.Error(), "s3cret-value") {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
	t.Run("no endpoint", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, newFakeServer(t), nil)
		if _, err := c.authorizationRedirect(context.Background(), c.authParams("s", nil), true, false); !errors.Is(err, ErrNoEndpoint) {
			t.Fatalf("err = %v, want ErrNoEndpoint", err)
		}
	})
}

// TestRequestObject: a signed request object (RFC 9101) carries every
// parameter as a claim, max_age as a number, iss = client_id, aud = the
// issuer, and the time claims; the URL carries client_id and request.
func TestRequestObject(t *testing.T) {
	t.Parallel()
	key := testkit.ECKey(t, elliptic.P256())
	f := newFakeServer(t)
	clock := newFakeClock()
	c := parClient(t, f, func(cfg *Config) { cfg.PrivateKey, cfg.KeyID, cfg.Clock = key, "k-1", clock })
	params := c.authParams("state-1", []Option{WithParam("max_age", "60"), WithParam("nonce", "n")})
	to, err := c.authorizationRedirect(context.Background(), params, false, true)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	if len(q) != 2 || q.Get("client_id") != "client-1" {
		t.Fatalf("authorization URL %s", to)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(clock.Now)).
		ParseWithClaims(q.Get("request"), claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil })
	if err != nil {
		t.Fatal(err)
	}
	if tok.Header["typ"] != "oauth-authz-req+jwt" || tok.Header["kid"] != "k-1" {
		t.Errorf("header %v", tok.Header)
	}
	now := float64(clock.Now().Unix())
	if claims["iss"] != "client-1" || claims["aud"] != f.URL || claims["state"] != "state-1" || claims["nonce"] != "n" ||
		claims["max_age"] != float64(60) || claims["response_type"] != "code" || claims["iat"] != now || claims["nbf"] != now ||
		claims["exp"] != now+requestObjectLifetime.Seconds() || claims["jti"] == "" {
		t.Errorf("claims %v", claims)
	}

	t.Run("pushed", func(t *testing.T) {
		f.answer("/par", http.StatusCreated, "application/json", `{"request_uri":"urn:r","expires_in":90}`)
		if _, err := c.authorizationRedirect(context.Background(), c.authParams("s", nil), true, true); err != nil {
			t.Fatal(err)
		}
		form := f.last(t).Form
		if len(form) != 2 || form.Get("client_id") != "client-1" || strings.Count(form.Get("request"), ".") != 2 {
			t.Errorf("pushed form %v", form)
		}
	})
	t.Run("no key", func(t *testing.T) {
		c := parClient(t, f, nil)
		if _, err := c.authorizationRedirect(context.Background(), c.authParams("s", nil), false, true); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("err = %v, want ErrInvalidConfig", err)
		}
		if _, err := NewProvider(ProviderSpec{Name: "x", RequestObject: true, Client: c.config(),
			FetchUser: func(context.Context, UserRequest) (*User, error) { return nil, nil }}); !errors.Is(err, ErrInvalidConfig) {
			t.Fatalf("NewProvider: %v, want ErrInvalidConfig", err)
		}
	})
}
