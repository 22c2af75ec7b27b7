package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-oauth20/oauth20/core"
)

// spec is what a constructor states about its provider: its defaults, its
// endpoints and wire dialect, how it fetches the user, and the options
// beyond the common ones it can honour. build adds what the credentials and
// the options decide (name, display name, redirect URL, scopes, HTTP client,
// authorization parameters) and refuses the options it cannot honour, so
// that a constructor says only what is particular to its provider.
type spec struct {
	// name and display are the default name and display name; scopes the
	// default scopes.
	name, display string
	scopes        []string

	endpoints core.Endpoints
	method    core.AuthMethod
	// dialect is the wire dialect, RFC 6749 when nil; build names it after
	// the provider when it has no name.
	dialect *core.Dialect
	pkce    core.PKCEMode
	// authOptions go into every authorization request, before the
	// caller's WithAuthParam.
	authOptions []core.Option
	codeParams  []string
	fetchUser   func(context.Context, core.UserRequest) (*core.User, error)
	// checkCallback reads the callback before the exchange (see
	// core.ProviderSpec.CheckCallback).
	checkCallback func(url.Values, time.Time) (*core.Params, error)

	// refusalWithoutCode: a callback with the state alone is the user
	// refusing (WeChat); see core.ProviderSpec.RefusalWithoutCode.
	refusalWithoutCode bool

	// userFields names the members of the provider's answers that hold
	// personal data (core.ProviderSpec.UserFields).
	userFields core.UserFields

	// discover learns the endpoints at run time; issuer, oidc and formPost
	// are set for OpenID providers (see newOIDC).
	discover func(context.Context, *http.Client, core.Clock) (*core.Discovery, error)
	issuer   string
	oidc     bool
	formPost bool
	// noNonce is set for an OpenID provider whose ID tokens carry no
	// nonce (core.ProviderSpec.NonceUnsupported).
	noNonce bool

	// accepts lists the options beyond optCommon that the provider honours.
	accepts option
}

// build turns sp, the credentials and the options into a provider. errs are
// the constructor's own configuration errors; they are reported together
// with every option sp does not accept, each wrapping core.ErrInvalidConfig.
func (s *settings) build(clientID, clientSecret string, sp spec, errs ...error) (*core.Provider, error) {
	for o := option(1); o != 0 && o <= s.given; o <<= 1 {
		if s.given&o != 0 && (optCommon|sp.accepts)&o == 0 {
			errs = append(errs, sp.refuse(o))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	name, display := sp.name, sp.display
	if s.name != "" {
		name = s.name
	}
	if s.displayName != "" {
		display = s.displayName
	}
	// The dialect is named after the provider unless it has a name of its
	// own (the two WeChat logins share "wechat").
	dialect := core.Dialect{}
	if sp.dialect != nil {
		dialect = *sp.dialect
	}
	if dialect.Name == "" {
		dialect.Name = sp.name
	}
	auth := append([]core.Option(nil), sp.authOptions...)
	if s.formPost && !sp.formPost {
		auth = append(auth, core.WithParam("response_mode", "form_post"))
	}
	return core.NewProvider(core.ProviderSpec{
		Name:        name,
		DisplayName: display,
		Client: core.Config{
			ClientID:     clientID,
			ClientSecret: clientSecret,
			Issuer:       sp.issuer,
			Endpoints:    sp.endpoints,
			RedirectURL:  s.redirectURL,
			PrivateKey:   s.privateKey,
			KeyID:        s.keyID,
			// A token-endpoint audience only matters for assertions.
			TokenEndpointAudience: s.tokenEndpointAudience,
			Scopes:                s.scopesOr(sp.scopes...),
			AuthMethod:            sp.method,
			Dialect:               &dialect,
			HTTPClient:            s.httpClient,
			DPoPKey:               s.dpopKey,
		},
		Discover:         sp.discover,
		OIDC:             sp.oidc,
		NonceUnsupported: sp.noNonce,
		PKCE:             sp.pkce,
		AuthOptions:      append(auth, s.authParams...),
		FormPost:         sp.formPost || s.formPost,
		PAR:              s.par,
		JARM:             s.jarm,
		FAPI2:            s.fapi2,
		RequestObject:    s.requestObject,
		CodeParams:       sp.codeParams,
		FetchUser:        sp.fetchUser,
		TokenOnly:        s.tokenOnly,

		RefusalWithoutCode: sp.refusalWithoutCode,
		// A provider that checks or carries callback parameters.
		CheckCallback: sp.checkCallback,
		// The members that hold personal data, for the recorder.
		UserFields: sp.userFields,
	})
}

// refuse is the error for an option that the provider cannot honour.
func (sp *spec) refuse(o option) error {
	why := "the provider does not take it"
	switch o {
	case optBaseURL:
		why = "the provider has one installation, at fixed URLs"
	case optAuthMethod:
		why = "the provider documents one client authentication"
		if sp.method != "" {
			why = "the client always authenticates with " + string(sp.method)
		}
	case optFormPost:
		why = "the provider does not answer with response_mode=form_post"
	case optAdditionalIssuers, optTrustedAudiences:
		why = "the provider issues no ID token that is verified"
	}
	return fmt.Errorf("%w: %s: %s cannot be used: %s", core.ErrInvalidConfig, sp.name, o, why)
}

// publicOr returns core.AuthNone for a client without a secret (a public
// client, protected by PKCE alone) and m for the others.
func publicOr(secret string, m core.AuthMethod) core.AuthMethod {
	if secret == "" {
		return core.AuthNone
	}
	return m
}
