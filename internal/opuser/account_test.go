package opuser_test

import (
	"testing"

	"github.com/go-oauth20/oauth20/internal/opuser"
)

// Account escapes as JavaScript's encodeURIComponent does, as account() in
// server.mjs; the harnesses' tests compare it with what each provider
// answers.
func TestAccount(t *testing.T) {
	t.Parallel()
	a := opuser.Account("o'neil (test)")
	if a.Picture != "https://example.com/avatars/o'neil%20(test).png" || a.Name != "O'neil (test) Tester" ||
		a.Email != "o'neil (test)@example.com" {
		t.Errorf("Account = %+v", a)
	}
	if b := opuser.Account("bob@example.org"); b.PreferredUsername != "bob" || b.Email != "bob@example.org" || b.Extra != nil {
		t.Errorf("Account = %+v", b)
	}
}
