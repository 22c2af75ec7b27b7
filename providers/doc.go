// Package providers holds ready-made login providers, one file each, every
// one documenting its provider's quirks and proven against recorded
// answers by package conformance.
//
// Pick a constructor and give it to the Builder; a constructor's error
// goes with it, and Build reports every problem at once:
//
//	auth, err := core.New().SealingKeys(key).BaseURL("https://app.example/auth").
//		Provider(providers.GitHub(id, secret)).
//		Provider(providers.Google(id, secret, providers.WithScopes("openid", "email"))).
//		Provider(providers.OIDC("keycloak", "https://sso.example.com/realms/main", id, secret)).
//		Build()
//
// Every constructor takes the common options (WithScopes, WithRedirectURL,
// WithHTTPClient, WithAuthParam, WithName, WithDisplayName,
// WithTokenOnly) and those that fit its provider (WithBaseURL for a
// self-hosted installation, WithAuthMethod and WithPrivateKey for OpenID
// providers, WithFormPost, the ID-token options, PAR, DPoP, JARM, JWE and
// FAPI 2.0); an option a provider cannot honour is refused with
// core.ErrInvalidConfig, naming it, rather than ignored. The README's
// table lists every provider with its PKCE, refresh, revocation and email
// behaviour.
//
// A provider of your own is a core.ProviderSpec: its endpoints, a
// core.Dialect for where it departs from RFC 6749 on the wire (error
// detectors such as DetectRFC6749 and CodeDetector here), and a FetchUser
// hook. Record one real login with conformance.Recorder and check it with
// conformance.Run.
package providers
