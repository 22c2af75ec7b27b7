package providers

import (
	"slices"
	"testing"
)

func TestDingTalkCallbackCode(t *testing.T) {
	t.Parallel()
	p, err := DingTalk("key", "secret")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Spec().CodeParams; !slices.Equal(got, []string{"authCode", "code"}) {
		t.Errorf("CodeParams = %q", got)
	}
}
