package providers

import (
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestDropboxRPCWithoutBody: the revocation and the account call are RPCs
// without arguments, sent with no body and no Content-Type, which Dropbox
// refuses when it is a form.
func TestDropboxRPCWithoutBody(t *testing.T) {
	t.Parallel()
	type seen struct {
		path, contentType, authz string
		body                     []byte
	}
	var mu sync.Mutex
	var got []seen
	hc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), b})
		mu.Unlock()
		if r.URL.Path == "/2/auth/token/revoke" {
			_, _ = io.WriteString(w, "null")
			return
		}
		testkit.WriteJSON(w, http.StatusOK, map[string]any{"account_id": "dbid:1"})
	})
	p, err := Dropbox("key", "secret", WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Revoke(t.Context(), "tok", core.HintAccessToken); err != nil {
		t.Fatal(err)
	}
	u, err := p.User(t.Context(), core.UserRequest{Client: c, Token: &core.Token{AccessToken: "tok", TokenType: "Bearer"}})
	if err != nil || u.ID != "dbid:1" {
		t.Fatalf("user %+v, %v", u, err)
	}
	if len(got) != 2 {
		t.Fatalf("%d requests", len(got))
	}
	for _, s := range got {
		if s.contentType != "" || len(s.body) != 0 || s.authz != "Bearer tok" {
			t.Errorf("%s: Content-Type %q, body %q, Authorization %q; want none, none, the Bearer token", s.path, s.contentType, s.body, s.authz)
		}
	}
}
