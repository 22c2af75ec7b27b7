package conformance

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// This file signs the ID tokens of a cassette at replay time. A recorded
// ID token cannot be replayed against fresh placeholders: its nonce,
// at_hash and times belong to the login that was recorded. So a cassette
// describes its ID tokens (header, claims, times relative to the clock,
// hashes of the scenario's values) and holds test keys; each scenario gets
// them signed with its own values, and the provider's verifier checks them
// with the public keys the cassette's JWKS answer serves.

// IDTokenTemplate describes an ID token the replay signs for each scenario.
//
//	"id_tokens": {
//	  "id_token": {
//	    "key": "rsa",
//	    "claims": {"iss": "https://accounts.google.com", "aud": "{{client_id}}",
//	               "sub": "110248495921238986420", "nonce": "{{nonce}}"},
//	    "times": {"iat": 0, "exp": 3600},
//	    "hashes": {"at_hash": "{{access_token}}"}
//	  }
//	}
type IDTokenTemplate struct {
	// Alg is the JWS algorithm: RS256/384/512, PS256/384/512,
	// ES256/384/512 and EdDSA with Key; HS256/384/512 with Secret; "none"
	// with neither (an unsigned token, which every verifier must refuse).
	// Empty means the key's alg.
	Alg string `json:"alg,omitempty"`
	// Key names the signing key in the cassette's Keys.
	Key string `json:"key,omitempty"`
	// Secret is the HMAC key of HS* tokens, usually "{{client_secret}}"
	// (LINE signs web logins with the channel secret).
	Secret string `json:"secret,omitempty"`
	// Header holds header members beside alg, typ ("JWT") and kid (the
	// key's): given members replace those, and null removes one.
	Header map[string]json.RawMessage `json:"header,omitempty"`
	// Claims is the payload, a JSON object; its strings may hold
	// placeholders ("{{client_id}}", "{{nonce}}"), other ID tokens' excepted.
	Claims json.RawMessage `json:"claims"`
	// Times sets claims to the replay clock plus the given seconds
	// ("iat": 0, "exp": 3600, "auth_time": -60).
	Times map[string]int64 `json:"times,omitempty"`
	// Hashes sets claims to the OpenID Connect hash of a value: the left
	// half of the alg's hash, base64url ("at_hash": "{{access_token}}",
	// "c_hash": "{{code}}").
	Hashes map[string]string `json:"hashes,omitempty"`
}

// testKey is a parsed key of a cassette.
type testKey struct {
	private any
	alg     string
	kid     string
	// public is the public JWK, as a JWKS answer serves it.
	public json.RawMessage
}

// parseKey reads a private JWK. Errors say what is wrong without quoting
// key material.
func parseKey(raw json.RawMessage) (*testKey, error) {
	j, err := jwkset.NewJWKFromRawJSON(raw, jwkset.JWKMarshalOptions{Private: true}, jwkset.JWKValidateOptions{})
	if err != nil {
		return nil, fmt.Errorf("not a valid JWK: %s", strings.TrimPrefix(err.Error(), "failed to unmarshal JSON Web Key: "))
	}
	m := j.Marshal()
	k := &testKey{private: j.Key(), alg: string(m.ALG), kid: m.KID}
	var pub any
	switch key := j.Key().(type) {
	case *rsa.PrivateKey:
		if key.N.BitLen() < 2048 {
			return nil, fmt.Errorf("an RSA key of %d bits: verifiers refuse keys below 2048", key.N.BitLen())
		}
		pub = &key.PublicKey
	case *ecdsa.PrivateKey:
		pub = &key.PublicKey
	case ed25519.PrivateKey:
		pub = key.Public()
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return nil, errors.New("a public key: a signing key needs its private part (d)")
	default:
		return nil, fmt.Errorf("kty %q: want RSA, EC or OKP (Ed25519)", m.KTY)
	}
	if k.alg != "" {
		if err := keyFits(k.alg, k.private); err != nil {
			return nil, fmt.Errorf("alg %q: %v", k.alg, err)
		}
	}
	pj, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{
		ALG: m.ALG, KID: m.KID, USE: jwkset.UseSig}})
	if err != nil {
		return nil, fmt.Errorf("public part: %v", err)
	}
	if k.public, err = json.Marshal(pj.Marshal()); err != nil {
		return nil, fmt.Errorf("public part: %v", err)
	}
	return k, nil
}

// keyFits reports whether key can sign alg.
func keyFits(alg string, key any) error {
	ok := false
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		_, ok = key.(*rsa.PrivateKey)
	case "ES256", "ES384", "ES512":
		curves := map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()}
		k, isEC := key.(*ecdsa.PrivateKey)
		ok = isEC && k.Curve == curves[alg]
	case "EdDSA":
		_, ok = key.(ed25519.PrivateKey)
	default:
		return errors.New("not an algorithm for a key (RS*, PS*, ES*, EdDSA)")
	}
	if !ok {
		return fmt.Errorf("the key (%s) cannot sign it", keyKind(key))
	}
	return nil
}

func keyKind(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey:
		return "EC " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", key)
}

// parseKeys parses every key of c, by name.
func (c *Cassette) parseKeys() (map[string]*testKey, error) {
	out := make(map[string]*testKey, len(c.Keys))
	var errs []error
	for _, name := range sortedKeys(c.Keys) {
		k, err := parseKey(c.Keys[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("key %q: %w", name, err))
			continue
		}
		out[name] = k
	}
	return out, errors.Join(errs...)
}

