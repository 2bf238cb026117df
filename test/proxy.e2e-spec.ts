/**
 * Signing in through a trusted reverse proxy, end to end against the built hub. Two loopback addresses stand
 * for two machines: 127.0.0.2 is the household's proxy (AUTH_PROXY_ADDRESSES), 127.0.0.1 is anyone else on
 * the network who can reach the hub directly and write any header they like.
 */
import type { AuditEntryView, TokenPair } from '@kidtime/protocol';
import http from 'node:http';
import { ApiClient } from './support/api-client';
import { HubProcess } from './support/hub-process';

const PROXY = '127.0.0.2';
const ELSEWHERE = '127.0.0.1';
const LOCAL_OWNER = { username: 'alex', password: 'kitchen-phone-42' };

interface Reply<T> {
  status: number;
  body: T;
}

describe('sign in through a trusted proxy', () => {
  let hub: HubProcess;

  /** One HTTP request from a chosen local address, with whatever headers that machine sends. */
  const send = <T = Record<string, unknown>>(
    from: string,
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<Reply<T>> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = http.request(
        `${hub.url}${path}`,
        {
          method,
          localAddress: from,
          headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) },
          timeout: 10_000,
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
      request.on('error', reject);
      request.end(payload);
    });
  const asProxy = (user: string, groups: string) => ({ 'remote-user': user, 'remote-groups': groups });
  const proxyLogin = (from: string, headers: Record<string, string>) =>
    send<TokenPair & { message?: string }>(from, 'POST', '/api/auth/proxy', headers);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const ownerAudit = async (action: string) => {
    const owner = new ApiClient(hub.url);
    await owner.login(LOCAL_OWNER.username, LOCAL_OWNER.password);
    return (await owner.get<AuditEntryView[]>(`/api/audit?action=${action}`)).body;
  };

  beforeAll(async () => {
    hub = await HubProcess.start({
      AUTH_METHODS: 'local,proxy',
      AUTH_PROXY_ADDRESSES: `${PROXY}, 10.99.0.0/16`,
      AUTH_PROXY_OWNER_GROUPS: 'kidtime-owners',
      AUTH_PROXY_PARENT_GROUPS: 'kidtime-parents, grown-ups',
      AUTH_PROXY_VIEWER_GROUPS: 'kidtime-viewers',
    });
    expect((await new ApiClient(hub.url).post('/api/setup', LOCAL_OWNER)).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
  });

  it('offers the proxy on the login page', async () => {
    const options = await new ApiClient(hub.url).get('/api/auth/options');
    expect(options.body).toMatchObject({ methods: ['local', 'proxy'], passwordForm: true });
  });

  it('signs in the person the proxy names, with the role of their groups', async () => {
    const signedIn = await proxyLogin(PROXY, asProxy('Dad', 'family, grown-ups'));
    expect(signedIn.status).toBe(200);
    const me = await send(PROXY, 'GET', '/api/auth/me', {
      ...asProxy('dad', 'family,grown-ups'),
      ...bearer(signedIn.body.accessToken),
    });
    expect(me).toMatchObject({ status: 200, body: { username: 'dad', role: 'parent', source: 'proxy' } });
    // Authentik separates groups with "|".
    const mum = await proxyLogin(PROXY, asProxy('mum', 'users|kidtime-owners'));
    expect(mum.status).toBe(200);
    const audit = await ownerAudit('auth.login');
    expect(audit.find((entry) => entry.actor.name === 'dad' && entry.result === 'ok')).toMatchObject({
      details: { method: 'proxy', from: PROXY },
    });
  });

  it('ignores the header from any other address', async () => {
    const forged = await proxyLogin(ELSEWHERE, asProxy('eve', 'kidtime-owners'));
    expect(forged.status).toBe(403);
    expect(forged.body.message).toContain('works only through the proxy');
    const audit = await ownerAudit('auth.login');
    expect(
      audit.find((entry) => entry.result === 'refused' && entry.details?.method === 'proxy'),
    ).toMatchObject({ message: expect.stringContaining(`came from ${ELSEWHERE}`) });
    // Nor does a forwarded-for header make the request the proxy's.
    const forwarded = await proxyLogin(ELSEWHERE, {
      ...asProxy('eve', 'kidtime-owners'),
      'x-forwarded-for': PROXY,
      forwarded: `for=${PROXY}`,
    });
    expect(forwarded.status).toBe(403);
    const local = new ApiClient(hub.url);
    await local.login(LOCAL_OWNER.username, LOCAL_OWNER.password);
    const accounts = await local.get<Array<{ username: string }>>('/api/accounts');
    expect(accounts.body.map((account) => account.username)).not.toContain('eve');
  });

  it('re-checks a proxy session on every request: through the proxy, for the same person', async () => {
    const { body: pair } = await proxyLogin(PROXY, asProxy('dad', 'grown-ups'));
    const through = (headers: Record<string, string>, from = PROXY) =>
      send(from, 'GET', '/api/children', { ...headers, ...bearer(pair.accessToken) });
    expect((await through(asProxy('dad', 'grown-ups'))).status).toBe(200);
    // The same token straight to the hub, past the proxy: refused.
    const direct = await through(asProxy('dad', 'grown-ups'), ELSEWHERE);
    expect(direct.status).toBe(401);
    expect((direct.body as { message: string }).message).toContain('works only through it');
    // The proxy has signed dad out (no header), or it is someone else's browser now.
    expect((await through({})).status).toBe(401);
    expect((await through(asProxy('mum', 'kidtime-owners'))).status).toBe(401);
    // Renewal too.
    const renewDirect = await send(ELSEWHERE, 'POST', '/api/auth/refresh', asProxy('dad', ''), {
      refreshToken: pair.refreshToken,
    });
    expect(renewDirect.status).toBe(401);
    const renewed = await send<TokenPair>(PROXY, 'POST', '/api/auth/refresh', asProxy('dad', 'grown-ups'), {
      refreshToken: pair.refreshToken,
    });
    expect(renewed.status).toBe(200);
    // The proxy no longer puts dad in a Kidtime group: the next renewal signs him out everywhere.
    const left = await send<{ message: string }>(
      PROXY,
      'POST',
      '/api/auth/refresh',
      asProxy('dad', 'guests'),
      {
        refreshToken: renewed.body.refreshToken,
      },
    );
    expect(left.status).toBe(401);
    expect(left.body.message).toContain('no longer in any group allowed to use Kidtime');
    const after = await send(PROXY, 'GET', '/api/children', {
      ...asProxy('dad', 'grown-ups'),
      ...bearer(renewed.body.accessToken),
    });
    expect(after.status).toBe(401);
  });

  it('refuses a person in none of the groups, and a name a local account has', async () => {
    const outsider = await proxyLogin(PROXY, asProxy('lodger', 'guests'));
    expect(outsider.status).toBe(403);
    expect(outsider.body.message).toContain('not in any of the groups');
    const taken = await proxyLogin(PROXY, asProxy(LOCAL_OWNER.username, 'kidtime-parents'));
    expect(taken.status).toBe(409);
    const local = new ApiClient(hub.url);
    await local.login(LOCAL_OWNER.username, LOCAL_OWNER.password);
    expect((await local.get('/api/auth/me')).body).toMatchObject({ role: 'owner', source: 'local' });
  });

  it('refuses a missing or malformed user header with a reason', async () => {
    const none = await proxyLogin(PROXY, { 'remote-groups': 'kidtime-owners' });
    expect(none.status).toBe(401);
    expect(none.body.message).toContain('did not say who you are');
    for (const name of ['*', 'dad; rm -rf /', 'a'.repeat(300), 'dad\tmum', '../admin']) {
      const bad = await proxyLogin(PROXY, asProxy(name, 'kidtime-owners'));
      expect(bad.status).toBe(401);
    }
  });

  it('applies a change of groups at the next sign-in, audited', async () => {
    expect((await proxyLogin(PROXY, asProxy('gran', 'kidtime-viewers'))).status).toBe(200);
    const promoted = await proxyLogin(PROXY, asProxy('gran', 'kidtime-viewers,kidtime-parents'));
    const me = await send(PROXY, 'GET', '/api/auth/me', {
      ...asProxy('gran', ''),
      ...bearer(promoted.body.accessToken),
    });
    expect(me.body).toMatchObject({ role: 'parent' });
    const audit = await ownerAudit('account.role');
    expect(audit.find((entry) => entry.actor.name === 'gran')).toMatchObject({
      details: { from: 'viewer', to: 'parent', source: 'proxy' },
    });
  });

  it('throttles an address that keeps trying', async () => {
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i += 1) {
      status = (await proxyLogin(ELSEWHERE, asProxy(`guess${i}`, 'kidtime-owners'))).status;
    }
    expect(status).toBe(429);
  });
});
