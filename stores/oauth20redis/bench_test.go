package oauth20redis_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/testkit"
)

// BenchmarkCallback measures the work of a callback route — Complete (the
// single-use mark in the store, the code exchange and the userinfo call
// against an in-process provider on loopback, the ID token's verification)
// and SessionCookie — in three setups: the default (an in-memory store and
// the session in the cookie), a Redis store with the session in the cookie,
// and a Redis store with the session in Redis. Read the store's cost per
// callback as the ratio of the Redis setups to the first, from one run:
//
//	go test ./stores/oauth20redis -run '^$' -bench Callback -benchmem -count 6
func BenchmarkCallback(b *testing.B) {
	w := startRedis(b)
	key := testkit.SealingKey()
	for _, setup := range []struct {
		name  string
		store core.Store // nil: the default
		edit  func(*core.Builder)
	}{
		{"cookie-only", nil, nil},
		{"redis", w.store, nil},
		{"redis-sessions", w.store, func(b *core.Builder) { b.ServerSessions() }},
	} {
		b.Run(setup.name, func(b *testing.B) {
			edit := setup.edit
			if setup.store != nil {
				store := setup.store
				edit = func(b *core.Builder) {
					b.Store(store)
					if setup.edit != nil {
						setup.edit(b)
					}
				}
			}
			// A provider of its own for each run: the provider keeps every
			// grant, and a heap that grew with an earlier run would make the
			// garbage collector slow down a later one.
			a := newReplica(b, startOP(b), key, nil, edit)
			ctx := context.Background()
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				cb, err := authorize(ctx, a)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				res, _, err := a.Complete(ctx, "oidc", cb.params, cb.cookies)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := a.SessionCookie(ctx, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
