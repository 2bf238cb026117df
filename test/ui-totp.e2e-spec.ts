/**
 * Two-step sign-in in a real browser at a phone's width against the built hub. The owner turns it on from
 * the Account page (the test is the authenticator app: it computes the codes from the secret the page shows,
 * with its own RFC 6238 code, not the hub's), requires it of everyone, and signs in again with password and
 * code. A parent without it is then sent straight to set-up, and later gets in with a recovery code.
 */
import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import { HubProcess } from './support/hub-process';
import { OWNER } from './support/household';
import {
  PHONE,
  launchBrowser,
  pageOverflow,
  screenshot,
  seriousAccessibilityViolations,
} from './support/browser';

const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 } };
const DAD = { username: 'dad', password: 'garden-shed-99' };

/** What an authenticator app shows `offsetSeconds` from now for a base32 secret (RFC 6238, SHA-1, 6 digits). */
function authenticatorCode(secretBase32: string, offsetSeconds = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secretBase32.replace(/\s/g, ''))
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offsetSeconds) / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const signInForm = (page: Page) => page.getByRole('form', { name: 'Sign in' });
const openAccount = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();

async function typeCredentials(page: Page, who: { username: string; password: string }): Promise<Locator> {
  const form = signInForm(page);
  await form.getByLabel('Username', { exact: true }).fill(who.username);
  await form.getByLabel('Password', { exact: true }).fill(who.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  return form;
}

/** Sets up the authenticator in the card on screen; the secret, and the recovery codes the page showed. */
async function setUpAuthenticator(
  page: Page,
  password: string,
  shot?: string,
): Promise<{ secret: string; codes: string[] }> {
  const card = page.getByRole('region', { name: 'Two-step sign-in' });
  await card.getByLabel('Your password', { exact: true }).fill(password);
  await card.getByRole('button', { name: 'Set up' }).click();
  await card.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  if (shot) await screenshot(page, shot);
  expect(await pageOverflow(page)).toBe(0);
  const secret = (await card.locator('#totp-secret').textContent())!.replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await card.getByLabel('Code from the app', { exact: true }).fill(authenticatorCode(secret));
  await card.getByRole('button', { name: 'Turn on' }).click();
  const shown = card.getByTestId('recovery-codes');
  await shown.waitFor();
  const codes = (await shown.textContent())!.trim().split('\n');
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

describe('web app: two-step sign-in', () => {
  let hub: HubProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ownerSecret = '';

  beforeAll(async () => {
    hub = await HubProcess.start();
    const api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', OWNER)).status).toBe(201);
    api.token = (await api.login(OWNER.username, OWNER.password)).accessToken;
    expect((await api.post('/api/accounts', { ...DAD, role: 'parent' })).status).toBe(201);
    browser = await launchBrowser();
    context = await browser.newContext(PHONE_390);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('lets the owner turn it on from the Account page and shows the recovery codes once', async () => {
    await page.goto(hub.url);
    await typeCredentials(page, OWNER);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await openAccount(page);
    const card = page.getByRole('region', { name: 'Two-step sign-in' });
    await card.getByRole('button', { name: 'Set up' }).waitFor();
    const { secret, codes } = await setUpAuthenticator(page, OWNER.password, 'totp-set-up-phone');
    ownerSecret = secret;
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    await screenshot(page, 'totp-recovery-codes-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await pageOverflow(page)).toBe(0);
    await card.getByRole('button', { name: 'I have saved them' }).click();
    await card.getByText('10 recovery codes left').waitFor();
    expect(await card.textContent()).not.toContain(codes[0]);

    await card.getByLabel('Require two-step sign-in for everyone with a password').check();
    await card.getByRole('status').filter({ hasText: 'now needs two-step sign-in' }).waitFor();
  });

  it('asks for the code after the password when signing in again', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    const form = await typeCredentials(page, OWNER);
    const code = form.getByLabel('Code from your authenticator app', { exact: true });
    await code.waitFor();
    await form.getByRole('status').filter({ hasText: 'Enter the 6-digit code' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await pageOverflow(page)).toBe(0);
    await screenshot(page, 'totp-sign-in-phone');

    await code.fill('000000');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await form.getByRole('alert').filter({ hasText: 'That code is wrong' }).waitFor();
    // The step after the one used to turn it on: an app a few seconds ahead shows it, and it is still unused.
    await code.fill(authenticatorCode(ownerSecret, 30));
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('sends a parent without it to set-up first, lets them in with a recovery code, and an owner can reset a lost phone', async () => {
    const dadContext = await browser.newContext(PHONE_390);
    const dadPage = await dadContext.newPage();
    await dadPage.goto(hub.url);
    await typeCredentials(dadPage, DAD);
    const card = dadPage.getByRole('region', { name: 'Two-step sign-in' });
    await card.getByText('Your household requires two-step sign-in.').waitFor();
    expect(await dadPage.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    expect(await seriousAccessibilityViolations(dadPage)).toEqual([]);
    expect(await pageOverflow(dadPage)).toBe(0);

    const { codes } = await setUpAuthenticator(dadPage, DAD.password);
    await card.getByRole('button', { name: 'I have saved them' }).click();
    await dadPage.getByRole('navigation', { name: 'Main' }).waitFor();

    await dadPage.getByRole('button', { name: 'Sign out', exact: true }).click();
    const form = await typeCredentials(dadPage, DAD);
    await form.getByRole('button', { name: 'Lost your phone? Use a recovery code' }).click();
    await form.getByLabel('Recovery code', { exact: true }).fill(codes[3]!);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await dadPage.getByRole('navigation', { name: 'Main' }).waitFor();
    await openAccount(dadPage);
    await card.getByText('9 recovery codes left').waitFor();

    // Dad lost his phone: the owner turns his two-step sign-in off from People; he is signed out, and with
    // the household's rule still on, his password alone takes him to set-up again.
    await page.reload();
    await page.getByRole('button', { name: 'Turn off two-step sign-in for dad' }).click();
    await page.getByRole('status').filter({ hasText: 'Two-step sign-in is off for dad' }).waitFor();
    expect(await pageOverflow(page)).toBe(0);
    await dadPage.reload();
    await typeCredentials(dadPage, DAD);
    await card.getByText('Your household requires two-step sign-in.').waitFor();
    await dadContext.close();
  });
});