// algOf returns the algorithm t is signed with.
func (t *IDTokenTemplate) algOf(keys map[string]*testKey) string {
	if t.Alg == "" && t.Key != "" && keys[t.Key] != nil {
		return keys[t.Key].alg
	}
	return t.Alg
}

// check lists what is wrong with t, given the cassette's parsed keys.
func (t *IDTokenTemplate) check(keys map[string]*testKey) []string {
	var bad []string
	alg := t.algOf(keys)
	switch {
	case t.Key != "" && t.Secret != "":
		bad = append(bad, "give key or secret, not both")
	case t.Key != "":
		k, ok := keys[t.Key]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("key %q is not among the cassette's keys", t.Key))
		case alg == "":
			bad = append(bad, fmt.Sprintf("no alg: neither the token nor key %q names one", t.Key))
		default:
			if err := keyFits(alg, k.private); err != nil {
				bad = append(bad, fmt.Sprintf("alg %q: %v", alg, err))
			}
		}
	case t.Secret != "":
		if !strings.HasPrefix(alg, "HS") || jwt.GetSigningMethod(alg) == nil {
			bad = append(bad, fmt.Sprintf("alg %q: a secret signs HS256, HS384 or HS512", alg))
		}
	case alg != "none":
		bad = append(bad, `no key and no secret: name a key, give a secret (HS*), or set alg "none"`)
	}
	var claims map[string]json.RawMessage
	switch err := strictUnmarshal(t.Claims, &claims); {
	case len(t.Claims) == 0:
		bad = append(bad, "claims: missing")
	case err != nil || claims == nil:
		bad = append(bad, "claims: not a JSON object")
	}
	for _, k := range sortedKeys(t.Times) {
		if _, dup := claims[k]; dup {
			bad = append(bad, fmt.Sprintf("claim %q is in claims and times", k))
		}
	}
	for _, k := range sortedKeys(t.Hashes) {
		if _, dup := claims[k]; dup {
			bad = append(bad, fmt.Sprintf("claim %q is in claims and hashes", k))
		}
		if _, dup := t.Times[k]; dup {
			bad = append(bad, fmt.Sprintf("claim %q is in times and hashes", k))
		}
	}
	for _, k := range sortedKeys(t.Header) {
		var v any
		if err := json.Unmarshal(t.Header[k], &v); err != nil {
			bad = append(bad, fmt.Sprintf("header.%s: %v", k, err))
		}
	}
	return bad
}

// sign signs t with the values of b and the time now.
func (t *IDTokenTemplate) sign(keys map[string]*testKey, b *binder, now time.Time) (string, error) {
	alg := t.algOf(keys)
	var claims map[string]any
	if err := decodeJSON(b.expandJSON(t.Claims), &claims); err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	if claims == nil {
		return "", errors.New("claims: not a JSON object")
	}
	for k, off := range t.Times {
		claims[k] = now.Unix() + off
	}
	for k, v := range t.Hashes {
		claims[k] = idTokenHash(alg, b.expand(v))
	}
	var (
		method jwt.SigningMethod
		key    any
	)
	switch {
	case alg == "none":
		method, key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case t.Secret != "":
		method, key = jwt.GetSigningMethod(alg), []byte(b.expand(t.Secret))
	default:
		k := keys[t.Key]
		if k == nil {
			return "", fmt.Errorf("key %q is not among the cassette's keys", t.Key)
		}
		method, key = jwt.GetSigningMethod(alg), k.private
	}
	if method == nil {
		return "", fmt.Errorf("alg %q is not supported", alg)
	}
	tok := jwt.NewWithClaims(method, jwt.MapClaims(claims))
	if k := keys[t.Key]; k != nil && k.kid != "" {
		tok.Header["kid"] = k.kid
	}
	for _, name := range sortedKeys(t.Header) {
		var v any
		if err := decodeJSON(b.expandJSON(t.Header[name]), &v); err != nil {
			return "", fmt.Errorf("header.%s: %w", name, err)
		}
		if v == nil {
			delete(tok.Header, name)
		} else {
			tok.Header[name] = v
		}
	}
	return tok.SignedString(key)
}

// idTokenHash is at_hash / c_hash of value for a token signed with alg
// (OpenID Connect Core §3.1.3.6, §3.3.2.11): base64url of the left half of
// the alg's hash; EdDSA (Ed25519) uses SHA-512.
func idTokenHash(alg, value string) string {
	var sum []byte
	switch {
	case strings.HasSuffix(alg, "384"):
		s := sha512.Sum384([]byte(value))
		sum = s[:]
	case strings.HasSuffix(alg, "512"), alg == "EdDSA":
		s := sha512.Sum512([]byte(value))
		sum = s[:]
	default:
		s := sha256.Sum256([]byte(value))
		sum = s[:]
	}
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// signIDTokens binds every ID token of c, signed with the scenario's
// values at the replay time now, to the placeholder of its name, and
// keeps the public JWKs of c's keys for JWKS answers.
func (b *binder) signIDTokens(c *Cassette, now time.Time) error {
	if len(c.Keys) == 0 && len(c.IDTokens) == 0 {
		return nil
	}
	keys, err := c.parseKeys()
	if err != nil {
		return err
	}
	b.jwks = make(map[string]json.RawMessage, len(keys))
	for name, k := range keys {
		b.jwks[name] = k.public
	}
	var errs []error
	for _, name := range sortedKeys(c.IDTokens) {
		t := c.IDTokens[name]
		s, err := t.sign(keys, b, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("signing ID token %q: %w", name, err))
			continue
		}
		b.vals[name] = s
		b.idTokens = append(b.idTokens, name)
	}
	b.index()
	return errors.Join(errs...)
}
