package oauth20http_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-oauth20/oauth20/adapters/oauth20http"
	"github.com/go-oauth20/oauth20/conformance/adaptertest"
	"github.com/go-oauth20/oauth20/conformance/oidctest"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/benchkit"
)

// benchAuth is an Auth for an oidctest provider on loopback.
func benchAuth(b *testing.B) (*core.Auth, *oidctest.Server) {
	const redirect = "http://" + benchHost + "/auth/oidc/callback"
	op := oidctest.New(b, oidctest.WithAlgorithm("ES256"), oidctest.WithClients(oidctest.Client{
		ID: "app", Secret: "app-secret-value", RedirectURIs: []string{redirect},
	}))
	auth := core.New().SealingKeys(testKey).BaseURL("http://" + benchHost + "/auth").
		Provider(adaptertest.OIDCTestProvider(op, "oidc", "app", "app-secret-value", false)).MustBuild()
	b.Cleanup(func() { _ = auth.Close() })
	return auth, op
}

// BenchmarkBegin measures core.Auth.Begin: state, PKCE, the sealed flow
// cookie and the authorization URL (no network I/O for a provider with
// fixed endpoints).
//
//	go test ./adapters/oauth20http -run '^$' -bench 'Begin|Complete' -benchmem
func BenchmarkBegin(b *testing.B) {
	auth, _ := benchAuth(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := auth.Begin(ctx, "oidc", core.BeginOptions{ReturnTo: "/me"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkComplete measures core.Auth.Complete against oidctest on
// loopback: the flow cookie checks, the code exchange (a real HTTP round
// trip) and the userinfo call (another). Each iteration gets a fresh code
// from the provider's authorization endpoint with the timer stopped.
func BenchmarkComplete(b *testing.B) {
	auth, _ := benchAuth(b)
	ctx := context.Background()
	noFollow := &http.Client{Transport: &http.Transport{}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		loc, cookie, err := auth.Begin(ctx, "oidc", core.BeginOptions{})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := noFollow.Get(loc)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.Fatal(err)
		}
		params, cookies := cb.Query(), func(name string) (string, bool) { return cookie.Value, name == cookie.Name }
		b.StartTimer()
		res, _, err := auth.Complete(ctx, "oidc", params, cookies)
		if err != nil || res.User.ID == "" {
			b.Fatal(res, err)
		}
	}
}

// loadClients is the number of concurrent clients of BenchmarkLoginRoute.
const loadClients = 32

// BenchmarkLoginRoute is a bounded loopback load test of the login route:
// 32 clients, each with its own keep-alive connection, send GET
// /auth/oidc/login to a net/http server and read the answer; b.N requests
// in all, each bounded by a 10-second client timeout. The floor ("bare")
// is a handler on the same route pattern that sets one cookie and
// redirects, writing the very cookie and Location of one real login (so
// both answers are the same size): the difference is the library's work.
// impl=… loads each server alone and reports req/s; ratio=bare loads the
// two in turn, 640 requests at a time, and reports the library's share of
// the floor's requests per second (rps-ratio, the goal is 0.95 or more)
// and of its CPU time per request (cpu-ratio).
//
//	for i in 1 2 3 4 5 6; do go test ./adapters/oauth20http -run '^$' -bench LoginRoute -benchmem -count 1; done > login.txt
//	benchstat -filter '.unit:(cpu-ratio OR rps-ratio)' login.txt
func BenchmarkLoginRoute(b *testing.B) {
	auth, _ := benchAuth(b)
	h := oauth20http.MustNew(oauth20http.Config{Auth: auth})
	loc, cookie, err := auth.Begin(context.Background(), "oidc", core.BeginOptions{})
	if err != nil {
		b.Fatal(err)
	}
	bareCookie := &cookie
	bare := func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, bareCookie)
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
	}
	ours := newLoad(b, h.Login)
	floor := newLoad(b, bare)
	for _, impl := range []struct {
		name string
		l    *load
	}{{"oauth20http", ours}, {"bare", floor}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			var cpu benchkit.CPU
			b.ReportAllocs()
			cpu.Start()
			impl.l.run(b, &cpu, b.N)
			cpu.Report(b)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
	b.Run("ratio=bare", func(b *testing.B) {
		ci, cf := benchkit.InterleaveLoad(b, 20*loadClients, func(cpu *benchkit.CPU, n int) { ours.run(b, cpu, n) },
			func(cpu *benchkit.CPU, n int) { floor.run(b, cpu, n) })
		b.ReportMetric(float64(cf.Wall())/float64(ci.Wall()), "rps-ratio")
	})
}

// benchHost is the host of the base URL of the benchmarks' Auth.
const benchHost = "127.0.0.1:8000"

// load sends requests to one login route with loadClients clients.
type load struct {
	client *http.Client
	target string
}

func newLoad(b *testing.B, login http.HandlerFunc) *load {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/{provider}/login", login)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: loadClients, MaxConnsPerHost: loadClients}
	b.Cleanup(tr.CloseIdleConnections)
	return &load{
		client: &http.Client{Transport: tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		target: srv.URL + "/auth/oidc/login",
	}
}

// run sends n requests from loadClients goroutines, timed by cpu.
func (l *load) run(b *testing.B, cpu *benchkit.CPU, n int) {
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu.Start()
	for range loadClients {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				req, err := http.NewRequest(http.MethodGet, l.target, nil)
				if err != nil {
					b.Error(err)
					return
				}
				// The Auth's base URL names this host: a login arriving
				// under another would first be sent there, with no cookie.
				req.Host = benchHost
				resp, err := l.client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound || len(resp.Cookies()) != 1 {
					b.Errorf("status %d, %d cookies", resp.StatusCode, len(resp.Cookies()))
					return
				}
			}
		})
	}
	wg.Wait()
	cpu.Stop()
}
