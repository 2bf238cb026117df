import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeviceView, EnrollmentCreated, ManagedUserView } from '@kidtime/protocol';
import type { ApiClient } from './api-client';
import { TestProcess, eventually } from './processes';

export const ROOT = path.resolve(__dirname, '../..');
export const AGENT_BUNDLE = path.join(ROOT, 'agent/dist/kidtime-agent.cjs');

/** The built hub (`hub/dist/main.js`) on a free port with its own temporary data directory. */
export class HubProcess {
  private constructor(
    public process: TestProcess,
    readonly dataDir: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(env: NodeJS.ProcessEnv = {}): Promise<HubProcess> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-hub-'));
    const hub = HubProcess.spawn(dataDir, 0, env);
    const [, port] = await hub.waitForOutput(/listening on http:\/\/[^:]+:(\d+)/);
    return new HubProcess(hub, dataDir, Number(port), env);
  }

  private static spawn(dataDir: string, port: number, env: NodeJS.ProcessEnv): TestProcess {
    const main = path.join(ROOT, 'hub/dist/main.js');
    if (!fs.existsSync(main)) throw new Error('The hub is not built: run "npm run build" first');
    return TestProcess.start(
      'hub',
      process.execPath,
      [main],
      {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '0.0.0.0',
        KIDTIME_DATA_DIR: dataDir,
        LOG_LEVEL: 'debug',
        // The embedded broker on a free loopback port, so hubs of different tests never collide.
        MQTT_PORT: '0',
        MQTT_HOST: '127.0.0.1',
        ...env,
      },
      dataDir,
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The embedded broker's address, as the hub printed it. */
  get mqttUrl(): string {
    const match = this.process.log.match(/MQTT broker listening on (mqtt:\/\/[^\s]+)/);
    if (!match) throw new Error(`The hub did not start its MQTT broker:\n${this.process.log}`);
    return match[1]!;
  }

  /** The hub's generated login at its embedded broker (from its data directory). */
  get mqttHubPassword(): string {
    const secrets = JSON.parse(fs.readFileSync(path.join(this.dataDir, 'secrets.json'), 'utf8')) as {
      mqttHubPassword: string;
    };
    return secrets.mqttHubPassword;
  }

  get log(): string {
    return this.process.log;
  }

  /** Starts the hub again on the same port and data directory (after stopOnly() or kill()), with `env` changed. */
  async restart(env: NodeJS.ProcessEnv = {}): Promise<void> {
    this.process = HubProcess.spawn(this.dataDir, this.port, { ...this.env, ...env });
    await this.process.waitForOutput(/listening on http:\/\/[^:]+:(\d+)/);
  }

  /** SIGKILL: a crash, with whatever was in flight. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** A clean stop that keeps the data directory, to restart(). */
  async stopOnly(): Promise<void> {
    await this.process.stop();
  }

  async stop(): Promise<void> {
    await this.process.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The agent bundle run as a separate process, as systemd would run it. */
export class AgentProcess {
  private constructor(
    readonly process: TestProcess,
    readonly configPath: string,
  ) {}

  static async enroll(
    hubUrl: string,
    code: string,
    configPath: string,
    extraArgs: string[] = [],
  ): Promise<string> {
    const enroll = TestProcess.start(
      'agent enroll',
      process.execPath,
      [AGENT_BUNDLE, 'enroll', '--hub', hubUrl, '--code', code, '--config', configPath, ...extraArgs],
      { PATH: process.env.PATH },
    );
    const exitCode = await enroll.wait();
    if (exitCode !== 0) throw new Error(`kidtime-agent enroll failed (${exitCode}):\n${enroll.log}`);
    return enroll.log;
  }

  static start(configPath: string): AgentProcess {
    const agent = TestProcess.start(
      'agent',
      process.execPath,
      [AGENT_BUNDLE, 'run', '--config', configPath],
      {
        PATH: process.env.PATH,
      },
    );
    return new AgentProcess(agent, configPath);
  }

  get log(): string {
    return this.process.log;
  }

  stop(): Promise<number | null> {
    return this.process.stop();
  }

  /** SIGKILL, as a crash would end it. */
  kill(): Promise<void> {
    return this.process.kill();
  }
}

/** A non-loopback address of this machine, to show what remote clients are refused. */
export function nonLoopbackAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === 'IPv4') return address.address;
    }
  }
  throw new Error('This machine has no non-loopback IPv4 address to test remote access with');
}

export interface EnrolledAgent {
  agent: AgentProcess;
  device: DeviceView;
  configPath: string;
  /** Removes the agent's temporary configuration directory (stop the agent first). */
  removeConfig(): void;
}

/**
 * What a parent does to add a PC, end to end: create an enrollment code through the API, enroll the agent
 * bundle with it into a temporary configuration, start the agent, and wait until the PC is online and
 * reports the given Timekpr-nExT user with its state.
 */
export interface EnrollOptions {
  /** `kidtime-agent enroll --transport mqtt` */
  transport?: 'ws' | 'mqtt';
  /** Runs after enrollment, before the agent starts (e.g. to give an external broker the device's login). */
  beforeStart?: (configPath: string) => Promise<void>;
}

export async function enrollAndStartAgent(
  api: ApiClient,
  login: string,
  config: { stateIntervalSeconds?: number } = {},
  options: EnrollOptions = {},
): Promise<EnrolledAgent> {
  const enrollment = await api.post<EnrollmentCreated>('/api/enrollments', {});
  if (enrollment.status !== 201) throw new Error(`enrollment failed: ${JSON.stringify(enrollment.body)}`);
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-agent-'));
  const configPath = path.join(configDir, 'agent.json');
  await AgentProcess.enroll(
    api.baseUrl,
    enrollment.body.code,
    configPath,
    options.transport ? ['--transport', options.transport] : [],
  );
  await options.beforeStart?.(configPath);
  if (Object.keys(config).length > 0) {
    const written = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...written, ...config }), { mode: 0o600 });
  }
  const agent = AgentProcess.start(configPath);
  const device = await eventually(`the agent to connect and report ${login}`, async () => {
    const online = (await api.get<DeviceView[]>('/api/devices')).body.find((d) => d.online);
    if (!online) return undefined;
    const users = (await api.get<ManagedUserView[]>(`/api/devices/${online.id}/users`)).body;
    return users.some((u) => u.login === login && u.state) ? online : undefined;
  }).catch(async (error: Error) => {
    await agent.stop();
    throw new Error(`${error.message}\nagent output:\n${agent.log.slice(-3000)}`);
  });
  return {
    agent,
    device,
    configPath,
    removeConfig: () => fs.rmSync(configDir, { recursive: true, force: true }),
  };
}
