package e2e

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/go-oauth20/oauth20/providers"
)

// TestJARM logs in with signed authorization responses (JARM) at
// oidc-provider in each response mode the server can read: jwt, query.jwt
// and form_post.jwt. The callback carries the response JWT alone, and the
// library verifies it before it reads state or code. A genuine response
// for another client (wrong aud), one with a broken signature, and a
// callback without a response JWT are refused.
func TestJARM(t *testing.T) {
	t.Parallel()
	modes := map[string]string{"jarm-jwt": core.JARMJWT, "jarm-query": core.JARMQuery, "jarm-form": core.JARMFormPost}
	s, ctx := startExtOP(t, realop.Options{}, "jarm-jwt", "jarm-query", "jarm-form", "jarm-other")
	var ps []func() (*core.Provider, error)
	for name, mode := range modes {
		ps = append(ps, provider(s, name, s.JARM, providers.WithJARM(mode)))
	}
	ps = append(ps, provider(s, "jarm-other", s.Basic, providers.WithJARM(core.JARMJWT)))
	auth := buildAuth(t, ps...)

	for name, mode := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			timed(t)
			u, cookies := beginLogin(t, ctx, auth, name, core.BeginOptions{})
			if u.Query().Get("response_mode") != mode {
				t.Fatalf("authorization URL %s: response_mode %q, want %q", u, u.Query().Get("response_mode"), mode)
			}
			params := jarmCallback(t, s, u.String(), name, mode == core.JARMFormPost)
			if len(params) != 1 || strings.Count(params.Get("response"), ".") != 2 {
				t.Fatalf("callback parameters %v: want the response JWT alone", params)
			}
			res, _, err := auth.Complete(ctx, name, params, cookies)
			if err != nil {
				t.Fatalf("complete: %v", err)
			}
			if res.User.ID != "jarm-user" || res.IDToken == nil {
				t.Errorf("login: user %+v", res.User)
			}
		})
	}

	t.Run("wrong-aud", func(t *testing.T) {
		t.Parallel()
		timed(t)
		// A genuine response, signed by the provider for realop-jarm, is
		// handed to a login of realop-basic.
		u, _ := beginLogin(t, ctx, auth, "jarm-jwt", core.BeginOptions{})
		stolen := jarmCallback(t, s, u.String(), "jarm-jwt", false)
		_, cookies := beginLogin(t, ctx, auth, "jarm-other", core.BeginOptions{})
		_, _, err := auth.Complete(ctx, "jarm-other", stolen, cookies)
		if !errors.Is(err, oidc.ErrAudienceMismatch) || !errors.Is(err, core.ErrInvalidCallback) {
			t.Fatalf("a response for another client: %v, want an audience mismatch", err)
		}
		if ce := new(core.CallbackError); !errors.As(err, &ce) || ce.Status != http.StatusBadRequest {
			t.Errorf("status of %v, want 400", err)
		}
	})
	t.Run("bad-signature", func(t *testing.T) {
		t.Parallel()
		timed(t)
		u, cookies := beginLogin(t, ctx, auth, "jarm-query", core.BeginOptions{})
		params := jarmCallback(t, s, u.String(), "jarm-query", false)
		parts := strings.Split(params.Get("response"), ".")
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			t.Fatal(err)
		}
		sig[len(sig)/2] ^= 0x01
		params.Set("response", parts[0]+"."+parts[1]+"."+base64.RawURLEncoding.EncodeToString(sig))
		if _, _, err := auth.Complete(ctx, "jarm-query", params, cookies); !errors.Is(err, oidc.ErrBadSignature) {
			t.Fatalf("a response with a broken signature: %v, want ErrBadSignature", err)
		}
	})
	t.Run("no-response-jwt", func(t *testing.T) {
		t.Parallel()
		timed(t)
		// A plain callback, as an attacker could forge it, is not read.
		u, cookies := beginLogin(t, ctx, auth, "jarm-jwt", core.BeginOptions{})
		plain := url.Values{"code": {"forged"}, "state": {u.Query().Get("state")}, "iss": {s.Issuer}}
		if _, _, err := auth.Complete(ctx, "jarm-jwt", plain, cookies); !errors.Is(err, core.ErrInvalidCallback) {
			t.Fatalf("a callback without a response JWT: %v, want ErrInvalidCallback", err)
		}
	})
}

// jarmCallback plays the user and returns the parameters the application
// receives: the query of the redirect, or the posted form.
func jarmCallback(t *testing.T, s *realop.Server, authURL, name string, post bool) url.Values {
	t.Helper()
	ctx := t.Context()
	want := extBase + "/" + name + "/callback"
	if post {
		target, form, err := s.AuthorizePost(ctx, nil, authURL, "jarm-user")
		if err != nil {
			t.Fatal(err)
		}
		if target.String() != want || form == nil {
			t.Fatalf("posted to %s (form %v), want %s", target, form, want)
		}
		return form
	}
	cb, err := s.Authorize(ctx, nil, authURL, "jarm-user")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cb.String(), want+"?") {
		t.Fatalf("callback %s, want %s", cb, want)
	}
	return cb.Query()
}
