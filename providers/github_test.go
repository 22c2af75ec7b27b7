package providers

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

func TestGitHubConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		id, sec   string
		opts      []Option
		wantErr   string
		wantAuth  string
		wantUser  string
		wantName  string
		wantScope []string
	}{
		{name: "defaults", id: "id", sec: "secret",
			wantAuth: "https://github.com/login/oauth/authorize", wantUser: "https://api.github.com/user",
			wantName: "github", wantScope: []string{"read:user", "user:email"}},
		{name: "enterprise server", id: "id", sec: "secret",
			opts:     []Option{WithBaseURL("https://ghe.example.com/"), WithName("ghe"), WithScopes("read:user")},
			wantAuth: "https://ghe.example.com/login/oauth/authorize", wantUser: "https://ghe.example.com/api/v3/user",
			wantName: "ghe", wantScope: []string{"read:user"}},
		{name: "no secret", id: "id", wantErr: "needs a client secret"},
		{name: "no client id", sec: "secret", wantErr: "client id is empty"},
		{name: "plain http base", id: "id", sec: "secret", opts: []Option{WithBaseURL("http://ghe.example.com")}, wantErr: "plain http"},
		{name: "base with query", id: "id", sec: "secret", opts: []Option{WithBaseURL("https://ghe.example.com?x=1")}, wantErr: "scheme and host only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := GitHub(tt.id, tt.sec, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, core.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one wrapping ErrInvalidConfig with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret\"") {
					t.Errorf("error %q shows the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			spec := coreaccess.Spec(p)
			if spec.Client.Endpoints.AuthURL != tt.wantAuth || spec.Client.Endpoints.UserInfoURL != tt.wantUser {
				t.Errorf("endpoints %+v", spec.Client.Endpoints)
			}
			if p.Name() != tt.wantName || strings.Join(spec.Client.Scopes, " ") != strings.Join(tt.wantScope, " ") {
				t.Errorf("name %q scopes %q", p.Name(), spec.Client.Scopes)
			}
			if spec.Client.AuthMethod != core.AuthSecretPost || spec.OIDC {
				t.Errorf("auth %q oidc %t", spec.Client.AuthMethod, spec.OIDC)
			}
		})
	}
}

// TestGitHubRevokeRequest checks the rewrite of core's RFC 7009 request
// into GitHub's DELETE; the conformance cassette checks it on the wire.
func TestGitHubRevokeRequest(t *testing.T) {
	t.Parallel()
	r := &core.Request{Op: core.OpRevoke, Method: "POST", Header: map[string][]string{}, Params: &core.Params{}}
	r.Params.Set("token", "tok")
	r.Params.Set("token_type_hint", "access_token")
	r.Params.Set("client_id", "id")
	r.Params.Set("client_secret", "secret")
	if err := githubEditRequest(r); err != nil {
		t.Fatal(err)
	}
	if r.Method != "DELETE" || r.Format != core.FormatJSON || paramNames(r.Params) != "access_token" ||
		r.Params.Get("access_token") != "tok" || r.Header.Get("Authorization") != "Basic aWQ6c2VjcmV0" {
		t.Fatalf("request %+v params %v", r, paramNames(r.Params))
	}
	other := &core.Request{Op: core.OpExchange, Method: "POST", Params: &core.Params{}}
	if err := githubEditRequest(other); err != nil || other.Method != "POST" {
		t.Fatalf("exchange changed: %+v", other)
	}
}
