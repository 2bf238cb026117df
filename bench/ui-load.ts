/**
 * Web app first load: how much JavaScript and CSS the first screen needs (raw, gzip, brotli), and how long a
 * parent waits on a phone until the dashboard can be used — the kid's card shows its time left and its "+15"
 * button is enabled — as a returning parent with a cold and with a warm HTTP cache, and when signing in.
 *
 *   node bench/run.mjs ui-load [--runs 20] [--warmup 2] [--cpu-throttle 1] [--json FILE]   (after `npm run build`)
 *
 * The sizes come from ui/dist (the files index.html loads). The times come from Debian's Chromium through
 * playwright-core at phone size, against the built hub on loopback, one enrolled agent and the real timekprd
 * (the Timekpr lab), all started here and stopped at the end, on errors and on Ctrl-C. Needs root (the lab);
 * `--sizes-only` needs neither root nor the hub. See docs/benchmarks.md ("Web app: first load").
 */
import {
  checkInterrupted,
  onCleanup,
  runBenchmark,
  stats,
  UsageError,
  withTimeout,
  type Stats,
  wholeNumber,
} from './lib/harness';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DeviceView, EnrollmentCreated, ManagedUserView } from '@kidtime/protocol';
import { ApiClient } from '../test/support/api-client';
import { PHONE, launchBrowser } from '../test/support/browser';
import { AgentProcess, HubProcess, ROOT } from '../test/support/hub-process';
import { eventually, sleep } from '../test/support/processes';
import { startTimekprLab } from '../test/support/timekpr-lab';

const UI_DIST = path.join(ROOT, 'ui/dist');
const REFRESH_KEY = 'kidtime.refreshToken'; // ui/src/data/api.ts
/** The aim for the first screen's JavaScript, gzip (zlib's default level), bytes. */
const JS_AIM_BYTES = 100_000;
const OWNER = { username: 'bench', password: 'quiet-evening-42' };
/** How often the in-page probe looks for the usable screen. */
const PROBE_INTERVAL_MS = 4;
/** One page load, sign-in included; multiplied by the CPU throttling rate. */
const RUN_TIMEOUT_MS = 30_000;
/** Between runs, so the hub has finished with the previous page's connection. */
const PAUSE_MS = 250;

// ---------------------------------------------------------------------------------------------
// options

type Scenario = 'cold' | 'warm' | 'sign-in';
const SCENARIOS: readonly Scenario[] = ['cold', 'warm', 'sign-in'];

interface Options {
  runs: number;
  warmup: number;
  cpuThrottle: number;
  scenarios: Scenario[];
  user: string;
  sizesOnly: boolean;
  json: string | null;
}

const USAGE = `usage: node bench/run.mjs ui-load [options]
  --runs N            measured page loads per scenario (default 20, 1-200)
  --warmup N          unmeasured page loads first, per scenario (default 2, 0-20)
  --cpu-throttle N    Chromium's CPU throttling rate (CDP Emulation.setCPUThrottlingRate), e.g. 4 for a slow
                      phone (default 1 = none, 1-20)
  --scenarios LIST    any of cold,warm,sign-in (default all three):
                        cold     returning parent, new browser context (empty HTTP cache) with a refresh token
                        warm     returning parent, the same context reloaded (files from the HTTP cache)
                        sign-in  new context, empty storage: until the sign-in form is usable, then from the
                                 click on "Sign in" until the dashboard is usable
  --user LOGIN        the kid's Linux/timekpr login (default ktbench3; created if missing, deleted at the end)
  --sizes-only        only the size report from ui/dist (no root, no hub, no browser)
  --json FILE         also write the results and every sample as JSON`;

