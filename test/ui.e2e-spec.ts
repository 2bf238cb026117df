/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the built hub, a real
 * agent and the real timekprd: first-run setup, the dashboard, a quick action that timekpra confirms, and a
 * PC going offline and back, at a phone's size.
 */
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import {
  AgentProcess,
  HubProcess,
  enrollAndStartAgent,
  nonLoopbackAddress,
  type EnrolledAgent,
} from './support/hub-process';
import { OWNER } from './support/household';
import { PHONE, launchBrowser, screenshot as save, seriousAccessibilityViolations } from './support/browser';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid9';

describe('web app', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let browser: Browser;
  let page: Page;
  let enrolled: EnrolledAgent | undefined;

  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);
  const screenshot = (name: string) => save(page, name);

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    // Short-lived access tokens: every test below also proves that the app renews them silently.
    hub = await HubProcess.start({ ACCESS_TOKEN_TTL: '10' });
    browser = await launchBrowser();
    page = await browser.newPage(PHONE);
  });

  afterAll(async () => {
    await browser?.close();
    await enrolled?.agent.stop();
    await hub?.stop();
    enrolled?.removeConfig();
    await lab?.resetUser(KID);
  });

  it("creates the owner on first run, on the hub's own machine, and says so anywhere else", async () => {
    const elsewhere = await browser.newPage(PHONE);
    await elsewhere.goto(`http://${nonLoopbackAddress()}:${hub.port}/`);
    await elsewhere.getByRole('heading', { name: 'This hub has no account yet' }).waitFor();
    expect(await elsewhere.getByLabel('Password').count()).toBe(0);
    await elsewhere.close();

    await page.goto(hub.url);
    await page.getByRole('heading', { name: 'Create the owner account' }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot('setup-phone');
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'No PCs yet' }).waitFor();
    await page.getByText('Live').waitFor();
  });

  it('is installable: Chromium finds nothing missing in its manifest and icons', async () => {
    const cdp = await page.context().newCDPSession(page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    await cdp.detach();
    // Playwright's browser contexts are incognito, where Chromium never installs apps; nothing else may be missing.
    expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);
    const manifest = (await (await fetch(`${hub.url}/manifest.webmanifest`)).json()) as {
      icons: Array<{ src: string; sizes: string }>;
    };
    for (const icon of manifest.icons) {
      const response = await fetch(`${hub.url}/${icon.src}`);
      expect(`${icon.src} ${response.status} ${response.headers.get('content-type')}`).toMatch(
        new RegExp(`^${icon.src} 200 image/(png|svg\\+xml)`),
      );
    }
  });

  it('shows a new PC by itself, and +15 on the card adds 15 minutes that timekpra confirms', async () => {
    const api = new ApiClient(hub.url);
    await api.login(OWNER.username, OWNER.password);
    enrolled = await enrollAndStartAgent(api, KID);
    const card = page.locator('kt-child-card', { hasText: KID });
    await card.getByTestId('time-left').waitFor({ timeout: 15_000 });
    const before = await balance();
    await card.getByRole('button', { name: `Add 15 minutes for ${KID}` }).click();
    await card.getByText(/^Done/).waitFor({ timeout: 15_000 });
    await screenshot('dashboard-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(await balance()).toBe(Math.min(before, 86_400) - 900);
  });

  it('shows a PC going offline, queues a change for it, and shows it applied when the PC is back', async () => {
    const card = page.locator('kt-child-card', { hasText: KID });
    await enrolled!.agent.stop();
    await card.locator('.badge', { hasText: 'offline' }).waitFor({ timeout: 15_000 });
    const before = await balance();
    await card.getByRole('button', { name: `Add 30 minutes for ${KID}` }).click();
    await card.getByText(/queued, it will apply when the PC comes back/).waitFor();
    await card.getByText(/Waiting for .* applies when it comes back online/).waitFor();
    await screenshot('dashboard-offline-phone');
    enrolled!.agent = AgentProcess.start(enrolled!.configPath);
    await card.getByText('Done.').waitFor({ timeout: 20_000 });
    await card.locator('.badge', { hasText: '· online' }).waitFor();
    expect(await balance()).toBe(before - 1800);
  });

  it('says when the hub is unreachable and goes live again by itself', async () => {
    await hub.stopOnly();
    await page.getByText('Offline, reconnecting…').waitFor({ timeout: 15_000 });
    await hub.restart();
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 20_000 });
  });

  it('asks for the password again when the session ends, over what the parent was doing', async () => {
    const card = page.locator('kt-child-card', { hasText: KID });
    await card.getByRole('button', { name: 'Set exactly…' }).click();
    await card.getByLabel('Minutes left today').fill('45');
    // Someone changes the password elsewhere: every session of this account is signed out.
    const api = new ApiClient(hub.url);
    await api.login(OWNER.username, OWNER.password);
    const newPassword = 'kitchen-phone-43';
    const changed = await api.post('/api/auth/password', { currentPassword: OWNER.password, newPassword });
    expect(changed.status).toBe(200);
    // Within the access token's 10 s the app tries to renew it, is refused, and asks to sign in again.
    const again = page.getByText('Your session has ended. Sign in again to carry on where you were.');
    await again.waitFor({ timeout: 20_000 });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await again.waitFor({ state: 'detached' });
    // The half-done change is still there, and goes through.
    expect(await card.getByLabel('Minutes left today').inputValue()).toBe('45');
    await card.getByRole('button', { name: 'Set', exact: true }).click();
    await card.getByText('Done: 45 min left.').waitFor({ timeout: 15_000 });
    expect(await balance()).toBe(86_400 - 45 * 60);
  });
});
