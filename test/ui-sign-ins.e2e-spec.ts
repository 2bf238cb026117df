/**
 * Signed-in devices and API tokens in a real browser against the built hub: a parent sees the phone and the
 * laptop she is signed in on, signs the laptop out from the phone (the laptop's page asks to sign in again),
 * makes an API token the page shows once, which then works against the API within its scope, and revokes it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import { HubProcess } from './support/hub-process';
import { OWNER } from './support/household';
import {
  DESKTOP,
  PHONE,
  launchBrowser,
  pageOverflow,
  screenshot,
  seriousAccessibilityViolations,
} from './support/browser';
import { eventually } from './support/processes';

const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(OWNER.username);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const openAccount = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();

describe('web app: signed-in devices and API tokens', () => {
  let hub: HubProcess;
  let browser: Browser;
  let phone: BrowserContext;
  let laptop: BrowserContext;
  let phonePage: Page;
  let laptopPage: Page;

  const withToken = (token: string, method: string, path: string, body?: unknown) =>
    fetch(hub.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    hub = await HubProcess.start();
    expect((await new ApiClient(hub.url).post('/api/setup', OWNER)).status).toBe(201);
    browser = await launchBrowser();
    phone = await browser.newContext({ ...PHONE, userAgent: ANDROID_CHROME });
    await phone.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    laptop = await browser.newContext(DESKTOP);
    phonePage = await phone.newPage();
    laptopPage = await laptop.newPage();
    await signIn(laptopPage, hub.url);
    await signIn(phonePage, hub.url);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('lists both devices and signs the laptop out from the phone', async () => {
    await openAccount(phonePage);
    const devices = phonePage.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await eventually('both devices listed', async () => ((await devices.count()) === 2 ? true : undefined));
    expect(await devices.filter({ hasText: 'this device' }).textContent()).toContain('Chrome 131 on Android');
    await screenshot(phonePage, 'sign-ins-phone');
    expect(await seriousAccessibilityViolations(phonePage)).toEqual([]);
    expect(await pageOverflow(phonePage)).toBe(0);

    await phonePage.getByRole('button', { name: /^Sign out Chrome \d+ on Linux$/ }).click();
    await phonePage.getByRole('status').filter({ hasText: 'Signed out.' }).waitFor();
    await eventually('the laptop gone from the list', async () =>
      (await devices.count()) === 1 ? true : undefined,
    );

    // The laptop's next request is refused and cannot renew: the app asks to sign in again.
    await openAccount(laptopPage);
    await laptopPage.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
  });

  it('makes an API token shown once, which works within its scope until revoked', async () => {
    const form = phonePage.getByRole('form', { name: 'New token' });
    await form.getByLabel('Name').fill('Home Assistant');
    await form.getByLabel('Scope').selectOption('read');
    await form.getByRole('button', { name: 'Create token' }).click();
    const shown = phonePage.getByTestId('new-token');
    await shown.waitFor();
    const token = (await shown.textContent())!.trim();
    expect(token).toMatch(/^kt_/);
    await phonePage.getByRole('button', { name: 'Copy' }).click();
    expect(
      await phonePage.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).toBe(token);

    expect((await withToken(token, 'GET', '/api/devices')).status).toBe(200);
    expect((await withToken(token, 'POST', '/api/children', { name: 'Ana' })).status).toBe(403);
    expect((await withToken(token, 'POST', '/api/tokens', { name: 'more', scope: 'read' })).status).toBe(403);

    await phonePage.getByRole('button', { name: 'Done' }).click();
    const tokens = phonePage.getByRole('list', { name: 'API tokens' });
    await eventually('the token’s last use shown', async () =>
      (await tokens.textContent())?.includes('used just now from 127.0.0.1') ? true : undefined,
    );
    expect(await tokens.textContent()).not.toContain(token);
    await phonePage.getByRole('button', { name: 'Revoke Home Assistant' }).click();
    await phonePage.getByRole('status').filter({ hasText: '"Home Assistant" revoked.' }).waitFor();
    const refused = await withToken(token, 'GET', '/api/devices');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe(
      'The API token "Home Assistant" was revoked',
    );
    expect(await pageOverflow(phonePage)).toBe(0);
  });
});
