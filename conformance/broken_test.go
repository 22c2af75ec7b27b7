package conformance_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/conformance"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/providers"
)

// githubCassette loads the GitHub cassette once per test.
func githubCassette(t *testing.T) *conformance.Cassette {
	t.Helper()
	c, err := conformance.LoadDir(filepath.Join("testdata", "github"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// brokenGitHub builds the GitHub provider with one thing broken.
func brokenGitHub(t *testing.T, breakIt func(spec *core.ProviderSpec, d *core.Dialect)) *core.Provider {
	t.Helper()
	p, err := providers.GitHub(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	spec := coreaccess.Spec(p)
	d := *spec.Client.Dialect
	breakIt(&spec, &d)
	spec.Client.Dialect = &d
	q, err := core.NewProvider(spec)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestBrokenProviderFails shows that each classic dialect mistake fails
// the suite, in the scenario concerned, with a message naming the
// difference.
func TestBrokenProviderFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		breakIt  func(spec *core.ProviderSpec, d *core.Dialect)
		scenario string
		want     []string
	}{
		{
			name: "wrong parameter name",
			breakIt: func(_ *core.ProviderSpec, d *core.Dialect) {
				d.ParamNames = map[string]string{"redirect_uri": "redirect_url"}
			},
			scenario: "exchange_success",
			want: []string{
				`form field "redirect_uri": missing, want "{{redirect_uri}}"`,
				`form field "redirect_url": unexpected (value "{{redirect_uri}}")`,
			},
		},
		{
			name:     "missing PKCE verifier",
			breakIt:  func(spec *core.ProviderSpec, _ *core.Dialect) { spec.PKCE = core.PKCEUnsupported },
			scenario: "exchange_success",
			want:     []string{`form field "code_verifier": missing, want "{{code_verifier}}"`},
		},
		{
			name:     "missing PKCE challenge",
			breakIt:  func(spec *core.ProviderSpec, _ *core.Dialect) { spec.PKCE = core.PKCEUnsupported },
			scenario: "authorization_url",
			want:     []string{`authorization parameter "code_challenge": missing, want "{{code_challenge}}"`},
		},
		{
			name:     "Basic auth where the provider wants the body",
			breakIt:  func(spec *core.ProviderSpec, _ *core.Dialect) { spec.Client.AuthMethod = core.AuthSecretBasic },
			scenario: "exchange_success",
			want: []string{
				`header Authorization: got HTTP Basic "{{client_id}}:{{client_secret}}", want client_secret_post (credentials in the body)`,
				`form field "client_secret": missing, want "{{client_secret}}"`,
			},
		},
		{
			name: "HTTP 200 error body treated as success",
			breakIt: func(_ *core.ProviderSpec, d *core.Dialect) {
				d.ErrorDetectors = []func(int, map[string]any) *core.Error{func(status int, body map[string]any) *core.Error {
					if status < 400 {
						return nil
					}
					return providers.DetectRFC6749(status, body)
				}}
				// A provider that also invents a token type for answers
				// without one gets a token out of the error body.
				d.DefaultTokenType = "Bearer"
				d.TokenFields = map[string]string{"access_token": "error"}
			},
			scenario: "exchange_error",
			want:     []string{`got a token, want error code invalid_grant (provider code bad_verification_code) (was an error answer taken for success?)`},
		},
		{
			name: "HTTP 200 error body without a token",
			breakIt: func(_ *core.ProviderSpec, d *core.Dialect) {
				d.ErrorDetectors = []func(int, map[string]any) *core.Error{func(int, map[string]any) *core.Error { return nil }}
			},
			scenario: "exchange_error",
			want:     []string{`response has no access_token", want code invalid_grant (provider code bad_verification_code)`},
		},
		{
			name:     "revocation as RFC 7009 form POST",
			breakIt:  func(_ *core.ProviderSpec, d *core.Dialect) { d.EditRequest = nil },
			scenario: "revocation",
			want: []string{
				`unexpected request POST https://api.github.com/applications/{{client_id}}/token; the scenario still expects DELETE https://api.github.com/applications/{{client_id}}/token`,
				`missing request DELETE https://api.github.com/applications/{{client_id}}/token (interactions[0])`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := githubCassette(t)
			rep, err := conformance.Check(context.Background(), brokenGitHub(t, tt.breakIt), c)
			if err != nil {
				t.Fatal(err)
			}
			err = rep.Err()
			if err == nil {
				t.Fatal("the broken provider passed the suite")
			}
			msg := err.Error()
			for _, w := range tt.want {
				line := "conformance: github/" + tt.scenario + ": "
				if !containsLine(msg, line, w) {
					t.Errorf("no line %q…%q in:\n%s", line, w, msg)
				}
			}
		})
	}
}

// containsLine reports whether some line of msg starts with prefix and
// contains want.
func containsLine(msg, prefix, want string) bool {
	for _, l := range strings.Split(msg, "\n") {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, want) {
			return true
		}
	}
	return false
}

// TestGitHubPassesCheck is the counterpart: the real provider passes.
func TestGitHubPassesCheck(t *testing.T) {
	t.Parallel()
	p, err := providers.GitHub(testClientID, testClientSecret, providers.WithRedirectURL(testRedirectURL))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := conformance.Check(context.Background(), p, githubCassette(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rep.Scenarios) < 7 {
		t.Fatalf("only %d scenarios ran", len(rep.Scenarios))
	}
}
