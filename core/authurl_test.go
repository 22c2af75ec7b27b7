package core

import (
	"net/url"
	"strings"
	"testing"
)

func TestAuthCodeURL(t *testing.T) {
	t.Parallel()
	f := newFakeServer(t)
	tests := []struct {
		name    string
		dialect *Dialect
		scopes  []string
		opts    []Option
		want    string // the part after the endpoint
	}{
		{
			name:   "defaults",
			scopes: []string{"openid", "email"},
			want:   "response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&scope=openid%20email&state=st",
		},
		{
			name: "every option",
			opts: []Option{WithPKCE("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), WithParam("nonce", "n-1"), WithParam("prompt", "login consent"),
				WithParam("login_hint", "a@b.example"), WithParam("response_mode", "form_post"), WithParam("access_type", "offline"),
				WithScopes("a", "b"), withRedirectURL("https://rp.example/cb")},
			want: "response_type=code&client_id=client-1&redirect_uri=https%3A%2F%2Frp.example%2Fcb&scope=a%20b&state=st" +
				"&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&nonce=n-1" +
				"&prompt=login%20consent&login_hint=a%40b.example&response_mode=form_post&access_type=offline",
		},
		{
			name:    "wechat order, names, separator and fragment",
			dialect: &Dialect{ParamNames: map[string]string{"client_id": "appid"}, ScopeSeparator: ",", AuthURLFragment: "wechat_redirect", AuthParamOrder: []string{"appid", "redirect_uri", "response_type", "scope", "state"}},
			scopes:  []string{"snsapi_login", "snsapi_userinfo"},
			want:    "appid=client-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&response_type=code&scope=snsapi_login%2Csnsapi_userinfo&state=st#wechat_redirect",
		},
		{
			name: "empty value removes a parameter",
			opts: []Option{WithParam("response_type", "")},
			want: "client_id=client-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&state=st",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, f, func(cfg *Config) { cfg.Dialect = tt.dialect; cfg.Scopes = tt.scopes })
			got := c.AuthCodeURL("st", tt.opts...)
			prefix := f.URL + "/authorize?"
			if !strings.HasPrefix(got, prefix) {
				t.Fatalf("URL %q does not start with %q", got, prefix)
			}
			if got[len(prefix):] != tt.want {
				t.Errorf("query\n got: %s\nwant: %s", got[len(prefix):], tt.want)
			}
		})
	}
}

func TestAuthCodeURLKeepsEndpointQuery(t *testing.T) {
	t.Parallel()
	c, err := NewClient(Config{ClientID: "id", Endpoints: Endpoints{AuthURL: "https://as.example/auth?tenant=x", TokenURL: "https://as.example/token"}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(c.AuthCodeURL("s"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("tenant") != "x" || u.Query().Get("state") != "s" {
		t.Errorf("query = %v", u.Query())
	}
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	// RFC 7636 Appendix B.
	if got := s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("S256Challenge = %q", got)
	}
	seen := map[string]bool{}
	for range 10000 {
		v := GenerateVerifier()
		if len(v) < 43 || len(v) > 128 {
			t.Fatalf("verifier length %d", len(v))
		}
		for _, r := range v {
			if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
				t.Fatalf("verifier has %q", r)
			}
		}
		if seen[v] {
			t.Fatal("verifier repeated")
		}
		seen[v] = true
	}
}

func TestEncodeQuery(t *testing.T) {
	t.Parallel()
	p := &Params{}
	p.Set("scope", "openid email")
	p.Set("a&b=c", "x+y/z?")
	got := p.encodeQuery()
	if got != "scope=openid%20email&a%26b%3Dc=x%2By%2Fz%3F" {
		t.Errorf("EncodeQuery = %s", got)
	}
	v, err := url.ParseQuery(got)
	if err != nil || v.Get("a&b=c") != "x+y/z?" || v.Get("scope") != "openid email" {
		t.Errorf("round trip %v %v", v, err)
	}
}
