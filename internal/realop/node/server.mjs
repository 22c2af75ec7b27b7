// server.mjs runs a real, independent OpenID provider (panva's oidc-provider)
// on the loopback interface for the oauth20 end-to-end tests. The Go package
// realop starts it; it can also be run by hand:
//
//   REALOP_CONFIG='{"redirectUris":["http://127.0.0.1:8080/callback"]}' node server.mjs
//
// Configuration is one JSON object, read from the first command-line argument
// or else from the REALOP_CONFIG environment variable (all fields optional):
//
//   port                    TCP port on 127.0.0.1 (or env REALOP_PORT); 0 or
//                           absent picks a free one
//   redirectUris            redirect_uris of all three clients
//   postLogoutRedirectUris  post_logout_redirect_uris of all three clients
//   fullIdTokenClaims       true puts profile and email claims in ID tokens
//                           even when an access token is issued too
//   requirePar              true makes pushed authorization requests
//                           mandatory for every client (and says so in the
//                           discovery document)
//
// When the provider listens, one line goes to stdout:
//
//   READY {"issuer":"http://127.0.0.1:PORT","port":PORT,"clients":{...},"clientKeys":{...}}
//
// clientKeys holds the private JWKs of the keys that the feature clients
// registered (their public halves are in those clients' jwks): a signing key
// for private_key_jwt and signed request objects, and an RSA and an EC key
// for encrypted ID tokens and UserInfo. They are test keys, made anew at
// every start.
//
// The process exits when its stdin closes, or on SIGTERM or SIGINT.

import crypto from 'node:crypto';
import http from 'node:http';
import process from 'node:process';

import Provider from 'oidc-provider';

function readConfig() {
  const raw = process.argv[2] || process.env.REALOP_CONFIG || '{}';
  try {
    const cfg = JSON.parse(raw);
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) {
      throw new TypeError('configuration must be a JSON object');
    }
    return cfg;
  } catch (err) {
    process.stderr.write(`realop: bad configuration: ${err.message}\n`);
    process.exit(2);
  }
}

const cfg = readConfig();
const port = Number(cfg.port || process.env.REALOP_PORT || 0);
const redirectUris = cfg.redirectUris?.length ? cfg.redirectUris : ['http://127.0.0.1/callback'];
const postLogoutRedirectUris = cfg.postLogoutRedirectUris?.length
  ? cfg.postLogoutRedirectUris
  : ['http://127.0.0.1/logged-out'];

// The fixed clients. Their ids and secrets are mirrored in realop.go.
const deviceCodeGrant = 'urn:ietf:params:oauth:grant-type:device_code';
const scope = 'openid profile email offline_access api:read api:write';
// The client's own keys, registered by the feature clients below. The
// private halves go to the Go side in the READY line.
function clientKey(kind, kid, use, alg) {
  const key = kind === 'rsa'
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return { ...key.export({ format: 'jwk' }), kid, use, alg };
}
const clientKeys = {
  sig: clientKey('ec', 'client-sig', 'sig', 'ES256'),
  encRSA: clientKey('rsa', 'client-enc-rsa', 'enc', 'RSA-OAEP-256'),
  encEC: clientKey('ec', 'client-enc-ec', 'enc', undefined),
};
function publicJwk({ d, p, q, dp, dq, qi, ...pub }) {
  return pub;
}
const clientJwks = { keys: Object.values(clientKeys).map(publicJwk) };

// Clients of the features beyond plain OAuth 2.0 and OpenID Connect, each
// registered for one of them, so that the three plain clients stay as
// they are:
//
//   realop-par   client_secret_basic, pushed authorization requests required
//   realop-jar   private_key_jwt, signed request objects required
//   realop-dpop  client_secret_basic, DPoP-bound access tokens required
//   realop-jarm  client_secret_basic, signed authorization responses (JARM)
//   realop-jwe   client_secret_basic, ID tokens encrypted with RSA-OAEP-256 and
//                A256GCM; UserInfo signed (ES256), then encrypted with
//                ECDH-ES+A128KW and A128GCM
//   realop-jwe-ec  client_secret_basic, ID tokens encrypted with ECDH-ES+A256KW
//                and A128GCM
//   realop-fapi  the FAPI 2.0 Security Profile: private_key_jwt, PAR, PKCE,
//                DPoP, ES256 ID tokens
//
// The DPoP features are on for every client (oidc-provider's default), with
// a server nonce required in every proof.
function featureClients() {
  const code = ['authorization_code', 'refresh_token'];
  const secret = (id) => ({
    client_id: id, client_secret: `${id}-secret`, token_endpoint_auth_method: 'client_secret_basic', grant_types: code,
  });
  const keyed = (id) => ({
    client_id: id,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: clientJwks,
    grant_types: code,
  });
  return [
    { ...secret('realop-par'), require_pushed_authorization_requests: true },
    { ...keyed('realop-jar'), require_signed_request_object: true, request_object_signing_alg: 'ES256' },
    { ...secret('realop-dpop'), dpop_bound_access_tokens: true },
    { ...secret('realop-jarm'), authorization_signed_response_alg: 'ES256' },
    {
      ...secret('realop-jwe'),
      jwks: clientJwks,
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_signed_response_alg: 'ES256',
      userinfo_encrypted_response_alg: 'ECDH-ES+A128KW',
      userinfo_encrypted_response_enc: 'A128GCM',
    },
    {
      ...secret('realop-jwe-ec'),
      jwks: clientJwks,
      id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
      id_token_encrypted_response_enc: 'A128GCM',
    },
    {
      ...keyed('realop-fapi'),
      require_pushed_authorization_requests: true,
      dpop_bound_access_tokens: true,
      id_token_signed_response_alg: 'ES256',
    },
  ];
}

