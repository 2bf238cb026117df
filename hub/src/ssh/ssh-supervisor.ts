import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UsageBook, type DeviceMode, type ResultMessage, type UsersSnapshot } from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { AgentSessionsService } from '../agents/agent-sessions.service';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { CommandRepository } from '../commands/command.repository';
import { printable } from '../common/printable';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG, HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { DeviceLinks } from '../devices/device-links';
import { DeviceRepository } from '../devices/device.repository';
import { DevicesService } from '../devices/devices.service';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import { CredentialCipher } from '../common/credential-cipher';
import type { DeviceSshEntity } from './device-ssh.entity';
import { DeviceSshRepository } from './device-ssh.repository';
import { SshConnectionError } from './ssh-client.adapter';
import type { HostKeyInfo } from './ssh-keys';
import { SshLink, type SshEndpoint } from './ssh-link';

/** A login secret as it is sealed in the database. */
export type SshSecret =
  { password: string } | { privateKey: string; passphrase?: string } | Record<string, never>;

/** "Last contact" is written at most this often while a PC stays reachable. */
const CONTACT_WRITE_INTERVAL_MS = 60_000;

interface Entry {
  link: SshLink;
  mode: DeviceMode;
  timer: NodeJS.Timeout | null;
  polling: Promise<void> | null;
  book: UsageBook | null;
  lastContactWrite: number;
}

/** What a one-off connection found: the key the PC showed and the logins timekpr manages there. */
export interface SshProbe {
  hostKey: HostKeyInfo;
  users: string[];
  elapsedMs: number;
}

/**
 * Keeps one SSH link per PC that has SSH settings: reads agentless PCs (and PCs whose agent is offline) every
 * SSH_POLL_SECONDS for their state and usage, makes the link available for commands while the PC answers,
 * and delivers what waited for it when it starts answering again. A PC in `agent-then-ssh` mode is left alone
 * while its agent is connected.
 */
