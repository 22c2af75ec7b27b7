package dpop_test

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/go-oauth20/oauth20/dpop"
)

// A key loaded from storage (here an Ed25519 seed) has a stable
// thumbprint: the dpop_jkt of logins and the jkt its tokens are bound to.
func ExampleNewKey() {
	seed := make([]byte, ed25519.SeedSize) // in production: from a secret store
	key, err := dpop.NewKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		panic(err)
	}
	fmt.Println(key.Algorithm())
	fmt.Println(key.Thumbprint())
	proof, err := key.Proof(dpop.Proof{Method: "POST", URL: "https://as.example/token", IssuedAt: time.Now()})
	fmt.Println(err == nil && proof != "")
	// Output:
	// EdDSA
	// 9ZP03Nu8GrXPAUkbKNxHOKBzxPX83SShgFkRNK-f2lw
	// true
}
