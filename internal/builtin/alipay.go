package builtin

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
)

// The fake Alipay keys are 2048-bit RSA keys derived from fixed labels, so
// that nothing secret is stored in the source and the cassettes' signatures
// stay valid from run to run. Each prime is the first one at or after a
// number drawn from SHA-256 of its label; the step counts below only save
// the search, and are checked.
var alipayKeys = sync.OnceValues(func() (app, gateway *rsa.PrivateKey) {
	return derivedRSAKey("oauth20 fake Alipay app key", 445, 551),
		derivedRSAKey("oauth20 fake Alipay gateway key", 507, 131)
})

// AlipayAppKey returns the fake app private key of the Alipay cassette,
// as PKCS #8 PEM.
func AlipayAppKey() []byte {
	app, _ := alipayKeys()
	der, err := x509.MarshalPKCS8PrivateKey(app)
	if err != nil {
		panic("builtin: fake Alipay key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// AlipayPublicKey returns the public key of the fake Alipay gateway, as
// PKIX PEM: the key the Alipay provider verifies the cassette's answers
// with.
func AlipayPublicKey() []byte {
	_, gateway := alipayKeys()
	der, err := x509.MarshalPKIXPublicKey(&gateway.PublicKey)
	if err != nil {
		panic("builtin: fake Alipay key: " + err.Error())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// AlipayGatewayKey returns the fake Alipay gateway's private key, which
// signs the answers of the Alipay cassette.
func AlipayGatewayKey() *rsa.PrivateKey {
	_, gateway := alipayKeys()
	return gateway
}

// derivedRSAKey builds the RSA key whose primes follow label (see
// alipayKeys), with e = 65537.
func derivedRSAKey(label string, stepP, stepQ int) *rsa.PrivateKey {
	p, q := derivedPrime(label+" p", stepP), derivedPrime(label+" q", stepQ)
	one := big.NewInt(1)
	phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537},
		D:         new(big.Int).ModInverse(big.NewInt(65537), phi),
		Primes:    []*big.Int{p, q},
	}
	k.Precompute()
	if err := k.Validate(); err != nil {
		panic("builtin: fake RSA key: " + err.Error())
	}
	return k
}

// derivedPrime is the 1024-bit number drawn from SHA-256 of label (top two
// bits and the lowest set) plus 2·step: the first prime from there with
// p-1 prime to 65537, as a search found once. Both properties are checked.
func derivedPrime(label string, step int) *big.Int {
	var buf []byte
	for i := 0; len(buf) < 128; i++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", label, i))
		buf = append(buf, sum[:]...)
	}
	p := new(big.Int).SetBytes(buf[:128])
	p.SetBit(p, 1023, 1)
	p.SetBit(p, 1022, 1)
	p.SetBit(p, 0, 1)
	p.Add(p, big.NewInt(int64(2*step)))
	pm1 := new(big.Int).Sub(p, big.NewInt(1))
	if !p.ProbablyPrime(20) || new(big.Int).GCD(nil, nil, big.NewInt(65537), pm1).Cmp(big.NewInt(1)) != 0 {
		panic("builtin: fake RSA key: the step of " + label + " does not reach a prime")
	}
	return p
}
