import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_MQTT_BASE_TOPIC, describeZodError, mqttBaseTopicSchema } from '@kidtime/protocol';
import { z } from 'zod';

export const DEFAULT_CONFIG_PATH = '/etc/kidtime/agent.json';

export const agentConfigSchema = z
  .object({
    hubUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
    deviceId: z.uuid(),
    secret: z.string().min(20),
    /** `ws`: socket.io to the hub; `mqtt`: the hub's MQTT broker (mqttUrl, topics under mqttBaseTopic). */
    transport: z.enum(['ws', 'mqtt']).default('ws'),
    mqttUrl: z.url({ protocol: /^mqtts?$/ }).optional(),
    mqttBaseTopic: mqttBaseTopicSchema.default(DEFAULT_MQTT_BASE_TOPIC),
    /** Seconds between state reports while connected (jittered by ±25 %). */
    stateIntervalSeconds: z.number().int().min(10).max(3600).default(45),
    timekpraPath: z.string().startsWith('/').default('/usr/bin/timekpra'),
    logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  })
  .refine((config) => config.transport !== 'mqtt' || config.mqttUrl, {
    message: 'transport "mqtt" needs mqttUrl (the broker, mqtt://host:port)',
    path: ['mqttUrl'],
  });
export type AgentConfig = z.infer<typeof agentConfigSchema>;

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/**
 * Reads the agent's configuration. It holds the device credential, so it must belong to root and be
 * private, in a directory only root can change: a child who could read it could act as this PC, and one who
 * could edit or swap it could point the agent at a hub of their own. The agent refuses anything else.
 */
export function readAgentConfig(file: string): AgentConfig {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES')
      throw new AgentConfigError(`${file} is readable by root only: run this as root (sudo kidtime-agent …)`);
    throw new AgentConfigError(
      `${file} does not exist: this PC is not enrolled yet. Run: sudo kidtime-agent enroll --hub URL --code CODE`,
    );
  }
  assertOnlyRootCanTouch(file, stat);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AgentConfigError(
      `${file} is not valid JSON (${(error as Error).message}); enroll this PC again`,
    );
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = describeZodError(parsed.error, 'config');
    throw new AgentConfigError(`${file} is invalid (${problem}); enroll this PC again`);
  }
  return parsed.data;
}

function assertOnlyRootCanTouch(file: string, stat: fs.Stats): void {
  const asRoot = process.getuid?.() === 0;
  if (asRoot && stat.uid !== 0)
    throw new AgentConfigError(
      `${file} must be owned by root (it is owned by uid ${stat.uid}); refusing to use it. ` +
        `If you trust its content, fix it with: sudo chown root:root ${file} && sudo chmod 600 ${file}`,
    );
  if ((stat.mode & 0o077) !== 0)
    throw new AgentConfigError(
      `${file} can be read or changed by users other than its owner (mode ${octal(stat.mode)}); ` +
        `it holds this PC's credential, so the agent refuses to use it. Fix it with: sudo chmod 600 ${file}`,
    );
  const dir = path.dirname(file);
  const dirStat = fs.statSync(dir);
  if ((asRoot && dirStat.uid !== 0) || (dirStat.mode & 0o022) !== 0)
    throw new AgentConfigError(
      `${dir} can be changed by users other than root (owner uid ${dirStat.uid}, mode ${octal(dirStat.mode)}), ` +
        `so the configuration in it could be swapped; the agent refuses to use it. ` +
        `Fix it with: sudo chown root:root ${dir} && sudo chmod 700 ${dir}`,
    );
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Writes the configuration atomically, readable by its owner only, in a directory only its owner can enter. */
export function writeAgentConfig(file: string, config: AgentConfig): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
