/**
 * Agent idle cost: memory (RSS, split into private and file-backed pages) and CPU of the agent bundle while it
 * sits connected to the hub with nothing to do but its periodic state reads, over one minute (or --seconds).
 * A bare `node` process waiting on a timer is measured beside it: the floor any Node.js program pays here.
 *
 *   node bench/run.mjs agent-idle [--transport ws|mqtt] [--seconds 60] [--json FILE]   (as root, after `npm run build`)
 *
 * Starts its own Timekpr lab (so the agent's timekpra reads are real), the built hub on loopback (its embedded
 * MQTT broker on 127.0.0.1 too) and the agent, enrolled with `--transport` (socket.io or MQTT through the
 * hub's broker); stops all of it at the end, on errors and on Ctrl-C. See docs/benchmarks.md.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { ApiClient } from '../test/support/api-client';
import { AGENT_BUNDLE, HubProcess, ROOT, enrollAndStartAgent } from '../test/support/hub-process';
import { sleep } from '../test/support/processes';
import { startTimekprLab } from '../test/support/timekpr-lab';
import { UsageError, onCleanup, runBenchmark } from './lib/harness';

const LOGIN = 'ktbench3';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Sample {
  rssKb: number;
  anonKb: number;
  fileKb: number;
}

function memory(pid: number): Sample {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
  return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
}

/** CPU ticks of the process itself, and of its children it has waited for (the timekpra calls). */
function cpu(pid: number): { own: number; children: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { own: Number(fields[11]) + Number(fields[12]), children: Number(fields[13]) + Number(fields[14]) };
}

async function observe(pid: number, seconds: number) {
  const samples: Sample[] = [];
  const before = cpu(pid);
  const started = Date.now();
  for (let i = 0; i < seconds; i++) {
    samples.push(memory(pid));
    await sleep(1000);
  }
  const after = cpu(pid);
  const elapsed = (Date.now() - started) / 1000;
  const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / elapsed) * 10_000) / 100;
  const mib = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  const stat = (key: keyof Sample) => ({
    mean: mib(samples.reduce((sum, s) => sum + s[key], 0) / samples.length),
    max: mib(Math.max(...samples.map((s) => s[key]))),
  });
  return {
    seconds: Math.round(elapsed),
    rssMiB: stat('rssKb'),
    privateMiB: stat('anonKb'),
    fileBackedMiB: stat('fileKb'),
    cpuPercent: percent(after.own - before.own),
    cpuPercentWithTimekpra: percent(after.own + after.children - before.own - before.children),
  };
}

const USAGE = `usage: node bench/run.mjs agent-idle [--transport ws|mqtt] [--seconds 60] [--json FILE]
  --transport ws|mqtt   how the agent talks to the hub: socket.io (default) or MQTT through the hub's
                        embedded broker (\`kidtime-agent enroll --transport mqtt\`)`;

const TRANSPORTS = ['ws', 'mqtt'] as const;
type Transport = (typeof TRANSPORTS)[number];

interface Options {
  transport: Transport;
  seconds: number;
  json: string | undefined;
}

function parseOptions(argv: string[]): Options {
  let values: { transport?: string; seconds?: string; json?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        transport: { type: 'string', default: 'ws' },
        seconds: { type: 'string', default: '60' },
        json: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) throw new UsageError('');
  const seconds = Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 600) throw new UsageError('--seconds: 5 to 600');
  const transport = TRANSPORTS.find((name) => name === values.transport);
  if (!transport) throw new UsageError(`--transport must be one of ${TRANSPORTS.join(', ')}`);
  return { transport, seconds, json: values.json };
}

async function main({ transport, seconds, json }: Options): Promise<void> {
  console.log(`Starting the Timekpr lab, the hub and an agent enrolled with --transport ${transport}…`);
  const lab = await startTimekprLab();
  onCleanup('the Timekpr lab', () => lab.stop({ deleteUsers: true }));
  await lab.ensureUser(LOGIN);
  // The embedded broker on a free loopback port; the hub names it to the agent at enrollment.
  const hub = await HubProcess.start({
    HOST: '127.0.0.1',
    LOG_LEVEL: 'log',
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
  });
  onCleanup('the hub', () => hub.stop());
  const api = new ApiClient(hub.url);
  const setup = await api.post('/api/setup', { username: 'bench', password: 'quiet-evening-42' });
  if (setup.status !== 201) throw new Error(`setup failed: ${JSON.stringify(setup.body)}`);
  await api.login('bench', 'quiet-evening-42');
  const enrolled = await enrollAndStartAgent(api, LOGIN, {}, { transport });
  onCleanup('the agent', async () => {
    await enrolled.agent.stop();
    enrolled.removeConfig();
  });
  // Measure what was asked for: the hub must see the PC on that transport, an MQTT agent at the hub's broker.
  if (enrolled.device.transport !== transport)
    throw new Error(`the agent connected over ${enrolled.device.transport}, not ${transport}`);
  const agentConfig = JSON.parse(fs.readFileSync(enrolled.configPath, 'utf8')) as { mqttUrl?: string };
  if (transport === 'mqtt') {
    if (agentConfig.mqttUrl !== hub.mqttUrl)
      throw new Error(`the agent uses the broker ${agentConfig.mqttUrl}, not the hub's ${hub.mqttUrl}`);
    console.log(`The agent talks to the hub's embedded broker at ${hub.mqttUrl}`);
  }
  const baseline: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e9)'], {
    stdio: 'ignore',
  });
  onCleanup('the bare node process', async () => baseline.kill());

  console.log('Letting start-up settle for 10 s…');
  await sleep(10_000);
  console.log(`Observing for ${seconds} s…`);
  const [agent, bareNode] = await Promise.all([
    observe(enrolled.agent.process.child.pid!, seconds),
    observe(baseline.pid!, seconds),
  ]);
  const result = {
    transport,
    commit: gitDescribe(),
    node: process.version,
    cpus: os.cpus().length,
    agentBundle: { file: path.relative(ROOT, AGENT_BUNDLE), bytes: fs.statSync(AGENT_BUNDLE).size },
    agent,
    bareNode,
  };
  console.log(JSON.stringify(result, null, 2));
  if (json) fs.writeFileSync(json, JSON.stringify(result, null, 2));
}

/** The commit the bundle was built from, when the checkout says (`-dirty` when it has changes). */
function gitDescribe(): string | null {
  try {
    return execFileSync('git', ['-C', ROOT, 'describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

runBenchmark({
  name: 'agent-idle',
  usage: USAGE,
  stopping: 'the agent, the hub and the lab',
  parse: parseOptions,
  main,
});
