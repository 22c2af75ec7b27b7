package oauth20redis_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// Load test bounds: logins per replica and concurrent logins per replica.
const (
	loadLogins  = 2000
	loadWorkers = 8
)

// TestLoadTwoReplicas logs in loadLogins users on each of two replicas at
// once, against an in-process provider over loopback, with server-side
// sessions in one Redis; then every session is read on the replica that
// did not start it. No session may be lost or shared. The figures go to
// the test log (go test -run LoadTwoReplicas -v).
func TestLoadTwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: not in -short mode")
	}
	w := startRedis(t)
	op := startOP(t)
	ctx := testContext(t)
	key := testkit.SealingKey()
	server := func(b *core.Builder) { b.ServerSessions() }
	replicas := []*core.Auth{newReplica(t, op, key, w.store, server), newReplica(t, op, key, w.store, server)}

	type loginResult struct {
		replica  int
		cookie   http.Cookie
		callback time.Duration // Complete and SessionCookie: the callback route's work
	}
	results := make(chan loginResult, 2*loadLogins)
	errs := make(chan error, 2*loadLogins)
	began := time.Now()
	var wg sync.WaitGroup
	for r, a := range replicas {
		jobs := make(chan int)
		for range loadWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					cb, err := authorize(ctx, a)
					if err != nil {
						errs <- err
						continue
					}
					t0 := time.Now()
					res, _, err := a.Complete(ctx, "oidc", cb.params, cb.cookies)
					if err != nil {
						errs <- fmt.Errorf("replica %d: complete: %w", r, err)
						continue
					}
					c, err := a.SessionCookie(ctx, res)
					if err != nil {
						errs <- fmt.Errorf("replica %d: session: %w", r, err)
						continue
					}
					results <- loginResult{replica: r, cookie: c, callback: time.Since(t0)}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(jobs)
			for i := range loadLogins {
				select {
				case jobs <- i:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	close(results)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	perReplica := make([]int, len(replicas))
	var latencies []time.Duration
	ids := map[string]int{}
	for res := range results {
		perReplica[res.replica]++
		latencies = append(latencies, res.callback)
		// Read on the other replica.
		s, ok, err := replicas[1-res.replica].Session(ctx, jar(res.cookie))
		if err != nil || !ok {
			t.Fatalf("a session of replica %d is lost on the other: %v %v", res.replica, ok, err)
		}
		ids[s.ID]++
	}
	for r, n := range perReplica {
		if n != loadLogins {
			t.Errorf("replica %d: %d sessions, want %d", r, n, loadLogins)
		}
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("session %s… is shared by %d logins", id[:8], n)
		}
	}
	if got, want := len(w.keys(t, "oauth20:session:*")), 2*loadLogins; got != want {
		t.Errorf("%d sessions in Redis, want %d", got, want)
	}
	if got, want := len(w.keys(t, "oauth20:used:*")), 2*loadLogins; got != want {
		t.Errorf("%d used states in Redis, want %d", got, want)
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	t.Logf("%d logins on 2 replicas (%d concurrent each) in %v: %.0f logins/s in all; callback (Complete + SessionCookie) p50 %v, p99 %v, max %v; %d distinct sessions, all read on the other replica",
		len(latencies), loadWorkers, elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(),
		pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond), len(ids))
}
