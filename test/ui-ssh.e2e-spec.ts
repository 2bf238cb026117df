/**
 * A PC without an agent, in a real browser against the built hub, a real sshd and the real timekprd: a parent
 * adds the PC over SSH through the web app (a wrong password first, which shows the hub's own reason and keeps
 * the form), sees it with the host key fingerprint sshd has, the child's login and the dashboard saying
 * "online via SSH", checks the connection, and trusts a new host key after the PC "was reinstalled".
 */
import type { DeviceView } from '@kidtime/protocol';
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import {
  PHONE,
  launchBrowser,
  pageOverflow,
  screenshot,
  seriousAccessibilityViolations,
} from './support/browser';
import { HubProcess } from './support/hub-process';
import { OWNER } from './support/household';
import { eventually } from './support/processes';
import { SshServer, ensureSystemUser } from './support/sshd';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid14';
/** The account Kidtime logs in as: a system user (timekpr does not manage it) allowed to use timekpra. */
const SSH_USER = 'ktsshui';
const SSH_PASSWORD = 'attic-ladder-31';
const PARENT = { username: 'dad', password: 'garden-shed-58' };

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Everything the app keeps in the browser's storage (runs in the page; the test's tsconfig has no DOM types). */
const stored = (page: Page) =>
  page.evaluate(() => {
    const inPage = globalThis as unknown as { localStorage: object; sessionStorage: object };
    return JSON.stringify({ ...inPage.localStorage, ...inPage.sessionStorage });
  });

const open = (page: Page, tab: 'Today' | 'PCs') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: tab }).click();

