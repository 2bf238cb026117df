/**
 * The OIDC routes through the real HTTP stack on a real SQLite file: switched off they say so; switched on,
 * bad input from a browser or a script gets a redirect with the reason or a clear 4xx, never a crash. A
 * stand-in serves only the provider's discovery document (the whole flow runs against a real provider in
 * test/oidc.e2e-spec.ts).
 */
import type { INestApplication } from '@nestjs/common';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHubApp } from '../../app.factory';
import { loadHubConfig } from '../../config/hub-config';
import { loadOrCreateSecrets } from '../../config/secrets';

async function startHub(
  env: Record<string, string>,
): Promise<{ app: INestApplication; base: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-oidc-api-'));
  const config = loadHubConfig({ KIDTIME_DATA_DIR: dir, LOG_LEVEL: 'error', KIDTIME_UI_DIR: dir, ...env });
  const app = await createHubApp(config, loadOrCreateSecrets(config));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}`, dir };
}

const errorOf = (location: string | null) =>
  new URLSearchParams(new URL(location ?? 'http://x/').hash.split('?')[1]).get('error');

describe('OIDC API (medium)', () => {
  describe('switched off', () => {
    let hub: Awaited<ReturnType<typeof startHub>>;
    beforeAll(async () => (hub = await startHub({})));
    afterAll(async () => {
      await hub.app.close();
      fs.rmSync(hub.dir, { recursive: true, force: true });
    });

    it('offers no provider and refuses its routes with the reason', async () => {
      expect(await (await fetch(`${hub.base}/api/auth/options`)).json()).toMatchObject({ oidc: null });
      for (const route of ['start', 'callback?code=x&state=y']) {
        const response = await fetch(`${hub.base}/api/auth/oidc/${route}`, { redirect: 'manual' });
        expect(response.status).toBe(404);
        expect(((await response.json()) as { message: string }).message).toContain('switched off');
      }
      const exchange = await fetch(`${hub.base}/api/auth/oidc/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'x'.repeat(43) }),
      });
      expect(exchange.status).toBe(404);
    });
  });

  describe('switched on', () => {
    let hub: Awaited<ReturnType<typeof startHub>>;
    let provider: http.Server;
    let issuer: string;

    beforeAll(async () => {
      provider = http.createServer((request, response) => {
        if (request.url !== '/.well-known/openid-configuration') return void response.writeHead(404).end();
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            issuer,
            authorization_endpoint: `${issuer}/auth`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
          }),
        );
      });
      await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
      issuer = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
      hub = await startHub({
        AUTH_METHODS: 'local,oidc',
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'kidtime',
        OIDC_REDIRECT_URL: 'https://kidtime.home/family/api/auth/oidc/callback',
        OIDC_OWNER_GROUPS: 'owners',
      });
    });

    afterAll(async () => {
      await hub.app.close();
      provider.close();
      fs.rmSync(hub.dir, { recursive: true, force: true });
    });

    it('sends the browser to the provider with a sealed, HttpOnly, Lax, Secure cookie for its own path', async () => {
      const response = await fetch(`${hub.base}/api/auth/oidc/start?then=%23%2Fusage`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location')!);
      expect(`${location.origin}${location.pathname}`).toBe(`${issuer}/auth`);
      expect(location.searchParams.get('redirect_uri')).toBe(
        'https://kidtime.home/family/api/auth/oidc/callback',
      );
      expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      const cookie = response.headers.get('set-cookie')!;
      expect(cookie).toMatch(
        /^kidtime_oidc=v1\.[\w-]+; Path=\/family\/api\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
      );
      expect(response.headers.get('cache-control')).toBe('no-store');
    });

    it('answers odd callbacks with a redirect to the sign-in page and the reason', async () => {
      for (const [query, reason] of [
        ['', 'not one this hub made'],
        ['?code[]=a&state[]=b', 'not one this hub made'],
        ['?error=server_error&error_description=%3Cscript%3E', 'refused the sign-in (server_error'],
      ] as const) {
        const response = await fetch(`${hub.base}/api/auth/oidc/callback${query}`, {
          redirect: 'manual',
          headers: { cookie: 'kidtime_oidc=v1.garbage' },
        });
        expect(response.status).toBe(302);
        expect(response.headers.get('location')).toMatch(
          /^https:\/\/kidtime\.home\/family\/#\/signed-in\?error=/,
        );
        expect(errorOf(response.headers.get('location'))).toContain(reason);
        expect(response.headers.get('set-cookie')).toContain('Max-Age=0');
      }
    });

    it('refuses a malformed or unknown exchange code', async () => {
      const post = (body: unknown) =>
        fetch(`${hub.base}/api/auth/oidc/exchange`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({})).status).toBe(400);
      expect((await post({ code: 'a b' })).status).toBe(400);
      expect((await post({ code: 'x'.repeat(43), extra: 1 })).status).toBe(400);
      const unknown = await post({ code: 'x'.repeat(43) });
      expect(unknown.status).toBe(401);
      expect(((await unknown.json()) as { message: string }).message).toContain('sign in again');
    });
  });
});
