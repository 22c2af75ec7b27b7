package providers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

func TestWeChatParameterOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		new  func(string, string, ...Option) (*core.Provider, error)
		url  string
	}{
		{"mp", WeChatMP, "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wxID&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=snsapi_userinfo&state=st&forcePopup=true#wechat_redirect"},
		{"open", WeChatOpen, "https://open.weixin.qq.com/connect/qrconnect?appid=wxID&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=snsapi_login&state=st&forcePopup=true#wechat_redirect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var queries []string
			rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
				queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
				w.Header().Set("Content-Type", "text/plain")
				_, _ = w.Write([]byte(`{"access_token":"AT","expires_in":7200,"refresh_token":"RT","openid":"OID","scope":"snsapi_userinfo"}`))
			})
			p, err := tt.new("wxID", "wxSecret", WithAuthParam("forcePopup", "true"), WithHTTPClient(rc))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			c, err := p.Client(ctx)
			if err != nil {
				t.Fatal(err)
			}
			opts := append([]core.Option{core.WithParam("redirect_uri", "https://app.example/cb")}, coreaccess.Spec(p).AuthOptions...)
			if got := c.AuthCodeURL("st", opts...); got != tt.url {
				t.Errorf("authorization URL\n got %s\nwant %s", got, tt.url)
			}
			if _, err := c.Exchange(ctx, "CODE", core.WithParam("redirect_uri", "https://app.example/cb")); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Refresh(ctx, "RT"); err != nil {
				t.Fatal(err)
			}
			want := []string{
				"/sns/oauth2/access_token?appid=wxID&secret=wxSecret&code=CODE&grant_type=authorization_code",
				"/sns/oauth2/refresh_token?appid=wxID&grant_type=refresh_token&refresh_token=RT",
			}
			if !slices.Equal(queries, want) {
				t.Errorf("token requests\n got %q\nwant %q", queries, want)
			}
		})
	}
}

func TestWeChatTokenWithoutOpenID(t *testing.T) {
	t.Parallel()
	rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"access_token":"AT","expires_in":7200}`))
	})
	p, err := WeChatOpen("wxID", "wxSecret", WithHTTPClient(rc))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.Client(context.Background())
	if _, err := c.Exchange(context.Background(), "CODE"); !errors.Is(err, core.ErrMalformedResponse) {
		t.Fatalf("err = %v, want ErrMalformedResponse", err)
	}
}

// TestWeChatRefusal: a WeChat user who refuses comes back with the state
// alone; the login answers access_denied with 401, and asks WeChat
// nothing.
func TestWeChatRefusal(t *testing.T) {
	t.Parallel()
	for _, newP := range []func(string, string, ...Option) (*core.Provider, error){WeChatMP, WeChatOpen} {
		rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		})
		p, err := newP("wxID", "wxSecret")
		a := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).
			HTTPClient(rc).Provider(p, err).MustBuild()
		ctx := t.Context()
		authURL, cookie, err := a.Begin(ctx, p.Name(), core.BeginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(authURL)
		if err != nil {
			t.Fatal(err)
		}
		cb := url.Values{"state": {u.Query().Get("state")}}
		_, _, err = a.Complete(ctx, p.Name(), cb, func(n string) (string, bool) { return cookie.Value, n == cookie.Name })
		var ce *core.CallbackError
		if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized || !errors.Is(err, core.ErrAccessDenied) {
			t.Errorf("%s: err = %v, want access_denied with 401", p.Name(), err)
		}
	}
}
