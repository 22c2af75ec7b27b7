package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/go-oauth20/oauth20/conformance/oidctest"
)

// TestSameKIDNewKey: a provider that restarts with a new key under the
// same kid (go-oidc#243) makes the cached key fail the signature. That
// failure causes one rate-limited JWK Set fetch and one retry, so the next
// token verifies; forged tokens naming a known kid cost one fetch per
// limit window however many there are, not one each, and each is still
// refused as a bad signature.
func TestSameKIDNewKey(t *testing.T) {
	t.Parallel()
	clock := newClock()
	before := newKey(t, "k", "ES256")
	srv := newJWKSServer(t, before)
	v := newTestVerifier(t, srv, clock, nil)
	ctx := context.Background()
	if _, err := v.Verify(ctx, before.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil {
		t.Fatal(err)
	}

	restarted := newKey(t, "k", "ES256")
	srv.setKeys(t, restarted)
	tok, err := v.Verify(ctx, restarted.sign(t, claims(clock.Now()), nil), Expectations{})
	if err != nil {
		t.Fatalf("a token of the new key under the same kid: %v", err)
	}
	if tok.KeyID != "k" || srv.fetches.Load() != 2 {
		t.Errorf("kid %q, %d fetches; want k and 2", tok.KeyID, srv.fetches.Load())
	}
	if _, err := v.Verify(ctx, restarted.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil || srv.fetches.Load() != 2 {
		t.Fatalf("the next token: %v, %d fetches", err, srv.fetches.Load())
	}

	// 200 forged tokens naming the known kid, within one window: they wait
	// together for one fetch, and all fail as bad signatures.
	attacker := newKey(t, "k", "ES256")
	const forged = 200
	errs := make(chan error, forged)
	var wg sync.WaitGroup
	for range forged {
		wg.Go(func() {
			_, err := v.Verify(ctx, attacker.sign(t, claims(clock.Now()), nil), Expectations{})
			errs <- err
		})
	}
	for v.keys.queued.Load() < forged {
		runtime.Gosched()
	}
	clock.AdvanceToTimer()
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrBadSignature) || errors.Is(err, ErrUnknownKey) {
			t.Fatalf("forged token: %v", err)
		}
	}
	if n := srv.fetches.Load(); n != 3 {
		t.Errorf("%d fetches after %d forged tokens, want 3 (one more)", n, forged)
	}

	// A forged token after another restart: one fetch finds the new key,
	// the one retry fails, and there is no second refresh.
	again := newKey(t, "k", "ES256")
	srv.setKeys(t, again)
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(ctx, attacker.sign(t, claims(clock.Now()), nil), Expectations{})
		done <- err
	}()
	var err2 error
	for drained := false; !drained; {
		select {
		case err2 = <-done:
			drained = true
		default:
			clock.AdvanceToTimer()
		}
	}
	if !errors.Is(err2, ErrBadSignature) || srv.fetches.Load() != 4 {
		t.Fatalf("forged token after a restart: %v, %d fetches (want 4)", err2, srv.fetches.Load())
	}
	if _, err := v.Verify(ctx, again.sign(t, claims(clock.Now()), nil), Expectations{}); err != nil || srv.fetches.Load() != 4 {
		t.Fatalf("a token of the newest key: %v, %d fetches", err, srv.fetches.Load())
	}

	// A caller that gives up waiting still gets a bad signature, with the
	// reason.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := v.Verify(cctx, attacker.sign(t, claims(clock.Now()), nil), Expectations{}); !errors.Is(err, ErrBadSignature) || !errors.Is(err, context.Canceled) {
		t.Fatalf("forged token, cancelled wait: %v", err)
	}
}

// TestSameKIDNewKeyProvider: the in-process provider restarts with a new
// key under the same kid between two logins; the second login's ID token
// verifies with the verifier that cached the first key.
func TestSameKIDNewKeyProvider(t *testing.T) {
	t.Parallel()
	clock := newAutoClock()
	const redirect = "https://rp.example/callback"
	op := oidctest.New(t, oidctest.WithAlgorithm("ES256"), oidctest.WithClock(clock.Now),
		oidctest.WithClients(oidctest.Client{ID: "rp", Secret: "rp-secret", RedirectURIs: []string{redirect}}))
	ctx := context.Background()
	md, err := Discover(ctx, op.Issuer())
	if err != nil {
		t.Fatal(err)
	}
	v, err := md.NewVerifier(VerifierConfig{ClientID: "rp", Now: clock.Now, After: clock.After})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	login := func() string {
		t.Helper()
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		q := url.Values{"response_type": {"code"}, "client_id": {"rp"}, "redirect_uri": {redirect}, "scope": {"openid"},
			"state": {"s"}, "nonce": {testNonce}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
			"code_challenge_method": {"S256"}}
		resp, err := noFollow.Get(op.URL(oidctest.AuthorizeEndpoint) + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {redirect},
			"code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}}
		req, _ := http.NewRequest(http.MethodPost, op.URL(oidctest.TokenEndpoint), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("rp", "rp-secret")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			IDToken string `json:"id_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.IDToken == "" {
			t.Fatalf("token response: %v, status %d", err, resp.StatusCode)
		}
		return body.IDToken
	}

	if _, err := v.Verify(ctx, login(), Expectations{Nonce: testNonce}); err != nil {
		t.Fatalf("first login: %v", err)
	}
	kid, err := op.ReplaceKeyKeepKID()
	if err != nil {
		t.Fatal(err)
	}
	fetches := op.Count(oidctest.JWKSEndpoint)
	tok, err := v.Verify(ctx, login(), Expectations{Nonce: testNonce})
	if err != nil {
		t.Fatalf("login after the provider restarted with a new key under kid %q: %v", kid, err)
	}
	if tok.KeyID != kid || op.Count(oidctest.JWKSEndpoint) != fetches+1 {
		t.Errorf("kid %q, %d more JWK Set fetches; want %q and 1", tok.KeyID, op.Count(oidctest.JWKSEndpoint)-fetches, kid)
	}
	raw := login()
	parts := strings.Split(raw, ".")
	if _, err := v.Verify(ctx, parts[0]+"."+parts[1]+"."+b64(make([]byte, 64)), Expectations{Nonce: testNonce}); !errors.Is(err, ErrBadSignature) {
		t.Errorf("forged signature: %v", err)
	}
	if _, err := v.Verify(ctx, raw, Expectations{Nonce: testNonce}); err != nil {
		t.Errorf("third login: %v", err)
	}
}
