/**
 * Signing in with an OpenID Connect provider, end to end: the built hub against a real provider
 * (oidc-provider in its own process), the browser's part walked with plain fetch and its cookies, so each
 * step can be looked at — and tampered with, as an attacker on the way would.
 */
import type { AccountView, AuditEntryView, TokenPair } from '@kidtime/protocol';
import type { Browser } from 'playwright-core';
import { ApiClient } from './support/api-client';
import { PHONE, launchBrowser, seriousAccessibilityViolations } from './support/browser';
import { HubProcess } from './support/hub-process';
import { CookieBrowser, OidcTestProvider } from './support/oidc';
import * as sqlite3 from 'sqlite3';
import path from 'node:path';
import { freePort } from './support/processes';

const LOCAL_OWNER = { username: 'alex', password: 'kitchen-phone-42' };
const CLIENT = { client_id: 'kidtime', client_secret: 'e2e-client-secret-not-real' };

const PEOPLE = {
  mum: {
    preferred_username: 'mum',
    email: 'mum@home.test',
    email_verified: true,
    groups: ['kidtime-owners'],
  },
  dad: { preferred_username: 'dad', groups: ['family', 'grown-ups'] },
  granny: { preferred_username: 'granny', email: 'Granny@Home.test', email_verified: true, groups: [] },
  lodger: {
    preferred_username: 'lodger',
    email: 'lodger@home.test',
    email_verified: true,
    groups: ['guests'],
  },
  // Typed dad's address into a sign-up form: the provider has not verified it.
  sneaky: { preferred_username: 'sneaky', email: 'dad@home.test', email_verified: false, groups: [] },
  // Another person whom the provider calls like the local owner.
  'alex-at-idp': { preferred_username: 'alex', groups: ['grown-ups'] },
};

/** Where the hub sent the browser in the end: the web app's sign-in route and what it carries. */
interface Landing {
  code: string | null;
  error: string | null;
  then: string | null;
  /** The browser the sign-in finished in: its cookie goes with the code. */
  browser: CookieBrowser;
}

