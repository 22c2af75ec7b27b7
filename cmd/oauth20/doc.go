// Command oauth20 logs in with OAuth 2.0 and OpenID Connect providers from
// the terminal, inspects and verifies tokens, checks an issuer's discovery
// metadata, and records and checks conformance cassettes, all on the
// go-oauth20 library.
//
//	go install github.com/go-oauth20/oauth20/cmd/oauth20@latest
//
// # Commands
//
//	oauth20 login       authorization code + PKCE on a loopback redirect (RFC 8252),
//	                    pushed with --par (RFC 9126), or --device (RFC 8628), or
//	                    --client-credentials; --dpop binds the tokens to a key (RFC 9449)
//	oauth20 refresh     a new token with a refresh token
//	oauth20 revoke      revoke a token (RFC 7009)
//	oauth20 introspect  ask about a token (RFC 7662)
//	oauth20 userinfo    the user of an access token
//	oauth20 verify      an ID token, check by check, with the typed error of the failing one
//	oauth20 discover    an issuer's metadata and keys, checked, with warnings
//	oauth20 record      a live login through conformance.Recorder into a redacted cassette
//	oauth20 check       the conformance kit on a cassette directory
//	oauth20 keygen      a sealing key, or a private_key_jwt key pair and its JWK
//	oauth20 providers   the built-in providers and their settings
//	oauth20 completion  shell completion (bash, zsh, fish, powershell)
//
// Every command has --help with examples; README.md beside this file is
// the manual, with the spec-file format.
//
// # Providers
//
// A command talks to a built-in provider (--provider github, with --set
// key=value for what a constructor needs beyond the credentials, such as
// Keycloak's url and realm), to any OpenID provider (--issuer URL), or to a
// provider described by a spec file (--spec FILE, YAML or JSON).
//
// # Secrets and output
//
// Secrets never go on the command line: the client id comes from
// --client-id or OAUTH20_CLIENT_ID, the client secret from
// OAUTH20_CLIENT_SECRET, --client-secret-file or a prompt without echo when
// standard input is a terminal. Tokens are described (kind and length)
// unless --show-tokens prints them or --save writes them to a file of mode
// 0600. The DPoP key of a login with --dpop is never printed: --save writes
// it beside the token file (FILE.dpop.pem, mode 0600), where refresh,
// revoke, introspect and userinfo find it, and a DPoP token is never sent
// without a proof of its key. --json prints JSON for scripts.
//
// # Exit codes
//
//	0  ok
//	1  the provider, the network or a check said no (a protocol error,
//	   a refused token, a failing scenario, an unreachable issuer)
//	2  the command cannot run as given (unknown command, flag or provider,
//	   a missing argument or credential, an unreadable or invalid input file)
package main
