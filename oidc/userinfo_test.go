package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// userInfoServer answers with a fixed status, content type and body, and
// records the last request.
type userInfoServer struct {
	*httptest.Server
	mu   sync.Mutex
	last *http.Request
}

func newUserInfoServer(t *testing.T, status int, ctype, body string, header map[string]string) *userInfoServer {
	t.Helper()
	s := &userInfoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.last = r.Clone(context.Background())
		s.mu.Unlock()
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func TestFetchUserInfo(t *testing.T) {
	t.Parallel()
	clock := newClock()
	key := newKey(t, "k", "ES256")
	jw := newJWKSServer(t, key)
	v := newTestVerifier(t, jw, clock, nil)
	vRS := newTestVerifier(t, jw, clock, func(c *VerifierConfig) { c.RegisteredUserInfoAlgorithm = "RS256" })
	const sub = "248289761001"
	signed := func(edit map[string]any) string {
		c := with(map[string]any{"iss": "https://op.example", "aud": testClientID, "sub": sub, "email": "s@example.com"}, edit)
		return key.sign(t, c, nil)
	}
	tests := []struct {
		name     string
		status   int
		ctype    string
		body     string
		header   map[string]string
		opts     []UserInfoOption
		verified bool // email_verified expected
		err      error
	}{
		{name: "json", status: 200, ctype: "application/json", body: `{"sub":"` + sub + `","email":"s@example.com","email_verified":true,"name":"S"}`, verified: true},
		{name: "email_verified as string", status: 200, ctype: "application/json; charset=utf-8", body: `{"sub":"` + sub + `","email_verified":"true"}`},
		{name: "email_verified string false", status: 200, ctype: "application/json", body: `{"sub":"` + sub + `","email_verified":"false"}`},
		{name: "sub differs", status: 200, ctype: "application/json", body: `{"sub":"other"}`, err: ErrUserInfoSubjectMismatch},
		{name: "sub missing", status: 200, ctype: "application/json", body: `{"email":"x"}`, err: ErrUserInfoSubjectMismatch},
		{name: "Sub only", status: 200, ctype: "application/json", body: `{"Sub":"` + sub + `"}`, err: ErrUserInfoSubjectMismatch},
		{name: "duplicate sub", status: 200, ctype: "application/json", body: `{"sub":"other","sub":"` + sub + `"}`, err: core.ErrMalformedResponse},
		{name: "sub number", status: 200, ctype: "application/json", body: `{"sub":248289761001}`, err: ErrUserInfoSubjectMismatch},
		{name: "html", status: 200, ctype: "text/html", body: `<html>`, err: core.ErrMalformedResponse},
		{name: "signed", status: 200, ctype: "application/jwt", body: signed(nil), opts: []UserInfoOption{WithUserInfoVerifier(v)}},
		{name: "signed as Hydra signs it, no exp", status: 200, ctype: "application/jwt", body: signed(map[string]any{"aud": []string{testClientID}, "iat": clock.Now().Unix(), "jti": "j-1"}), opts: []UserInfoOption{RequireSignedUserInfo(v)}},
		{name: "signed no iss", status: 200, ctype: "application/jwt", body: signed(map[string]any{"iss": nil}), opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrIssuerMismatch},
		{name: "signed no aud", status: 200, ctype: "application/jwt", body: signed(map[string]any{"aud": nil}), opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrAudienceMismatch},
		{name: "signed expired", status: 200, ctype: "application/jwt", body: signed(map[string]any{"exp": clock.Now().Add(-time.Hour).Unix()}), opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrTokenExpired},
		{name: "downgrade to json, alg registered", status: 200, ctype: "application/json", body: `{"sub":"` + sub + `"}`, opts: []UserInfoOption{WithUserInfoVerifier(vRS)}, err: ErrUserInfoNotSigned},
		{name: "signed with an algorithm other than the registered one", status: 200, ctype: "application/jwt", body: signed(nil), opts: []UserInfoOption{RequireSignedUserInfo(vRS)}, err: ErrUnsupportedAlgorithm},
		{name: "signed without verifier", status: 200, ctype: "application/jwt", body: signed(nil), err: core.ErrMalformedResponse},
		{name: "signed wrong aud", status: 200, ctype: "application/jwt", body: signed(map[string]any{"aud": "other"}), opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrAudienceMismatch},
		{name: "signed wrong iss", status: 200, ctype: "application/jwt", body: signed(map[string]any{"iss": "https://evil.example"}), opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrIssuerMismatch},
		{name: "signed bad signature", status: 200, ctype: "application/jwt", body: signed(nil)[:len(signed(nil))-4] + "AAAA", opts: []UserInfoOption{WithUserInfoVerifier(v)}, err: ErrBadSignature},
		{name: "downgrade to json", status: 200, ctype: "application/json", body: `{"sub":"` + sub + `"}`, opts: []UserInfoOption{RequireSignedUserInfo(v)}, err: ErrUserInfoNotSigned},
		{name: "401 invalid_token", status: 401, ctype: "text/plain", body: "", header: map[string]string{"WWW-Authenticate": `Bearer realm="op", error="invalid_token", error_description="expired"`}, err: core.ErrInvalidToken},
		{name: "400 json error", status: 400, ctype: "application/json", body: `{"error":"invalid_request"}`, err: core.ErrInvalidRequest},
		{name: "500", status: 500, ctype: "text/html", body: `<html>`, err: core.ErrUnexpectedStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newUserInfoServer(t, tc.status, tc.ctype, tc.body, tc.header)
			info, err := FetchUserInfo(context.Background(), nil, srv.URL+"/userinfo", "access-123", sub, tc.opts...)
			srv.mu.Lock()
			req := srv.last
			srv.mu.Unlock()
			if req.Header.Get("Authorization") != "Bearer access-123" || req.URL.RawQuery != "" {
				t.Errorf("request: auth %q, query %q", req.Header.Get("Authorization"), req.URL.RawQuery)
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) || info != nil {
					t.Fatalf("error = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Subject != sub || info.EmailVerified != tc.verified {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestNewUser(t *testing.T) {
	t.Parallel()
	tok := &core.IDToken{Subject: "u1", Payload: []byte(`{"sub":"u1","email":"id@example.com","email_verified":true,"name":"From ID"}`)}
	info := &UserInfo{Subject: "u1"}
	if err := info.decode([]byte(`{"sub":"u1","name":"From UserInfo","preferred_username":"u","picture":"https://p/x.png"}`)); err != nil {
		t.Fatal(err)
	}
	u, err := NewUser(tok, info)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "u1" || u.Email != "id@example.com" || !u.EmailVerified || u.Name != "From UserInfo" ||
		u.Username != "u" || u.AvatarURL != "https://p/x.png" || u.Raw["email"] != "id@example.com" {
		t.Errorf("user = %+v", u)
	}
	other := &UserInfo{Subject: "u2"}
	if _, err := NewUser(tok, other); !errors.Is(err, ErrUserInfoSubjectMismatch) {
		t.Errorf("different subjects: %v", err)
	}
	if _, err := NewUser(nil, nil); !errors.Is(err, ErrInvalidSubject) {
		t.Errorf("nothing: %v", err)
	}
}

// TestNewUserEmailPair: email and email_verified come as a pair from one
// source, so an ID token's email_verified never vouches for the address
// UserInfo gives; only a JSON true counts unless the provider is known to
// send strings.
func TestNewUserEmailPair(t *testing.T) {
	t.Parallel()
	type want struct {
		email    string
		verified bool
		raw      any // Raw["email_verified"]; nil means absent
	}
	tests := []struct {
		name  string
		token string // ID-token claims besides sub
		info  string // UserInfo claims besides sub; "" means no UserInfo
		opts  []UserOption
		want  want
	}{
		{"UserInfo email without email_verified", `"email":"a@example.com","email_verified":true`, `"email":"b@example.com"`, nil,
			want{"b@example.com", false, nil}},
		{"UserInfo email unverified", `"email":"a@example.com","email_verified":true`, `"email":"b@example.com","email_verified":false`, nil,
			want{"b@example.com", false, false}},
		{"UserInfo email verified", `"email":"a@example.com","email_verified":false`, `"email":"b@example.com","email_verified":true`, nil,
			want{"b@example.com", true, true}},
		{"same address vouched for by the ID token", `"email":"a@example.com","email_verified":true`, `"email":"a@example.com"`, nil,
			want{"a@example.com", true, true}},
		{"same address, UserInfo says unverified", `"email":"a@example.com","email_verified":true`, `"email":"a@example.com","email_verified":false`, nil,
			want{"a@example.com", false, false}},
		{"same address in another case", `"email":"a@example.com","email_verified":true`, `"email":"A@example.com"`, nil,
			want{"A@example.com", false, nil}},
		{"UserInfo without email", `"email":"a@example.com","email_verified":true`, `"name":"A"`, nil,
			want{"a@example.com", true, true}},
		{"UserInfo email_verified without email", `"email":"a@example.com"`, `"email_verified":true`, nil,
			want{"a@example.com", false, nil}},
		{"UserInfo email_verified without email, ID token unverified", `"email":"a@example.com","email_verified":false`, `"email_verified":true`, nil,
			want{"a@example.com", false, false}},
		{"string true by default", `"email":"a@example.com","email_verified":"true"`, "", nil,
			want{"a@example.com", false, "true"}},
		{"string true for a provider that sends strings", `"email":"a@example.com","email_verified":"true"`, "", []UserOption{WithStringEmailVerified()},
			want{"a@example.com", true, "true"}},
		{"string TRUE for a provider that sends strings", `"email":"a@example.com","email_verified":"TRUE"`, "", []UserOption{WithStringEmailVerified()},
			want{"a@example.com", true, "TRUE"}},
		{"string false", `"email":"a@example.com","email_verified":"false"`, "", []UserOption{WithStringEmailVerified()},
			want{"a@example.com", false, "false"}},
		{"string yes", `"email":"a@example.com","email_verified":"yes"`, "", []UserOption{WithStringEmailVerified()},
			want{"a@example.com", false, "yes"}},
		{"number 1", `"email":"a@example.com","email_verified":1`, "", []UserOption{WithStringEmailVerified()},
			want{"a@example.com", false, json.Number("1")}},
		{"string true in UserInfo for a provider that sends strings", `"email":"a@example.com","email_verified":true`, `"email":"b@example.com","email_verified":"true"`,
			[]UserOption{WithStringEmailVerified()}, want{"b@example.com", true, "true"}},
		{"verified without email", `"email_verified":true`, "", nil, want{"", false, true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := &core.IDToken{Subject: "u1", Payload: []byte(`{"sub":"u1",` + tc.token + `}`)}
			var info *UserInfo
			if tc.info != "" {
				info = new(UserInfo)
				if err := info.decode([]byte(`{"sub":"u1",` + tc.info + `}`)); err != nil {
					t.Fatal(err)
				}
			}
			u, err := NewUser(tok, info, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			raw, has := u.Raw["email_verified"]
			if u.Email != tc.want.email || u.EmailVerified != tc.want.verified || has != (tc.want.raw != nil) || (has && raw != tc.want.raw) {
				t.Errorf("user email %q verified %v, Raw[email_verified] %#v; want %+v", u.Email, u.EmailVerified, raw, tc.want)
			}
			if u.Raw["email"] != nil && u.Raw["email"] != u.Email {
				t.Errorf("Raw[email] = %v, Email = %q", u.Raw["email"], u.Email)
			}
		})
	}
	// ClaimsUser follows the same rule for claims of one source.
	c := map[string]any{"sub": "u1", "email": "a@example.com", "email_verified": "true"}
	if u := ClaimsUser(c); u.EmailVerified {
		t.Error(`ClaimsUser: "true" counts by default`)
	}
	if u := ClaimsUser(c, WithStringEmailVerified()); !u.EmailVerified {
		t.Error(`ClaimsUser: "true" does not count with WithStringEmailVerified`)
	}
}

func TestBearerError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ h, code, desc string }{
		{`Bearer error="invalid_token", error_description="The access token expired"`, "invalid_token", "The access token expired"},
		{`Bearer realm="example",error=insufficient_scope`, "insufficient_scope", ""},
		{`Basic realm="x"`, "", ""},
		{`Bearer error="unterminated`, "", ""},
		{``, "", ""},
	} {
		code, desc := bearerError(tc.h)
		if code != tc.code || desc != tc.desc {
			t.Errorf("bearerError(%q) = %q, %q", tc.h, code, desc)
		}
	}
}
