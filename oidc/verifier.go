package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/httpx"
	"github.com/go-oauth20/oauth20/internal/urls"
	"github.com/golang-jwt/jwt/v5"
)

// Defaults and limits of a Verifier's configuration.
const (
	// DefaultClockSkew is the leeway applied to exp, iat, nbf and auth_time.
	DefaultClockSkew = time.Minute
	// MaxClockSkew is the largest leeway a VerifierConfig may set.
	MaxClockSkew = 5 * time.Minute
	// DefaultMaxKeysWithoutKID is how many signing keys of the right type
	// are tried for a token whose header has no kid.
	DefaultMaxKeysWithoutKID = 3
	// tenantPlaceholder is the template segment in Microsoft Entra's
	// multi-tenant issuer.
	tenantPlaceholder = "{tenantid}"
)

// asymmetricAlgs are the signature algorithms verified with keys from the
// issuer's JWK Set.
var asymmetricAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// hmacAlgs are verified with the client secret, and only when configured.
var hmacAlgs = []string{"HS256", "HS384", "HS512"}

// Expectations are the per-login facts an ID token is checked against (the
// nonce sent, the access token and code received, max_age, acceptable acr
// values, and the original ID token when verifying one from a refresh).
type Expectations = core.IDTokenExpectations

// VerifierConfig configures a Verifier. Zero values mean the documented
// defaults. NewVerifier copies what it keeps.
type VerifierConfig struct {
	// Issuer is the OP's issuer identifier; iss must equal it byte for
	// byte. It may contain the literal "{tenantid}" (Microsoft Entra's
	// multi-tenant issuer): the token's tid claim is then put in its place
	// and the result must equal iss.
	Issuer string
	// AdditionalIssuers are further exact spellings accepted for iss, such
	// as Google's "accounts.google.com" beside "https://accounts.google.com".
	AdditionalIssuers []string
	// ClientID must be in aud (and equal azp when present).
	ClientID string
	// TrustedAudiences may appear in aud beside ClientID. Any other
	// audience is rejected (OpenID Connect Core §3.1.3.7 step 3).
	TrustedAudiences []string
	// JWKSURL is the issuer's jwks_uri. Keys are fetched on first use.
	JWKSURL string
	// Algorithms are the ID-token signature algorithms the provider
	// advertises (id_token_signing_alg_values_supported), or the list its
	// documentation gives where discovery is known to be incomplete. Only
	// the asymmetric ones are taken (RS256/384/512, PS256/384/512,
	// ES256/384/512, EdDSA): "none" and HS* are dropped whatever the list
	// says. Empty means RegisteredAlgorithm when that is asymmetric, else
	// RS256. The same list applies to back-channel logout tokens.
	Algorithms []string
	// RegisteredAlgorithm is the client's registered
	// id_token_signed_response_alg (OpenID Connect Registration §2), when
	// it registered one: ID tokens and logout tokens must then be signed
	// with it and nothing else. It must be one of Algorithms, or of
	// SymmetricAlgorithms for HS*.
	RegisteredAlgorithm string
	// SymmetricAlgorithms turns on HS256, HS384 or HS512, keyed with the
	// UTF-8 octets of ClientSecret (§3.1.3.7 step 8), for providers
	// documented to sign with the client secret (LINE). They are never
	// taken from discovery, and a ClientSecret alone turns none of them
	// on. They apply to ID tokens, logout tokens and signed UserInfo.
	SymmetricAlgorithms []string
	// ClientSecret is the HMAC key of SymmetricAlgorithms; it is required
	// with them and ignored without them.
	ClientSecret string
	// UserInfoAlgorithms are the algorithms the provider advertises for
	// signed UserInfo responses (userinfo_signing_alg_values_supported),
	// filtered like Algorithms. Empty means RegisteredUserInfoAlgorithm
	// when that is asymmetric, else Algorithms.
	UserInfoAlgorithms []string
	// RegisteredUserInfoAlgorithm is the client's registered
	// userinfo_signed_response_alg (OpenID Connect Registration §2): a
	// UserInfo response must then be signed, with it alone, so
	// WithUserInfoVerifier refuses a plain JSON answer as
	// RequireSignedUserInfo does (a downgrade). It must be one of
	// UserInfoAlgorithms, or of SymmetricAlgorithms for HS*.
	RegisteredUserInfoAlgorithm string
	// AuthResponseAlgorithms are the algorithms the provider advertises for
	// signed authorization responses (JARM,
	// authorization_signing_alg_values_supported), filtered like
	// Algorithms. Empty means Algorithms.
	AuthResponseAlgorithms []string
	// DecryptionKeys are the client's private keys for what the provider
	// encrypts to it (ID tokens, UserInfo answers, authorization
	// responses). A JWE is decrypted with the key its kid names, or with
	// each key that fits its alg, and what it holds is then verified as a
	// signed token would be.
	DecryptionKeys []DecryptionKey
	// IDTokenEncryption, UserInfoEncryption and AuthResponseEncryption are
	// what the client registered (id_token_encrypted_response_alg/enc and
	// their counterparts): the token must then be a JWE with exactly that
	// alg and enc, and a signed-only or plain one is refused with
	// ErrNotEncrypted (OpenID Connect Core §3.1.3.7 step 1). They need
	// DecryptionKeys. Without them a JWE is still decrypted with any of
	// the allowed algorithms, and a signed-only token accepted.
	IDTokenEncryption      Encryption
	UserInfoEncryption     Encryption
	AuthResponseEncryption Encryption
	// ClockSkew is the leeway for time claims: default DefaultClockSkew,
	// at most MaxClockSkew.
	ClockSkew time.Duration
	// MaxTokenAge, when positive, rejects tokens whose iat is older.
	MaxTokenAge time.Duration
	// HTTPClient fetches the JWK Set (default: one of the library's own);
	// no redirect is followed and the body is capped whatever client is
	// given.
	HTTPClient *http.Client
	// Now is the clock; default time.Now.
	Now func() time.Time
	// After is the timer of the same clock as Now (a channel that receives
	// once d has passed); default time.After. A caller that the key
	// refresh limit puts off waits on it. Set it whenever Now is not the
	// system clock (core.Clock's After fits).
	After func(d time.Duration) <-chan time.Time
	// KeyRefreshLimit is the least time between two JWK Set fetches caused
	// by unknown kids or failed signatures, or following a failed fetch;
	// default DefaultKeyRefreshLimit.
	KeyRefreshLimit time.Duration
	// MaxKeyWaiters bounds the callers that wait at once for a JWK Set
	// fetch the limit has put off; more fail at once with ErrUnknownKey.
	// Default DefaultMaxKeyWaiters.
	MaxKeyWaiters int
	// KeyRefreshInterval is the age after which cached keys are refreshed
	// in the background; default DefaultKeyRefreshInterval, negative
	// disables it.
	KeyRefreshInterval time.Duration
	// MaxKeysWithoutKID caps the keys tried for a token without kid;
	// default DefaultMaxKeysWithoutKID. Such a token is rejected with
	// ErrUnknownKey when more keys fit its alg.
	MaxKeysWithoutKID int
	// InsecureAllowHTTP accepts a plain-http JWKSURL and issuer on a
	// non-loopback host. For tests only.
	InsecureAllowHTTP bool
}

