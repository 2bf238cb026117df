/**
 * The quick PIN in a real browser against the built hub: a parent trusts her phone with a PIN; the app opened
 * again (a new tab, as a phone's app restarted) asks for the PIN and not the password, and so does coming
 * back after five minutes away; wrong PINs say how many tries are left and the last one sends the phone to
 * the password; an owner ends a parent's lost phone from her laptop, and that phone's PIN stops working.
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

const ANDROID_CHROME =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
const DAD = { username: 'dad', password: 'garden-shed-99', role: 'parent' };

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const openAccount = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();

async function setPin(page: Page, pin: string, again = pin): Promise<void> {
  const form = page.getByRole('form', { name: 'Set a quick PIN' });
  await form.getByLabel('New PIN (4 to 8 digits)').fill(pin);
  await form.getByLabel('The PIN again').fill(again);
  await form.getByRole('button', { name: /Use a PIN on this phone|Save the new PIN/ }).click();
}

async function enterPin(page: Page, pin: string): Promise<void> {
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Unlock' }).click();
}

describe('web app: quick PIN on a trusted phone', () => {
  let hub: HubProcess;
  let browser: Browser;
  let mumsPhone: BrowserContext;
  let dadsPhone: BrowserContext;
  let laptop: BrowserContext;

  /** The app opened again on a phone: local storage kept, the open app's session storage gone. */
  const reopen = async (phone: BrowserContext) => {
    const page = await phone.newPage();
    await page.goto(hub.url);
    return page;
  };

  beforeAll(async () => {
    hub = await HubProcess.start();
    const api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', OWNER)).status).toBe(201);
    await api.login(OWNER.username, OWNER.password);
    expect((await api.post('/api/accounts', DAD)).status).toBe(201);
    browser = await launchBrowser();
    mumsPhone = await browser.newContext({ ...PHONE, userAgent: ANDROID_CHROME });
    dadsPhone = await browser.newContext({ ...PHONE, userAgent: ANDROID_CHROME });
    laptop = await browser.newContext(DESKTOP);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('trusts the phone with a PIN, then opens with the PIN instead of the password', async () => {
    const page = await mumsPhone.newPage();
    await signIn(page, hub.url, OWNER);
    await openAccount(page);
    await setPin(page, '1234');
    await page.getByRole('alert').filter({ hasText: 'too easy to guess' }).waitFor();
    await setPin(page, '2580', '2581');
    await page.getByRole('alert').filter({ hasText: 'The two PINs are not the same' }).waitFor();
    await setPin(page, '2580');
    await page.getByRole('status').filter({ hasText: 'this phone now opens with your PIN' }).waitFor();
    const phones = page.getByRole('list', { name: 'Phones with a quick PIN' }).getByRole('listitem');
    expect(await phones.filter({ hasText: 'this phone' }).textContent()).toContain('Chrome 131 on Android');
    await screenshot(page, 'quick-pin-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await pageOverflow(page)).toBe(0);
    await page.close();

    const again = await reopen(mumsPhone);
    await again.getByRole('heading', { name: 'Unlock Kidtime' }).waitFor();
    expect(await again.getByText('mum on Chrome 131 on Android').count()).toBe(1);
    expect(await again.getByLabel('Password', { exact: true }).count()).toBe(0);
    await screenshot(again, 'pin-unlock-phone');
    expect(await seriousAccessibilityViolations(again)).toEqual([]);
    expect(await pageOverflow(again)).toBe(0);
    await enterPin(again, '0852');
    await again.getByRole('alert').filter({ hasText: 'Wrong PIN; 4 tries left' }).waitFor();
    await enterPin(again, '2580');
    await again.getByRole('navigation', { name: 'Main' }).waitFor();
    await again.close();
  });

  it('asks for the PIN again after five minutes away', async () => {
    const page = await mumsPhone.newPage();
    await page.clock.install();
    await page.goto(hub.url);
    await enterPin(page, '2580');
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const visibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        const doc = (globalThis as unknown as { document: EventTarget & object }).document;
        Object.defineProperty(doc, 'visibilityState', { value, configurable: true });
        doc.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await visibility('hidden');
    await page.clock.fastForward('04:00');
    await visibility('visible');
    // Four minutes is not long enough.
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
    await visibility('hidden');
    await page.clock.fastForward('05:01');
    await visibility('visible');
    await page.getByRole('heading', { name: 'Unlock Kidtime' }).waitFor();
    await page.close();
  });

  it('lets an owner end a parent’s lost phone from her laptop', async () => {
    const phone = await dadsPhone.newPage();
    await signIn(phone, hub.url, DAD);
    await openAccount(phone);
    await setPin(phone, '97531');
    await phone.getByRole('status').filter({ hasText: 'this phone now opens with your PIN' }).waitFor();
    await phone.close();

    const desk = await laptop.newPage();
    await signIn(desk, hub.url, OWNER);
    await openAccount(desk);
    const end = desk.getByRole('button', { name: 'End the PIN on Chrome 131 on Android (dad)' });
    await end.click();
    await desk.getByRole('status').filter({ hasText: 'it needs the password again' }).waitFor();
    expect(await end.count()).toBe(0);
    // Mum's own phone is still listed for her.
    expect(await desk.getByRole('button', { name: 'End the PIN on Chrome 131 on Android' }).count()).toBe(1);

    const lost = await reopen(dadsPhone);
    await enterPin(lost, '97531');
    await lost.getByRole('status').filter({ hasText: 'no longer trusted' }).waitFor();
    expect(await lost.getByLabel('Username').inputValue()).toBe('dad');
    await lost.getByLabel('Password', { exact: true }).waitFor();
    // The phone forgot its trust: opened again, it goes straight to the password.
    const reopened = await reopen(dadsPhone);
    await reopened.getByLabel('Password', { exact: true }).waitFor();
    expect(await reopened.getByRole('heading', { name: 'Unlock Kidtime' }).count()).toBe(0);
  });

  it('sends the phone to the password after the last wrong PIN', async () => {
    const page = await reopen(mumsPhone);
    for (const [pin, left] of [
      ['1111', 4],
      ['2222', 3],
      ['3333', 2],
      ['4444', 1],
    ] as const) {
      await enterPin(page, pin);
      await page
        .getByRole('alert')
        .filter({ hasText: `${left} ${left === 1 ? 'try' : 'tries'} left` })
        .waitFor();
    }
    await enterPin(page, '5555');
    await page.getByRole('status').filter({ hasText: 'Wrong PIN 5 times' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    const api = new ApiClient(hub.url);
    await api.login(OWNER.username, OWNER.password);
    const audit = (
      await api.get<Array<{ action: string; details: { method?: string } }>>('/api/audit?action=auth.lockout')
    ).body;
    expect(audit.filter((e) => e.details.method === 'pin')).toHaveLength(1);
  });
});
