package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/coreaccess"
	"github.com/go-oauth20/oauth20/internal/opuser"
	"github.com/go-oauth20/oauth20/internal/realop"
	"github.com/go-oauth20/oauth20/oidc"
	"github.com/go-oauth20/oauth20/providers"
)

// TestEncryption logs in at oidc-provider with ID tokens encrypted to the
// client (RSA-OAEP-256 with A256GCM, and ECDH-ES+A256KW with A128GCM) and
// UserInfo answers signed and then encrypted (ECDH-ES+A128KW with
// A128GCM): they are decrypted with the client's keys and verified as
// signed ones. An ID token that is only signed where encryption was
// registered, and an encrypted one for a key the client does not have, are
// refused.
func TestEncryption(t *testing.T) {
	t.Parallel()
	s, ctx := startExtOP(t, realop.Options{}, "jwe-rsa", "jwe-ec", "jwe-expected", "jwe-wrong-key")
	k := s.ClientKeys
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	auth := buildAuth(t,
		provider(s, "jwe-rsa", s.JWE,
			providers.WithDecryptionKey(k.EncryptionRSA, k.EncryptionRSAKID), providers.WithDecryptionKey(k.EncryptionEC, k.EncryptionECKID),
			providers.WithIDTokenEncryption("RSA-OAEP-256", "A256GCM"),
			providers.WithUserInfoSigningAlg("ES256"), providers.WithUserInfoEncryption("ECDH-ES+A128KW", "A128GCM")),
		provider(s, "jwe-ec", s.JWEEC,
			providers.WithDecryptionKey(k.EncryptionEC, k.EncryptionECKID), providers.WithIDTokenEncryption("ECDH-ES+A256KW", "A128GCM")),
		// realop-basic's ID tokens are signed only.
		provider(s, "jwe-expected", s.Basic,
			providers.WithDecryptionKey(k.EncryptionEC, k.EncryptionECKID), providers.WithIDTokenEncryption("ECDH-ES+A256KW", "A128GCM")),
		provider(s, "jwe-wrong-key", s.JWE, providers.WithDecryptionKey(other, k.EncryptionRSAKID)),
	)

	t.Run("rsa-id-token-and-userinfo", func(t *testing.T) {
		t.Parallel()
		timed(t)
		res := completeLogin(t, ctx, s, auth, "jwe-rsa", "jwe-user", core.BeginOptions{})
		if strings.Count(res.Token.IDToken, ".") != 4 || strings.Count(res.IDToken.Raw, ".") != 2 {
			t.Errorf("ID token: %d segments from the token endpoint, %d verified; want a JWE holding a JWS",
				strings.Count(res.Token.IDToken, ".")+1, strings.Count(res.IDToken.Raw, ".")+1)
		}
		want := opuser.Account("jwe-user")
		if res.IDToken.Subject != "jwe-user" || res.User.Email != want.Email || res.User.Name != want.Name {
			t.Errorf("login: ID token sub %q, user %+v", res.IDToken.Subject, res.User)
		}
		// The UserInfo answer the user came from was encrypted and signed.
		p := mustProvider(t, auth, "jwe-rsa")
		client, err := p.Client(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var body []byte
		if _, err := client.Resource(ctx, core.ResourceRequest{URL: s.Endpoints.UserInfo, Token: res.Token, Into: &body}); err != nil {
			t.Fatal(err)
		}
		v, err := coreaccess.Verifier(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		info, err := oidc.ParseUserInfo(ctx, body, "jwe-user", oidc.WithUserInfoVerifier(v.(*oidc.Verifier)))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(body), ".") != 4 || !info.Encrypted || !info.Signed || info.Email != want.Email {
			t.Errorf("UserInfo: %d segments, encrypted %t, signed %t, email %q", strings.Count(string(body), ".")+1, info.Encrypted, info.Signed, info.Email)
		}
	})
	t.Run("ecdh-id-token", func(t *testing.T) {
		t.Parallel()
		timed(t)
		res := completeLogin(t, ctx, s, auth, "jwe-ec", "jwe-ec-user", core.BeginOptions{})
		if strings.Count(res.Token.IDToken, ".") != 4 || res.IDToken.Subject != "jwe-ec-user" {
			t.Errorf("ID token of %d segments, sub %q", strings.Count(res.Token.IDToken, ".")+1, res.IDToken.Subject)
		}
	})
	for name, want := range map[string]error{"jwe-expected": oidc.ErrNotEncrypted, "jwe-wrong-key": oidc.ErrDecryption} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			timed(t)
			to, flow, err := auth.Begin(ctx, name, core.BeginOptions{})
			if err != nil {
				t.Fatal(err)
			}
			cb, err := s.Authorize(ctx, nil, to, "jwe-refused")
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = auth.Complete(ctx, name, cb.Query(), func(n string) (string, bool) { return flow.Value, n == flow.Name })
			if !errors.Is(err, want) {
				t.Fatalf("complete: %v, want %v", err, want)
			}
		})
	}
}
