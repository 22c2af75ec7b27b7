package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testClientID = "client-123"
	testNonce    = "n-0S6_WzA2Mj"
)

// fakeClock is an injected clock that moves only when told to. Its timers
// (After) fire when Advance reaches their deadline; an auto-advancing clock
// instead jumps to a timer's deadline as soon as the timer is set, for
// tests where waiting is not the point.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	auto   bool
	timers []fakeTimer
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)} }

// newAutoClock returns a clock whose timers fire at once, moving the time
// to their deadline.
func newAutoClock() *fakeClock {
	c := newClock()
	c.auto = true
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.fireLocked()
	c.mu.Unlock()
}

// After implements VerifierConfig.After on the fake time.
func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := c.t.Add(d)
	if c.auto && at.After(c.t) {
		c.t = at
	}
	c.timers = append(c.timers, fakeTimer{at, ch})
	c.fireLocked()
	return ch
}

// AdvanceToTimer moves the time to the earliest pending timer's deadline
// and fires it; it reports false when no timer is pending.
func (c *fakeClock) AdvanceToTimer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	next := c.timers[0].at
	for _, tm := range c.timers[1:] {
		if tm.at.Before(next) {
			next = tm.at
		}
	}
	if next.After(c.t) {
		c.t = next
	}
	c.fireLocked()
	return true
}

func (c *fakeClock) fireLocked() {
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.t) {
			kept = append(kept, tm)
			continue
		}
		tm.ch <- c.t
	}
	c.timers = kept
}

// testKey is a signing key generated for one test.
type testKey struct {
	kid    string
	alg    string
	use    string
	priv   crypto.Signer
	method jwt.SigningMethod
}

func newKey(t testing.TB, kid, alg string) *testKey {
	t.Helper()
	var (
		priv crypto.Signer
		err  error
	)
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("no key type for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &testKey{kid: kid, alg: alg, priv: priv, method: jwt.GetSigningMethod(alg)}
}

// jwk returns the public JWK of k as a JSON object.
func (k *testKey) jwk(t testing.TB) json.RawMessage {
	t.Helper()
	j, err := jwkset.NewJWKFromKey(k.priv.Public(), jwkset.JWKOptions{
		Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: jwkset.ALG(k.alg), USE: jwkset.USE(k.use)},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(j.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signRaw signs a header and payload given as JSON text.
func (k *testKey) signRaw(t testing.TB, header, payload []byte) string {
	t.Helper()
	input := b64(header) + "." + b64(payload)
	var key any = k.priv
	sig, err := k.method.Sign(input, key)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// sign signs claims with the standard header (alg, kid, typ JWT) changed
// by edits; a nil value in edits deletes the member.
func (k *testKey) sign(t testing.TB, claims map[string]any, edits map[string]any) string {
	t.Helper()
	h := map[string]any{"alg": k.alg, "typ": "JWT"}
	if k.kid != "" {
		h["kid"] = k.kid
	}
	for name, v := range edits {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return k.signRaw(t, mustJSON(t, h), mustJSON(t, claims))
}

// claims returns valid ID-token claims at the clock's time.
func claims(now time.Time) map[string]any {
	return map[string]any{
		"iss":   "https://op.example",
		"sub":   "248289761001",
		"aud":   testClientID,
		"exp":   now.Add(time.Hour).Unix(),
		"iat":   now.Unix(),
		"nonce": testNonce,
	}
}

func with(m map[string]any, edits map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range edits {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// jwksServer serves a JWK Set that tests can replace, counts fetches, and
// can hold requests until released.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	body    []byte
	status  int
	fetches atomic.Int64
	gate    chan struct{} // when non-nil, each request waits for a receive
}

func newJWKSServer(t testing.TB, keys ...*testKey) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.setKeys(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		gate, body, status := s.gate, s.body, s.status
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(t testing.TB, keys ...*testKey) {
	t.Helper()
	raws := make([]json.RawMessage, 0, len(keys))
	for _, k := range keys {
		raws = append(raws, k.jwk(t))
	}
	s.setBody(mustJSON(t, map[string]any{"keys": raws}))
}

func (s *jwksServer) setBody(b []byte) {
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

// newTestVerifier builds a verifier for srv with the clock and edits.
func newTestVerifier(t testing.TB, srv *jwksServer, clock *fakeClock, edit func(*VerifierConfig)) *Verifier {
	t.Helper()
	cfg := VerifierConfig{
		Issuer:     "https://op.example",
		ClientID:   testClientID,
		JWKSURL:    srv.URL + "/jwks",
		Algorithms: []string{"RS256", "RS384", "PS256", "ES256", "ES384", "ES512", "EdDSA"},
		Now:        clock.Now,
		After:      clock.After,
	}
	if edit != nil {
		edit(&cfg)
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close() })
	return v
}
