package providers

import (
	"context"
	"net/url"
	"strings"

	"github.com/go-oauth20/oauth20/core"
)

// Salesforce returns an OpenID provider for logins with Salesforce
// (Salesforce Identity as the OpenID provider of a connected app or an
// external client app). domain is the host users log in at, which is also
// the issuer:
//
//   - "login.salesforce.com" for users of any production org, or
//     "test.salesforce.com" for sandboxes;
//   - the org's My Domain, "MyDomainName.my.salesforce.com" (a sandbox's:
//     "MyDomainName--SandboxName.sandbox.my.salesforce.com"), for the users
//     of one org;
//   - an Experience Cloud site with its path, as a URL:
//     "https://MyDomainName.my.site.com/mysite".
//
// The issuer is https://{domain}; endpoints and keys come from its
// discovery document, fetched on first use and cached.
//
// Documentation:
// https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_web_server_flow_ca.htm&type=5
// and https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_using_openid_discovery_endpoint.htm&type=5
//
// Quirks handled here:
//
//   - Each login host is its own issuer: login.salesforce.com,
//     test.salesforce.com and every My Domain or site publish their own
//     metadata, naming themselves as the issuer, and the ID tokens must
//     carry that issuer exactly. So domain must be the host the users log
//     in at: a token from another host is refused as an issuer mismatch.
//   - Endpoints below the host: /services/oauth2/authorize, /token,
//     /revoke, /userinfo, keys at /id/keys. Client authentication follows
//     the metadata (client_secret_basic, which it lists with
//     client_secret_post and private_key_jwt). PKCE S256 is sent on every
//     login (the metadata does not say so, the documentation recommends
//     it).
//   - Token answers carry no expires_in (the access token lasts as long as
//     the org's session timeout), issued_at as a string of milliseconds, a
//     signature (an HMAC of id and issued_at keyed with the client
//     secret), instance_url (the org's API host) and id, the identity URL
//     https://{login host}/id/{org id}/{user id}; they are kept in
//     Token.Raw. Refresh tokens need the refresh_token (or offline_access)
//     scope, added with WithScopes. A refresh answers without a new
//     refresh token (unless the app rotates them) and with a new ID token,
//     verified like the login's.
//   - sub, in the ID token and UserInfo, is the identity URL
//     (https://login.salesforce.com/id/{org id}/{user id} in Salesforce's
//     documentation), a URL on some login host rather than an id. User.ID
//     is the 18-character user id instead (UserInfo's user_id, else the
//     last segment of sub), as other libraries take it; sub stays in
//     User.Raw, and organization_id names the org.
//   - ID tokens are RS256 and short-lived (the connected app's "ID Token
//     Valid for", in minutes). A connected app may list further ID Token
//     Audiences: name them with WithTrustedAudiences, or such tokens are
//     refused.
//   - UserInfo's email_verified says the user confirmed the address (the
//     welcome email, an address change, a password reset, a verification
//     on a new device); preferred_username is the Salesforce username (an
//     email-shaped login name, User.Username); picture is the profile
//     photo; updated_at is an ISO 8601 string; urls, photos and address are
//     objects. All are kept in User.Raw.
//   - Errors are RFC 6749 JSON with HTTP 400: a refresh token that is no
//     longer valid is invalid_grant ("expired access/refresh token"), and
//     so, as reported, is a used or expired code; codes of its own
//     (inactive_user, inactive_org) are kept in ProviderCode.
//   - Revocation (/services/oauth2/revoke; a refresh token takes its access
//     tokens with it) answers 200, or 400 with unsupported_token_type or
//     invalid_token, also for a token that is already invalid, where RFC
//     7009 says 200: that is reported as core.ErrInvalidToken, and the
//     token is unusable either way.
//
// Default scopes: openid, profile, email. Options as for OIDC, without
// WithFormPost (the metadata offers no form_post) and WithBaseURL (the
// host is domain); the default name is "salesforce". The returned
// provider is immutable and safe for concurrent use; it does no network
// I/O until first used.
func Salesforce(domain, clientID, clientSecret string, opts ...Option) (*core.Provider, error) {
	issuer, err := hostURL("salesforce", domain)
	if err != nil {
		return nil, err
	}
	return newOIDC(oidcParams{
		spec: spec{name: "salesforce", display: "Salesforce", issuer: issuer,
			dialect: salesforceDialect, userFields: salesforceUserFields},
		user: salesforceUser,
	}, clientID, clientSecret, opts)
}

// salesforceDialect names the token answer's signature, an HMAC keyed with
// the client secret, as secret-bearing for tools that keep the traffic.
var salesforceDialect = &core.Dialect{SecretFields: []string{"signature"}}

// salesforceUserFields are the members of Salesforce's token answers,
// ID tokens and UserInfo beyond the standard claims that identify the user
// or the org. instance_url is not among them: it is the org's host, which
// for a My Domain login is the issuer itself, on which every endpoint is.
var salesforceUserFields = core.UserFields{
	ID: "user_id",
	Personal: []string{"organization_id", "urls", "photos", "sfdc_community_url", "sfdc_community_id",
		"custom_attributes"},
}

// salesforceUser is the standard OpenID user with the Salesforce user id
// as its ID.
func salesforceUser(ctx context.Context, r core.UserRequest, userInfoURL string) (*core.User, error) {
	u, err := oidcUser(ctx, r, userInfoURL)
	if err != nil {
		return nil, err
	}
	if id := salesforceUserID(u.Raw); id != "" {
		u.ID = id
	}
	return u, nil
}

// salesforceUserID returns UserInfo's user_id or, without it, the user id
// at the end of the identity URL in sub (https://{host}/id/{org}/{user});
// "" when neither is there.
func salesforceUserID(raw map[string]any) string {
	if id := stringMember(raw, "user_id"); id != "" {
		return id
	}
	u, err := url.Parse(stringMember(raw, "sub"))
	if err != nil || u.Host == "" {
		return ""
	}
	seg := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(seg) < 3 || seg[len(seg)-3] != "id" || seg[len(seg)-1] == "" {
		return ""
	}
	return seg[len(seg)-1]
}
