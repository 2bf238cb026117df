/**
 * The web app's records screens in a real browser at a phone's size, against the built hub, a real agent
 * and the real timekprd: the Activity page tells the audit log in words, filters it, pages it and exports it;
 * the Usage page charts the time a (simulated) child really used today, as the hub booked it, and exports it.
 */
import fs from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import type { AuditEntryView, ChildView, UsageDayView } from '@kidtime/protocol';
import { ApiClient } from './support/api-client';
import { PHONE, launchBrowser, screenshot, seriousAccessibilityViolations } from './support/browser';
import { OWNER, startHousehold, type Household } from './support/household';
import { eventually } from './support/processes';

const KID = 'ktkid11';
/** Seconds of use to wait for: at least 1 min once rounded, as the page shows it. */
const USED_AT_LEAST = 35;

/** `YYYY-MM-DD` in this machine's time zone, which the browser and the PC share here. */
const localDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

const countOf = (locator: Locator, count: number, what: string) =>
  eventually(
    `${count} ${what}`,
    async () => ((await locator.count()) === count ? true : undefined),
    10_000,
  ).catch(async (error: Error) => {
    throw new Error(`${error.message} (there are ${await locator.count()})`);
  });

describe('web app: usage and activity', () => {
  let home: Household;
  let browser: Browser;
  let page: Page;
  let child: ChildView;
  /** The simulated child's logind session, while logged in. */
  let session: string | null = null;

  const api = () => home.api;
  const deviceId = () => home.enrolled.device.id;
  const audit = async (query: string) =>
    (await api().get<AuditEntryView[]>(`/api/audit?limit=1000${query}`)).body;
  const spentToday = async () => {
    const rows = (await api().get<UsageDayView[]>(`/api/usage?deviceId=${deviceId()}&login=${KID}`)).body;
    return rows.find((row) => row.day === localDay(new Date()))?.spentSeconds ?? 0;
  };

  beforeAll(async () => {
    home = await startHousehold(KID, { stateIntervalSeconds: 10 });
    // The child uses the PC from now on: the time accrues while the activity test runs.
    session = await home.lab.login(KID);
    const created = await api().post<ChildView>('/api/children', {
      name: 'Ana',
      members: [{ deviceId: deviceId(), login: KID }],
    });
    expect(created.status).toBe(201);
    child = created.body;
    browser = await launchBrowser();
    page = await browser.newPage(PHONE);
    await page.goto(home.hub.url);
    await page.getByLabel('Username').fill(OWNER.username);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('kt-child-card', { hasText: 'Ana' }).getByTestId('time-left').waitFor();
  }, 60_000);

  afterAll(async () => {
    if (session) await home.lab.logout(session);
    await browser?.close();
    await home?.close();
  });

  it('tells the log in words, highlights refusals, filters, pages and exports it', async () => {
    // More than a page of entries, cheaply: each rename of the child is one entry.
    for (let i = 0; i < 50; i++) {
      const renamed = await api().request('PATCH', `/api/children/${child.id}`, { name: 'Ana' });
      expect(renamed.status).toBe(200);
    }
    // Newer than those, so on the first page: time changes (the request, then the PC's answer) and a refusal.
    const time = (op: string, seconds: number) =>
      api().post(`/api/devices/${deviceId()}/users/${KID}/time`, { op, seconds });
    expect((await time('add', 900)).status).toBe(200);
    for (const op of ['subtract', 'add', 'subtract', 'add']) expect((await time(op, 60)).status).toBe(200);
    const stranger = new ApiClient(home.hub.url);
    const refused = await stranger.post('/api/auth/login', { username: OWNER.username, password: 'not-it' });
    expect(refused.status).toBe(401);
    const all = await audit('');
    expect(all.length).toBeGreaterThan(50);
    expect(all.length).toBeLessThanOrEqual(100);

    await page.getByRole('link', { name: 'Activity' }).click();
    const activity = page.locator('kt-activity-page');
    const entries = activity.getByRole('listitem');
    await countOf(entries, 50, 'entries on the first page');

    const pc = home.enrolled.device.name;
    const asked = entries.filter({ hasText: `mum added 15 min for Ana on ${pc}` });
    expect(await asked.count()).toBe(1);
    expect(await asked.textContent()).toContain('sent to the PC');
    const applied = entries.filter({ hasText: `Add 15 min for Ana on ${pc}` });
    expect(await applied.textContent()).toContain('applied');
    const refusal = entries.filter({ hasText: `Someone tried to sign in as ${OWNER.username}` });
    expect(await refusal.count()).toBe(1);
    expect(await refusal.textContent()).toContain('refused');
    expect(await refusal.textContent()).toContain('wrong username or password');
    expect(await refusal.getAttribute('class')).toContain('problem');

    // Filters apply on change; the counts are the hub's for the same filter.
    await activity.locator('summary').click();
    const adds = await audit('&action=time.add');
    expect(adds).toHaveLength(6); // three adds, each asked for and applied
    await activity.getByLabel('What').selectOption('time.add');
    await countOf(entries, adds.length, 'time.add entries');
    await activity.getByLabel('What').selectOption('');
    const system = await audit('&channel=system');
    expect(system).toHaveLength(5); // the PC's answer to each of the five changes
    await activity.getByLabel('Channel').selectOption('system');
    await countOf(entries, system.length, 'entries from Kidtime itself');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // The export holds the filtered log, as the hub writes it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      activity.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv).toBe((await api().get<string>('/api/audit?channel=system&limit=1000&format=csv')).body);
    expect(csv.trim().split('\r\n')).toHaveLength(1 + system.length);

    await activity.getByLabel('Channel').selectOption('');
    await countOf(entries, 50, 'entries on the first page again');
    await activity.getByRole('button', { name: 'Load more' }).click();
    await countOf(entries, all.length, 'entries after "Load more"');
    await activity.getByText('That is everything.').waitFor();
    expect(await activity.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    await activity.locator('summary').click();
    await page.evaluate(() =>
      (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0),
    );
    await screenshot(page, 'activity-phone');
  }, 60_000);

  it("charts today's use as the hub booked it, switches 7 and 30 days, and exports the records", async () => {
    await eventually(
      `${USED_AT_LEAST} s of use booked today`,
      async () => ((await spentToday()) >= USED_AT_LEAST ? true : undefined),
      60_000,
    );
    await home.lab.logout(session!);
    session = null;
    // timekprd stops counting at its next poll, and the agent reports its last reading within 10 s;
    // 20 s without a change leaves room for one late poll.
    let spent = await spentToday();
    let since = Date.now();
    await eventually(
      'the booked use to settle after the child logged out',
      async () => {
        const now = await spentToday();
        if (now !== spent) [spent, since] = [now, Date.now()];
        return Date.now() - since > 20_000 ? true : undefined;
      },
      50_000,
    );
    const today = localDay(new Date());

    await page.getByRole('link', { name: 'Usage' }).click();
    const card = page.locator('kt-usage-page').getByRole('region', { name: 'Ana' });
    const row = card.locator(`tr[data-day="${today}"]`);
    await row.waitFor({ state: 'attached' });
    // What the page says for today, in the minutes a parent reads, is what the hub booked.
    expect(await row.locator('td').first().textContent()).toBe(`${Math.round(spent / 60)} min`);
    expect(Math.round(spent / 60)).toBeGreaterThan(0);
    const bar = card.locator(`rect[data-day="${today}"]`);
    expect(Number(await bar.getAttribute('data-seconds'))).toBe(spent);
    expect(Number(await bar.getAttribute('height'))).toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'usage-phone');

    const bars = card.locator('rect.bar');
    expect(await bars.count()).toBe(7);
    await page.getByRole('button', { name: '30 days' }).click();
    await countOf(bars, 30, 'bars for 30 days');
    expect(await card.locator('tbody tr').count()).toBe(30);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const name = download.suggestedFilename();
    const [, from, to] = /^kidtime-usage-(\d{4}-\d{2}-\d{2})-to-(\d{4}-\d{2}-\d{2})\.csv$/.exec(name) ?? [];
    expect(to).toBe(today);
    const first = new Date();
    first.setDate(first.getDate() - 29);
    expect(from).toBe(localDay(first));
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv).toBe((await api().get<string>(`/api/usage?from=${from}&to=${to}&format=csv`)).body);
    // timekprd may book one more poll after the page was read; the row is today's, and never less.
    const ana = csv
      .split('\r\n')
      .find((line) => line.startsWith(`${today},Ana,${home.enrolled.device.name},${KID},`));
    expect(Number(ana?.split(',')[4])).toBeGreaterThanOrEqual(spent);
  }, 110_000);
});