function parseOptions(argv: string[]): Options {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string', default: '20' },
        warmup: { type: 'string', default: '2' },
        'cpu-throttle': { type: 'string', default: '1' },
        scenarios: { type: 'string', default: SCENARIOS.join(',') },
        user: { type: 'string', default: 'ktbench3' },
        'sizes-only': { type: 'boolean', default: false },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const scenarios = values.scenarios.split(',').map((name) => {
    const scenario = SCENARIOS.find((s) => s === name.trim());
    if (!scenario)
      throw new UsageError(`--scenarios: ${JSON.stringify(name)} is not one of ${SCENARIOS.join(', ')}`);
    return scenario;
  });
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(values.user))
    throw new UsageError(`--user: invalid login ${JSON.stringify(values.user)}`);
  return {
    runs: wholeNumber('--runs', values.runs, 1, 200),
    warmup: wholeNumber('--warmup', values.warmup, 0, 20),
    cpuThrottle: wholeNumber('--cpu-throttle', values['cpu-throttle'], 1, 20),
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    user: values.user,
    sizesOnly: values['sizes-only'],
    json: values.json ? path.resolve(values.json) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// sizes

interface FileSize {
  file: string;
  kind: 'js' | 'css' | 'html' | 'other';
  raw: number;
  gzip9: number;
  gzipDefault: number;
  brotli: number;
}

function sizeOf(file: string, name = path.relative(UI_DIST, file)): FileSize {
  const data = fs.readFileSync(file);
  const ext = path.extname(file);
  return {
    file: name,
    kind:
      ext === '.js' || ext === '.mjs' ? 'js' : ext === '.css' ? 'css' : ext === '.html' ? 'html' : 'other',
    raw: data.length,
    gzip9: zlib.gzipSync(data, { level: 9 }).length,
    gzipDefault: zlib.gzipSync(data).length,
    brotli: zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY },
    }).length,
  };
}

function total(files: FileSize[], name: string): FileSize {
  const sum = (key: 'raw' | 'gzip9' | 'gzipDefault' | 'brotli') => files.reduce((s, f) => s + f[key], 0);
  return {
    file: name,
    kind: 'other',
    raw: sum('raw'),
    gzip9: sum('gzip9'),
    gzipDefault: sum('gzipDefault'),
    brotli: sum('brotli'),
  };
}