describe('sign in with an OpenID Connect provider', () => {
  let hub: HubProcess;
  let provider: OidcTestProvider;
  /** A second hub's port, for a public client (PKCE only) with self-registration on. */
  let publicHubPort: number;
  /** The main hub's settings but its port, for a second hub behind the same (imagined) load balancer. */
  let hubEnv: Record<string, string>;

  const landing = (location: string | null, browser = new CookieBrowser()): Landing => {
    expect(location).toBeTruthy();
    const url = new URL(location!);
    expect(`${url.origin}/`).toBe(`${hub.url}/`);
    const [route, query = ''] = url.hash.split('?');
    expect(route).toBe('#/signed-in');
    const params = new URLSearchParams(query);
    return { code: params.get('code'), error: params.get('error'), then: params.get('then'), browser };
  };

  /** Starts a sign-in at the hub; the provider's authorization URL. */
  const start = async (browser: CookieBrowser, query = ''): Promise<string> => {
    const step = await browser.get(`${hub.url}/api/auth/oidc/start${query}`);
    expect(step.status).toBe(302);
    expect(step.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
    return step.location!;
  };

  /** The whole way: hub → provider (signed in as `person`) → hub's callback → the web app's route. */
  const signIn = async (
    person: keyof typeof PEOPLE,
    tamper: { authorization?: (url: URL) => void; callback?: (url: URL) => void } = {},
    browser = new CookieBrowser(),
  ): Promise<Landing> => {
    const authorization = new URL(await start(browser));
    tamper.authorization?.(authorization);
    const callback = new URL(await browser.throughProvider(authorization.toString(), provider, person));
    expect(callback.pathname).toBe('/api/auth/oidc/callback');
    tamper.callback?.(callback);
    const done = await browser.get(callback.toString());
    expect(done.status).toBe(302);
    return landing(done.location, browser);
  };

  /** The web app's call with the code, from the browser it landed in (or another one). */
  const exchange = async (result: Landing, from = result.browser, at = hub.url) => {
    const step = await from.send(`${at}/api/auth/oidc/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: result.code }),
    });
    return { status: step.status, body: JSON.parse(step.body) as TokenPair & { message?: string } };
  };

  const me = async (pair: TokenPair) => {
    const client = new ApiClient(hub.url);
    client.token = pair.accessToken;
    return client.get<AccountView>('/api/auth/me');
  };

  const asOwner = async () => {
    const owner = new ApiClient(hub.url);
    await owner.login(LOCAL_OWNER.username, LOCAL_OWNER.password);
    return owner;
  };
  const audit = async (action: string) =>
    (await (await asOwner()).get<AuditEntryView[]>(`/api/audit?action=${action}`)).body;
  const usernames = async () =>
    (await (await asOwner()).get<AccountView[]>('/api/accounts')).body.map((account) => account.username);

  beforeAll(async () => {
    const [hubPort, providerPort] = [await freePort(), await freePort()];
    publicHubPort = await freePort();
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    provider = await OidcTestProvider.start({
      port: providerPort,
      accounts: PEOPLE,
      clients: [
        {
          ...CLIENT,
          redirect_uris: [`${hubUrl}/api/auth/oidc/callback`],
          post_logout_redirect_uris: [`${hubUrl}/`],
        },
        {
          client_id: 'kidtime-public',
          token_endpoint_auth_method: 'none',
          id_token_signed_response_alg: 'ES256',
          redirect_uris: [`http://127.0.0.1:${publicHubPort}/api/auth/oidc/callback`],
        },
      ],
    });
    hubEnv = {
      PUBLIC_URL: hubUrl,
      AUTH_METHODS: 'local,oidc',
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT.client_id,
      OIDC_CLIENT_SECRET: CLIENT.client_secret,
      OIDC_LABEL: 'Sign in with Family SSO',
      OIDC_OWNER_GROUPS: 'kidtime-owners',
      OIDC_PARENT_GROUPS: 'grown-ups',
      OIDC_PARENT_EMAILS: 'dad@home.test',
      OIDC_VIEWER_EMAILS: 'granny@home.test',
      OIDC_PROVIDER_LOGOUT: 'true',
    };
    hub = await HubProcess.start({ ...hubEnv, PORT: String(hubPort) });
    expect((await new ApiClient(hub.url).post('/api/setup', LOCAL_OWNER)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await provider?.stop();
  });

  it('offers the provider on the login page, next to the password form', async () => {
    const options = await new ApiClient(hub.url).get('/api/auth/options');
    expect(options.body).toEqual({
      methods: ['local', 'oidc'],
      passwordForm: true,
      oidc: { label: 'Sign in with Family SSO' },
    });
  });

  it('signs in a member of the owners group: an account is created, its tokens work, the code works once', async () => {
    const browser = new CookieBrowser();
    const authorization = new URL(await start(browser, `?then=${encodeURIComponent('#/usage')}`));
    // PKCE with S256, state and nonce on the way out; the pending sign-in in a sealed, HttpOnly cookie.
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get('scope')).toBe('openid profile email groups');
    const sealed = browser.cookie(new URL(hub.url).host, 'kidtime_oidc')!;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(authorization.searchParams.get('state'));
    const callback = await browser.throughProvider(authorization.toString(), provider, 'mum');
    const done = await browser.get(callback);
    const result = landing(done.location, browser);
    expect(result).toMatchObject({ error: null, then: '#/usage' });
    // The pending sign-in is forgotten; no token is in the URL.
    expect(browser.cookie(new URL(hub.url).host, 'kidtime_oidc')).toBeUndefined();
    expect(done.location).not.toMatch(/eyJ/);

    const pair = await exchange(result);
    expect(pair.status).toBe(200);
    expect(await me(pair.body)).toMatchObject({
      status: 200,
      body: { username: 'mum', role: 'owner', source: 'oidc' },
    });
    const again = await exchange(result);
    expect(again.status).toBe(401);
    expect(again.body.message).toContain('used already or has expired');

    const logins = await audit('auth.login');
    expect(logins.find((entry) => entry.actor.name === 'mum' && entry.result === 'ok')).toMatchObject({
      details: { method: 'oidc', from: '127.0.0.1' },
    });
    expect(
      logins.find((entry) => entry.result === 'refused' && entry.message?.includes('sign-in code unknown')),
    ).toBeTruthy();
    const created = await audit('account.create');
    expect(created.find((entry) => entry.details?.username === 'mum')).toMatchObject({
      details: { role: 'owner', source: 'oidc' },
    });
    // Signing in again finds the same account (linked by issuer and subject).
    const second = await signIn('mum');
    expect((await me((await exchange(second)).body)).body.id).toBe((await me(pair.body)).body.id);
  });

  it('asks the provider again after OIDC_SESSION_DAYS: renewals stop, the session ends', async () => {
    const pair = (await exchange(await signIn('dad'))).body;
    const renew = (refreshToken: string) =>
      new ApiClient(hub.url).post<TokenPair & { message?: string }>('/api/auth/refresh', { refreshToken });
    const renewed = await renew(pair.refreshToken);
    expect(renewed.status).toBe(200);
    // The session began eight days ago, as far as the database knows (the default is 7).
    const sessionOf = (token: string) =>
      (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
    const started = new Date(Date.now() - 8 * 86_400_000).toISOString().replace('T', ' ').slice(0, 23);
    await new Promise<void>((resolve, reject) => {
      const db = new sqlite3.Database(path.join(hub.dataDir, 'kidtime.sqlite'));
      db.run(
        `UPDATE "session" SET "createdAt" = ? WHERE "id" = ?`,
        [started, sessionOf(renewed.body.accessToken)],
        (error) => db.close(() => (error ? reject(error) : resolve())),
      );
    });
    const refused = await renew(renewed.body.refreshToken);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain('sign in with it again');
    expect((await me(renewed.body)).status).toBe(401);
  });

  it('lets only the browser a sign-in finished in redeem its code', async () => {
    // A code someone finished a sign-in with, sent to a parent as a link: it would swap their session.
    const stolen = await signIn('dad');
    const elsewhere = await exchange(stolen, new CookieBrowser());
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.message).toContain('belongs to another browser');
    // And it is used up: not even its own browser gets in with it now.
    expect((await exchange(stolen)).status).toBe(401);
    const refusals = await audit('auth.login');
    expect(refusals.find((entry) => entry.message === 'sign-in code from another browser')).toBeTruthy();
  });

  it('gives the role of the groups (from userinfo) or of a verified e-mail address', async () => {
    const dad = await signIn('dad');
    expect((await me((await exchange(dad)).body)).body).toMatchObject({
      username: 'dad',
      role: 'parent',
    });
    const granny = await signIn('granny');
    expect((await me((await exchange(granny)).body)).body).toMatchObject({
      username: 'granny',
      role: 'viewer',
    });
  });

  it('refuses a person no rule lets in (self-registration is off), and creates nobody', async () => {
    const lodger = await signIn('lodger');
    expect(lodger.code).toBeNull();
    expect(lodger.error).toContain('not one Kidtime lets in');
    expect(await usernames()).not.toContain('lodger');
    const refused = (await audit('auth.login')).find(
      (entry) => entry.actor.name === 'lodger' && entry.result === 'refused',
    );
    expect(refused).toMatchObject({
      details: { method: 'oidc' },
      message: expect.stringContaining('in none of the groups or verified e-mail addresses'),
    });
  });

  it('does not believe an e-mail address the provider has not verified', async () => {
    const sneaky = await signIn('sneaky');
    expect(sneaky.code).toBeNull();
    expect(sneaky.error).toContain('not one Kidtime lets in');
    expect(await usernames()).not.toContain('sneaky');
    const refused = (await audit('auth.login')).find((entry) => entry.actor.name === 'sneaky');
    expect(refused?.message).toContain('not verified');
  });

  it('never takes over a local account with the same name', async () => {
    const clash = await signIn('alex-at-idp');
    expect(clash.code).toBeNull();
    expect(clash.error).toContain('belongs to another Kidtime account');
    const alex = await asOwner();
    expect((await alex.get<AccountView>('/api/auth/me')).body).toMatchObject({
      source: 'local',
      role: 'owner',
    });
  });

  it('refuses a tampered state, a tampered cookie, and a callback in another browser', async () => {
    const state = await signIn('mum', {
      callback: (url) => url.searchParams.set('state', `${url.searchParams.get('state')!.slice(0, -2)}xx`),
    });
    expect(state.code).toBeNull();
    expect(state.error).toContain('does not belong to this browser');

    const browser = new CookieBrowser();
    const host = new URL(hub.url).host;
    const authorization = await start(browser);
    const sealed = browser.cookie(host, 'kidtime_oidc')!;
    const flipped = sealed.slice(0, 20) + (sealed[20] === 'A' ? 'B' : 'A') + sealed.slice(21);
    browser.setCookie(host, 'kidtime_oidc', flipped);
    const callback = await browser.throughProvider(authorization, provider, 'mum');
    const tampered = landing((await browser.get(callback)).location);
    expect(tampered.error).toContain('changed');

    // Someone else's browser finishing the sign-in (a callback link sent to a victim): no cookie, no sign-in,
    // and nothing counted or audited — a page anywhere can make a browser open this address.
    const elsewhere = new CookieBrowser();
    const url = await start(elsewhere);
    const link = await elsewhere.throughProvider(url, provider, 'mum');
    const victim = landing((await new CookieBrowser().get(link)).location);
    expect(victim.code).toBeNull();
    expect(victim.error).toContain('not started in this browser');

    const refusals = (await audit('auth.login')).filter(
      (entry) => entry.result === 'refused' && entry.details?.method === 'oidc',
    );
    expect(refusals.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('state sent back does not match'),
        expect.stringContaining('cookie was changed'),
      ]),
    );
    expect(refusals.some((entry) => entry.message?.includes('not started'))).toBe(false);
  });

  it('lets no page elsewhere lock anyone out through the callback', async () => {
    // More cookie-less callbacks than the throttle allows an address: a password sign-in still works.
    for (let i = 0; i < 35; i += 1) {
      const step = await new CookieBrowser().get(`${hub.url}/api/auth/oidc/callback?error=x${i}`);
      expect(step.status).toBe(302);
    }
    const local = await new ApiClient(hub.url).post('/api/auth/login', LOCAL_OWNER);
    expect(local.status).toBe(200);
  });

  it('refuses an ID token made for another nonce', async () => {
    // The provider is asked with a nonce other than the one this browser's sign-in holds: the ID token it
    // signs is genuine, for this client and person, but not for this sign-in.
    const replay = await signIn('mum', {
      authorization: (url) => url.searchParams.set('nonce', 'a-nonce-from-some-other-sign-in-00000000000'),
    });
    expect(replay.code).toBeNull();
    expect(replay.error).toContain('nonce does not match');
  });

  it('shows the provider’s own refusal, and refuses a code the provider does not know', async () => {
    const browser = new CookieBrowser();
    const authorization = new URL(await start(browser));
    const state = authorization.searchParams.get('state')!;
    const denied = await browser.get(
      `${hub.url}/api/auth/oidc/callback?error=access_denied&error_description=nope&state=${state}`,
    );
    expect(landing(denied.location).error).toContain('did not sign you in');
    // What is not an OAuth error code is not repeated, into the page, the log or the audit.
    const odd = new URL(await start(browser));
    const forgedError = await browser.get(
      `${hub.url}/api/auth/oidc/callback?error=${encodeURIComponent('x\nKidtime moved: sign in at evil.example')}&state=${odd.searchParams.get('state')}`,
    );
    expect(landing(forgedError.location).error).toContain('not an OAuth error code');
    expect(landing(forgedError.location).error).not.toContain('evil.example');
    expect(hub.log).not.toContain('evil.example');

    const again = new URL(await start(browser));
    const forged = await browser.get(
      `${hub.url}/api/auth/oidc/callback?code=made-up-code&state=${again.searchParams.get('state')}`,
    );
    expect(landing(forged.location).error).toContain('token endpoint refused the code (invalid_grant');
  });

  it('rejects a malformed exchange code with 400', async () => {
    const bad = await new ApiClient(hub.url).post('/api/auth/oidc/exchange', { code: 'short' });
    expect(bad.status).toBe(400);
  });

  it('says which provider it cannot reach, and does not crash', async () => {
    const closed = await freePort();
    const lonely = await HubProcess.start({
      AUTH_METHODS: 'oidc',
      PUBLIC_URL: 'http://127.0.0.1:1',
      OIDC_ISSUER: `http://127.0.0.1:${closed}/realms/family`,
      OIDC_CLIENT_ID: 'kidtime',
      OIDC_SELF_REGISTRATION: 'true',
    });
    try {
      const step = await new CookieBrowser().get(`${lonely.url}/api/auth/oidc/start`);
      expect(step.status).toBe(302);
      const error = new URLSearchParams(new URL(step.location!).hash.split('?')[1]).get('error');
      expect(error).toContain(
        `cannot reach the identity provider at http://127.0.0.1:${closed}/realms/family`,
      );
      expect(lonely.log).toContain('Check OIDC_ISSUER');
      expect((await new ApiClient(lonely.url).get('/api/health')).status).toBe(200);
    } finally {
      await lonely.stop();
    }
  });

  it("offers the provider's sign-out page to a person who signed in there, and to nobody else", async () => {
    const mum = await signIn('mum');
    const client = new ApiClient(hub.url);
    client.token = (await exchange(mum)).body.accessToken;
    const { body } = await client.get<{ url: string | null }>('/api/auth/oidc/logout-url');
    const url = new URL(body.url!);
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${hub.url}/`);
    expect(url.searchParams.get('client_id')).toBe(CLIENT.client_id);
    // The provider accepts it: its sign-out confirmation, not an error page.
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toMatch(/invalid_request|error/i);
    expect((await new ApiClient(hub.url).get('/api/auth/oidc/logout-url')).status).toBe(401);
  });

  it('lets another hub with the same database and key finish a sign-in one hub started', async () => {
    // Two hubs behind a load balancer: the same data directory (SQLite database and secrets), the same
    // public address. Sign-in starts at the first, the provider's answer lands at the second, the web app
    // redeems its code at the first again.
    const second = await HubProcess.start({ ...hubEnv, KIDTIME_DATA_DIR: hub.dataDir });
    try {
      const browser = new CookieBrowser();
      const authorization = await start(browser);
      const callback = new URL(await browser.throughProvider(authorization, provider, 'granny'));
      const sealed = browser.cookie(new URL(hub.url).host, 'kidtime_oidc')!;
      callback.host = new URL(second.url).host;
      browser.setCookie(callback.host, 'kidtime_oidc', sealed);
      const result = landing((await browser.get(callback.toString())).location, browser);
      expect(result.error).toBeNull();
      // The app asks the first hub again, with the cookie the second one set.
      const host = new URL(hub.url).host;
      browser.setCookie(host, 'kidtime_oidc_browser', browser.cookie(callback.host, 'kidtime_oidc_browser')!);
      const pair = await exchange(result);
      expect((await me(pair.body)).body).toMatchObject({ username: 'granny', role: 'viewer' });
      expect(second.log).toContain(`OIDC sign-in of "granny" (viewer) through ${provider.issuer}`);
    } finally {
      await second.stop();
    }
  });

  it('works as a public client (PKCE, no secret) with ES256, and lets anyone in as a viewer when asked to', async () => {
    const other = await HubProcess.start({
      PORT: String(publicHubPort),
      PUBLIC_URL: `http://127.0.0.1:${publicHubPort}`,
      AUTH_METHODS: 'oidc',
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'kidtime-public',
      OIDC_SELF_REGISTRATION: 'true',
      OIDC_OWNER_GROUPS: 'kidtime-owners',
    });
    try {
      const walk = async (person: string) => {
        const browser = new CookieBrowser();
        const start = await browser.get(`${other.url}/api/auth/oidc/start`);
        const callback = await browser.throughProvider(start.location!, provider, person);
        const done = await browser.get(callback);
        const params = new URLSearchParams(new URL(done.location!).hash.split('?')[1]);
        expect(params.get('error')).toBeNull();
        const pair = await exchange(
          { code: params.get('code'), error: null, then: null, browser },
          browser,
          other.url,
        );
        const client = new ApiClient(other.url);
        client.token = pair.body.accessToken;
        return (await client.get<AccountView>('/api/auth/me')).body;
      };
      expect(await walk('lodger')).toMatchObject({ username: 'lodger', role: 'viewer', source: 'oidc' });
      expect(await walk('mum')).toMatchObject({ username: 'mum', role: 'owner' });
    } finally {
      await other.stop();
    }
  });

  describe('in the web app', () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchBrowser();
    }, 30_000);

    afterAll(async () => {
      await browser?.close();
    });

    it('signs in with the button and comes back to the screen it started from', async () => {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      await page.goto(`${hub.url}/#/activity`);
      const button = page.getByRole('button', { name: 'Sign in with Family SSO' });
      await button.waitFor();
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await button.click();
      await page.getByLabel('Account').fill('dad');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 });
      expect(new URL(page.url()).hash).toBe('#/activity');
      // The one-time code has left the address bar (and the history).
      expect(page.url()).not.toContain('code=');
      // Signing out here goes on to the provider's sign-out page (OIDC_PROVIDER_LOGOUT).
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${provider.issuer}/session/end**`, { timeout: 15_000 });
      await context.close();
    });

    it('shows why the hub refused, on the sign-in page', async () => {
      const context = await browser.newContext(PHONE);
      const page = await context.newPage();
      await page.goto(hub.url);
      await page.getByRole('button', { name: 'Sign in with Family SSO' }).click();
      await page.getByLabel('Account').fill('lodger');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'not one Kidtime lets in' })
        .waitFor({ timeout: 15_000 });
      expect(page.url()).not.toContain('error=');
      await expect(page.getByLabel('Username').isVisible()).resolves.toBe(true);
      await context.close();
    });
  });

  it('never writes a code or token into its log', () => {
    expect(hub.log).not.toMatch(/eyJ[\w-]{20,}/);
    expect(hub.log).toContain(`OIDC sign-in of "mum" (owner) through ${provider.issuer}`);
    // A refusal says where it came from, which provider, and what was wrong.
    expect(hub.log).toContain(
      `OIDC sign-in from 127.0.0.1 refused (issuer ${provider.issuer}): the ID token belongs to another sign-in (its nonce does not match)`,
    );
  });
});
