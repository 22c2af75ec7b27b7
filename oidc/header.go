package oidc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// MaxTokenSize is the largest compact JWS accepted, checked before anything
// is decoded (hardening against oversized input, RFC 8725 and the
// golang-jwt and go-jose CVEs of 2025).
const MaxTokenSize = 64 << 10

// maxHeaderSize bounds the encoded JOSE header.
const maxHeaderSize = 4 << 10

// tokenKind selects the rules that differ between the JWTs we verify.
type tokenKind uint8

const (
	kindIDToken tokenKind = iota
	kindLogout
	kindUserInfo
	kindAuthResponse
)

func (k tokenKind) String() string {
	switch k {
	case kindLogout:
		return "logout token"
	case kindUserInfo:
		return "userinfo response"
	case kindAuthResponse:
		return "authorization response"
	}
	return "ID token"
}

// joseHeader is what Verify needs from the JOSE header before golang-jwt
// parses the token: the position of alg in the allow-list and whether kid is
// present. jku, jwk, x5u and x5c are never read: keys come only from the
// issuer's JWK Set (RFC 8725 §3.10).
type joseHeader struct {
	alg    int // index into the verifier's algorithm list
	hasKID bool
}

// splitCompact checks the outer shape of a compact JWS and returns its
// encoded header.
func splitCompact(raw string) (string, error) {
	if len(raw) > MaxTokenSize {
		return "", fmt.Errorf("%w: %d bytes, more than %d", ErrMalformedToken, len(raw), MaxTokenSize)
	}
	switch n := strings.Count(raw, "."); n {
	case 2:
	case 4:
		return "", fmt.Errorf("%w: encrypted (JWE) tokens are not supported", ErrMalformedToken)
	default:
		return "", fmt.Errorf("%w: %d segments, want 3 (compact JWS)", ErrMalformedToken, n+1)
	}
	hdr, _, _ := strings.Cut(raw, ".")
	return hdr, nil
}

// parseHeader decodes and checks the JOSE header of a token of kind k.
func (v *Verifier) parseHeader(seg string, k tokenKind) (joseHeader, error) {
	h := joseHeader{alg: -1}
	algs, _ := v.allowed(k)
	if len(seg) > maxHeaderSize {
		return h, fmt.Errorf("%w: header of %d bytes", ErrMalformedToken, len(seg))
	}
	var (
		srcBuf [512]byte
		dstBuf [384]byte
		src    []byte
		dst    []byte
	)
	if len(seg) <= len(srcBuf) {
		src = srcBuf[:copy(srcBuf[:], seg)]
		dst = dstBuf[:]
	} else {
		src = []byte(seg)
		dst = make([]byte, base64.RawURLEncoding.DecodedLen(len(seg)))
	}
	n, err := base64.RawURLEncoding.Strict().Decode(dst, src)
	if err != nil {
		return h, fmt.Errorf("%w: header is not base64url", ErrMalformedToken)
	}
	data := dst[:n]
	if !json.Valid(data) {
		return h, fmt.Errorf("%w: header is not JSON", ErrMalformedToken)
	}
	var (
		typBad  bool
		critSet bool
		kidBad  bool
		algSeen bool
	)
	err = eachMember(data, func(name []byte, vs, ve int) error {
		val := data[vs:ve]
		switch string(name) {
		case "alg":
			algSeen = true
			if len(val) >= 2 && val[0] == '"' {
				h.alg = algIndex(algs, val[1:len(val)-1])
			}
		case "kid":
			if len(val) < 1 || val[0] != '"' {
				kidBad = true
			}
			h.hasKID = true
		case "typ":
			typBad = !typAllowed(val, k)
		case "crit":
			critSet = true
		}
		return nil
	})
	switch {
	case err != nil:
		return h, fmt.Errorf("%w: header: %v", ErrMalformedToken, err)
	case !algSeen:
		return h, fmt.Errorf("%w: header has no alg", ErrMalformedToken)
	case h.alg < 0:
		return h, fmt.Errorf("%w: alg not in %q", ErrUnsupportedAlgorithm, algs)
	case critSet:
		return h, fmt.Errorf("%w: crit lists extensions this verifier does not implement", ErrUnsupportedHeader)
	case kidBad:
		return h, fmt.Errorf("%w: kid is not a string", ErrMalformedToken)
	case typBad:
		return h, fmt.Errorf("%w: typ header does not denote a %s", ErrWrongTokenType, k)
	}
	return h, nil
}

// algIndex returns the position of the (JSON-encoded) alg in algs, or -1.
// Comparison is exact: "none", "None" and "RS256 " all fail.
func algIndex(algs []string, alg []byte) int {
	for i, a := range algs {
		if a == string(alg) {
			return i
		}
	}
	return -1
}

// typAllowed reports whether the raw JSON typ value fits tokens of kind k:
// ID tokens and UserInfo responses take no typ or "JWT"; logout tokens also
// take "logout+jwt" (RFC 8725 §3.11, Back-Channel Logout §2.4). Media types
// may carry the "application/" prefix and are compared case-insensitively.
func typAllowed(val []byte, k tokenKind) bool {
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	t := val[1 : len(val)-1]
	if len(t) > len("application/") && strings.EqualFold(string(t[:len("application/")]), "application/") {
		t = t[len("application/"):]
	}
	if strings.EqualFold(string(t), "jwt") {
		return true
	}
	return k == kindLogout && strings.EqualFold(string(t), "logout+jwt")
}

// isCompactJWS reports whether raw has the three segments of a compact JWS.
func isCompactJWS(raw string) bool { return strings.Count(raw, ".") == 2 }
