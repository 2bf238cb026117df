/**
 * MQTT for end-to-end tests: a probe client that records what it receives (an agent that misbehaves, or a
 * spy with the hub's login), and a real mosquitto started from its own config file on a loopback port.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { TestProcess, freePort, sleep } from './processes';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

export class MqttProbe {
  readonly received: Received[] = [];
  closed = false;

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) =>
      this.received.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }),
    );
    client.on('close', () => (this.closed = true));
  }

  /** Connects with MQTT 3.1.1 and no reconnection; rejects with the broker's refusal. */
  static connect(url: string, options: IClientOptions): Promise<MqttProbe> {
    return new Promise((resolve, reject) => {
      const client = connect(url, {
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...options,
      });
      client.once('connect', () => resolve(new MqttProbe(client)));
      client.once('error', (error) => {
        client.end(true);
        reject(error);
      });
      client.once('close', () => reject(new Error('connection closed before CONNACK')));
    });
  }

  /** The granted QoS per filter: 128 is a refusal. */
  async subscribe(filter: string): Promise<number> {
    try {
      const granted = await this.client.subscribeAsync(filter, { qos: 1 });
      return granted[0]!.qos;
    } catch (error) {
      // mqtt.js turns a SUBACK 0x80 into an error.
      if (/Subscribe error/.test((error as Error).message)) return 128;
      throw error;
    }
  }

  /** Publishes with QoS 1 without waiting for long: a broker may drop a refused publish silently, or the client. */
  async publish(topic: string, payload: string | Buffer, retain = false): Promise<void> {
    await Promise.race([
      this.client.publishAsync(topic, payload, { qos: 1, retain }).catch(() => undefined),
      sleep(1_000),
    ]);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}

/** The README's ACL for an external broker, for a base topic. */
export function readmeAcl(base = 'kidtime'): string {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const match = readme.match(/```\n([ \t]*# kidtime ACL[\s\S]*?)```/);
  if (!match) throw new Error('The README has no "# kidtime ACL" block');
  const lines = match[1]!.split('\n').map((line) => line.trim());
  return lines.join('\n').replace(/kidtime\//g, `${base}/`);
}

/**
 * Debian's mosquitto as root (it drops to user "mosquitto", so its files are chowned to it), logging to stderr, listening on a
 * free loopback port with a password file and the README's ACL. Stopped by its own pid.
 */
export class MosquittoProcess {
  private constructor(
    public process: TestProcess,
    readonly dir: string,
    readonly port: number,
  ) {}

  static async start(users: Record<string, string>): Promise<MosquittoProcess> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kidtime-mosquitto-'));
    fs.chmodSync(dir, 0o755);
    const port = await freePort();
    const passwd = path.join(dir, 'passwd');
    const acl = path.join(dir, 'acl');
    fs.writeFileSync(passwd, '', { mode: 0o600 });
    fs.writeFileSync(acl, readmeAcl(), { mode: 0o600 });
    for (const file of [passwd, acl]) execFileSync('chown', ['mosquitto', file]);
    const conf = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(
      conf,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous false',
        `password_file ${passwd}`,
        `acl_file ${acl}`,
        'persistence false',
        'log_dest stderr', // unbuffered, unlike stdout into a pipe
        'log_type error',
        'log_type warning',
        'log_type notice',
        'log_type information',
        'connection_messages true',
        '',
      ].join('\n'),
    );
    for (const [user, password] of Object.entries(users)) {
      execFileSync('/usr/bin/mosquitto_passwd', ['-b', passwd, user, password]);
    }
    execFileSync('chown', ['mosquitto', passwd]);
    const broker = new MosquittoProcess(MosquittoProcess.spawn(dir), dir, port);
    try {
      await broker.process.waitForOutput(/mosquitto version .* running/);
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  private static spawn(dir: string): TestProcess {
    return TestProcess.start('mosquitto', '/usr/sbin/mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], {
      PATH: process.env.PATH,
    });
  }

  /** Stops and starts the broker on the same port with the same files. Nothing retained survives (no persistence). */
  async restart(): Promise<void> {
    await this.process.stop();
    this.process = MosquittoProcess.spawn(this.dir);
    await this.process.waitForOutput(/mosquitto version .* running/);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Adds a login to the password file, as the README tells an administrator to; reload() applies it. */
  addUser(user: string, password: string): void {
    execFileSync('/usr/bin/mosquitto_passwd', ['-b', path.join(this.dir, 'passwd'), user, password]);
    execFileSync('chown', ['mosquitto', path.join(this.dir, 'passwd')]);
    this.reload();
  }

  deleteUser(user: string): void {
    execFileSync('/usr/bin/mosquitto_passwd', ['-D', path.join(this.dir, 'passwd'), user]);
    this.reload();
  }

  /** SIGHUP: mosquitto reads its password and ACL files again. */
  reload(): void {
    if (this.process.running) this.process.child.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    await this.process.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