// Verifier verifies ID tokens, logout tokens and signed UserInfo responses
// of one OpenID provider for one client. It is safe for concurrent use. Its
// keys are fetched lazily from the issuer's JWK Set; Close ends the
// background refresh.
type Verifier struct {
	issuer        string
	tenantPrefix  string // Issuer before "{tenantid}", when templated
	tenantSuffix  string
	altIssuers    []string
	clientID      string
	trusted       []string
	algs          []string // ID tokens and logout tokens
	userInfoAlgs  []string // signed UserInfo responses
	userInfoJWT   bool     // the client registered userinfo_signed_response_alg
	hmacKey       []byte
	skew          time.Duration
	maxTokenAge   time.Duration
	now           func() time.Time
	maxCandidates int
	parser        *jwt.Parser // with algs
	userInfoParse *jwt.Parser // with userInfoAlgs
	authRespAlgs  []string    // signed authorization responses (JARM)
	authRespParse *jwt.Parser // with authRespAlgs
	decKeys       []DecryptionKey
	idTokenEnc    Encryption // registered encryptions; zero when none
	userInfoEnc   Encryption
	authRespEnc   Encryption
	keys          *keyCache
	kf            keyfunc.Keyfunc
}

var _ core.IDTokenVerifier = (*Verifier)(nil)

