/**
 * A real OpenID Connect provider (the `oidc-provider` package, certified by the OpenID Foundation) for the
 * end-to-end tests, run as its own process because the package is ESM-only. Everything comes from the
 * environment the harness (oidc.ts) sets: its port, the clients it knows, and the people with their claims.
 *
 * The login page is replaced by a one-field form a browser can fill, and that plain fetch can skip:
 * GET /interaction/<uid>?account=<id> signs in as that person (consent is implied: the tests are the
 * household's own provider).
 */
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT);
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS ?? '{}');
const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS ?? '[]');
const issuer = `http://127.0.0.1:${port}`;

const signingKey = (type, options, alg) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  kid: `test-${alg.toLowerCase()}`,
  alg,
  use: 'sig',
});

const provider = new Provider(issuer, {
  clients,
  jwks: {
    keys: [
      signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
      signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
    ],
  },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['kidtime-e2e-only-not-a-secret'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const person = accounts[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...person }) };
  },
  // Everything the client asks for is granted: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    if (!ctx.oidc.session.accountId) return undefined;
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const account = String(ctx.query.account ?? '');
  if (account === '') {
    // The page a person sees: one field, no password (the tests' people are who they say they are).
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><title>Test provider</title><main><h1>Test provider</h1>
      <form method="get"><label>Account <input name="account" autocomplete="off"></label>
      <button type="submit">Continue</button></form></main></html>`;
    return undefined;
  }
  if (!accounts[account]) {
    ctx.status = 400;
    ctx.body = `no test account ${JSON.stringify(account)}; add ?account=<one of ${Object.keys(accounts).join(', ')}>`;
    return undefined;
  }
  ctx.respond = false;
  await provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId: account } },
    { mergeWithLastSubmission: false },
  );
  return undefined;
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc provider listening on ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
