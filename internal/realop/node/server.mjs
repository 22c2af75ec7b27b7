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
//
// When the provider listens, one line goes to stdout:
//
//   READY {"issuer":"http://127.0.0.1:PORT","port":PORT,"clients":{...}}
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
  features: {
    devInteractions: { enabled: true },
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
