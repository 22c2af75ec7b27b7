package core

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// subjectVerifier is a stand-in verifier: the raw token is the subject, and
// it enforces the Previous rule on sub only (the oidc package checks all).
type subjectVerifier struct{}

var errChanged = errors.New("subject changed")

func (subjectVerifier) VerifyIDToken(_ context.Context, raw string, want IDTokenExpectations) (*IDToken, error) {
	if want.Previous != nil && want.Previous.Subject != raw {
		return nil, errChanged
	}
	return &IDToken{Subject: raw}, nil
}

func TestAuthRefresh(t *testing.T) {
	t.Parallel()
	f := flowServer(t)
	p := testProvider(t, f, "fake", func(s *ProviderSpec) {
		s.OIDC = true
		s.Discover = func(context.Context, *http.Client, Clock) (*Discovery, error) {
			return &Discovery{Issuer: f.URL, Endpoints: f.endpoints(), Verifier: subjectVerifier{}}, nil
		}
	})
	a := New().SealingKeys(testKey).BaseURL("https://app.example/auth").Provider(p, nil).MustBuild()
	prev := &IDToken{Subject: "alice"}
	old := &Token{AccessToken: "a", RefreshToken: "rt-1"}

	f.answer("/token", 200, "application/json", `{"access_token":"a2","token_type":"Bearer","id_token":"alice"}`)
	tok, id, err := a.Refresh(context.Background(), "fake", old, prev)
	if err != nil || tok.AccessToken != "a2" || id.Subject != "alice" || tok.RefreshToken != "rt-1" {
		t.Fatalf("tok %v id %v err %v", tok, id, err)
	}

	f.answer("/token", 200, "application/json", `{"access_token":"a3","token_type":"Bearer","id_token":"mallory"}`)
	tok, id, err = a.Refresh(context.Background(), "fake", old, prev)
	if !errors.Is(err, errChanged) || tok != nil || id != nil {
		t.Fatalf("a changed subject was accepted: %v %v %v", tok, id, err)
	}

	f.answer("/token", 200, "application/json", `{"access_token":"a4","token_type":"Bearer"}`)
	tok, id, err = a.Refresh(context.Background(), "fake", old, prev)
	if err != nil || tok.AccessToken != "a4" || id != prev {
		t.Fatalf("refresh without ID token: %v %v %v", tok, id, err)
	}
	if _, _, err := a.Refresh(context.Background(), "fake", &Token{AccessToken: "x"}, prev); !errors.Is(err, ErrNoRefreshToken) {
		t.Errorf("no refresh token: %v", err)
	}
}
