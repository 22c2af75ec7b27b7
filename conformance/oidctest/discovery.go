package oidctest

import (
	"net/http"
)

// authMethods are the client authentication methods the token and
// revocation endpoints accept.
var authMethods = []string{string(AuthSecretBasic), string(AuthSecretPost), string(AuthNone)}

// Discovery returns the provider metadata (OpenID Connect Discovery 1.0 §3,
// RFC 8414 §2) that the discovery endpoint serves, Config.Metadata applied
// and Faults.WrongDiscoveryIssuer ignored.
func (s *Server) Discovery() map[string]any {
	doc := s.ownMetadata()
	for k, v := range s.cfg.Metadata {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	return doc
}

// ownMetadata is the document before Config.Metadata.
func (s *Server) ownMetadata() map[string]any {
	return map[string]any{
		"issuer":                                     s.issuer,
		"authorization_endpoint":                     s.URL(AuthorizeEndpoint),
		"token_endpoint":                             s.URL(TokenEndpoint),
		"userinfo_endpoint":                          s.URL(UserInfoEndpoint),
		"jwks_uri":                                   s.URL(JWKSEndpoint),
		"revocation_endpoint":                        s.URL(RevocationEndpoint),
		"introspection_endpoint":                     s.URL(IntrospectionEndpoint),
		"end_session_endpoint":                       s.URL(EndSessionEndpoint),
		"scopes_supported":                           []string{"openid", "profile", "email", "offline_access"},
		"response_types_supported":                   []string{"code"},
		"response_modes_supported":                   []string{"query", "form_post"},
		"grant_types_supported":                      []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":                    []string{"public"},
		"id_token_signing_alg_values_supported":      []string{s.cfg.Algorithm},
		"token_endpoint_auth_methods_supported":      authMethods,
		"revocation_endpoint_auth_methods_supported": authMethods,
		"introspection_endpoint_auth_methods_supported": []string{
			string(AuthSecretBasic), string(AuthSecretPost),
		},
		"code_challenge_methods_supported":               []string{"S256"},
		"claims_supported":                               []string{"iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "name", "preferred_username", "picture", "email", "email_verified"},
		"claims_parameter_supported":                     false,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"authorization_response_iss_parameter_supported": true,
	}
}

// discovery serves the metadata document.
func (s *Server) discovery(w http.ResponseWriter, _ *http.Request, _ *ErrorResponse) {
	doc := s.Discovery()
	s.mu.Lock()
	wrong := s.faults.WrongDiscoveryIssuer
	s.mu.Unlock()
	if wrong {
		doc["issuer"] = AttackerIssuer
	}
	writeJSON(w, http.StatusOK, doc)
}

// sendsResponseIssuer reports whether authorization responses carry iss:
// when the metadata says so (RFC 9207 §3).
func (s *Server) sendsResponseIssuer() bool {
	b, _ := s.Discovery()["authorization_response_iss_parameter_supported"].(bool)
	return b
}