/** The scripts, stylesheets and module preloads index.html names: what the first screen loads. */
function firstLoadFiles(html: string): string[] {
  const attr = (tag: string, name: string) =>
    new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i')
      .exec(tag)
      ?.slice(1)
      .find((v) => v !== undefined);
  const files: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    let url: string | undefined;
    if (/^<script/i.test(tag)) url = attr(tag, 'src');
    else {
      const rel = (attr(tag, 'rel') ?? '').toLowerCase().split(/\s+/);
      const as = (attr(tag, 'as') ?? '').toLowerCase();
      if (
        rel.includes('stylesheet') ||
        rel.includes('modulepreload') ||
        (rel.includes('preload') && ['script', 'style'].includes(as))
      )
        url = attr(tag, 'href');
    }
    if (!url) continue;
    if (/^[a-z]+:|^\/\//i.test(url)) throw new Error(`index.html loads ${url} from elsewhere: not measured`);
    const file = path.join(UI_DIST, decodeURIComponent(url.replace(/[?#].*$/, '')).replace(/^\/+/, ''));
    if (!files.includes(file)) files.push(file);
  }
  return files;
}

function measureSizes() {
  const indexHtml = path.join(UI_DIST, 'index.html');
  if (!fs.existsSync(indexHtml)) throw new Error('ui/dist/index.html is missing: run "npm run build" first');
  const firstLoad = firstLoadFiles(fs.readFileSync(indexHtml, 'utf8')).map((file) => {
    if (!fs.existsSync(file))
      throw new Error(`index.html names ${path.relative(UI_DIST, file)}, which is not in ui/dist`);
    return sizeOf(file);
  });
  const assetsDir = path.join(UI_DIST, 'assets');
  const assets = fs.existsSync(assetsDir)
    ? fs
        .readdirSync(assetsDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => sizeOf(path.join(entry.parentPath, entry.name)))
        .sort((a, b) => b.raw - a.raw)
    : [];
  const firstJs = total(
    firstLoad.filter((f) => f.kind === 'js'),
    'first-load JavaScript',
  );
  const firstCss = total(
    firstLoad.filter((f) => f.kind === 'css'),
    'first-load CSS',
  );
  return {
    indexHtml: sizeOf(indexHtml),
    firstLoad,
    firstJs,
    firstCss,
    firstTotal: total(firstLoad, 'first load, JS + CSS'),
    /** Files in assets/ that index.html does not load: lazy chunks (dynamic imports) or unused. */
    later: assets.filter((a) => !firstLoad.some((f) => f.file === a.file)),
    assetsTotal: total(assets, 'everything in assets/'),
    aim: { bytes: JS_AIM_BYTES, met: firstJs.gzipDefault <= JS_AIM_BYTES },
  };
}
type Sizes = ReturnType<typeof measureSizes>;

// ---------------------------------------------------------------------------------------------
// the in-page probe

/** What the probe records, in ms since the page's navigation started (performance.timeOrigin). */
interface Marks {
  signInUsableAt: number | null;
  clickAt: number | null;
  readyAt: number | null;
}

/**
 * Runs in every new document before the app's scripts (context.addInitScript). Every few ms, while the page's
 * main thread is free, it looks through the document and every shadow root for the sign-in form (Username,
 * Password, an enabled "Sign in") and for the kid's card with its time left and an enabled, laid-out
 * "Add 15 minutes for KID" button, and records when each is first there. Serialised by playwright: it must not
 * use anything from outside itself.
 */
function installProbe(arg: { kid: string; intervalMs: number; giveUpMs: number }): void {
  interface Root {
    querySelectorAll(selector: string): ArrayLike<El>;
  }
  interface El extends Root {
    tagName: string;
    shadowRoot: Root | null;
    textContent: string | null;
    disabled?: boolean;
    matches(selector: string): boolean;
    getAttribute(name: string): string | null;
    getClientRects(): { length: number };
  }
  const page = globalThis as unknown as {
    document: Root & {
      addEventListener(
        type: string,
        listener: (event: { composedPath(): unknown[] }) => void,
        capture: boolean,
      ): void;
    };
    performance: { now(): number };
    setTimeout(callback: () => void, ms: number): unknown;
    __ktBench?: Marks;
  };
  const marks: Marks = { signInUsableAt: null, clickAt: null, readyAt: null };
  page.__ktBench = marks;
  const deep = (root: Root, selector: string, found: El[] = []): El[] => {
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el.matches(selector)) found.push(el);
      if (el.shadowRoot) deep(el.shadowRoot, selector, found);
    }
    return found;
  };
  const text = (el: El) => (el.textContent ?? '').trim();
  const isSignIn = (el: El) => el.tagName === 'BUTTON' && text(el) === 'Sign in';
  const signInUsable = () =>
    deep(page.document, 'input[type=password]').length > 0 &&
    deep(page.document, 'input[autocomplete=username], input[name=username]').length > 0 &&
    deep(page.document, 'button').some((b) => isSignIn(b) && !b.disabled);
  const addLabel = `Add 15 minutes for ${arg.kid}`;
  const ready = () =>
    deep(page.document, 'kt-child-card').some((card) => {
      if (!card.shadowRoot) return false;
      const left = deep(card.shadowRoot, '[data-testid=time-left]');
      const add = deep(card.shadowRoot, 'button').find((b) => b.getAttribute('aria-label') === addLabel);
      return left.some((el) => text(el) !== '') && !!add && !add.disabled && add.getClientRects().length > 0;
    });
  page.document.addEventListener(
    'click',
    (event) => {
      if (marks.clickAt === null && (event.composedPath() as El[]).some((el) => el && isSignIn(el)))
        marks.clickAt = page.performance.now();
    },
    true,
  );
  const poll = () => {
    const now = page.performance.now();
    if (marks.signInUsableAt === null && signInUsable()) marks.signInUsableAt = now;
    if (ready()) marks.readyAt = now;
    else if (now < arg.giveUpMs) page.setTimeout(poll, arg.intervalMs);
  };
  poll();
}

/** Puts the refresh token where the app looks for it, unless the app has stored a newer one already. */
function seedRefreshToken(arg: { key: string; token: string }): void {
  const storage = (
    globalThis as unknown as {
      localStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
    }
  ).localStorage;
  try {
    if (!storage.getItem(arg.key)) storage.setItem(arg.key, arg.token);
  } catch {
    // about:blank has no storage of its own
  }
}

interface PageTimings {
  fcp: number | null;
  responseEnd: number | null;
  domContentLoaded: number | null;
  timeOrigin: number;
  resources: Array<{
    name: string;
    type: string;
    start: number;
    end: number;
    transfer: number;
    encoded: number;
  }>;
}

function readTimings(): PageTimings {
  const perf = (
    globalThis as unknown as {
      performance: {
        timeOrigin: number;
        getEntriesByType(type: string): Array<Record<string, unknown>>;
      };
    }
  ).performance;
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const nav = perf.getEntriesByType('navigation')[0] ?? {};
  const fcp = perf.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
  return {
    fcp: num(fcp?.startTime),
    responseEnd: num(nav.responseEnd),
    domContentLoaded: num(nav.domContentLoadedEventEnd),
    timeOrigin: perf.timeOrigin,
    resources: perf.getEntriesByType('resource').map((r) => ({
      name: String(r.name),
      type: String(r.initiatorType),
      start: num(r.startTime) ?? 0,
      end: num(r.responseEnd) ?? 0,
      transfer: num(r.transferSize) ?? 0,
      encoded: num(r.encodedBodySize) ?? 0,
    })),
  };
}

/** A fixed amount of JavaScript work, to show that CPU throttling applies to the page. */
function busyLoopMs(): number {
  const perf = (globalThis as unknown as { performance: { now(): number } }).performance;
  const start = perf.now();
  let x = 0;
  for (let i = 0; i < 5_000_000; i++) x = (x + i * 7) % 1_000_003;
  return perf.now() - start + (x < 0 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// one page load

interface Sample {
  scenario: Scenario;
  phase: 'warmup' | 'measured';
  /** cold/warm: navigation start → dashboard usable; sign-in: navigation start → form usable (in page, ms) */
  usable: number;
  /** the same from the node side: from the page.goto/page.reload call until playwright saw it */
  usableNode: number;
  /** sign-in: the click on "Sign in" → dashboard usable, in page and from the node side's click call */
  clickToReady: number | null;
  clickToReadyNode: number | null;
  fcp: number | null;
  /** where the time went, ms since navigation start */
  milestones: {
    html: number | null;
    js: number | null;
    domContentLoaded: number | null;
    firstApi: number | null;
    lastApi: number | null;
  };
  requests: number;
  transferBytes: number;
  /** .js and .css files fetched before the dashboard (sign-in: the form) was usable */
  scriptBytes: number;
  scriptsFromCache: number;
  scripts: number;
  /** POST /api/auth/login through the API to get this run's refresh token (cold), ms */
  apiLoginMs: number | null;
  /** a fixed loop of JavaScript in the page, once per scenario (the first measured load), ms */
  busyLoopMs: number | null;
  /**
   * every request of the page until the dashboard was usable (sign-in: the requests after the click too): path,
   * initiator, start and end (ms), bytes on the wire and of the body
   */
  resources: Array<{
    path: string;
    type: string;
    start: number;
    end: number;
    transfer: number;
    encoded: number;
  }>;
}

function analyse(
  timings: PageTimings,
  until: number,
  listUntil: number,
): Pick<
  Sample,
  'milestones' | 'requests' | 'transferBytes' | 'scriptBytes' | 'scriptsFromCache' | 'scripts' | 'resources'
> {
  const before = timings.resources.filter((r) => r.start <= until);
  const pathOf = (url: string) => new URL(url).pathname;
  const scripts = before.filter((r) => /\.(m?js|css)$/.test(pathOf(r.name)));
  const api = before.filter((r) => pathOf(r.name).startsWith('/api/') && r.end <= until);
  const max = (values: number[]) => (values.length ? Math.max(...values) : null);
  return {
    milestones: {
      html: timings.responseEnd,
      js: max(scripts.filter((r) => /\.m?js$/.test(pathOf(r.name))).map((r) => r.end)),
      domContentLoaded: timings.domContentLoaded,
      firstApi: api.length ? Math.min(...api.map((r) => r.end)) : null,
      lastApi: max(api.map((r) => r.end)),
    },
    requests: before.length + 1,
    transferBytes: before.reduce((s, r) => s + r.transfer, 0),
    scriptBytes: scripts.reduce((s, r) => s + r.encoded, 0),
    scriptsFromCache: scripts.filter((r) => r.transfer === 0).length,
    scripts: scripts.length,
    resources: timings.resources
      .filter((r) => r.start <= listUntil)
      .map(({ name, ...r }) => ({
        ...r,
        path: pathOf(name),
        start: Math.round(r.start * 10) / 10,
        end: Math.round(r.end * 10) / 10,
      })),
  };
}

async function marks(page: Page): Promise<Marks> {
  return page.evaluate(() => (globalThis as unknown as { __ktBench: Marks }).__ktBench);
}

/** Waits until the probe has seen `what`; returns playwright's performance.now() at that moment. */
async function waitForMark(page: Page, what: keyof Marks, timeout: number): Promise<number> {
  await page.waitForFunction(
    (key) => (globalThis as unknown as { __ktBench?: Marks }).__ktBench?.[key] != null,
    what,
    { timeout, polling: 'raf' },
  );
  return performance.now();
}

class Runner {
  private browser!: Browser;
  private warm: { context: BrowserContext; page: Page; timeOrigin: number } | null = null;
  private measuredBusyLoop = new Set<Scenario>();

  constructor(
    private readonly options: Options,
    private readonly hubUrl: string,
  ) {}

  async start(): Promise<string> {
    // launchBrowser() leaves signals to us: the harness's clean-up stops everything, the browser first.
    this.browser = await launchBrowser();
    onCleanup('the browser', () => this.browser.close());
    return this.browser.version();
  }

  private get timeout(): number {
    return RUN_TIMEOUT_MS * this.options.cpuThrottle;
  }

  private async newPage(token: string | null): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext(PHONE);
    try {
      await context.addInitScript(installProbe, {
        kid: this.options.user,
        intervalMs: PROBE_INTERVAL_MS,
        giveUpMs: this.timeout,
      });
      if (token) await context.addInitScript(seedRefreshToken, { key: REFRESH_KEY, token });
      const page = await context.newPage();
      if (this.options.cpuThrottle > 1) {
        // Kept attached: the rate lasts as long as this session, across navigations and reloads.
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: this.options.cpuThrottle });
      }
      return { context, page };
    } catch (error) {
      await context.close();
      throw error;
    }
  }

  /** A fresh refresh token: each one works once. */
  private async refreshToken(): Promise<{ token: string; ms: number }> {
    const start = performance.now();
    const pair = await new ApiClient(this.hubUrl).login(OWNER.username, OWNER.password);
    return { token: pair.refreshToken, ms: performance.now() - start };
  }

  run(scenario: Scenario, phase: Sample['phase']): Promise<Sample> {
    const work =
      scenario === 'cold' ? this.cold(phase) : scenario === 'warm' ? this.warmRun(phase) : this.signIn(phase);
    return withTimeout(work, this.timeout * 2, `a ${scenario} page load`);
  }

  private async finish(
    scenario: Scenario,
    phase: Sample['phase'],
    page: Page,
    usable: { inPage: number; node: number },
    click: { inPage: number; node: number } | null,
    apiLoginMs: number | null,
  ): Promise<Sample> {
    const timings = await page.evaluate(readTimings);
    const { readyAt } = await marks(page);
    let busy: number | null = null;
    if (phase === 'measured' && !this.measuredBusyLoop.has(scenario)) {
      this.measuredBusyLoop.add(scenario);
      busy = await page.evaluate(busyLoopMs);
    }
    return {
      scenario,
      phase,
      usable: usable.inPage,
      usableNode: usable.node,
      clickToReady: click?.inPage ?? null,
      clickToReadyNode: click?.node ?? null,
      fcp: timings.fcp,
      ...analyse(timings, usable.inPage, readyAt ?? usable.inPage),
      apiLoginMs,
      busyLoopMs: busy,
    };
  }

  private async cold(phase: Sample['phase']): Promise<Sample> {
    const { token, ms } = await this.refreshToken();
    const { context, page } = await this.newPage(token);
    try {
      const start = performance.now();
      await page.goto(this.hubUrl, { waitUntil: 'commit', timeout: this.timeout });
      const node = (await waitForMark(page, 'readyAt', this.timeout)) - start;
      const { readyAt } = await marks(page);
      return await this.finish('cold', phase, page, { inPage: readyAt!, node }, null, ms);
    } finally {
      await context.close();
    }
  }

  /** The first call loads the app once (not a sample) so the cache is filled; then each call is a reload. */
  private async warmRun(phase: Sample['phase']): Promise<Sample> {
    if (!this.warm) {
      const { token } = await this.refreshToken();
      const { context, page } = await this.newPage(token);
      onCleanup('the warm browser context', () => context.close());
      await page.goto(this.hubUrl, { waitUntil: 'commit', timeout: this.timeout });
      await waitForMark(page, 'readyAt', this.timeout);
      this.warm = { context, page, timeOrigin: (await page.evaluate(readTimings)).timeOrigin };
    }
    const { page } = this.warm;
    const start = performance.now();
    await page.reload({ waitUntil: 'commit', timeout: this.timeout });
    const node = (await waitForMark(page, 'readyAt', this.timeout)) - start;
    const { readyAt } = await marks(page);
    const sample = await this.finish('warm', phase, page, { inPage: readyAt!, node }, null, null);
    const { timeOrigin } = await page.evaluate(readTimings);
    if (timeOrigin === this.warm.timeOrigin) throw new Error('the reload measured the previous document');
    this.warm.timeOrigin = timeOrigin;
    return sample;
  }

  private async signIn(phase: Sample['phase']): Promise<Sample> {
    const { context, page } = await this.newPage(null);
    try {
      const start = performance.now();
      await page.goto(this.hubUrl, { waitUntil: 'commit', timeout: this.timeout });
      const formNode = (await waitForMark(page, 'signInUsableAt', this.timeout)) - start;
      const form = (await marks(page)).signInUsableAt!;
      await page.getByLabel('Username').fill(OWNER.username);
      await page.getByLabel('Password').fill(OWNER.password);
      const clickStart = performance.now();
      await page.getByRole('button', { name: 'Sign in' }).click({ timeout: this.timeout });
      const clickNode = (await waitForMark(page, 'readyAt', this.timeout)) - clickStart;
      const { clickAt, readyAt } = await marks(page);
      if (clickAt === null) throw new Error('the probe did not see the click on "Sign in"');
      const sample = await this.finish(
        'sign-in',
        phase,
        page,
        { inPage: form, node: formNode },
        { inPage: readyAt! - clickAt, node: clickNode },
        null,
      );
      return sample;
    } finally {
      await context.close();
    }
  }

  async closeWarm(): Promise<void> {
    await this.warm?.context.close();
    this.warm = null;
  }
}

// ---------------------------------------------------------------------------------------------
// the run

function execText(file: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) =>
    execFile(file, args, { timeout: 10_000 }, (error, stdout) => resolve(error ? null : stdout.trim())),
  );
}

