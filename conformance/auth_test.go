package conformance

import (
	"encoding/json"
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

// TestAuthOAuthScheme: {"oauth": token} reads, writes and checks the
// "Authorization: OAuth <token>" header, and no other scheme.
func TestAuthOAuthScheme(t *testing.T) {
	t.Parallel()
	var a Auth
	if err := json.Unmarshal([]byte(`{"oauth": "{{access_token}}"}`), &a); err != nil {
		t.Fatal(err)
	}
	if a != (Auth{Method: AuthOAuth, Token: "{{access_token}}"}) {
		t.Fatalf("parsed %+v", a)
	}
	if out, err := json.Marshal(a); err != nil || string(out) != `{"oauth":"{{access_token}}"}` {
		t.Fatalf("marshal: %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"oauth": "x", "bearer": "y"}`), &a); err == nil {
		t.Error("oauth and bearer together were accepted")
	}
	b := newBinder(core.ProviderSpec{}, "yandex", "user", nil)
	tok := b.get("access_token")
	want := Auth{Method: AuthOAuth, Token: "{{access_token}}"}
	for header, ok := range map[string]bool{"OAuth " + tok: true, "oauth " + tok: true, "Bearer " + tok: false, "": false, "OAuth other": false} {
		if got := len(want.check(header, b)) == 0; got != ok {
			t.Errorf("check(%q) passes: %v, want %v", header, got, ok)
		}
	}
}
