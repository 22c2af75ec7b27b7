package core

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

func TestResource(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/me", 200, "application/json", `{"id":12345678901234567890,"name":"x"}`)
	f.answer("/emails", 200, "application/json", `[{"email":"a@b.example","primary":true}]`)
	f.answer("/detail", 200, "text/plain", `{"errcode":0,"email":"c@d.example"}`)
	f.answer("/denied", 401, "", ``)
	f.handle("/challenge", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="expired"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	c := newTestClient(t, f, nil)
	tok := &Token{AccessToken: "at-123"}
	ctx := context.Background()

	m, err := c.Resource(ctx, ResourceRequest{URL: f.URL + "/me", Token: tok})
	if err != nil || jsonmap.String(m, "id") != "12345678901234567890" {
		t.Fatalf("object: %v %v", m, err)
	}
	r := f.last(t)
	if r.Header.Get("Authorization") != "Bearer at-123" || r.RawQuery != "" {
		t.Errorf("token sent as %q, query %q", r.Header.Get("Authorization"), r.RawQuery)
	}

	var emails []map[string]any
	if m, err := c.Resource(ctx, ResourceRequest{URL: f.URL + "/emails", Token: tok, Into: &emails}); err != nil || m != nil || len(emails) != 1 {
		t.Fatalf("array: %v %v %v", m, emails, err)
	}

	body := &Params{}
	body.Set("user_ticket", "t1")
	q := &Params{}
	q.Set("access_token", "corp")
	m, err = c.Resource(ctx, ResourceRequest{Method: http.MethodPost, URL: f.URL + "/detail", Query: q, Body: body, BodyFormat: FormatJSON,
		Detectors: []errorDetector{codeDetector("errcode", "errmsg", nil)}})
	r = f.last(t)
	if err != nil || jsonmap.String(m, "email") != "c@d.example" || r.Method != "POST" || r.Body != `{"user_ticket":"t1"}` || r.RawQuery != "access_token=corp" {
		t.Fatalf("POST JSON: %v %v %+v", m, err, r)
	}

	if _, err := c.Resource(ctx, ResourceRequest{URL: f.URL + "/denied", Token: tok}); !errors.Is(err, ErrUnexpectedStatus) {
		t.Errorf("401 without challenge: %v", err)
	}
	if _, err := c.Resource(ctx, ResourceRequest{URL: f.URL + "/challenge", Token: tok}); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("401 with a Bearer challenge: %v", err)
	}
}

// TestResourceHeader: the caller's headers are sent under canonical names,
// merged when two spellings name one header, and the caller's map and
// slices are left as they were.
func TestResourceHeader(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	f.answer("/me", 200, "application/json", `{"id":"1"}`)
	c := newTestClient(t, f, func(cfg *Config) {
		cfg.Dialect = &Dialect{Headers: map[string]string{"Client-Id": "app"}}
	})
	spare := make([]string, 1, 4)
	spare[0] = "one"
	h := http.Header{"x-acs-token": spare, "X-Acs-Token": {"two"}, "Accept": {"application/json, application/jwt"}}
	before := h.Clone()
	if _, err := c.Resource(context.Background(), ResourceRequest{URL: f.URL + "/me", Token: &Token{AccessToken: "at"}, Header: h}); err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	if got := r.Header.Values("X-Acs-Token"); len(got) != 2 {
		t.Errorf("X-Acs-Token %q, want both values", got)
	}
	if r.Header.Get("Accept") != "application/json, application/jwt" || r.Header.Get("Client-Id") != "app" || r.Header.Get("Authorization") != "Bearer at" {
		t.Errorf("header %v", r.Header)
	}
	if !reflect.DeepEqual(h, before) || spare[:2][1] != "" {
		t.Errorf("the caller's header was written to: %v", h)
	}
}
