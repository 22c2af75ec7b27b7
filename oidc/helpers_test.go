package oidc

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/go-oauth20/oauth20/internal/testkit"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testClientID = "client-123"
	testNonce    = "n-0S6_WzA2Mj"
)

// newClock returns the tests' clock, standing still until advanced.
func newClock() *testkit.Clock { return testkit.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) }

// newAutoClock returns a clock whose timers fire at once, moving the time
// to their deadline.
func newAutoClock() *testkit.Clock {
	return testkit.NewAutoClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
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
	return &testKey{kid: kid, alg: alg, priv: testkit.SigningKey(t, alg), method: jwt.GetSigningMethod(alg)}
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
func newTestVerifier(t testing.TB, srv *jwksServer, clock *testkit.Clock, edit func(*VerifierConfig)) *Verifier {
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
