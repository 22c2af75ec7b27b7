package providers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// TestWeComCorpTokenCache checks that the corp access token is fetched once
// for any number of concurrent callers and kept until its expires_in less
// the margin, measured with the provider's clock.
func TestWeComCorpTokenCache(t *testing.T) {
	t.Parallel()
	var fetches atomic.Int32
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	rc := handlerClient(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cgi-bin/gettoken" {
			http.NotFound(w, r)
			return
		}
		if q := r.URL.Query(); q.Get("corpid") != "corp" || q.Get("corpsecret") != "s3cret" {
			t.Errorf("gettoken query %v", q)
		}
		n := fetches.Add(1)
		arrived <- struct{}{}
		<-release
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","access_token":"corp-token-%d","expires_in":7200}`, n)
	})
	clock := testkit.NewClock(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	p0, err := WeCom("corp", "1000002", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	p := coreaccess.WithRuntime(p0, rc, clock, nil)
	ctx := context.Background()

	const callers = 8
	var wg sync.WaitGroup
	urls := make([]string, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.Client(ctx)
			if err == nil {
				urls[i] = c.Endpoints().TokenURL
			}
			errs[i] = err
		}()
	}
	<-arrived // one fetch is in flight; the others wait for it
	close(release)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !strings.HasSuffix(urls[i], "/cgi-bin/auth/getuserinfo?access_token=corp-token-1") {
			t.Errorf("caller %d: token endpoint %q", i, urls[i])
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d gettoken calls for %d concurrent callers, want 1", n, callers)
	}

	// 7200 s less a margin of 300 s (a tenth, at most five minutes).
	clock.Advance(6900*time.Second - time.Second)
	if _, err := p.Client(ctx); err != nil {
		t.Fatal(err)
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("refetched %d times before expiry", n-1)
	}
	clock.Advance(time.Second)
	c, err := p.Client(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := fetches.Load(); n != 2 {
		t.Fatalf("%d gettoken calls after expiry, want 2", n)
	}
	if got := c.Endpoints().UserInfoURL; !strings.HasSuffix(got, "/cgi-bin/user/get?access_token=corp-token-2") {
		t.Errorf("user endpoint %q after the refresh", got)
	}
}
