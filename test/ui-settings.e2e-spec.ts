/**
 * The child page in a real browser, mostly at a phone's size: the schedule and PlayTime editors against the
 * built hub, a real agent and the real timekprd. Every save is checked in timekpra's own reading; a refused
 * value shows the hub's message and changes nothing; a change for an offline PC is queued and applied later;
 * unsaved edits survive live updates; a viewer sees everything and can change nothing.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchBrowser, screenshot, seriousAccessibilityViolations } from './support/browser';
import { AgentProcess } from './support/hub-process';
import { OWNER, startHousehold, type Household } from './support/household';

const KID = 'ktkid10';
const ALL_HOURS = Array.from({ length: 24 }, (_, h) => String(h)).join(';');
const DAY = '86400';

describe('child page: schedule and PlayTime', () => {
  let home: Household;
  let browser: Browser;
  let page: Page;
  let schedule: Locator;
  let playtime: Locator;

  const userinfo = () => home.lab.userinfo(KID);
  /**
   * axe counts a control partly under the phone's fixed tab bar as too small a target, so the check runs
   * scrolled to the very end, where only the page's bottom padding is under the bar.
   */
  const accessibilityViolations = async () => {
    await page.evaluate(() => {
      const w = globalThis as unknown as { scrollTo(x: number, y: number): void };
      w.scrollTo(0, 1e6);
    });
    return seriousAccessibilityViolations(page);
  };

  beforeAll(async () => {
    home = await startHousehold(KID);
    // Resetting a timekpr user leaves its PlayTime programs: start from a known list.
    const url = `/api/devices/${home.enrolled.device.id}/users/${KID}/playtime`;
    const known = await home.api.request('PATCH', url, {
      activities: [{ mask: 'solitaire', description: 'Solitaire' }],
    });
    expect(known.status).toBe(200);
    browser = await launchBrowser();
    page = await browser.newPage(PHONE);
    schedule = page.locator('kt-schedule-editor');
    playtime = page.locator('kt-playtime-editor');
  });

  afterAll(async () => {
    await browser?.close();
    await home?.close();
  });

  it("opens the login's page from the dashboard and saves days, hours and lockout as timekpra reads them", async () => {
    await page.goto(home.hub.url);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('kt-child-card', { hasText: KID }).getByRole('link', { name: KID }).click();
    await page.getByRole('heading', { level: 1, name: KID }).waitFor();

    await schedule.getByLabel('Monday limit, hours').fill('1');
    await schedule.getByLabel('Monday limit, minutes').fill('30');
    await schedule.getByRole('button', { name: 'Monday', exact: true }).click();
    for (const hour of ['21', '22', '23'])
      await schedule.getByRole('button', { name: `Monday ${hour}:00`, exact: true }).click();
    await schedule.getByLabel('Hour', { exact: true }).selectOption('16');
    await schedule.getByLabel('From minute').fill('15');
    await schedule.getByLabel('To minute').fill('45');
    await schedule.getByLabel('Free time').check();
    await schedule.getByLabel('What happens').selectOption('lock');
    await schedule.getByText('The screen locks and programs keep running').waitFor();
    expect(await accessibilityViolations()).toEqual([]);
    await screenshot(page, 'child-schedule-phone');

    await schedule.getByRole('button', { name: 'Save schedule' }).click();
    await schedule.getByText(/Saved: .* confirmed it/).waitFor();
    const mondayHours = [...Array.from({ length: 16 }, (_, h) => h), '!16[15-45]', 17, 18, 19, 20].join(';');
    expect(await userinfo()).toMatchObject({
      ALLOWED_WEEKDAYS: '1;2;3;4;5;6;7',
      LIMITS_PER_WEEKDAYS: ['5400', DAY, DAY, DAY, DAY, DAY, DAY].join(';'),
      ALLOWED_HOURS_1: mondayHours,
      ALLOWED_HOURS_2: ALL_HOURS,
      LOCKOUT_TYPE: 'lock',
      LIMIT_PER_WEEK: '604800',
    });
    // The form now shows what timekpr read back, with nothing left to save.
    await schedule.getByText('No changes').waitFor();
    await schedule.getByText('Monday: 00:00–16:00, 16:15–16:45 free, 17:00–21:00').waitFor();
  });

  it('keeps unsaved edits when the PC reports other settings, and Reset shows those', async () => {
    const wednesday = schedule.getByLabel('Wednesday limit, hours');
    await wednesday.fill('3');
    const url = `/api/devices/${home.enrolled.device.id}/users/${KID}/schedule`;
    expect((await home.api.request('PATCH', url, { weekLimit: 36_000 })).status).toBe(200);
    await schedule.getByText('The settings on the PC changed while you were editing').waitFor();
    expect(await wednesday.inputValue()).toBe('3');
    await schedule.getByRole('button', { name: 'Reset' }).click();
    expect(await wednesday.inputValue()).toBe('24');
    expect(await schedule.getByLabel('Week cap, hours').inputValue()).toBe('10');
  });

  it("shows the hub's message for a program name it refuses, and changes nothing", async () => {
    const before = await userinfo();
    await playtime.getByRole('button', { name: 'Add a program' }).click();
    const existing = playtime.getByRole('group', { name: 'Program 1' }).getByLabel('Process name');
    expect(await existing.inputValue()).toBe('solitaire');
    const program = playtime.getByRole('group', { name: 'Program 2' });
    await program.getByLabel('Process name').fill('a');
    await playtime.getByRole('button', { name: 'Save PlayTime' }).click();
    await playtime.getByRole('alert').getByText('activities.1.mask: must be at least 2 characters').waitFor();
    const after = await userinfo();
    expect(after.PLAYTIME_ACTIVITIES).toBe(before.PLAYTIME_ACTIVITIES);
    expect(after.PLAYTIME_ENABLED).toBe('False');
  });

  it('adds a program and turns PlayTime on, as timekpra reads it', async () => {
    const program = playtime.getByRole('group', { name: 'Program 2' });
    await program.getByLabel('Process name').fill('supertuxkart');
    await program.getByLabel('Description').fill('SuperTuxKart');
    await playtime.getByLabel('Use PlayTime').check();
    await playtime.getByLabel('Tuesday PlayTime, hours').fill('1');
    await playtime.getByRole('button', { name: 'Save PlayTime' }).click();
    await playtime.getByText(/Saved: .* confirmed it/).waitFor();
    expect(await userinfo()).toMatchObject({
      PLAYTIME_ENABLED: 'True',
      PLAYTIME_ACTIVITIES: 'solitaire[Solitaire];supertuxkart[SuperTuxKart]',
      PLAYTIME_LIMITS_PER_WEEKDAYS: '0;3600;0;0;0;0;0',
    });
    expect(await accessibilityViolations()).toEqual([]);
  });

  it('queues a change while the PC is offline and shows it applied when the PC is back', async () => {
    await home.enrolled.agent.stop();
    await page.locator('h2 .badge', { hasText: 'offline' }).waitFor({ timeout: 15_000 });
    await schedule.getByLabel('Tuesday limit, hours').fill('2');
    await schedule.getByLabel('Tuesday limit, minutes').fill('0');
    await schedule.getByRole('button', { name: 'Save schedule' }).click();
    await schedule.getByText('queued, it will apply when the PC comes back').waitFor();
    expect((await userinfo()).LIMITS_PER_WEEKDAYS).toBe(['5400', DAY, DAY, DAY, DAY, DAY, DAY].join(';'));

    home.enrolled.agent = AgentProcess.start(home.enrolled.configPath);
    await schedule.getByText(/Applied: .* confirmed the change/).waitFor({ timeout: 20_000 });
    await page.locator('h2 .badge', { hasText: 'online' }).waitFor();
    expect((await userinfo()).LIMITS_PER_WEEKDAYS).toBe(['5400', '7200', DAY, DAY, DAY, DAY, DAY].join(';'));
    expect(await schedule.getByLabel('Tuesday limit, hours').inputValue()).toBe('2');
  });

  it('still shows a queued schedule change after a time change for the same PC is queued behind it', async () => {
    await home.enrolled.agent.stop();
    await page.locator('h2 .badge', { hasText: 'offline' }).waitFor({ timeout: 15_000 });
    await schedule.getByLabel('Wednesday limit, hours').fill('4');
    await schedule.getByRole('button', { name: 'Save schedule' }).click();
    await schedule.getByText('queued, it will apply when the PC comes back').waitFor();

    await page.getByRole('link', { name: 'Back to Today' }).click();
    const card = page.locator('kt-child-card', { hasText: KID });
    await card.getByRole('button', { name: `Add 15 minutes for ${KID}` }).click();
    await card.getByText(/queued, it will apply when the PC comes back/).waitFor();
    // The card lists both changes waiting for the PC, not just the newest.
    const waiting = card.getByText(/Waiting for .* applies when it comes back online/);
    await waiting.nth(1).waitFor();
    expect(await waiting.count()).toBe(2);

    await card.getByRole('link', { name: KID }).click();
    await schedule
      .getByText(/A saved change is waiting for .*: it applies when the PC comes back online/)
      .waitFor();
    home.enrolled.agent = AgentProcess.start(home.enrolled.configPath);
    await page.locator('h2 .badge', { hasText: 'online' }).waitFor({ timeout: 20_000 });
    // The schedule editor hears of its own change ending, though a newer command is pending for the PC.
    await schedule.getByText(/Applied: .* confirmed the change/).waitFor({ timeout: 20_000 });
    expect((await userinfo()).LIMITS_PER_WEEKDAYS).toBe(
      ['5400', '7200', '14400', DAY, DAY, DAY, DAY].join(';'),
    );
  });

  it('shows a viewer everything at a desktop size, with every control that changes something disabled', async () => {
    const viewer = { username: 'grandpa', password: 'reading-glasses-7', role: 'viewer' };
    expect((await home.api.post('/api/accounts', viewer)).status).toBe(201);
    const desk = await browser.newPage(DESKTOP);
    try {
      await desk.goto(`${home.hub.url}/#/pc/${home.enrolled.device.id}/${KID}`);
      await desk.getByLabel('Username').fill(viewer.username);
      await desk.getByLabel('Password').fill(viewer.password);
      await desk.getByRole('button', { name: 'Sign in' }).click();
      await desk.getByText('You can look but not change anything (viewer account).').first().waitFor();
      const deskSchedule = desk.locator('kt-schedule-editor');
      expect(await deskSchedule.getByLabel('Tuesday limit, hours').inputValue()).toBe('2');
      expect(await deskSchedule.getByLabel('Tuesday limit, hours').isDisabled()).toBe(true);
      // The hours grid opens on today; Monday is where this test set hours.
      await deskSchedule.getByRole('button', { name: 'Monday', exact: true }).click();
      expect(await deskSchedule.getByRole('button', { name: 'Monday 10:00' }).isDisabled()).toBe(true);
      expect(await deskSchedule.getByRole('button', { name: 'Save schedule' }).count()).toBe(0);
      expect(await desk.locator('kt-playtime-editor').getByLabel('Use PlayTime').isDisabled()).toBe(true);
      // Looking at another day is not a change: the day buttons still work.
      await deskSchedule.getByRole('button', { name: 'Tuesday', exact: true }).click();
      await deskSchedule.getByText('Tuesday: all day').waitFor();
      expect(await seriousAccessibilityViolations(desk)).toEqual([]);
      await screenshot(desk, 'child-schedule-desktop');
    } finally {
      await desk.close();
    }
  });

  it("shows a child's page with each of its PCs, and renames the child", async () => {
    const child = await home.api.post<{ id: string }>('/api/children', {
      name: 'Sam',
      members: [{ deviceId: home.enrolled.device.id, login: KID }],
    });
    expect(child.status).toBe(201);
    await page.goto(`${home.hub.url}/#/child/${child.body.id}`);
    await page.getByRole('heading', { level: 1, name: 'Sam' }).waitFor();
    await page.getByRole('heading', { level: 2, name: KID }).waitFor();
    await page.getByRole('button', { name: 'Rename Sam' }).click();
    await page.getByLabel("Child's name").fill('Samuel');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('heading', { level: 1, name: 'Samuel' }).waitFor();
    const children = await home.api.get<Array<{ id: string; name: string }>>('/api/children');
    expect(children.body.find((c) => c.id === child.body.id)?.name).toBe('Samuel');
  });
});
