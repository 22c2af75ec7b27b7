package providers

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-oauth20/oauth20/core"
	"github.com/go-oauth20/oauth20/internal/jsonmap"
)

// microsoftLoginURL is the Microsoft identity platform of the global cloud.
const microsoftLoginURL = "https://login.microsoftonline.com"

// microsoftConsumersTenant is the tenant of personal Microsoft accounts.
const microsoftConsumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

var microsoftTenantID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Microsoft returns an OpenID provider for Microsoft Entra ID (the
// Microsoft identity platform, v2.0 endpoints). tenant says who may sign
// in:
//
//   - a tenant id (a GUID): accounts of that directory only;
//   - "organizations": work and school accounts of any directory;
//   - "consumers": personal Microsoft accounts;
//   - "common": both.
//
// A tenant given by domain name ("contoso.onmicrosoft.com") is rejected:
// its metadata names the tenant GUID as issuer, so use the GUID.
//
// Documentation:
// https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc
//
// Quirks handled here:
//
//   - Discovery is fetched from {login}/{tenant}/v2.0. For "common" and
//     "organizations" the metadata's issuer is the template
//     "https://login.microsoftonline.com/{tenantid}/v2.0"; it is expected
//     exactly, and each ID token's iss must equal the template with the
//     token's own tid claim put in its place (tid restricted to letters,
//     digits, '-' and '.'). The issuer is never left unchecked. For
//     "consumers" the metadata names the fixed tenant of personal accounts
//     (9188040d-6c67-4c5b-b112-36a304b66dad) and tokens must carry it
//     [assumed from Microsoft's published metadata; not re-checked here].
//   - Refresh tokens need offline_access (in the default scopes); a
//     refresh request carries the provider's scopes when the caller names
//     none, as the v2.0 token endpoint asks.
//   - No revocation endpoint exists; Logout uses end_session_endpoint.
//   - The user is the ID token overlaid with Microsoft Graph's
//     /oidc/userinfo (the discovered userinfo_endpoint). sub is pairwise
//     (per application); the directory-wide object id is in
//     User.Raw["oid"] when the profile scope was granted, the tenant in
//     User.Raw["tid"]. The email claim is not verified by Microsoft and
//     no email_verified claim is sent, so EmailVerified stays false.
//     preferred_username (usually the UPN) is the Username; it is not
//     proof of a mailbox.
//   - Errors are RFC 6749 JSON with Microsoft's error_codes, trace_id and
//     correlation_id; the description starts with an AADSTS code. Graph's
//     UserInfo answers a refused access token with HTTP 401 and its own
//     {"error":{"code":"InvalidAuthenticationToken","message":..}}, which
//     is invalid_token (the Graph code stays in ProviderCode).
//
// WithBaseURL changes the login host for national clouds (for example
// "https://login.partner.microsoftonline.cn"). Default scopes: openid,
// profile, email, offline_access. Other options as for OIDC; the default
// name is "microsoft". The returned provider is immutable and safe for
// concurrent use; it does no network I/O until first used.
func Microsoft(tenant, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	s := collect(opts)
	var errs []error
	base, err := checkBaseURL("microsoft", "base URL", s.baseURL, microsoftLoginURL)
	if err != nil {
		errs = append(errs, err)
	}
	expect := ""
	switch t := strings.ToLower(tenant); {
	case t == "common" || t == "organizations":
		expect = base + "/{tenantid}/v2.0"
	case t == "consumers":
		expect = base + "/" + microsoftConsumersTenant + "/v2.0"
	case microsoftTenantID.MatchString(tenant):
	default:
		errs = append(errs, fmt.Errorf("%w: microsoft: tenant %q: want a tenant id (GUID), \"common\", \"organizations\" or \"consumers\"", core.ErrInvalidConfig, tenant))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	scopes := s.scopesOr("openid", "profile", "email", "offline_access")
	return newOIDC(oidcParams{
		spec: spec{name: "microsoft", display: "Microsoft", issuer: base + "/" + tenant + "/v2.0", scopes: scopes,
			dialect:    &core.Dialect{EditRequest: microsoftEditRequest(scopes), ErrorDetectors: microsoftDetectors},
			accepts:    optBaseURL | optFormPost,
			userFields: microsoftUserFields,
		},
		expectIssuer: expect,
	}, clientID, clientSecret, opts)
}

// microsoftUserFields are the claims beyond the standard ones that identify
// the user: oid (the directory object) and tid (the tenant).
var microsoftUserFields = core.UserFields{Personal: []string{"oid", "tid"}}

// microsoftEditRequest adds the provider's scopes to refresh requests that
// name none.
func microsoftEditRequest(scopes []string) func(*core.Request) error {
	joined := strings.Join(scopes, " ")
	return func(r *core.Request) error {
		if r.Op == core.OpRefresh && !(r.Params.Get("scope") != "") && joined != "" {
			r.Params.Set("scope", joined)
		}
		return nil
	}
}

// microsoftDetectors read Graph's error object on UserInfo answers before
// the RFC 6749 errors of the token endpoint.
var microsoftDetectors = []errorDetector{graphTokenError, DetectRFC6749}

// graphTokenError turns Graph's refusal of an access token,
// {"error":{"code":"InvalidAuthenticationToken","message":".."}}, into
// invalid_token (RFC 6750 §3.1), so that callers see the login is over.
func graphTokenError(status int, body map[string]any) *core.Error {
	obj, ok := body["error"].(map[string]any)
	if !ok || jsonmap.String(obj, "code") != "InvalidAuthenticationToken" {
		return nil
	}
	return &core.Error{Code: core.CodeInvalidToken, ProviderCode: "InvalidAuthenticationToken",
		Description: jsonmap.String(obj, "message"), StatusCode: status}
}