/**
 * Enrolls the agent with a one-time code and starts it, its clean-up registered before it can be interrupted
 * (so a Ctrl-C while it connects stops it too); waits until its PC is online and reports the kid's state.
 */
async function startAgent(api: ApiClient, login: string): Promise<void> {
  const enrollment = await api.post<EnrollmentCreated>('/api/enrollments', {});
  if (enrollment.status !== 201)
    throw new Error(`POST /api/enrollments: ${enrollment.status} ${JSON.stringify(enrollment.body)}`);
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-bench-agent-'));
  onCleanup('the agent config', async () => fs.rmSync(configDir, { recursive: true, force: true }));
  const configPath = path.join(configDir, 'agent.json');
  await AgentProcess.enroll(api.baseUrl, enrollment.body.code, configPath);
  // No periodic state reports: the card has its state from the agent's first report, and nothing else runs.
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configPath, JSON.stringify({ ...config, stateIntervalSeconds: 3600 }), { mode: 0o600 });
  checkInterrupted();
  const agent = AgentProcess.start(configPath);
  onCleanup('the agent', () => agent.stop());
  await eventually(`the agent to connect and report ${login}`, async () => {
    const online = (await api.get<DeviceView[]>('/api/devices')).body.find((d) => d.online);
    if (!online) return undefined;
    const users = (await api.get<ManagedUserView[]>(`/api/devices/${online.id}/users`)).body;
    return users.some((u) => u.login === login && u.state) ? online : undefined;
  }).catch((error: Error) => {
    throw new Error(`${error.message}\nagent output:\n${agent.log.slice(-3000)}`);
  });
}

