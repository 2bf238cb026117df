import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from './agent';
import { AgentConfigError, DEFAULT_CONFIG_PATH, readAgentConfig } from './config';
import { enroll } from './enroll';
import { createLogger } from './logger';
import { AgentStateStore } from './state-store';
import { TimekprClient } from '@kidtime/protocol';
import { installedTimekprVersion } from './timekpr-version';
import { TimekpraRunner } from './timekpra-runner';
import { MqttTransport } from './transport/mqtt-transport';
import { SocketIoTransport } from './transport/socketio-transport';
import { uninstallCommand } from './uninstall';
import { agentVersion } from './version';

const USAGE = `kidtime-agent ${agentVersion}: lets the Kidtime hub manage Timekpr-nExT on this PC

usage:
  kidtime-agent enroll --hub URL --code CODE [--transport ws|mqtt] [--mqtt-url URL] [--config PATH] [--force]
  kidtime-agent run [--config PATH]
  kidtime-agent status [--config PATH]
  kidtime-agent uninstall [--config PATH] [--root DIR] [--purge]
  kidtime-agent --version

The configuration defaults to ${DEFAULT_CONFIG_PATH}. With --transport mqtt the agent talks to the hub's MQTT
broker, which the hub names at enrollment (--mqtt-url overrides it).`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      hub: { type: 'string' },
      code: { type: 'string' },
      config: { type: 'string', default: DEFAULT_CONFIG_PATH },
      transport: { type: 'string', default: 'ws' },
      'mqtt-url': { type: 'string' },
      force: { type: 'boolean', default: false },
      root: { type: 'string', default: '/' },
      purge: { type: 'boolean', default: false },
      version: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.version) {
    console.log(agentVersion);
    return 0;
  }
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const configPath = values.config!;

  switch (command) {
    case 'enroll': {
      // KIDTIME_ENROLL_CODE keeps the code out of the process list, where a child could read it.
      const code = values.code ?? process.env.KIDTIME_ENROLL_CODE;
      if (!values.hub || !code) {
        console.error(`enroll needs --hub and --code (or KIDTIME_ENROLL_CODE)\n\n${USAGE}`);
        return 2;
      }
      const transport = values.transport;
      if (transport !== 'ws' && transport !== 'mqtt') {
        console.error(`--transport must be "ws" or "mqtt"`);
        return 2;
      }
      const mqttUrl = values['mqtt-url'];
      if (mqttUrl !== undefined && !/^mqtts?:\/\/[^\s]+$/.test(mqttUrl)) {
        console.error(`--mqtt-url must be an mqtt:// or mqtts:// address`);
        return 2;
      }
      if (fs.existsSync(configPath) && !values.force) {
        console.error(
          `${configPath} exists: this PC is already enrolled. Add --force to enroll it again with the new code.`,
        );
        return 1;
      }
      const config = await enroll({ hubUrl: values.hub, code, configPath, transport, mqttUrl });
      console.log(`Enrolled as device ${config.deviceId}; configuration written to ${configPath}`);
      if (config.transport === 'mqtt') console.log(`It talks to the hub over MQTT at ${config.mqttUrl}`);
      console.log('Start the agent with: sudo systemctl enable --now kidtime-agent (or: kidtime-agent run)');
      return 0;
    }
    case 'run':
      return run(configPath);
    case 'status':
      return status(configPath);
    case 'uninstall':
      return uninstallCommand({ root: values.root!, configPath, purge: values.purge! });
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function run(configPath: string): Promise<number> {
  const config = readAgentConfig(configPath);
  // Under systemd (INVOCATION_ID set) journald timestamps every line already.
  const logger = createLogger(config.logLevel, undefined, process.env.INVOCATION_ID === undefined);
  const runner = new TimekpraRunner(
    {
      path: config.timekpraPath,
      systemBusAddress: process.env.DBUS_SYSTEM_BUS_ADDRESS,
      lockFile: `/tmp/timekpra.${os.userInfo().username}.pid`,
    },
    logger,
  );
  // Next to the configuration: root-only, and kept across restarts and upgrades.
  const store = new AgentStateStore(path.join(path.dirname(configPath), 'agent-state.json'), logger);
  store.load();
  const agent = new Agent({
    store,
    transport:
      config.transport === 'mqtt'
        ? new MqttTransport(
            {
              brokerUrl: config.mqttUrl!,
              baseTopic: config.mqttBaseTopic,
              deviceId: config.deviceId,
              secret: config.secret,
            },
            logger,
          )
        : new SocketIoTransport(
            { hubUrl: config.hubUrl, deviceId: config.deviceId, secret: config.secret },
            logger,
          ),
    timekpr: new TimekprClient(runner),
    logger,
    stateIntervalMs: config.stateIntervalSeconds * 1000,
  });
  logger.info(
    `kidtime-agent ${agentVersion} starting as device ${config.deviceId}, hub ${config.hubUrl}` +
      (config.transport === 'mqtt' ? ` over MQTT at ${config.mqttUrl}` : ''),
  );
  agent.start();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info(`${signal} received, stopping`);
      agent.stop().finally(resolve);
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

async function status(configPath: string): Promise<number> {
  const config = readAgentConfig(configPath);
  const logger = createLogger('error');
  const timekpr = new TimekprClient(new TimekpraRunner({ path: config.timekpraPath }, logger));
  console.log(`agent version:   ${agentVersion}`);
  console.log(`configuration:   ${configPath}`);
  console.log(`device id:       ${config.deviceId}`);
  console.log(`hub:             ${config.hubUrl} (${config.transport})`);
  if (config.transport === 'mqtt')
    console.log(`MQTT broker:     ${config.mqttUrl} (topics under ${config.mqttBaseTopic}/)`);
  console.log(`timekpr version: ${installedTimekprVersion() ?? 'not found'}`);
  let healthy = true;
  try {
    const users = await timekpr.listLogins();
    console.log(`managed users:   ${users.length > 0 ? users.join(', ') : 'none'}`);
  } catch (error) {
    healthy = false;
    console.log(`managed users:   cannot read (${(error as Error).message})`);
  }
  try {
    const response = await fetch(`${config.hubUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
    console.log(`hub reachable:   ${response.ok ? 'yes' : `no (HTTP ${response.status})`}`);
    healthy &&= response.ok;
  } catch (error) {
    healthy = false;
    console.log(`hub reachable:   no (${(error as Error).message})`);
  }
  return healthy ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `kidtime-agent: ${error instanceof AgentConfigError ? error.message : ((error as Error).stack ?? String(error))}`,
    );
    process.exitCode = 1;
  },
);
