package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/go-oauth20/oauth20/core"
	"github.com/spf13/cobra"
)

type keygenFlags struct {
	keyPair bool
	alg     string
	kid     string
	keyOut  string
}

func newKeygenCmd(a *app, g *globals) *cobra.Command {
	f := &keygenFlags{}
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Make a sealing key, or a private_key_jwt key pair and its public JWK",
		Long: `keygen prints a new sealing key for core.Builder.SealingKeys: 32 random bytes,
base64url-encoded (43 characters, used as they are, as the demo's
OAUTH20_SEALING_KEY is).

With --private-key-jwt it makes a key pair for private_key_jwt client
authentication (RFC 7523): the private key goes to --key-out as PKCS#8 PEM
(mode 0600; a spec file's private_key_file reads it), and the public key is
printed as a JWK Set to register with the provider. The kid defaults to the
key's RFC 7638 thumbprint.`,
		Example: example(
			"oauth20 keygen",
			"oauth20 keygen --private-key-jwt --key-out client.pem > client.jwks.json",
			"oauth20 keygen --private-key-jwt --alg RS256 --kid app-2025 --key-out client.pem",
		),
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if !f.keyPair {
				return sealingKey(a, g)
			}
			return keyPair(a, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.keyPair, "private-key-jwt", false, "make a private_key_jwt key pair instead of a sealing key")
	fl.StringVar(&f.alg, "alg", "ES256", "the key's algorithm: ES256, ES384, RS256 or EdDSA")
	fl.StringVar(&f.kid, "kid", "", "the key id (default: the RFC 7638 thumbprint)")
	fl.StringVar(&f.keyOut, "key-out", "", "the file for the private key (required with --private-key-jwt)")
	_ = cmd.RegisterFlagCompletionFunc("alg", cobra.FixedCompletions([]string{"ES256", "ES384", "RS256", "EdDSA"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("key-out", "pem")
	return cmd
}

func sealingKey(a *app, g *globals) error {
	b := make([]byte, core.MinSealingKeyLen)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	key := base64.RawURLEncoding.EncodeToString(b)
	if g.json {
		return writeJSON(a.stdout, map[string]string{"sealing_key": key})
	}
	fmt.Fprintln(a.stdout, key)
	return nil
}

func keyPair(a *app, f *keygenFlags) error {
	if f.keyOut == "" {
		return usagef("--private-key-jwt needs --key-out FILE for the private key")
	}
	var (
		signer crypto.Signer
		err    error
	)
	switch f.alg {
	case "ES256":
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "RS256":
		signer, err = rsa.GenerateKey(rand.Reader, 2048)
	case "EdDSA":
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	default:
		return usagef("--alg %q: want ES256, ES384, RS256 or EdDSA", f.alg)
	}
	if err != nil {
		return err
	}
	pub, err := publicJWK(signer.Public())
	if err != nil {
		return err
	}
	kid := f.kid
	if kid == "" {
		kid = thumbprint(pub)
	}
	pub["kid"], pub["alg"], pub["use"] = kid, f.alg, "sig"
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return err
	}
	file, err := os.OpenFile(f.keyOut, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return usagef("--key-out %s exists: keygen does not overwrite keys", f.keyOut)
		}
		return usageError(err)
	}
	if err := pem.Encode(file, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		file.Close()
		return err
	}
	if err := file.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Wrote the private key to %s (kid %q). Register the public JWK Set below with the provider.\n", f.keyOut, kid)
	return writeJSON(a.stdout, map[string]any{"keys": []map[string]string{pub}})
}

// publicJWK returns the members of a public key's JWK (RFC 7517, 7518,
// 8037) without kid, alg and use.
func publicJWK(pub crypto.PublicKey) (map[string]string, error) {
	enc := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		ecdh, err := k.ECDH()
		if err != nil {
			return nil, err
		}
		raw := ecdh.Bytes() // 0x04 || X || Y
		return map[string]string{"kty": "EC", "crv": k.Curve.Params().Name, "x": enc(raw[1 : 1+size]), "y": enc(raw[1+size:])}, nil
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "n": enc(k.N.Bytes()), "e": enc(big.NewInt(int64(k.E)).Bytes())}, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "crv": "Ed25519", "x": enc(k)}, nil
	}
	return nil, fmt.Errorf("unsupported key type %T", pub)
}

// thumbprint is the RFC 7638 SHA-256 thumbprint of a JWK: the required
// members in lexicographic order, no whitespace.
func thumbprint(jwk map[string]string) string {
	var members []string
	switch jwk["kty"] {
	case "EC":
		members = []string{"crv", "kty", "x", "y"}
	case "RSA":
		members = []string{"e", "kty", "n"}
	case "OKP":
		members = []string{"crv", "kty", "x"}
	}
	b := []byte{'{'}
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(m)
		v, _ := json.Marshal(jwk[m])
		b = append(append(append(b, k...), ':'), v...)
	}
	b = append(b, '}')
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
