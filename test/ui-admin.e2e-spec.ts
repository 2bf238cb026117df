/**
 * The PCs and Account pages in a real browser against the built hub, a real agent and the real timekprd:
 * a parent adds a PC through the web app (the agent enrolls with the code the page shows), gives its login
 * to a new child, adds a viewer who can look but not change anything (except his own password), gives Home
 * Assistant its login at the hub's MQTT broker (a real MQTT client logs in with the password the page shows),
 * and then renames and revokes the PC.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AccountView, ChildView, DeviceView, EnrollmentCreated } from '@kidtime/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ApiClient } from './support/api-client';
import { AgentProcess, HubProcess } from './support/hub-process';
import { OWNER } from './support/household';
import { DESKTOP, PHONE, launchBrowser, screenshot, seriousAccessibilityViolations } from './support/browser';
import { MqttProbe } from './support/mqtt';
import { eventually } from './support/processes';
import { connectLab, type TimekprLabHandle } from './support/timekpr-lab';

const KID = 'ktkid12';
const VIEWER = { username: 'grandpa', password: 'rocking-chair-77' };
const VIEWER_NEW_PASSWORD = 'porch-swing-2024';

async function signIn(page: Page, url: string, who: { username: string; password: string }): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const open = (page: Page, tab: 'Today' | 'PCs' | 'Account') =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: tab }).click();

describe('web app: PCs and accounts', () => {
  let lab: TimekprLabHandle;
  let hub: HubProcess;
  let api: ApiClient;
  let browser: Browser;
  let owner: BrowserContext;
  let page: Page;
  let agent: AgentProcess | undefined;
  let configDir: string | undefined;
  let deviceId = '';

  const devices = async () => (await api.get<DeviceView[]>('/api/devices')).body;

  beforeAll(async () => {
    lab = connectLab();
    await lab.ensureUser(KID);
    await lab.resetUser(KID);
    hub = await HubProcess.start();
    api = new ApiClient(hub.url);
    expect((await api.post('/api/setup', OWNER)).status).toBe(201);
    await api.login(OWNER.username, OWNER.password);
    browser = await launchBrowser();
    owner = await browser.newContext(PHONE);
    await owner.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    page = await owner.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await hub?.stop();
    if (configDir) fs.rmSync(configDir, { recursive: true, force: true });
    await lab?.resetUser(KID);
  });

  it('adds a PC with the command the page shows, and the PC appears by itself', async () => {
    await signIn(page, hub.url, OWNER);
    await open(page, 'PCs');
    await page.getByRole('button', { name: 'Add a PC' }).click();
    await page.getByLabel('PC name (optional)').fill('Kitchen PC');
    await page.getByRole('button', { name: 'Get the command' }).click();
    const code = (await page.getByTestId('enrollment-code').textContent())!.trim();
    const command = (await page.getByTestId('install-command').textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/);
    // The same command the API gives, for this code: the hub's address as the browser reached it.
    const fromApi = (await api.post<EnrollmentCreated>('/api/enrollments', {})).body;
    expect(command).toBe(fromApi.installCommand.replace(fromApi.code, code));
    expect(command).toContain(`${hub.url}/install.sh?code=${code}`);
    await page.getByText(/expires in 1[45]:[0-5]\d/).waitFor();
    await page.getByRole('button', { name: 'Copy command' }).click();
    await page.getByText('Copied.').waitFor();
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe(command);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'add-pc-phone');

    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-'));
    const configPath = path.join(configDir, 'agent.json');
    await AgentProcess.enroll(hub.url, code, configPath);
    agent = AgentProcess.start(configPath);

    await page.getByText('Kitchen PC is connected.').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('install-command').count()).toBe(0);
    const row = page.locator('kt-device-row', { hasText: 'Kitchen PC' });
    await row.locator('.badge', { hasText: 'Online' }).waitFor();
    await row.getByLabel(`Child for ${KID}`).waitFor({ timeout: 20_000 });
    const device = (await devices()).find((d) => d.name === 'Kitchen PC');
    expect(device?.online).toBe(true);
    expect(device?.transport).toBe('ws');
    deviceId = device!.id;
    await row.getByText('WebSocket').waitFor();
    await row.getByText(device!.agentVersion!).waitFor();
  });

  it("gives the PC's login to a new child, which the hub and the dashboard show", async () => {
    const row = page.locator('kt-device-row', { hasText: 'Kitchen PC' });
    await row.getByLabel(`Child for ${KID}`).selectOption({ label: 'New child…' });
    await row.getByLabel('Name of the new child').fill('Ana');
    await row.getByRole('button', { name: 'Create child' }).click();
    await row.getByText(`${KID} now belongs to Ana.`).waitFor();
    const children = (await api.get<ChildView[]>('/api/children')).body;
    const ana = children.find((child) => child.name === 'Ana');
    expect(ana?.members.map((m) => [m.deviceId, m.login])).toEqual([[deviceId, KID]]);
    expect(await row.getByLabel(`Child for ${KID}`).inputValue()).toBe(ana!.id);
    await page.locator('kt-children-editor').getByText(`${KID} on Kitchen PC`).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'devices-phone');

    await open(page, 'Today');
    await page.locator('kt-child-card').getByRole('heading', { name: 'Ana' }).waitFor();
  });

  it('moves a login between children, renames a child and removes one after a confirmation', async () => {
    const children = async () => (await api.get<ChildView[]>('/api/children')).body;
    const logins = async (name: string) =>
      (await children()).find((child) => child.name === name)?.members.map((m) => m.login);
    await open(page, 'PCs');
    const editor = page.locator('kt-children-editor');
    await editor.getByLabel('Add a child: name').fill('Ben');
    await editor.getByRole('button', { name: 'Add child' }).click();
    await editor.getByText('Ben added.').waitFor();
    const row = page.locator('kt-device-row', { hasText: 'Kitchen PC' });
    await row.getByLabel(`Child for ${KID}`).selectOption({ label: 'Ben' });
    await row.getByText(`${KID} now belongs to Ben.`).waitFor();
    expect(await logins('Ben')).toEqual([KID]);
    expect(await logins('Ana')).toEqual([]);
    await row.getByLabel(`Child for ${KID}`).selectOption({ label: 'Ana' });
    await row.getByText(`${KID} now belongs to Ana.`).waitFor();
    expect(await logins('Ana')).toEqual([KID]);

    await editor.getByRole('button', { name: 'Rename Ben' }).click();
    await editor.getByLabel('New name for Ben').fill('Benny');
    await editor.getByRole('button', { name: 'Save' }).click();
    await editor.getByText('Ben is now called Benny.').waitFor();
    await editor.getByRole('button', { name: 'Remove Benny' }).click();
    await editor.getByText('Remove Benny?').waitFor();
    expect(await logins('Benny')).toEqual([]);
    await editor.getByRole('button', { name: 'Remove', exact: true }).click();
    await editor.getByText('Benny removed.').waitFor();
    expect((await children()).map((child) => child.name)).toEqual(['Ana']);
  });

  it('lets the owner add a viewer, on the Account page', async () => {
    await open(page, 'Account');
    await page.getByText(`Signed in as ${OWNER.username}`).waitFor();
    const people = page.getByRole('region', { name: 'People' });
    await people.getByLabel('Username', { exact: true }).fill(VIEWER.username);
    await people.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await people.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: 'Viewer' });
    await people.getByRole('button', { name: 'Add person' }).click();
    await people.getByText(`${VIEWER.username} can sign in now, as viewer.`).waitFor();
    const accounts = (await api.get<AccountView[]>('/api/accounts')).body;
    expect(accounts.find((a) => a.username === VIEWER.username)?.role).toBe('viewer');
    await screenshot(page, 'account-phone');
    // The last owner cannot step down: the hub's reason is shown, and the select shows the real role again.
    const mine = people.getByRole('combobox', { name: `Role of ${OWNER.username}` });
    await mine.selectOption('parent');
    await people.getByText('You are the only owner; make someone else owner first').waitFor();
    expect(await mine.inputValue()).toBe('owner');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('gives Home Assistant its login on the Account page: a real MQTT client logs in with what the page shows', async () => {
    await open(page, 'Account');
    const card = page.getByRole('region', { name: 'Home Assistant', exact: true });
    await card.getByText('none yet.').waitFor();
    await card.getByRole('button', { name: "Create Home Assistant's login" }).click();
    const shown = card.getByRole('region', { name: "Home Assistant's login" });
    await shown.getByText('it is not shown again').waitFor();
    const value = async (name: string) => (await shown.getByTestId(`ha-${name}`).textContent())!.trim();
    const [host, port, username, password] = await Promise.all(
      ['host', 'port', 'username', 'password'].map(value),
    );
    // The broker as the browser reached the hub, on the port the hub's broker really listens on.
    expect(`mqtt://${host}:${port}`).toBe(hub.mqttUrl);
    expect(username).toBe('homeassistant');
    await shown.getByRole('button', { name: 'Copy password' }).click();
    await shown.getByText('Password copied.').waitFor();
    const copied = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(copied).toBe(password);
    await shown.getByText('Settings → Devices & services → Add integration').waitFor();
    await shown.scrollIntoViewIfNeeded();
    await screenshot(page, 'home-assistant-phone');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    const homeAssistant = await MqttProbe.connect(`mqtt://${host}:${port}`, {
      username,
      password,
      clientId: 'ha-e2e-1',
    });
    expect(await homeAssistant.subscribe('homeassistant/#')).toBe(1);
    expect(await homeAssistant.subscribe('kidtime/agent/+/state')).toBe(128);
    await shown.getByRole('button', { name: 'Done' }).click();
    await open(page, 'Today');
    await open(page, 'Account');
    await card.getByText('last connected').waitFor();
    expect(await card.getByText('it is not shown again').count()).toBe(0);

    // Replacing it, after a confirmation, shuts the old password out at once.
    await card.getByRole('button', { name: 'Replace password' }).click();
    await card.getByRole('group', { name: "Replace Home Assistant's password?" }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await card.getByRole('button', { name: 'Replace', exact: true }).click();
    await shown.getByText('it is not shown again').waitFor();
    const replaced = await value('password');
    expect(replaced).not.toBe(password);
    await eventually('the old connection to be dropped', () =>
      Promise.resolve(homeAssistant.closed || undefined),
    );
    await expect(
      MqttProbe.connect(hub.mqttUrl, { username, password, clientId: 'ha-e2e-2' }),
    ).rejects.toThrow(/Bad username or password/);
    const again = await MqttProbe.connect(hub.mqttUrl, {
      username,
      password: replaced,
      clientId: 'ha-e2e-3',
    });

    await card.getByRole('button', { name: "Remove Home Assistant's login" }).click();
    await card.getByRole('button', { name: 'Remove', exact: true }).click();
    await card.getByText("Home Assistant's login is removed").waitFor();
    await eventually('the connection to be dropped', () => Promise.resolve(again.closed || undefined));
    await card.getByText('none yet.').waitFor();
    await Promise.all([homeAssistant.close(), again.close()]);
  });

  it('shows a viewer everything, lets him change nothing but his own password', async () => {
    const context = await browser.newContext(DESKTOP);
    const viewer = await context.newPage();
    await signIn(viewer, hub.url, VIEWER);
    const card = viewer.locator('kt-child-card', { hasText: 'Ana' });
    await card.getByText('You can look but not change anything (viewer account).').waitFor();
    expect(await card.getByRole('button', { name: /Add 15 minutes/ }).count()).toBe(0);

    await open(viewer, 'PCs');
    await viewer.getByText('You can look but not change anything (viewer account).').first().waitFor();
    const row = viewer.locator('kt-device-row', { hasText: 'Kitchen PC' });
    await row.locator('.badge', { hasText: 'Online' }).waitFor();
    await expect(viewer.getByRole('button', { name: 'Add a PC' }).isDisabled()).resolves.toBe(true);
    await expect(row.getByRole('button', { name: 'Rename Kitchen PC' }).isDisabled()).resolves.toBe(true);
    await expect(row.getByRole('button', { name: 'Revoke PC Kitchen PC' }).isDisabled()).resolves.toBe(true);
    await expect(row.getByLabel(`Child for ${KID}`).isDisabled()).resolves.toBe(true);
    await expect(viewer.getByRole('button', { name: 'Add child' }).isDisabled()).resolves.toBe(true);
    expect(await seriousAccessibilityViolations(viewer)).toEqual([]);

    await open(viewer, 'Account');
    await viewer.getByText('The owner manages the accounts of this household.').waitFor();
    expect(await viewer.getByRole('region', { name: 'People' }).count()).toBe(0);
    const homeAssistant = viewer.getByRole('region', { name: 'Home Assistant', exact: true });
    await homeAssistant.getByText("The owner makes Home Assistant's login.").waitFor();
    expect(await homeAssistant.getByRole('button').count()).toBe(0);
    await viewer.getByLabel('Current password').fill(VIEWER.password);
    await viewer.getByLabel('New password', { exact: true }).fill(VIEWER_NEW_PASSWORD);
    await viewer.getByLabel('Repeat the new password').fill(VIEWER_NEW_PASSWORD);
    await viewer.getByRole('button', { name: 'Change password' }).click();
    await viewer.getByText('Password changed; your other devices are signed out.').waitFor();
    expect(await seriousAccessibilityViolations(viewer)).toEqual([]);
    const check = new ApiClient(hub.url);
    await check.login(VIEWER.username, VIEWER_NEW_PASSWORD);
    const old = await check.post('/api/auth/login', VIEWER);
    expect(old.status).toBe(401);
    await context.close();
  });

  it('renames the PC and revokes it after a confirmation, at desktop size too', async () => {
    await page.setViewportSize(DESKTOP.viewport!);
    await open(page, 'Account');
    await page.getByRole('region', { name: 'People' }).getByText(VIEWER.username, { exact: true }).waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    await open(page, 'PCs');
    await page.getByRole('button', { name: 'Add a PC' }).click();
    await page.getByRole('button', { name: 'Get the command' }).click();
    await page.getByTestId('install-command').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Close' }).click();

    let row = page.locator('kt-device-row', { hasText: 'Kitchen PC' });
    await row.getByRole('button', { name: 'Rename Kitchen PC' }).click();
    await row.getByLabel('PC name').fill('Study PC');
    await row.getByRole('button', { name: 'Save' }).click();
    row = page.locator('kt-device-row', { hasText: 'Study PC' });
    await row.getByText('Renamed to Study PC.').waitFor();
    expect((await devices()).find((d) => d.id === deviceId)?.name).toBe('Study PC');

    await row.getByRole('button', { name: 'Revoke PC Study PC' }).click();
    await row.getByText('Revoke Study PC?').waitFor();
    await row.getByRole('button', { name: 'Cancel' }).click();
    expect((await devices()).some((d) => d.id === deviceId)).toBe(true);
    await row.getByRole('button', { name: 'Revoke PC Study PC' }).click();
    await row.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Study PC is revoked.', { exact: false }).waitFor();
    await row.waitFor({ state: 'detached' });
    expect(await page.locator('kt-device-row').count()).toBe(0);
    expect((await devices()).some((d) => d.id === deviceId)).toBe(false);
  });
});