// NewVerifier builds a Verifier from cfg without network I/O. All
// configuration problems are reported at once, joined, each wrapping
// core.ErrInvalidConfig.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("oidc: "+format+": %w", append(args, core.ErrInvalidConfig)...))
	}
	v := &Verifier{
		issuer:        cfg.Issuer,
		altIssuers:    slices.Clone(cfg.AdditionalIssuers),
		clientID:      cfg.ClientID,
		trusted:       slices.Clone(cfg.TrustedAudiences),
		skew:          cfg.ClockSkew,
		maxTokenAge:   cfg.MaxTokenAge,
		now:           cfg.Now,
		maxCandidates: cfg.MaxKeysWithoutKID,
		userInfoJWT:   cfg.RegisteredUserInfoAlgorithm != "",
	}
	if cfg.Issuer == "" {
		bad("issuer is empty")
	} else {
		check := cfg.Issuer
		if i := strings.Index(cfg.Issuer, tenantPlaceholder); i >= 0 {
			v.tenantPrefix, v.tenantSuffix = cfg.Issuer[:i], cfg.Issuer[i+len(tenantPlaceholder):]
			check = v.tenantPrefix + "tenant" + v.tenantSuffix
		}
		if err := checkIssuerURL(check, cfg.InsecureAllowHTTP); err != nil {
			bad("issuer %s: %w", quote(cfg.Issuer), err)
		}
	}
	if cfg.ClientID == "" {
		bad("client id is empty")
	}
	var symmetric []string
	for _, a := range cfg.SymmetricAlgorithms {
		switch {
		case !slices.Contains(hmacAlgs, a):
			bad("symmetric algorithm %q is not one of %q", a, hmacAlgs)
		case !slices.Contains(symmetric, a):
			symmetric = append(symmetric, a)
		}
	}
	if len(symmetric) > 0 {
		if cfg.ClientSecret == "" {
			bad("symmetric algorithms %q need the client secret", symmetric)
		} else {
			v.hmacKey = []byte(cfg.ClientSecret)
		}
	}
	idAdvertised := cfg.Algorithms
	if len(idAdvertised) == 0 {
		idAdvertised = []string{"RS256"}
		if slices.Contains(asymmetricAlgs, cfg.RegisteredAlgorithm) {
			idAdvertised = []string{cfg.RegisteredAlgorithm}
		}
	}
	uiAdvertised := cfg.UserInfoAlgorithms
	if len(uiAdvertised) == 0 {
		uiAdvertised = idAdvertised
		if slices.Contains(asymmetricAlgs, cfg.RegisteredUserInfoAlgorithm) {
			uiAdvertised = []string{cfg.RegisteredUserInfoAlgorithm}
		}
	}
	var err error
	if v.algs, err = allowList(idAdvertised, cfg.RegisteredAlgorithm, symmetric); err != nil {
		bad("ID-token algorithms: %w", err)
	}
	if v.userInfoAlgs, err = allowList(uiAdvertised, cfg.RegisteredUserInfoAlgorithm, symmetric); err != nil {
		bad("UserInfo algorithms: %w", err)
	}
	arAdvertised := cfg.AuthResponseAlgorithms
	if len(arAdvertised) == 0 {
		arAdvertised = idAdvertised
	}
	if v.authRespAlgs, err = allowList(arAdvertised, "", symmetric); err != nil {
		bad("authorization response algorithms: %w", err)
	}
	v.decKeys = slices.Clone(cfg.DecryptionKeys)
	v.idTokenEnc, v.userInfoEnc, v.authRespEnc = cfg.IDTokenEncryption, cfg.UserInfoEncryption, cfg.AuthResponseEncryption
	for _, k := range v.decKeys {
		if err := checkDecryptionKey(k); err != nil {
			bad("%w", err)
		}
	}
	for _, r := range []struct {
		what string
		e    Encryption
	}{{"ID token", v.idTokenEnc}, {"UserInfo", v.userInfoEnc}, {"authorization response", v.authRespEnc}} {
		what, e := r.what, r.e
		if err := checkEncryption(what, e); err != nil {
			bad("%w", err)
		} else if e.registered() && len(v.decKeys) == 0 {
			bad("%s encryption %s needs decryption keys", what, e.Alg)
		}
	}
	needKeys := slices.ContainsFunc(v.algs, isAsymmetric) || slices.ContainsFunc(v.userInfoAlgs, isAsymmetric) ||
		slices.ContainsFunc(v.authRespAlgs, isAsymmetric)
	if needKeys {
		if cfg.JWKSURL == "" {
			bad("jwks_uri is empty")
		} else if err := urls.CheckEndpoint(cfg.JWKSURL, cfg.InsecureAllowHTTP); err != nil {
			bad("jwks_uri: %w", err)
		}
	}
	switch {
	case cfg.ClockSkew == 0:
		v.skew = DefaultClockSkew
	case cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew:
		bad("clock skew %s is outside [0, %s]", cfg.ClockSkew, MaxClockSkew)
	}
	if cfg.MaxTokenAge < 0 {
		bad("max token age %s is negative", cfg.MaxTokenAge)
	}
	if cfg.KeyRefreshLimit < 0 {
		bad("key refresh limit %s is negative", cfg.KeyRefreshLimit)
	}
	if cfg.MaxKeyWaiters < 0 {
		bad("max key waiters %d is negative", cfg.MaxKeyWaiters)
	}
	switch {
	case cfg.MaxKeysWithoutKID == 0:
		v.maxCandidates = DefaultMaxKeysWithoutKID
	case cfg.MaxKeysWithoutKID < 0:
		bad("max keys without kid %d is negative", cfg.MaxKeysWithoutKID)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if v.now == nil {
		v.now = time.Now
	}
	limit := cmp(cfg.KeyRefreshLimit, DefaultKeyRefreshLimit)
	interval := cmp(cfg.KeyRefreshInterval, DefaultKeyRefreshInterval)
	rc := httpx.Resty(cfg.HTTPClient)
	v.parser = jwt.NewParser(jwt.WithValidMethods(v.algs), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	v.userInfoParse = jwt.NewParser(jwt.WithValidMethods(v.userInfoAlgs), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	v.authRespParse = jwt.NewParser(jwt.WithValidMethods(v.authRespAlgs), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	if needKeys {
		after := cfg.After
		if after == nil {
			after = time.After
		}
		waiters := cfg.MaxKeyWaiters
		if waiters == 0 {
			waiters = DefaultMaxKeyWaiters
		}
		v.keys = newKeyCache(cfg.JWKSURL, rc, v.now, after, limit, interval, waiters)
		kf, err := keyfunc.New(keyfunc.Options{
			Storage:      v.keys,
			UseWhitelist: []jwkset.USE{jwkset.UseSig, ""},
		})
		if err != nil {
			return nil, fmt.Errorf("oidc: keyfunc: %w", err)
		}
		v.kf = kf
	}
	return v, nil
}

func cmp(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func isHMAC(alg string) bool { return strings.HasPrefix(alg, "HS") }

func isAsymmetric(alg string) bool { return slices.Contains(asymmetricAlgs, alg) }

// allowList is one allow-list of signature algorithms: the asymmetric ones
// among advertised ("none" and HS* are dropped: the provider's list never
// turns on an algorithm keyed with the client secret), then the
// configured symmetric ones, narrowed to the registered algorithm when
// there is one.
func allowList(advertised []string, registered string, symmetric []string) ([]string, error) {
	var algs []string
	for _, a := range advertised {
		if isAsymmetric(a) && !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	algs = append(algs, symmetric...)
	if registered != "" {
		if !slices.Contains(algs, registered) {
			return nil, fmt.Errorf("the registered algorithm %q is not among %q (HS* only through SymmetricAlgorithms)", registered, algs)
		}
		return []string{registered}, nil
	}
	if len(algs) == 0 {
		return nil, fmt.Errorf("none of %q is supported (HS* only through SymmetricAlgorithms)", advertised)
	}
	return algs, nil
}

// checkIssuerURL: https (http on loopback, or anywhere when insecure), no
// query, no fragment (OpenID Connect Discovery §3, RFC 9207 §2).
func checkIssuerURL(issuer string, insecure bool) error {
	if err := urls.CheckEndpoint(issuer, insecure); err != nil {
		return err
	}
	if u, _ := url.Parse(issuer); u.RawQuery != "" || u.ForceQuery {
		return errors.New("issuer has a query")
	}
	return nil
}

// Issuer returns the configured issuer identifier.
func (v *Verifier) Issuer() string { return v.issuer }

// ClientID returns the configured client id.
func (v *Verifier) ClientID() string { return v.clientID }

// Algorithms returns the effective allow-list of ID tokens and logout
// tokens.
func (v *Verifier) Algorithms() []string { return slices.Clone(v.algs) }

// UserInfoAlgorithms returns the effective allow-list of signed UserInfo
// responses.
func (v *Verifier) UserInfoAlgorithms() []string { return slices.Clone(v.userInfoAlgs) }

// allowed returns the allow-list and the parser for tokens of kind k.
func (v *Verifier) allowed(k tokenKind) ([]string, *jwt.Parser) {
	switch k {
	case kindUserInfo:
		return v.userInfoAlgs, v.userInfoParse
	case kindAuthResponse:
		return v.authRespAlgs, v.authRespParse
	}
	return v.algs, v.parser
}

// Close ends the background refresh of the JWK Set and waits for a running
// fetch to stop. Tokens signed with cached keys still verify afterwards;
// anything that needs a fetch fails with ErrVerifierClosed. Close is
// idempotent and always returns nil.
func (v *Verifier) Close() error {
	if v.keys != nil {
		v.keys.close()
	}
	return nil
}

// verified is the result of one verification: the returned token and the
// claims it was built from, allocated together.
type verified struct {
	tok IDToken
	c   claimSet
}

// verifyAddressed verifies raw as a JWT of kind (verifyJWS) that the
// issuer addressed to this client: iss exactly, then aud with the client id
// and no untrusted audience. It is the common part of a JARM response and
// a signed UserInfo answer; their time claims follow different rules and
// are checked by the caller.
func (v *Verifier) verifyAddressed(ctx context.Context, raw string, kind tokenKind) (*verified, error) {
	r, err := v.verifyJWS(ctx, raw, kind)
	if err != nil {
		return nil, err
	}
	if err := v.checkIssuer(&r.c); err != nil {
		return nil, err
	}
	if err := v.checkAudience(&r.c, r.tok.Algorithm); err != nil {
		return nil, err
	}
	return r, nil
}

// verifyJWS checks the header, finds the key and verifies the signature of
// raw; only then does it report problems found while decoding the payload.
// A signature that fails with a cached key named by kid gets one retry
// after the JWK Set was fetched again, if the issuer now publishes another
// key under that kid (a provider restarted with new keys under the same
// kid); that fetch is rate limited like an unknown kid's.
func (v *Verifier) verifyJWS(ctx context.Context, raw string, kind tokenKind) (*verified, error) {
	hseg, err := splitCompact(raw)
	if err != nil {
		return nil, err
	}
	h, err := v.parseHeader(hseg, kind)
	if err != nil {
		return nil, err
	}
	algs, parser := v.allowed(kind)
	alg := algs[h.alg]
	for retried := false; ; retried = true {
		r := new(verified)
		r.c.t = &r.tok.IDToken
		var (
			keyErr error
			key    any
			kid    string
		)
		_, err := parser.ParseWithClaims(raw, &r.c, func(t *jwt.Token) (any, error) {
			kid, _ = t.Header["kid"].(string)
			key, keyErr = v.keyFor(ctx, t, alg, h.hasKID)
			return key, keyErr
		})
		switch {
		case err == nil:
		case keyErr != nil:
			return nil, keyErr
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			if !retried && h.hasKID && !isHMAC(alg) {
				changed, rerr := v.keys.rekeyed(ctx, kid, key)
				if changed {
					continue
				}
				if ctxErr := ctx.Err(); rerr != nil && ctxErr != nil {
					return nil, fmt.Errorf("%w: %s signature does not verify with the issuer's key (gave up waiting for a newer one: %w)", ErrBadSignature, alg, ctxErr)
				}
			}
			return nil, fmt.Errorf("%w: %s signature does not verify with the issuer's key", ErrBadSignature, alg)
		case errors.Is(err, jwt.ErrTokenUnverifiable):
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedAlgorithm, err)
		default:
			return nil, fmt.Errorf("%w: %v", ErrMalformedToken, err)
		}
		if !r.c.decoded {
			return nil, fmt.Errorf("%w: payload is not a JSON object", ErrMalformedToken)
		}
		if r.c.err != nil {
			return nil, r.c.err
		}
		r.tok.Algorithm = alg
		r.tok.KeyID = kid
		return r, nil
	}
}

// keyFor returns the key (or keys) that may verify a token signed with alg.
func (v *Verifier) keyFor(ctx context.Context, t *jwt.Token, alg string, hasKID bool) (any, error) {
	if isHMAC(alg) {
		return v.hmacKey, nil
	}
	if hasKID {
		key, err := v.kf.KeyfuncCtx(ctx)(t)
		if err != nil {
			var own *keyLookupError
			if errors.As(err, &own) {
				return nil, own.err
			}
			return nil, fmt.Errorf("%w: the key's alg or use does not allow %s", ErrKeyNotUsable, alg)
		}
		if !keyFitsAlg(key, alg) {
			return nil, fmt.Errorf("%w: key type %T cannot verify %s", ErrKeyNotUsable, key, alg)
		}
		return key, nil
	}
	// No kid (OpenID Connect Core §10.1): try the signing keys whose type
	// and alg fit, if there are at most maxCandidates of them.
	all, err := v.keys.signingKeys(ctx)
	if err != nil {
		return nil, err
	}
	var set jwt.VerificationKeySet
	for _, k := range all {
		if a := k.Marshal().ALG; a != "" && string(a) != alg {
			continue
		}
		if key := k.Key(); keyFitsAlg(key, alg) {
			set.Keys = append(set.Keys, key)
		}
	}
	switch n := len(set.Keys); {
	case n == 0:
		return nil, fmt.Errorf("%w: token has no kid and no signing key fits %s", ErrUnknownKey, alg)
	case n == 1:
		return set.Keys[0], nil
	case n > v.maxCandidates:
		return nil, fmt.Errorf("%w: token has no kid and %d keys fit %s (at most %d are tried)", ErrUnknownKey, n, alg, v.maxCandidates)
	}
	return set, nil
}

// quote quotes s for an error message, shortened to 100 bytes.
func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return fmt.Sprintf("%q", s)
}
