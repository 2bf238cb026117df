/**
 * Agent idle cost: memory (RSS, split into private and file-backed pages) and CPU of the agent bundle while it
 * sits connected to the hub with nothing to do but its periodic state reads, over one minute (or --seconds).
 * A bare `node` process waiting on a timer is measured beside it: the floor any Node.js program pays here.
 *
 *   node bench/run.mjs agent-idle [--seconds 60] [--json FILE]      (as root, after `npm run build`)
 *
 * Starts its own Timekpr lab (so the agent's timekpra reads are real), the built hub on loopback and the
 * enrolled agent; stops all of it at the end, on errors and on Ctrl-C. See docs/benchmarks.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ApiClient } from '../test/support/api-client';
import { HubProcess, enrollAndStartAgent } from '../test/support/hub-process';
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

const USAGE = 'usage: node bench/run.mjs agent-idle [--seconds 60] [--json FILE]';

interface Options {
  seconds: number;
  json: string | undefined;
}

function parseOptions(argv: string[]): Options {
  let values: { seconds?: string; json?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
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
  return { seconds, json: values.json };
}

async function main({ seconds, json }: Options): Promise<void> {
  console.log('Starting the Timekpr lab, the hub and an enrolled agent…');
  const lab = await startTimekprLab();
  onCleanup('the Timekpr lab', () => lab.stop({ deleteUsers: true }));
  await lab.ensureUser(LOGIN);
  const hub = await HubProcess.start({ HOST: '127.0.0.1', LOG_LEVEL: 'log' });
  onCleanup('the hub', () => hub.stop());
  const api = new ApiClient(hub.url);
  const setup = await api.post('/api/setup', { username: 'bench', password: 'quiet-evening-42' });
  if (setup.status !== 201) throw new Error(`setup failed: ${JSON.stringify(setup.body)}`);
  await api.login('bench', 'quiet-evening-42');
  const enrolled = await enrollAndStartAgent(api, LOGIN);
  onCleanup('the agent', async () => {
    await enrolled.agent.stop();
    enrolled.removeConfig();
  });
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
  const result = { node: process.version, cpus: os.cpus().length, agent, bareNode };
  console.log(JSON.stringify(result, null, 2));
  if (json) fs.writeFileSync(json, JSON.stringify(result, null, 2));
}

runBenchmark({
  name: 'agent-idle',
  usage: USAGE,
  stopping: 'the agent, the hub and the lab',
  parse: parseOptions,
  main,
});
