package core

// Endpoints are the URLs of one authorization server. Only AuthURL and
// TokenURL are needed for the authorization-code flow; an operation whose
// endpoint is empty fails with ErrNoEndpoint.
type Endpoints struct {
	AuthURL          string // authorization_endpoint
	TokenURL         string // token_endpoint
	RevocationURL    string // revocation_endpoint (RFC 7009)
	IntrospectionURL string // introspection_endpoint (RFC 7662)
	DeviceAuthURL    string // device_authorization_endpoint (RFC 8628)
	UserInfoURL      string // userinfo_endpoint
	EndSessionURL    string // end_session_endpoint (RP-initiated logout)
	JWKSURL          string // jwks_uri
	// PushedAuthURL is the pushed_authorization_request_endpoint (RFC
	// 9126), where logins of a provider that uses PAR push their request.
	PushedAuthURL string
}

// each calls f with every endpoint's metadata name and value.
func (e Endpoints) each(f func(name, value string)) {
	f("authorization_endpoint", e.AuthURL)
	f("token_endpoint", e.TokenURL)
	f("revocation_endpoint", e.RevocationURL)
	f("introspection_endpoint", e.IntrospectionURL)
	f("device_authorization_endpoint", e.DeviceAuthURL)
	f("userinfo_endpoint", e.UserInfoURL)
	f("end_session_endpoint", e.EndSessionURL)
	f("jwks_uri", e.JWKSURL)
	f("pushed_authorization_request_endpoint", e.PushedAuthURL)
}
