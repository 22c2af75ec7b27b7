package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// userProvider fetches the user with the token in the query, the mistake
// the bearer check must catch, when inQuery is set.
func userProvider(t *testing.T, inQuery bool) *core.Provider {
	t.Helper()
	return newProvider(t, core.ProviderSpec{
		Name: "acme",
		Client: core.Config{ClientID: "test-client", ClientSecret: "test-secret",
			Endpoints: core.Endpoints{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"}},
		FetchUser: func(ctx context.Context, r core.UserRequest) (*core.User, error) {
			rr := core.ResourceRequest{URL: "https://as.example/me", Token: r.Token}
			if inQuery {
				rr.Query = &core.Params{}
				rr.Query.Set("access_token", r.Token.AccessToken)
			}
			f, err := r.Client.Resource(ctx, rr)
			if err != nil {
				return nil, err
			}
			return &core.User{ID: jsonmap.String(f, "id")}, nil
		},
	})
}

const userCassette = `{
  "provider": "acme",
  "scenarios": [{
    "name": "user", "op": "user",
    "interactions": [{
      "request": {"method": "GET", "url": "https://as.example/me", "auth": {"bearer": "{{access_token}}"}},
      "response": {"status": 200, "json": {"id": 7}}
    }],
    "expect": {"user": {"id": "7"}}
  }, {
    "name": "user_other_url", "op": "user",
    "interactions": [{
      "request": {"method": "GET", "url": "https://as.example/userinfo", "auth": {"bearer": "{{access_token}}"}},
      "response": {"status": 200, "json": {"id": 7}}
    }],
    "expect": {"user": {"id": "7"}}
  }]
}`

func TestReplayDiffs(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(userCassette))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		inQuery  bool
		scenario int
		want     []string
	}{
		{"passes", false, 0, nil},
		{"token also in the query", true, 0, []string{
			`GET https://as.example/me: query parameter "access_token": unexpected secret-bearing field (value "{{access_token}}"; the cassette expects a Bearer header)`}},
		{"unexpected request", false, 1, []string{
			`unexpected request GET https://as.example/me; the scenario still expects GET https://as.example/userinfo`,
			`missing request GET https://as.example/userinfo (interactions[0]): the provider never sent it`,
			`got error "oauth20: transport error: userinfo GET \"https://as.example/me\": conformance: no recorded interaction for this request", want a user`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := replay(context.Background(), userProvider(t, tt.inQuery), c, &c.Scenarios[tt.scenario])
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("diffs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestErrorLeakIsReported(t *testing.T) {
	t.Parallel()
	p := newProvider(t, core.ProviderSpec{
		Name: "acme",
		Client: core.Config{ClientID: "test-client", ClientSecret: "test-secret",
			Endpoints: core.Endpoints{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"}},
		FetchUser: func(_ context.Context, r core.UserRequest) (*core.User, error) {
			return nil, &core.Error{Code: core.CodeInvalidToken, Description: "bad token " + r.Token.AccessToken}
		},
	})
	c, err := Parse([]byte(`{"provider": "acme", "scenarios": [{"name": "user", "op": "user",
		"expect": {"error": {"code": "invalid_token"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(replay(context.Background(), p, c, &c.Scenarios[0]), "\n")
	if !strings.Contains(got, "the error message leaks the value of {{access_token}}") {
		t.Fatalf("diffs %q", got)
	}
}

// newProvider is core.NewProvider for a valid spec.
func newProvider(t *testing.T, spec core.ProviderSpec) *core.Provider {
	p, err := core.NewProvider(spec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
