package oauth20redis_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/stores/oauth20redis"
	"github.com/go-oauth20/oauth20/stores/oauth20redis/internal/redisserver"
	"github.com/redis/go-redis/v9"
)

// testTimeout bounds the network work of one test.
const testTimeout = 60 * time.Second

// appBase is the applications' base URL. Nothing listens there: the tests
// take the callback from the provider's redirect and hand it to
// core.Auth.Complete themselves.
const appBase = "http://127.0.0.1:8000/auth"

// redisWorld is a redis-server of the test, a client and a Store on it.
type redisWorld struct {
	srv   *redisserver.Server
	rdb   *redis.Client
	store *oauth20redis.Store
}

// startRedis starts redis-server for t (or skips, see redisserver.Start).
// The client bounds each call by its ctx's deadline.
func startRedis(t testing.TB) *redisWorld {
	t.Helper()
	srv := redisserver.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = rdb.Close() })
	return &redisWorld{srv: srv, rdb: rdb, store: oauth20redis.New(rdb, oauth20redis.Config{Prefix: "test:"})}
}

// keys returns the keys of the Store that match pattern (after the prefix).
func (w *redisWorld) keys(t testing.TB, pattern string) []string {
	t.Helper()
	var out []string
	iter := w.rdb.Scan(context.Background(), 0, "test:"+pattern, 1000).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// opClientID and opSecret are the application's client at the provider.
const (
	opClientID = "replicated-app"
	opSecret   = "replicated-app-secret-5e1d"
)

// startOP starts an in-process OpenID provider for the applications.
func startOP(t testing.TB) *oidctest.Server {
	t.Helper()
	return oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: opClientID, Secret: opSecret, RedirectURIs: []string{appBase + "/oidc/callback"},
	}))
}

// newReplica builds one replica's Auth on the provider and store (nil: the
// default in-memory store), with edit applied to the builder.
func newReplica(t testing.TB, op *oidctest.Server, key []byte, store core.Store, edit func(*core.Builder)) *core.Auth {
	t.Helper()
	b := core.New().SealingKeys(key).BaseURL(appBase).Store(store).HTTPClient(&http.Client{Transport: loopback}).
		Provider(adaptertest.OIDCTestProvider(op, "oidc", opClientID, opSecret, false))
	if edit != nil {
		edit(b)
	}
	a, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// callback is a provider's redirect back to the application, with the
// flow cookie of its login.
type callback struct {
	params url.Values
	flow   http.Cookie
}

func (c callback) cookies(name string) (string, bool) { return c.flow.Value, name == c.flow.Name }

// loopback is a transport that keeps enough connections to the provider
// open for the load test's concurrent logins (the default keeps two per
// host, so that most requests would open a connection of their own).
var loopback = func() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return tr
}()

// noRedirect is a browser that stops at the provider's redirect.
var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	Transport:     loopback,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorize starts a login on a and plays the user at the provider, which
// approves at once; it returns the callback.
func authorize(ctx context.Context, a *core.Auth) (callback, error) {
	to, flow, err := a.Begin(ctx, "oidc", core.BeginOptions{})
	if err != nil {
		return callback{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, to, nil)
	if err != nil {
		return callback{}, err
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return callback{}, err
	}
	// Read to the end, so that the connection is used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return callback{}, err
	}
	return callback{params: u.Query(), flow: flow}, nil
}

// login logs in on a and starts the session: the callback route's work.
func login(ctx context.Context, a *core.Auth) (http.Cookie, error) {
	cb, err := authorize(ctx, a)
	if err != nil {
		return http.Cookie{}, err
	}
	res, _, err := a.Complete(ctx, "oidc", cb.params, cb.cookies)
	if err != nil {
		return http.Cookie{}, err
	}
	return a.SessionCookie(ctx, res)
}

// jar looks cookies up in c.
func jar(cookies ...http.Cookie) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for _, c := range cookies {
			if c.Name == name {
				return c.Value, true
			}
		}
		return "", false
	}
}

// statusOf returns the status of a *core.CallbackError in err, else 0.
func statusOf(err error) int {
	if p := core.ProblemOf(err); err != nil {
		return p.Status
	}
	return 0
}

// testContext returns a context bounded by testTimeout.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}