@Injectable()
export class SshSupervisor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SshSupervisor.name);
  private readonly entries = new Map<string, Entry>();
  private readonly cipher: CredentialCipher;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(HUB_SECRETS) private readonly secrets: HubSecrets,
    private readonly rows: DeviceSshRepository,
    private readonly devices: DeviceRepository,
    private readonly users: ManagedUserRepository,
    private readonly links: DeviceLinks,
    private readonly sessions: AgentSessionsService,
    private readonly commands: CommandRepository,
    private readonly deviceViews: DevicesService,
    private readonly audit: AuditService,
  ) {
    this.cipher = new CredentialCipher(secrets.credentialKey, {
      what: 'SSH secret',
      remedy: 'enter the password or key again',
    });
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.links.onChange((deviceId) => this.agentMayHaveChanged(deviceId));
    for (const row of await this.rows.listActive()) {
      const device = await this.devices.findActive(row.deviceId);
      if (device) this.start(device.id, device.mode, row);
    }
    if (this.entries.size > 0) this.logger.log(`Reaching ${this.entries.size} PC(s) over SSH`);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const id of [...this.entries.keys()]) this.stop(id);
  }

  seal(secret: SshSecret, deviceId: string): string {
    return this.cipher.seal(secret, deviceId);
  }

  /** The login secret of a row, for a new connection or a settings change that keeps it. */
  secretOf(row: DeviceSshEntity): SshSecret {
    return this.cipher.open(row.secret, row.deviceId) as SshSecret;
  }

  /** Starts (or starts again, with new settings) reaching a PC over SSH. */
  start(deviceId: string, mode: DeviceMode, row?: DeviceSshEntity): void {
    this.stop(deviceId);
    this.links.setMode(deviceId, mode);
    const entry: Entry = {
      link: this.link(deviceId),
      mode,
      timer: null,
      polling: null,
      book: row?.usageBook ? new UsageBook(this.bookOptions(row), row.usageBook) : null,
      lastContactWrite: 0,
    };
    this.entries.set(deviceId, entry);
    this.schedule(deviceId, 0);
  }

  /** Stops reaching a PC over SSH (its settings were removed or it was revoked). */
  stop(deviceId: string): void {
    const entry = this.entries.get(deviceId);
    if (!entry) return;
    this.entries.delete(deviceId);
    if (entry.timer) clearTimeout(entry.timer);
    entry.link.stop();
    this.links.setSsh(deviceId, null);
  }

  /** Reads the PC now (after settings changed or a host key was trusted) and waits for it. */
  async pollNow(deviceId: string): Promise<void> {
    const entry = this.entries.get(deviceId);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    await this.poll(deviceId, entry);
  }

  /**
   * A parent's connection check met a saved PC: it counts as news of the PC, so a new host key or an outage
   * shows at once rather than at the next poll, and a PC that answers again is read now.
   */
  async checked(deviceId: string, error: unknown): Promise<void> {
    if (error instanceof SshConnectionError) {
      await this.unreachable(deviceId, error);
    } else if (!error && !(await this.rows.find(deviceId))?.reachable) {
      await this.pollNow(deviceId);
    }
  }

  /**
   * Connects once with settings that are not saved yet (a new PC, changed settings) and lists timekpr's users:
   * the key the PC shows is returned to be pinned. Throws SshConnectionError or TimekprError saying what is wrong.
   */
  async probe(endpoint: SshEndpoint): Promise<SshProbe> {
    const started = Date.now();
    let hostKey: HostKeyInfo | null = null;
    const link = new SshLink({
      deviceId: 'probe',
      endpoint: () => Promise.resolve(endpoint),
      connectTimeoutMs: this.config.ssh.connectTimeoutMs,
      commandTimeoutMs: this.config.ssh.commandTimeoutMs,
      idleCloseMs: this.config.ssh.idleCloseMs,
      connected: async (key) => {
        hostKey = key;
      },
      lost: () => undefined,
      result: () => Promise.resolve(),
      journal: { read: () => Promise.resolve(null), write: () => Promise.resolve() },
      log: { debug: () => undefined, warn: (message) => this.logger.warn(message) },
    });
    try {
      await link.connect();
      const users = await link.timekpr.listLogins();
      return { hostKey: hostKey!, users, elapsedMs: Date.now() - started };
    } finally {
      link.stop();
    }
  }

  /** The connection details of a saved PC, with its secret opened. */
  async endpoint(deviceId: string): Promise<SshEndpoint> {
    const row = await this.rows.find(deviceId);
    if (!row) throw new SshConnectionError('closed', 'this PC has no SSH settings any more');
    return this.endpointOf(row, this.secretOf(row));
  }

  endpointOf(
    row: Pick<
      DeviceSshEntity,
      'host' | 'port' | 'username' | 'auth' | 'timekpraPath' | 'timezone' | 'hostKey' | 'expectedFingerprint'
    >,
    secret: SshSecret,
  ): SshEndpoint {
    const login =
      row.auth === 'hub-key'
        ? { privateKey: this.secrets.sshKey.privateKey }
        : 'password' in secret
          ? { password: secret.password }
          : 'privateKey' in secret
            ? { privateKey: secret.privateKey, passphrase: secret.passphrase }
            : {};
    return {
      host: row.host,
      port: row.port,
      username: row.username,
      ...login,
      timekpraPath: row.timekpraPath,
      timezone: row.timezone ?? hubTimezone(),
      pinnedHostKey: row.hostKey,
      expectedFingerprint: row.expectedFingerprint,
    };
  }

  private link(deviceId: string): SshLink {
    return new SshLink({
      deviceId,
      endpoint: () => this.endpoint(deviceId),
      connectTimeoutMs: this.config.ssh.connectTimeoutMs,
      commandTimeoutMs: this.config.ssh.commandTimeoutMs,
      idleCloseMs: this.config.ssh.idleCloseMs,
      connected: (hostKey) => this.connected(deviceId, hostKey),
      lost: (error) => void this.unreachable(deviceId, error),
      result: (result: ResultMessage) => this.sessions.result(deviceId, result, 'ssh'),
      journal: {
        read: (id) => this.commands.journal(id),
        write: (id, entry) => this.commands.setJournal(id, entry),
      },
      log: {
        debug: (message) => this.logger.debug(`${deviceId}: ${message}`),
        warn: (message) => this.logger.warn(`${deviceId}: ${message}`),
      },
    });
  }

  /** SSH is needed for this PC now: always in `ssh` mode, in `agent-then-ssh` only while its agent is away. */
  private wanted(deviceId: string, entry: Entry): boolean {
    return entry.mode === 'ssh' || (entry.mode === 'agent-then-ssh' && !this.links.agent(deviceId));
  }

  private schedule(deviceId: string, delayMs: number): void {
    const entry = this.entries.get(deviceId);
    if (!entry || this.stopped) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      void this.poll(deviceId, entry);
    }, delayMs);
    entry.timer.unref();
  }

  private poll(deviceId: string, entry: Entry): Promise<void> {
    entry.polling ??= this.pollOnce(deviceId, entry).finally(() => {
      entry.polling = null;
      if (this.entries.get(deviceId) === entry) this.schedule(deviceId, this.config.ssh.pollIntervalMs);
    });
    return entry.polling;
  }

  private async pollOnce(deviceId: string, entry: Entry): Promise<void> {
    const device = await this.devices.findActive(deviceId);
    if (!device?.ssh) {
      this.stop(deviceId); // revoked, or its SSH settings removed
      return;
    }
    if (!this.wanted(deviceId, entry)) {
      this.links.setSsh(deviceId, null);
      return;
    }
    let snapshot: UsersSnapshot;
    try {
      snapshot = await entry.link.readAll();
    } catch (error) {
      if (error instanceof SshConnectionError) return; // `lost` has recorded it
      // Reachable, but timekpr did not answer (timekprd stopped, the user not in group timekpr…).
      await this.reachable(deviceId, entry, printable((error as Error).message));
      return;
    }
    await this.reachable(deviceId, entry, null);
    await this.users.ensure(deviceId, [
      ...snapshot.users.map((user) => user.login),
      ...snapshot.errors.map((e) => e.login),
    ]);
    await this.sessions.state(deviceId, { at: new Date().toISOString(), ...snapshot });
    await this.book(deviceId, entry, snapshot);
  }

  /** Books usage as the agent would, and hands it to the hub's usage records. */
  private async book(deviceId: string, entry: Entry, snapshot: UsersSnapshot): Promise<void> {
    const row = await this.rows.find(deviceId);
    if (!row) return;
    entry.book ??= new UsageBook(this.bookOptions(row), null);
    if (!entry.book.observe(snapshot.users, new Date())) return;
    for (let batch = entry.book.pending(); batch.length > 0; batch = entry.book.pending()) {
      const refused = await this.sessions.usageRecords(deviceId, { records: batch });
      if (refused) this.logger.warn(`Usage of device ${deviceId} over SSH partly refused: ${refused}`);
      entry.book.acknowledge(batch);
    }
    await this.rows.update(deviceId, { usageBook: entry.book.snapshot() });
  }

  private bookOptions(row: DeviceSshEntity) {
    return {
      maxGapMs: this.config.ssh.pollIntervalMs * 3,
      timezone: row.timezone ?? hubTimezone(),
      newEpoch: randomUUID,
      onDropped: (days: string[]) =>
        this.logger.warn(`Dropped old usage of device ${row.deviceId}: ${days.join(', ')}`),
    };
  }

  /** A connection logged in: pin the host key the first time; a key that was refused before is forgotten. */
  private async connected(deviceId: string, hostKey: HostKeyInfo): Promise<void> {
    const row = await this.rows.find(deviceId);
    if (!row) return;
    if (!row.hostKey) {
      await this.rows.update(deviceId, pinned(hostKey));
      this.logger.log(
        `Device ${deviceId}: pinned SSH host key ${hostKey.fingerprint} (${hostKey.algorithm})`,
      );
      await this.audit.record(SYSTEM_ACTOR, {
        action: 'device.ssh.pin',
        result: 'ok',
        deviceId,
        details: { fingerprint: hostKey.fingerprint, algorithm: hostKey.algorithm },
      });
    } else if (row.offeredKey) {
      await this.rows.update(deviceId, noOfferedKey());
    }
  }

  private async reachable(deviceId: string, entry: Entry, timekprProblem: string | null): Promise<void> {
    const now = Date.now();
    const wasReachable = this.links.get(deviceId) === entry.link;
    const row = await this.rows.find(deviceId);
    if (!row) return;
    const changed = !row.reachable || row.lastError !== timekprProblem;
    if (changed || now - entry.lastContactWrite >= CONTACT_WRITE_INTERVAL_MS) {
      entry.lastContactWrite = now;
      await this.rows.update(deviceId, {
        reachable: true,
        lastError: timekprProblem,
        lastContactAt: new Date(now),
      });
      await this.devices.update(deviceId, { lastSeenAt: new Date(now), transport: 'ssh' });
    }
    if (timekprProblem && row.lastError !== timekprProblem) {
      this.logger.warn(`Device ${deviceId} answers over SSH, but timekpr does not: ${timekprProblem}`);
    }
    if (!wasReachable) {
      this.links.setSsh(deviceId, entry.link);
      this.logger.log(`Device ${deviceId} is reachable over SSH (${row.username}@${row.host}:${row.port})`);
      await this.deviceViews.publish(deviceId);
      this.sessions.ready(deviceId);
    } else if (changed) {
      await this.deviceViews.publish(deviceId);
    }
  }

  private async unreachable(deviceId: string, error: SshConnectionError): Promise<void> {
    const entry = this.entries.get(deviceId);
    if (entry && this.links.get(deviceId) === entry.link) this.links.setSsh(deviceId, null);
    const row = await this.rows.find(deviceId);
    if (!row) return;
    if (error.kind === 'host-key' && error.hostKey && row.offeredKey !== error.hostKey.key) {
      await this.rows.update(deviceId, offered(error.hostKey));
      this.logger.warn(
        `Device ${deviceId} (${row.host}:${row.port}) showed SSH host key ${error.hostKey.fingerprint}, not the pinned ` +
          `${row.hostKeyFingerprint}: refused. If the PC was reinstalled, trust the new key on the PCs page; ` +
          'otherwise something on the network may be pretending to be it.',
      );
      await this.audit.record(
        { ...SYSTEM_ACTOR, channel: 'ssh' },
        {
          action: 'device.ssh.host-key-changed',
          result: 'refused',
          deviceId,
          details: { pinned: row.hostKeyFingerprint, offered: error.hostKey.fingerprint },
          message: error.message,
        },
      );
    }
    const message = printable(error.message);
    if (row.reachable || row.lastError !== message) {
      await this.rows.update(deviceId, { reachable: false, lastError: message });
      if (entry && this.wanted(deviceId, entry)) {
        this.logger.warn(
          `Device ${deviceId} cannot be reached over SSH: ${message}. Changes wait for it; trying again every ` +
            `${this.config.ssh.pollIntervalMs / 1000} s.`,
        );
      }
      await this.deviceViews.publish(deviceId);
    }
  }

  /** An agent came or went: a PC in `agent-then-ssh` mode switches between its agent and SSH. */
  private agentMayHaveChanged(deviceId: string): void {
    const entry = this.entries.get(deviceId);
    if (!entry || entry.mode !== 'agent-then-ssh') return;
    const agentOnline = this.links.agent(deviceId) !== undefined;
    if (agentOnline && this.links.get(deviceId) !== entry.link) {
      // The agent is back and used again; the SSH connection closes when idle.
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      this.links.setSsh(deviceId, null);
    } else if (!agentOnline && !entry.timer && !entry.polling) {
      this.schedule(deviceId, 0);
    }
  }
}

export function pinned(key: HostKeyInfo): Partial<DeviceSshEntity> {
  return {
    hostKeyAlgorithm: key.algorithm,
    hostKey: key.key,
    hostKeyFingerprint: key.fingerprint,
    hostKeyPinnedAt: new Date(),
    ...noOfferedKey(),
  };
}

function offered(key: HostKeyInfo): Partial<DeviceSshEntity> {
  return {
    offeredKeyAlgorithm: key.algorithm,
    offeredKey: key.key,
    offeredKeyFingerprint: key.fingerprint,
    offeredKeyAt: new Date(),
  };
}

export function noOfferedKey(): Partial<DeviceSshEntity> {
  return { offeredKeyAlgorithm: null, offeredKey: null, offeredKeyFingerprint: null, offeredKeyAt: null };
}

export function hubTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
