package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Tests of Token.UserID: filled from the member the dialect names, kept by
// a refresh whose answer does not name the user, and kept wherever a token
// is stored (encoding/json, sessions, shared refresh results).

func TestTokenUserIDFromAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dialect *Dialect
		body    string
		want    string
	}{
		{"string member", &Dialect{UserIDMember: "openid", DefaultTokenType: "Bearer"},
			`{"access_token":"a","openid":"o-1"}`, "o-1"},
		{"number member kept exact", &Dialect{UserIDMember: "uid", DefaultTokenType: "Bearer"},
			`{"access_token":"a","uid":5935508845123456789}`, "5935508845123456789"},
		{"member inside the envelope", &Dialect{UserIDMember: "open_id", Envelope: "data", DefaultTokenType: "Bearer"},
			`{"data":{"access_token":"a","open_id":"o-2"},"open_id":"outer"}`, "o-2"},
		{"member absent", &Dialect{UserIDMember: "openid", DefaultTokenType: "Bearer"},
			`{"access_token":"a"}`, ""},
		{"no member named", &Dialect{DefaultTokenType: "Bearer"},
			`{"access_token":"a","openid":"o-3","user_id":"u-3"}`, ""},
		{"set by EditToken", &Dialect{DefaultTokenType: "Bearer", EditToken: func(t *Token, f map[string]any) error {
			if u, ok := f["user"].(map[string]any); ok {
				t.UserID = fmt.Sprint(u["id"])
			}
			return nil
		}}, `{"access_token":"a","user":{"id":"nested-7"}}`, "nested-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", 200, "application/json", tt.body)
			c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = tt.dialect })
			tok, err := c.Exchange(context.Background(), "code")
			if err != nil {
				t.Fatal(err)
			}
			if tok.UserID != tt.want {
				t.Errorf("UserID %q, want %q", tok.UserID, tt.want)
			}
		})
	}
}

// TestRefreshKeepsUserID: a refresh answer without the member keeps the
// refreshed token's UserID, one with the same id is taken, one naming
// another user is refused. Client.Refresh, which is given the refresh
// token alone, has the answer's only.
func TestRefreshKeepsUserID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    string
		wantErr error
	}{
		{"answer without the member", `{"access_token":"a2-secret","expires_in":60}`, "o-1", nil},
		{"answer with the same id", `{"access_token":"a2-secret","openid":"o-1"}`, "o-1", nil},
		{"answer naming another user", `{"access_token":"a2-secret","openid":"o-2"}`, "", ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeServer(t)
			f.answer("/token", 200, "application/json", tt.body)
			c := newTestClient(t, f, func(cfg *Config) {
				cfg.Dialect = &Dialect{UserIDMember: "openid", DefaultTokenType: "Bearer"}
			})
			old := &Token{AccessToken: "a1-secret", TokenType: "Bearer", RefreshToken: "rt-secret", UserID: "o-1", Expiry: time.Unix(1, 0)}
			tok, err := c.TokenSource(old, TokenSourceOptions{}).Token(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("the error shows a token: %v", err)
				}
				return
			}
			if tok.UserID != tt.want || tok.AccessToken != "a2-secret" || tok.RefreshToken != "rt-secret" {
				t.Errorf("token %v (user %q), want user %q", tok, tok.UserID, tt.want)
			}
		})
	}
	t.Run("Client.Refresh", func(t *testing.T) {
		t.Parallel()
		f := newFakeServer(t)
		f.answer("/token", 200, "application/json", `{"access_token":"a2"}`)
		c := newTestClient(t, f, func(cfg *Config) {
			cfg.Dialect = &Dialect{UserIDMember: "openid", DefaultTokenType: "Bearer"}
		})
		tok, err := c.Refresh(context.Background(), "rt")
		if err != nil || tok.UserID != "" {
			t.Errorf("token %v, err %v: want no user id", tok, err)
		}
	})
}

// TestTokenUserIDStored: UserID survives encoding/json while Raw does not,
// and String and LogValue show it beside the other fields that are not
// credentials.
func TestTokenUserIDStored(t *testing.T) {
	t.Parallel()
	tok := Token{AccessToken: "at-secret", TokenType: "Bearer", RefreshToken: "rt-secret", Scope: "snsapi_userinfo",
		UserID: "o-1", Raw: map[string]any{"openid": "o-1", "unionid": "u-1"}}
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	var stored Token
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.UserID != "o-1" || stored.Raw != nil || stored.AccessToken != "at-secret" {
		t.Errorf("stored %s as %+v", b, stored)
	}
	if b, _ := json.Marshal(Token{AccessToken: "a", TokenType: "Bearer"}); strings.Contains(string(b), "user_id") {
		t.Errorf("an empty UserID is encoded: %s", b)
	}

	s := tok.String()
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("token", "token", tok)
	for _, out := range []string{s, logged.String()} {
		if !strings.Contains(out, "o-1") {
			t.Errorf("the user id is missing from %s", out)
		}
		if strings.Contains(out, "secret") || strings.Contains(out, "u-1") {
			t.Errorf("a credential or a raw member shows in %s", out)
		}
	}
}

// TestSessionKeepsTokenUserID: a session that keeps its tokens keeps the
// token's UserID, in a cookie and in the Store, and a refresh through
// SessionToken whose answer does not name the user keeps it too.
func TestSessionKeepsTokenUserID(t *testing.T) {
	t.Parallel()
	for _, server := range []bool{false, true} {
		t.Run(fmt.Sprintf("server=%t", server), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newReplicas(t, newFakeClock(), server)
			rotate(r.f, "refresh-42-secret")
			res := loginResult(r.clock, "42")
			res.Token.UserID = "o-42"
			res.Token.Raw = map[string]any{"openid": "o-42"}
			c, err := r.a.SessionCookie(ctx, res)
			if err != nil {
				t.Fatal(err)
			}
			s, ok, err := r.b.Session(ctx, jar(c))
			if err != nil || !ok || s.Token == nil || s.Token.UserID != "o-42" || s.Token.Raw != nil {
				t.Fatalf("session %+v %v %v", s, ok, err)
			}
			if !server {
				// The member costs its own JSON, sealed and base64-encoded:
				// `,"user_id":"o-42"` is 17 bytes, 23 in the cookie.
				without, err := r.a.SessionCookie(ctx, loginResult(r.clock, "42"))
				if err != nil {
					t.Fatal(err)
				}
				if d := len(c.Value) - len(without.Value); d < 20 || d > 24 {
					t.Errorf("the user id adds %d bytes to a session cookie of %d", d, len(c.Value))
				}
			}
			r.clock.Advance(2 * time.Hour)
			tok, nc, err := r.b.SessionToken(ctx, s)
			if err != nil || tok.AccessToken != "at-1" || tok.UserID != "o-42" {
				t.Fatalf("refreshed %v (user %q), err %v", tok, tok.UserID, err)
			}
			if server {
				nc = c
			}
			if s, ok, _ := r.a.Session(ctx, jar(nc)); !ok || s.Token.AccessToken != "at-1" || s.Token.UserID != "o-42" {
				t.Errorf("session after the refresh: %+v", s)
			}
		})
	}
}
