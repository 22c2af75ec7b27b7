package providers

import (
	"testing"

	"github.com/go-oauth20/oauth20/core"
)

// TestWeiboUserNeedsUID: the user fetch of a token without Weibo's uid
// fails without calling Weibo.
func TestWeiboUserNeedsUID(t *testing.T) {
	t.Parallel()
	p, err := Weibo("id", "secret")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.User(t.Context(), core.UserRequest{Token: &core.Token{AccessToken: "at-1234", TokenType: "Bearer"}})
	if err == nil {
		t.Fatal("a user without uid was fetched")
	}
}
