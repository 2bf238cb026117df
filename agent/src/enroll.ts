import os from 'node:os';
import { DEFAULT_MQTT_BASE_TOPIC, agentEnrollResponseSchema } from '@kidtime/protocol';
import { AgentConfigError, writeAgentConfig, type AgentConfig } from './config';
import { agentVersion } from './version';

export interface EnrollOptions {
  hubUrl: string;
  code: string;
  configPath: string;
  transport: AgentConfig['transport'];
  /** The broker to use instead of the one the hub names (for a broker the hub reaches at another address). */
  mqttUrl?: string | undefined;
  fetch?: typeof fetch;
}

/** Exchanges a one-time code for this PC's credential and writes the configuration. */
export async function enroll(options: EnrollOptions): Promise<AgentConfig> {
  let hubUrl: URL;
  try {
    hubUrl = new URL(options.hubUrl);
    if (!/^https?:$/.test(hubUrl.protocol)) throw new Error('not http(s)');
  } catch {
    throw new AgentConfigError(
      `--hub must be the hub's http:// or https:// address, got "${options.hubUrl}"`,
    );
  }
  const base = hubUrl.toString().replace(/\/+$/, '');
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(`${base}/api/agents/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: options.code,
        hostname: os.hostname().slice(0, 100) || 'unknown',
        agentVersion,
        transport: options.transport,
      }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new AgentConfigError(`Cannot reach the hub at ${base}: ${(error as Error).message}`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { message?: unknown } | null)?.message;
    throw new AgentConfigError(
      `The hub refused the enrollment (${response.status}): ${typeof message === 'string' ? message : 'no reason given'}`,
    );
  }
  const credential = agentEnrollResponseSchema.safeParse(body);
  if (!credential.success)
    throw new AgentConfigError('The hub answered the enrollment with something unexpected');
  const mqtt = credential.data.mqtt ?? null;
  const mqttUrl = options.mqttUrl ?? mqtt?.url;
  if (options.transport === 'mqtt' && !mqttUrl)
    throw new AgentConfigError(
      'The hub did not name an MQTT broker: give one with --mqtt-url mqtt://HOST:PORT',
    );
  const config: AgentConfig = {
    hubUrl: base,
    deviceId: credential.data.deviceId,
    secret: credential.data.secret,
    transport: options.transport,
    ...(mqttUrl ? { mqttUrl } : {}),
    mqttBaseTopic: mqtt?.baseTopic ?? DEFAULT_MQTT_BASE_TOPIC,
    stateIntervalSeconds: 45,
    timekpraPath: '/usr/bin/timekpra',
    logLevel: 'info',
  };
  writeAgentConfig(options.configPath, config);
  return config;
}
