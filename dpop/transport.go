package dpop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Transport is an http.RoundTripper for API calls with a DPoP-bound access
// token: every request gets "Authorization: DPoP <token>" and a fresh
// proof of Key with ath and the server's last nonce, and a resource
// server's use_dpop_nonce challenge (RFC 9449 §9) is answered with one
// retry. The token is never sent as Bearer. Use a *Transport (it keeps the
// nonces of the servers it talks to) as the Transport of an http.Client;
// it is safe for concurrent use once its fields are set.
//
// A request with a body is retried only when it can be replayed (its
// GetBody is set, as http.NewRequest does for in-memory bodies); otherwise
// the challenge is returned as it came.
type Transport struct {
	// Key is the key the token is bound to. Required.
	Key *Key
	// Token returns the access token to send, for example from a
	// core.TokenSource (which refreshes it, with a proof, when it expires).
	// Required.
	Token func(ctx context.Context) (string, error)
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Now is the clock of the proofs' iat; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	nonces map[string]string // by scheme://host
}

// maxNonces bounds the servers a Transport remembers.
const maxNonces = 64

// RoundTrip implements http.RoundTripper. It does not change req.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Key == nil || t.Token == nil {
		return nil, errors.New("dpop: Transport needs a Key and a Token function")
	}
	tok, err := t.Token(req.Context())
	if err != nil {
		return nil, fmt.Errorf("dpop: access token: %w", err)
	}
	resp, err := t.send(req, tok)
	if err != nil || !challenged(resp) || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, err
	}
	// One retry with the nonce the server just sent.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("dpop: replay the request body: %w", err)
		}
		req = req.Clone(req.Context())
		req.Body = body
	}
	return t.send(req, tok)
}

func (t *Transport) send(req *http.Request, tok string) (*http.Response, error) {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	origin := strings.ToLower(req.URL.Scheme + "://" + req.URL.Host)
	t.mu.Lock()
	nonce := t.nonces[origin]
	t.mu.Unlock()
	proof, err := t.Key.Proof(Proof{Method: req.Method, URL: req.URL.String(), AccessToken: tok, Nonce: nonce, IssuedAt: now()})
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "DPoP "+tok)
	r.Header.Set("DPoP", proof)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if n := resp.Header.Get("DPoP-Nonce"); n != "" && len(n) <= 512 && !strings.ContainsAny(n, "\"\\\r\n") {
		t.mu.Lock()
		if t.nonces == nil || len(t.nonces) >= maxNonces {
			t.nonces = map[string]string{}
		}
		t.nonces[origin] = n
		t.mu.Unlock()
	}
	return resp, nil
}

// challenged reports a resource server's use_dpop_nonce challenge: 401,
// WWW-Authenticate: DPoP error="use_dpop_nonce", and a DPoP-Nonce.
func challenged(resp *http.Response) bool {
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		if len(v) > 4 && strings.EqualFold(v[:4], "dpop") && strings.Contains(v, `error="use_dpop_nonce"`) {
			return true
		}
	}
	return false
}
