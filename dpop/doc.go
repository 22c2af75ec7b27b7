// Package dpop holds the key of a client that proves possession of its
// access tokens with DPoP (RFC 9449, Demonstrating Proof of Possession),
// and makes the proofs.
//
// A DPoP-bound access token (token_type "DPoP") is bound to the public key
// of the [Key] that requested it: the authorization server records the
// key's thumbprint, and every request that uses the token must carry a
// fresh proof, a JWT signed with the private key. A copy of the token is
// useless without the key.
//
// # Using it
//
// Give a provider the key (providers.WithDPoP, or core.Config.DPoPKey): the
// library then sends dpop_jkt with every authorization request (§10), a
// proof with every token, refresh and revocation request (§4), sends the
// token as "Authorization: DPoP …" with a proof carrying ath at the
// resource requests it makes (core.Client.Resource, the user fetch at
// UserInfo) and never as Bearer, and answers a server's use_dpop_nonce
// challenge with one retry carrying the nonce (§8, §9).
//
//	key, err := dpop.GenerateKey(dpop.ES256)
//	p, err := providers.OIDC("op", issuer, id, secret, providers.WithDPoP(key))
//
// For the application's own API calls with such a token, [Transport] is an
// http.RoundTripper that adds the token and a proof to every request and
// answers the resource server's nonce challenge:
//
//	ts := client.TokenSource(tok, core.TokenSourceOptions{})
//	api := &http.Client{Transport: &dpop.Transport{Key: key, Token: func(ctx context.Context) (string, error) {
//		t, err := ts.Token(ctx)
//		if err != nil {
//			return "", err
//		}
//		return t.AccessToken, nil
//	}}}
//
// # Keeping the key
//
// The key is the application's, not the library's: tokens kept in sessions
// (core.Builder.KeepTokens) or in a database stay usable only while the
// application has the same key. Generate it once, store it like any
// private key (x509.MarshalPKCS8PrivateKey of [Key.Signer], sealed or in a
// secret store), load it at start with [NewKey], and give every replica
// the same one. A new key does not break logins, only the tokens bound to
// the old one: their requests fail with invalid_token and the user logs in
// again.
//
// # Algorithms
//
// ES256 (ECDSA P-256), EdDSA (Ed25519), ES384, ES512 and PS256 (RSA of 2048
// bits or more). oidc-provider and FAPI 2.0 accept ES256 and EdDSA.
package dpop
