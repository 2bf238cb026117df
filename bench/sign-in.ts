/**
 * What signing in and staying signed in cost on the hub: a password sign-in (argon2id), a refresh-token
 * renewal, a quick-PIN unlock (argon2id of the PIN and the phone's secret), and a signed-in request with an
 * access token (its session looked up, cached for 5 s) and with an API token, against a request that needs no
 * sign-in at all. Every path once per round, in a rotating order, so that noise hits them alike.
 *
 *   node bench/run.mjs sign-in [--iterations 300] [--warmup 10] [--json FILE]
 *
 * Starts the built hub on 127.0.0.1 with its own data directory and stops it at the end, on errors and on
 * Ctrl-C. Needs `npm run build`; no root. See docs/benchmarks.md.
 */
import type { TokenPair, TrustedDeviceCreated } from '@kidtime/protocol';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiClient } from '../test/support/api-client';
import { HubProcess, ROOT } from '../test/support/hub-process';
import {
  UsageError,
  checkInterrupted,
  onCleanup,
  runBenchmark,
  stats,
  type Stats,
  wholeNumber,
} from './lib/harness';

const PATHS = {
  login: 'password sign-in `POST /api/auth/login`',
  refresh: 'renewal `POST /api/auth/refresh`',
  pin: 'quick PIN `POST /api/auth/pin`',
  jwt: '`GET /api/auth/me`, access token',
  apiToken: '`GET /api/auth/me`, API token',
  open: '`GET /api/auth/options`, no sign-in',
} as const;
type PathName = keyof typeof PATHS;
const ROUND = Object.keys(PATHS) as PathName[];

interface Options {
  iterations: number;
  warmup: number;
  json: string | null;
}

const USAGE = `usage: node bench/run.mjs sign-in [options]   (after \`npm run build\`)
  --iterations N   measured requests per path (default 300, 1-5000)
  --warmup N       unmeasured rounds first (default 10, 0-200)
  --json FILE      also write the results and every sample as JSON`;

function parseOptions(argv: string[]): Options {
  const options: Options = { iterations: 300, warmup: 10, json: null };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    switch (flag) {
      case '--iterations':
        options.iterations = wholeNumber(flag, argv[++i], 1, 5000);
        break;
      case '--warmup':
        options.warmup = wholeNumber(flag, argv[++i], 0, 200);
        break;
      case '--json': {
        const file = argv[++i];
        if (!file) throw new UsageError('--json needs a file name');
        options.json = path.resolve(file);
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  return options;
}

/** One request; throws unless the hub answered `expected`. */
async function timed(
  url: string,
  init: { method: string; token?: string; body?: unknown },
  expected: number,
): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(url, {
    method: init.method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body: unknown = await response.json();
  const ms = performance.now() - started;
  if (response.status !== expected)
    throw new Error(`${init.method} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

async function main(options: Options): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'hub/dist/main.js')))
    throw new Error('hub/dist/main.js is missing: run "npm run build" first');
  console.error('Starting the hub…');
  const hub = await HubProcess.start({ HOST: '127.0.0.1', LOG_LEVEL: 'log' });
  onCleanup('the hub', () => hub.stop());
  const pid = hub.process.child.pid!;
  const base = hub.url;
  const parent = { username: 'bench', password: `kitchen-timer-${process.pid}-${Date.now()}` };
  const api = new ApiClient(base);
  const setup = await api.post('/api/setup', parent);
  if (setup.status !== 201) throw new Error(`POST /api/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  let pair: TokenPair = await api.login(parent.username, parent.password);
  const phone = (
    await timed(
      `${base}/api/auth/trusted-devices`,
      { method: 'POST', token: pair.accessToken, body: { pin: '2580' } },
      201,
    )
  ).body as TrustedDeviceCreated;
  const apiToken = (
    (
      await timed(
        `${base}/api/tokens`,
        { method: 'POST', token: pair.accessToken, body: { name: 'bench', scope: 'read' } },
        201,
      )
    ).body as { token: string }
  ).token;
  const rssBefore = rssMiB(pid);

  const run: Record<PathName, () => Promise<number>> = {
    login: async () => (await timed(`${base}/api/auth/login`, { method: 'POST', body: parent }, 200)).ms,
    refresh: async () => {
      const { ms, body } = await timed(
        `${base}/api/auth/refresh`,
        { method: 'POST', body: { refreshToken: pair.refreshToken } },
        200,
      );
      pair = body as TokenPair;
      return ms;
    },
    pin: async () =>
      (
        await timed(
          `${base}/api/auth/pin`,
          { method: 'POST', body: { deviceId: phone.id, secret: phone.secret, pin: '2580' } },
          200,
        )
      ).ms,
    jwt: async () => (await timed(`${base}/api/auth/me`, { method: 'GET', token: pair.accessToken }, 200)).ms,
    apiToken: async () => (await timed(`${base}/api/auth/me`, { method: 'GET', token: apiToken }, 200)).ms,
    open: async () => (await timed(`${base}/api/auth/options`, { method: 'GET' }, 200)).ms,
  };

  const samples: Record<PathName, number[]> = {
    login: [],
    refresh: [],
    pin: [],
    jwt: [],
    apiToken: [],
    open: [],
  };
  const rounds = options.warmup + options.iterations;
  const started = Date.now();
  for (let round = 0; round < rounds; round++) {
    checkInterrupted();
    for (let i = 0; i < ROUND.length; i++) {
      const name = ROUND[(round + i) % ROUND.length]!;
      const ms = await run[name]();
      if (round >= options.warmup) samples[name].push(ms);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const rssAfter = rssMiB(pid);

  const results = Object.fromEntries(ROUND.map((name) => [name, stats(samples[name])])) as Record<
    PathName,
    Stats
  >;
  const rows = ROUND.map((name) => {
    const s = results[name];
    return `| ${PATHS[name]} | ${s.n} | ${s.mean.toFixed(1)} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.max.toFixed(1)} |`;
  });
  console.log(
    ['| path (ms) | n | mean | p50 | p95 | max |', '| --- | --: | --: | --: | --: | --: |', ...rows].join(
      '\n',
    ),
  );
  console.log(
    `\n${rounds} rounds in ${seconds.toFixed(0)} s; ${options.warmup + options.iterations} sign-ins and unlocks each ` +
      `made as many sessions. Hub RSS ${rssBefore.toFixed(0)} MiB before, ${rssAfter.toFixed(0)} MiB after.`,
  );
  if (options.json) {
    fs.writeFileSync(
      options.json,
      JSON.stringify({ options, seconds, rssBefore, rssAfter, results, samples }, null, 2),
    );
  }
}

runBenchmark({
  name: 'sign-in',
  usage: USAGE,
  stopping: 'the hub',
  parse: parseOptions,
  main,
});
