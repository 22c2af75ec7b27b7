package providers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

func TestGitLabSelfManaged(t *testing.T) {
	t.Parallel()
	var gotAuth, gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotPath = r.Header.Get("Authorization"), r.URL.Path
		testkit.WriteJSON(w, 200, map[string]any{"sub": "42", "name": "Jane", "preferred_username": "jane",
			"email": "jane@git.example.com", "email_verified": true, "picture": "https://git.example.com/a.png"})
	}))
	defer srv.Close()

	p, err := GitLab("id", "secret", WithBaseURL(srv.URL+"/gitlab/"), WithRedirectURL("https://app.example/cb"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Client(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ep := c.Endpoints()
	base := srv.URL + "/gitlab"
	if ep.AuthURL != base+"/oauth/authorize" || ep.TokenURL != base+"/oauth/token" || ep.RevocationURL != base+"/oauth/revoke" || ep.UserInfoURL != base+"/oauth/userinfo" {
		t.Errorf("endpoints %+v", ep)
	}
	if u := c.AuthCodeURL("s"); !strings.HasPrefix(u, base+"/oauth/authorize?") {
		t.Errorf("authorization URL %q", u)
	}
	u, err := p.User(context.Background(), core.UserRequest{Token: &core.Token{AccessToken: "tok", TokenType: "Bearer"}})
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/gitlab/oauth/userinfo" || gotAuth != "Bearer tok" {
		t.Errorf("user request %s with %q", gotPath, gotAuth)
	}
	if u.ID != "42" || u.Username != "jane" || !u.EmailVerified || u.Email != "jane@git.example.com" {
		t.Errorf("user %+v", u)
	}
}
