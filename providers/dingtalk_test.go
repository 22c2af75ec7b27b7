package providers

import (
	"slices"
	"testing"

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
