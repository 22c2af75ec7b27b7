package core

import (
	"context"
	"errors"
	"net/url"
	"testing"
)

// FuzzUnseal feeds arbitrary cookie values to the sealer: nothing opens
// except a value it sealed, and nothing panics.
func FuzzUnseal(f *testing.F) {
	s, err := newSealer([][]byte{testKey})
	if err != nil {
		f.Fatal(err)
	}
	good := s.seal([]byte(`{"s":"x"}`), "ctx")
	f.Add(good, "ctx")
	f.Add(good[:len(good)-2], "ctx")
	f.Add("", "")
	f.Add("AAAA", "ctx")
	f.Add("!!!not base64!!!", "ctx")
	f.Fuzz(func(t *testing.T, value, context string) {
		pt, err := s.open(value, context)
		if err == nil {
			// Only one record was ever sealed, under one context.
			if context != "ctx" || string(pt) != `{"s":"x"}` {
				t.Fatalf("opened a value that was not sealed: %q", value)
			}
			return
		}
		if !errors.Is(err, ErrUnseal) {
			t.Fatalf("error %v does not wrap ErrUnseal", err)
		}
	})
}

// FuzzCallback drives Complete with arbitrary callback parameters and
// cookies: every outcome is a *CallbackError with a 4xx/5xx status and no
// provider is ever called without the flow's cookie.
func FuzzCallback(f *testing.F) {
	f.Add("code=good-code&state=abc", "oauth20_x", "value")
	f.Add("error=access_denied&state=abc&iss=https%3A%2F%2Fevil", "", "")
	f.Add("state=&code=&code=", "oauth20_", "%%%")
	f.Add("state="+string(make([]byte, 600)), "a", "b")
	srv := newFakeServer(f)
	srv.answer("/token", 400, "application/json", `{"error":"invalid_grant"}`)
	p := testProvider(f, srv, "fake", nil)
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Provider(p, nil).MustBuild()
	f.Fuzz(func(t *testing.T, query, cookieName, cookieValue string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		res, _, err := a.Complete(context.Background(), "fake", params, func(name string) (string, bool) {
			return cookieValue, name == cookieName
		})
		var ce *CallbackError
		if res != nil || !errors.As(err, &ce) || ce.Status < 400 {
			t.Fatalf("res %v err %v", res, err)
		}
		if n := len(srv.requests()); n != 0 {
			t.Fatalf("%d requests to the provider from a forged callback", n)
		}
	})
}
