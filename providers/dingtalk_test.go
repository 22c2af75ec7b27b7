package providers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
)

func TestDingTalkCallbackCode(t *testing.T) {
	t.Parallel()
	p, err := DingTalk("key", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if got := coreaccess.Spec(p).CodeParams; !slices.Equal(got, []string{"authCode", "code"}) {
		t.Errorf("CodeParams = %q", got)
	}
}

// TestDingTalkUsedCode: a used or expired authCode is a bad callback (400,
// invalid_grant), not a provider failure (502).
func TestDingTalkUsedCode(t *testing.T) {
	t.Parallel()
	rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"code":"invalidParameter.authCode.notFound","message":"不合法的临时授权码","requestid":"3A5E7C2B"}`))
	})
	p, err := DingTalk("key", "secret")
	a := core.New().SealingKeys([]byte("0123456789abcdef0123456789abcdef")).BaseURL(testAppBase).
		HTTPClient(rc).Provider(p, err).MustBuild()
	ctx := t.Context()
	authURL, cookie, err := a.Begin(ctx, "dingtalk", core.BeginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	cb := url.Values{"authCode": {"used-code"}, "state": {u.Query().Get("state")}}
	_, _, err = a.Complete(ctx, "dingtalk", cb, func(n string) (string, bool) { return cookie.Value, n == cookie.Name })
	var ce *core.CallbackError
	if !errors.As(err, &ce) || ce.Status != http.StatusBadRequest || !errors.Is(err, core.ErrInvalidGrant) {
		t.Fatalf("err = %v, want invalid_grant with 400", err)
	}
}