const clients = [
  {
    client_id: 'realop-basic',
    client_secret: 'realop-basic-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', deviceCodeGrant],
  },
  {
    client_id: 'realop-post',
    client_secret: 'realop-post-secret',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  {
    client_id: 'realop-public',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', deviceCodeGrant],
  },
  ...featureClients(),
].map((client) => ({
  ...client,
  response_types: ['code'],
  redirect_uris: redirectUris,
  post_logout_redirect_uris: postLogoutRedirectUris,
  scope,
}));

// account builds the claims of any login: every login and password is accepted.
function account(login) {
  const local = login.includes('@') ? login.slice(0, login.indexOf('@')) : login;
  const given = local.charAt(0).toUpperCase() + local.slice(1);
  return {
    sub: login,
    name: `${given} Tester`,
    given_name: given,
    family_name: 'Tester',
    preferred_username: local,
    nickname: local,
    picture: `https://example.com/avatars/${encodeURIComponent(local)}.png`,
    profile: `https://example.com/people/${encodeURIComponent(local)}`,
    locale: 'en-US',
    zoneinfo: 'Europe/Berlin',
    updated_at: 1700000000,
    email: login.includes('@') ? login : `${login}@example.com`,
    email_verified: true,
  };
}

// The API that client-credentials (or any) requests can name with resource=.
// Tokens for it are JWTs; tokens without a resource stay opaque and are
// meant for userinfo.
const apiResource = 'urn:realop:api';

function signingKeys() {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${crypto.randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' },
    { ...ec, kid: `ec-${crypto.randomBytes(4).toString('hex')}`, use: 'sig', alg: 'ES256' },
  ];
}

const configuration = {
  clients,
  jwks: { keys: signingKeys() },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: {
    openid: ['sub'],
    profile: [
      'name', 'given_name', 'family_name', 'preferred_username', 'nickname',
      'picture', 'profile', 'locale', 'zoneinfo', 'updated_at',
    ],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
  conformIdTokenClaims: !cfg.fullIdTokenClaims,
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return account(sub);
      },
    };
  },
  pkce: {
    // Public clients must send PKCE; confidential ones may.
    required: (_ctx, client) => client.clientAuthMethod === 'none',
  },
  enabledJWA: {
    idTokenEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
    userinfoEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
    authorizationEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
  },
  features: {
    devInteractions: { enabled: true },
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: Boolean(cfg.requirePar) },
    requestObjects: { enabled: true },
    dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true },
    jwtResponseModes: { enabled: true },
    encryption: { enabled: true },
    jwtUserinfo: { enabled: true },
    fapi: { enabled: true, profile: (_ctx, client) => (client?.clientId === 'realop-fapi' ? '2.0' : undefined) },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // No resource parameter: the access token is opaque and for userinfo.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      async getResourceServerInfo(_ctx, resourceIndicator) {
        if (resourceIndicator === apiResource) {
          return {
            scope: 'api:read api:write',
            audience: apiResource,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
          };
        }
        throw new Provider.errors.InvalidTarget();
      },
    },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    RefreshToken: 86400,
    Session: 3600,
  },
};

const server = http.createServer();
server.listen(port, '127.0.0.1', async () => {
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => {
    process.stderr.write(`realop: server_error: ${err.stack || err}\n`);
  });
  // Static clients are checked when first used; check them now, so that bad
  // redirect URIs fail the start instead of the first request.
  try {
    for (const { client_id: id } of clients) {
      await provider.Client.find(id);
    }
  } catch (err) {
    process.stderr.write(`realop: invalid client configuration: ${err.error_description || err.message}\n`);
    process.exit(1);
  }
  server.on('request', provider.callback());
  const ready = {
    issuer,
    port: actual,
    clients: Object.fromEntries(clients.map((c) => [c.client_id, {
      secret: c.client_secret ?? '',
      authMethod: c.token_endpoint_auth_method,
      grantTypes: c.grant_types,
    }])),
    clientKeys,
    apiResource,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
});
server.on('error', (err) => {
  process.stderr.write(`realop: listen: ${err.message}\n`);
  process.exit(1);
});

let stopping = false;
function stop(reason) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`realop: stopping (${reason})\n`);
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
process.stdin.on('end', () => stop('stdin closed'));
process.stdin.on('error', () => stop('stdin error'));
process.stdin.resume();