function log(message: string): void {
  console.error(message);
}

async function main(options: Options): Promise<void> {
  const sizes = measureSizes();
  const commit = await execText('git', ['-C', ROOT, 'describe', '--always', '--dirty']);
  if (options.sizesOnly) {
    console.log(sizesMarkdown(sizes));
    if (options.json)
      fs.writeFileSync(options.json, `${JSON.stringify({ benchmark: 'ui-load', commit, sizes }, null, 2)}\n`);
    return;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error(
      'must run as root (the Timekpr lab starts timekprd and creates the test user); --sizes-only does not',
    );
  for (const built of ['hub/dist/main.js', 'agent/dist/kidtime-agent.cjs']) {
    if (!fs.existsSync(path.join(ROOT, built)))
      throw new Error(`${built} is missing: run "npm run build" first`);
  }

  log('Starting the Timekpr lab, the hub and an enrolled agent…');
  const lab = await startTimekprLab();
  onCleanup('the Timekpr lab', async () => {
    await lab.stop({ deleteUsers: true });
    fs.rmSync(lab.state.logDir, { recursive: true, force: true });
  });
  checkInterrupted();
  await lab.ensureUser(options.user);
  await lab.resetUser(options.user);
  const hub = await HubProcess.start({ HOST: '127.0.0.1', LOG_LEVEL: 'log' });
  onCleanup('the hub', () => hub.stop());
  checkInterrupted();
  const api = new ApiClient(hub.url);
  const setup = await api.post('/api/setup', OWNER);
  if (setup.status !== 201) throw new Error(`POST /api/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  await api.login(OWNER.username, OWNER.password);
  await startAgent(api, options.user);
  checkInterrupted();

  // What the hub sends for the first screen's script: compressed or not, and how long it may be cached.
  const firstScript = sizes.firstLoad.find((f) => f.kind === 'js');
  const served = firstScript
    ? await fetch(`${hub.url}/${firstScript.file}`, {
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      }).then(async (response) => {
        await response.arrayBuffer();
        return {
          file: firstScript.file,
          status: response.status,
          contentEncoding: response.headers.get('content-encoding'),
          cacheControl: response.headers.get('cache-control'),
        };
      })
    : null;

  const runner = new Runner(options, hub.url);
  const chromium = await runner.start();
  const samples: Sample[] = [];
  const load1 = os.loadavg();
  const startedAt = new Date();
  for (const scenario of options.scenarios) {
    log(
      `${scenario}: ${options.warmup} warm-up and ${options.runs} measured page loads` +
        (options.cpuThrottle > 1 ? ` at ${options.cpuThrottle}× CPU throttling` : '') +
        '…',
    );
    for (let i = 0; i < options.warmup + options.runs; i++) {
      checkInterrupted();
      samples.push(await runner.run(scenario, i < options.warmup ? 'warmup' : 'measured'));
      await sleep(PAUSE_MS);
    }
    if (scenario === 'warm') await runner.closeWarm();
  }
  const load2 = os.loadavg();

  const report = {
    benchmark: 'ui-load',
    command: `node bench/run.mjs ui-load ${process.argv.slice(2).join(' ')}`.trim(),
    startedAt: startedAt.toISOString(),
    measuredSeconds: (Date.now() - startedAt.getTime()) / 1000,
    options,
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? null,
      memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      kernel: os.release(),
      node: process.version,
      chromium,
      commit,
      loadAverageBefore: load1.map((v) => Math.round(v * 100) / 100),
      loadAverageAfter: load2.map((v) => Math.round(v * 100) / 100),
    },
    sizes,
    served,
    results: Object.fromEntries(
      options.scenarios.map((s) => [
        s,
        summarise(samples.filter((x) => x.scenario === s && x.phase === 'measured')),
      ]),
    ),
    samples,
  };
  console.log(`${sizesMarkdown(sizes)}\n\n${timesMarkdown(report)}`);
  if (options.json) {
    fs.writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`JSON written to ${options.json}`);
  }
}

function summarise(samples: Sample[]) {
  const of = (pick: (s: Sample) => number | null) =>
    stats(samples.map(pick).filter((v): v is number => v !== null));
  const median = (pick: (s: Sample) => number | null) => of(pick)?.p50 ?? null;
  return {
    usable: of((s) => s.usable),
    usableNode: of((s) => s.usableNode),
    clickToReady: of((s) => s.clickToReady),
    clickToReadyNode: of((s) => s.clickToReadyNode),
    fcp: of((s) => s.fcp),
    apiLogin: of((s) => s.apiLoginMs),
    milestonesP50: {
      html: median((s) => s.milestones.html),
      js: median((s) => s.milestones.js),
      domContentLoaded: median((s) => s.milestones.domContentLoaded),
      firstApi: median((s) => s.milestones.firstApi),
      lastApi: median((s) => s.milestones.lastApi),
    },
    requestsP50: median((s) => s.requests),
    transferBytesP50: median((s) => s.transferBytes),
    scriptBytesP50: median((s) => s.scriptBytes),
    scriptsFromCache: samples.reduce((n, s) => n + s.scriptsFromCache, 0),
    scripts: samples.reduce((n, s) => n + s.scripts, 0),
    busyLoopMs: samples.find((s) => s.busyLoopMs !== null)?.busyLoopMs ?? null,
  };
}
type Summary = ReturnType<typeof summarise>;

// ---------------------------------------------------------------------------------------------
// report

const kb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '–' : `${(bytes / 1000).toFixed(1)} kB`;
const f0 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(0));

function sizesMarkdown(s: Sizes): string {
  const row = (f: FileSize) =>
    `| ${f.file} | ${f.raw.toLocaleString('en')} | ${f.gzip9.toLocaleString('en')} | ${f.gzipDefault.toLocaleString('en')} | ${f.brotli.toLocaleString('en')} |`;
  const lines = [
    '## ui-load: first-load size (ui/dist)',
    '',
    '| file (bytes) | raw | gzip -9 | gzip (default, -6) | brotli (q 11) |',
    '|---|---:|---:|---:|---:|',
    ...s.firstLoad.map(row),
    row({ ...s.firstJs, file: `**${s.firstJs.file}**` }),
    ...(s.firstCss.raw > 0 ? [row(s.firstCss)] : []),
    row(s.indexHtml),
    ...s.later.map((f) => row({ ...f, file: `${f.file} (not in index.html: loaded later or unused)` })),
    row(s.assetsTotal),
    '',
    `First-load JavaScript: ${kb(s.firstJs.gzipDefault)} gzip (default level), ${kb(s.firstJs.gzip9)} at -9, ` +
      `${kb(s.firstJs.raw)} raw — aim ≤ ${kb(s.aim.bytes)} gzip: ${s.aim.met ? 'met' : 'MISSED'}.`,
  ];
  return lines.join('\n');
}

function timesMarkdown(r: {
  command: string;
  startedAt: string;
  measuredSeconds: number;
  options: Options;
  machine: Record<string, unknown>;
  served: {
    file: string;
    status: number;
    contentEncoding: string | null;
    cacheControl: string | null;
  } | null;
  results: Record<string, Summary>;
}): string {
  const m = r.machine;
  const row = (label: string, s: Stats | null | undefined) =>
    `| ${label} | ${s?.n ?? 0} | ${f0(s?.p50)} | ${f0(s?.p95)} | ${f0(s?.max)} | ${f0(s?.min)} |`;
  const names: Record<Scenario, string> = {
    cold: 'a) returning parent, cold cache',
    warm: 'b) returning parent, warm cache (reload)',
    'sign-in': 'c) sign-in, cold cache',
  };
  const lines = [
    `## ui-load: time to a usable dashboard — ${r.startedAt}`,
    '',
    `\`${r.command}\` — ${r.options.runs} measured page loads per scenario after ${r.options.warmup} warm-up loads, ` +
      `${r.measuredSeconds.toFixed(0)} s; Chromium ${m.chromium} at 375×812 (touch)` +
      `${r.options.cpuThrottle > 1 ? `, CPU throttled ${r.options.cpuThrottle}×` : ', no CPU throttling'}; ` +
      `${m.cpus} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}, commit ${m.commit}; ` +
      `load average before/after ${(m.loadAverageBefore as number[]).join(' ')} / ${(m.loadAverageAfter as number[]).join(' ')}.`,
    '',
    '| scenario (ms) | n | p50 | p95 | max | min |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const scenario of SCENARIOS) {
    const s = r.results[scenario];
    if (!s) continue;
    if (scenario === 'sign-in') {
      lines.push(
        row(`${names[scenario]}: navigation → sign-in form usable`, s.usable),
        row('↳ the same, node side (from `page.goto`)', s.usableNode),
        row('↳ first contentful paint', s.fcp),
        row('c) click on "Sign in" → dashboard usable', s.clickToReady),
        row('↳ the same, node side (from the click call)', s.clickToReadyNode),
      );
    } else {
      lines.push(
        row(`${names[scenario]}: navigation → dashboard usable`, s.usable),
        row(`↳ the same, node side (from \`page.${scenario === 'cold' ? 'goto' : 'reload'}\`)`, s.usableNode),
        row('↳ first contentful paint', s.fcp),
      );
      if (scenario === 'cold')
        lines.push(row('↳ (not in the page load) API sign-in for its refresh token', s.apiLogin));
    }
  }
  lines.push(
    '',
    '| where the time goes (p50, ms since navigation start) | HTML | JS | DOMContentLoaded | first API answer | last API answer | usable | requests | transferred | JS + CSS fetched | JS + CSS from cache | busy-loop check |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const scenario of SCENARIOS) {
    const s = r.results[scenario];
    if (!s) continue;
    const ms = s.milestonesP50;
    lines.push(
      `| ${names[scenario]}${scenario === 'sign-in' ? ' (until the form)' : ''} | ${f0(ms.html)} | ${f0(ms.js)} | ${f0(ms.domContentLoaded)} | ` +
        `${f0(ms.firstApi)} | ${f0(ms.lastApi)} | ${f0(s.usable?.p50)} | ${f0(s.requestsP50)} | ${kb(s.transferBytesP50)} | ` +
        `${kb(s.scriptBytesP50)} | ${s.scriptsFromCache}/${s.scripts} | ${f0(s.busyLoopMs)} ms |`,
    );
  }
  if (r.served) {
    lines.push(
      '',
      `The hub serves ${r.served.file} with content-encoding ${r.served.contentEncoding ?? 'none (uncompressed)'} ` +
        `and cache-control "${r.served.cacheControl ?? '–'}" (asked with accept-encoding gzip, deflate, br).`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

runBenchmark({
  name: 'ui-load',
  usage: USAGE,
  stopping: 'the browser, the agent, the hub and the lab',
  parse: parseOptions,
  main,
});