describe('web app: a PC over SSH', () => {
  let lab: TimekprLabHandle;
  let sshd: SshServer;
  let hub: HubProcess;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;

  const attic = async () =>
    eventually('Attic PC at the hub', async () =>
      (await api.get<DeviceView[]>('/api/devices')).body.find((d) => d.name === 'Attic PC'),
    );
  const balance = async () => Number((await lab.userinfo(KID)).TIME_SPENT_BALANCE);

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    await ensureSystemUser(SSH_USER, { password: SSH_PASSWORD, groups: ['timekpr'], system: true });
    sshd = await SshServer.start({ users: [SSH_USER] });
    // Polled rarely: the new host key must show because the parent's check met it, not because a poll did.
    hub = await HubProcess.start({ SSH_POLL_SECONDS: '600' });
    api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', OWNER)).status).toBe(201);
    await api.login(OWNER.username, OWNER.password);
    expect((await api.post('/api/accounts', { ...PARENT, role: 'parent' })).status).toBe(201);
    browser = await launchBrowser();
    page = await browser.newPage(PHONE);
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await sshd?.stop();
    await lab?.resetUser(KID);
  });

  it("adds the PC through the form: a wrong password shows the hub's reason, the right one adds it", async () => {
    await signIn(page, hub.url, PARENT);
    await open(page, 'PCs');
    await page.getByRole('button', { name: 'Add a PC' }).click();
    await page.getByLabel('Without an agent (SSH)').check();
    const panel = page.locator('kt-add-pc');
    await panel.getByText('How to prepare the PC').click();
    await panel.getByRole('button', { name: 'Copy the command that installs the guard' }).waitFor();
    expect(await panel.getByText(`${hub.url}/downloads/kidtime-ssh-guard -o /usr/local/bin/`).count()).toBe(
      1,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.getByText('How to prepare the PC').click();

    await panel.getByLabel('PC name').fill('Attic PC');
    await panel.getByLabel('Address (host name or IP)').fill('127.0.0.1');
    await panel.getByLabel('Port').fill(String(sshd.port));
    await panel.getByLabel('SSH user on the PC').fill(SSH_USER);
    await panel.getByLabel('SSH password').fill('not-the-password');
    // The time zone starts as the browser's.
    await panel.getByText('Advanced', { exact: true }).click();
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(await panel.getByLabel("The PC's time zone").inputValue()).toBe(zone);
    await screenshot(page, 'add-pc-ssh-phone');
    await panel.getByRole('button', { name: 'Connect and add' }).click();

    // The hub's own words, as the API gives them for the same request.
    const refused = panel.getByRole('alert');
    await refused.waitFor({ timeout: 30_000 });
    const direct = await api.post<{ message: string }>('/api/devices', {
      name: 'Attic PC',
      ssh: { host: '127.0.0.1', port: sshd.port, username: SSH_USER, password: 'not-the-password' },
    });
    expect(direct.status).toBe(422);
    expect((await refused.textContent())?.trim()).toBe(direct.body.message);
    // Nothing was saved, and what was typed is still there.
    expect((await api.get<DeviceView[]>('/api/devices')).body).toEqual([]);
    expect(await panel.getByLabel('PC name').inputValue()).toBe('Attic PC');
    expect(await panel.getByLabel('Port').inputValue()).toBe(String(sshd.port));
    expect(await panel.getByLabel('SSH password').inputValue()).toBe('not-the-password');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    // Secrets are never kept in the browser's storage.
    expect(await stored(page)).not.toContain('not-the-password');

    await panel.getByLabel('SSH password').fill(SSH_PASSWORD);
    await panel.getByRole('button', { name: 'Connect and add' }).click();
    await page.getByText('Attic PC is added: Kidtime reaches it over SSH.').waitFor({ timeout: 30_000 });
    expect(await stored(page)).not.toContain(SSH_PASSWORD);
    const device = await attic();
    expect(device).toMatchObject({
      mode: 'ssh',
      ssh: { host: '127.0.0.1', port: sshd.port, username: SSH_USER },
    });
    expect(device.ssh?.timezone).toBe(zone);
  });

  it('shows the PC with the host key sshd has, reachable, and the child’s login', async () => {
    const row = page.locator('kt-device-row', { hasText: 'Attic PC' });
    await row.getByText('Over SSH', { exact: true }).waitFor();
    await row
      .getByTestId('host-key')
      .getByText((await sshd.hostKeyFingerprint()).fingerprint)
      .waitFor();
    await row.getByTestId('ssh-status').getByText('Reachable').waitFor({ timeout: 20_000 });
    await row.getByLabel(`Child for ${KID}`).waitFor({ timeout: 30_000 });
    // A PC with no agent is only reached over SSH: no other way to choose, nothing to fall back to.
    expect(await row.getByLabel('How Kidtime reaches it').count()).toBe(0);
    expect(await row.getByRole('button', { name: 'Remove SSH' }).count()).toBe(0);

    await row.getByRole('button', { name: 'Check connection to Attic PC' }).click();
    const check = row.getByTestId('ssh-check');
    await check.waitFor({ timeout: 30_000 });
    expect(await check.textContent()).toMatch(
      new RegExp(`Connected in [\\d.]+ m?s\\. Timekpr-nExT manages .*${KID}`),
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'devices-ssh-phone');
  });

  it('reads "online via SSH" on the dashboard, and +15 there reaches timekpr over SSH', async () => {
    await open(page, 'Today');
    const card = page.locator('kt-child-card', { hasText: KID });
    await card.locator('.badge', { hasText: 'Attic PC · online via SSH' }).waitFor({ timeout: 20_000 });
    await card.getByTestId('time-left').waitFor({ timeout: 20_000 });
    const before = await balance();
    await card.getByRole('button', { name: `Add 15 minutes for ${KID}` }).click();
    await card.getByText(/^Done/).waitFor({ timeout: 30_000 });
    expect(await balance()).toBe(Math.min(before, 86_400) - 900);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('warns when the PC shows a new host key, and trusts it only after a confirmation', async () => {
    const trusted = (await sshd.hostKeyFingerprint()).fingerprint;
    await sshd.rotateHostKey();
    const renewed = (await sshd.hostKeyFingerprint()).fingerprint;
    expect(renewed).not.toBe(trusted);
    await open(page, 'PCs');
    const row = page.locator('kt-device-row', { hasText: 'Attic PC' });
    // Connecting now meets the new key; the hub refuses it and the card warns, live.
    await row.getByRole('button', { name: 'Check connection to Attic PC' }).click();
    await row.getByTestId('ssh-check').waitFor({ timeout: 30_000 });
    const warning = row.locator('kt-host-key-warning');
    await warning
      .getByRole('heading', { name: 'Attic PC shows a new host key' })
      .waitFor({ timeout: 20_000 });
    await warning.getByText('If the PC was reinstalled, this is expected').waitFor();
    await warning.getByTestId('trusted-key').getByText(trusted).waitFor();
    await warning.getByTestId('offered-key').getByText(renewed).waitFor();
    expect((await attic()).ssh?.hostKey?.fingerprint).toBe(trusted);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'host-key-warning-phone');
    // Long fingerprints and messages wrap: nothing is wider than the phone, so every button is reachable.
    expect(await pageOverflow(page)).toBe(0);
    await warning.getByRole('button', { name: 'Trust the new key…' }).click();
    await warning.getByText('Trust the new key of Attic PC?').waitFor();
    await warning.getByRole('button', { name: 'Cancel' }).click();
    expect((await attic()).ssh?.hostKey?.fingerprint).toBe(trusted);
    await warning.getByRole('button', { name: 'Trust the new key…' }).click();
    await warning.getByRole('button', { name: 'Trust the new key', exact: true }).click();
    await warning.getByText('Kidtime now trusts the new host key of Attic PC.').waitFor({ timeout: 20_000 });
    await warning
      .getByRole('heading', { name: 'Attic PC shows a new host key' })
      .waitFor({ state: 'detached' });
    await row.getByTestId('host-key').getByText(renewed).waitFor();
    expect((await attic()).ssh).toMatchObject({ hostKey: { fingerprint: renewed }, offeredHostKey: null });
    await row.getByRole('button', { name: 'Check connection to Attic PC' }).click();
    await row
      .getByTestId('ssh-check')
      .getByText(/Connected in/)
      .waitFor({ timeout: 30_000 });
  });
});
