import {
  BadGatewayException,
  BadRequestException,
  ConflictException,
  GatewayTimeoutException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  SSH_GUARD_PATH,
  TimekprError,
  describeZodError,
  sshAuthOf,
  sshSettingsSchema,
  type CreateSshDeviceRequest,
  type DeviceMode,
  type DeviceView,
  type HubSshKey,
  type SshCheckResult,
  type SshSettings,
  type SshSettingsPatch,
  type UpdateDeviceRequest,
} from '@kidtime/protocol';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { HUB_SECRETS, type HubSecrets } from '../config/tokens';
import type { DeviceEntity } from '../devices/device.entity';
import { DeviceRepository } from '../devices/device.repository';
import { DevicesService } from '../devices/devices.service';
import { ManagedUserRepository } from '../devices/managed-user.repository';
import type { DeviceSshEntity } from './device-ssh.entity';
import { DeviceSshRepository } from './device-ssh.repository';
import { SshConnectionError, type SshFailureKind } from './ssh-client.adapter';
import {
  hubTimezone,
  noOfferedKey,
  pinned,
  SshSupervisor,
  type SshProbe,
  type SshSecret,
} from './ssh-supervisor';

type SshRowFields = Omit<DeviceSshEntity, 'device' | 'createdAt' | 'updatedAt'>;

const STATUS_FOR_FAILURE: Record<SshFailureKind, number> = {
  auth: 422,
  'host-key': 422,
  'bad-key': 422,
  timeout: 504,
  refused: 502,
  unreachable: 502,
  closed: 502,
  protocol: 502,
};

/**
 * PCs reached over SSH, as parents set them up: an agentless PC is created by connecting to it first (its host
 * key pinned, its timekpr users read), an enrolled PC gets SSH as a fallback, settings change only after the
 * new ones were shown to work, and a changed host key is trusted only when a parent says so.
 */
@Injectable()
export class SshDevicesService {
  private readonly logger = new Logger(SshDevicesService.name);

  constructor(
    @Inject(HUB_SECRETS) private readonly secrets: HubSecrets,
    private readonly devices: DeviceRepository,
    private readonly rows: DeviceSshRepository,
    private readonly users: ManagedUserRepository,
    private readonly deviceViews: DevicesService,
    private readonly supervisor: SshSupervisor,
    private readonly audit: AuditService,
  ) {}

  /** The hub's own key, for the PC's authorized_keys. */
  hubKey(hubUrl: string): HubSshKey {
    const { publicKey } = this.secrets.sshKey;
    return {
      publicKey,
      authorizedKeysLine: `command="${SSH_GUARD_PATH}",restrict ${publicKey}`,
      guardUrl: `${hubUrl}/downloads/kidtime-ssh-guard`,
    };
  }

  /** A PC without an agent: connects first, and creates nothing when that fails. */
  async create(actor: AuditActor, request: CreateSshDeviceRequest): Promise<DeviceView> {
    const deviceId = randomUUID();
    const fields = this.rowFields(deviceId, request.ssh, null);
    const probe = await this.probe(request.name, fields, secretOf(request.ssh));
    const device = await this.devices.create({
      id: deviceId,
      name: request.name,
      hostname: request.ssh.host,
      credentialHash: null,
      agentVersion: null,
      mode: 'ssh',
      timezone: fields.timezone ?? hubTimezone(),
    });
    await this.rows.insert({
      ...fields,
      ...pinned(probe.hostKey),
      reachable: true,
      lastContactAt: new Date(),
    } as SshRowFields);
    await this.users.ensure(device.id, probe.users);
    await this.audit.record(actor, {
      action: 'device.create',
      result: 'ok',
      deviceId: device.id,
      details: { name: request.name, ...auditDetails(fields), fingerprint: probe.hostKey.fingerprint },
    });
    this.logger.log(
      `PC "${request.name}" (${device.id}) added over SSH as ${fields.username}@${fields.host}:${fields.port}, host key ${probe.hostKey.fingerprint}`,
    );
    this.supervisor.start(device.id, 'ssh');
    await this.supervisor.pollNow(device.id);
    return this.view(device.id);
  }

  /** Rename, change how the PC is reached, or set, change or remove its SSH settings. */
  async update(id: string, patch: UpdateDeviceRequest, actor: AuditActor): Promise<DeviceView> {
    const device = await this.deviceViews.require(id);
    if (patch.ssh === undefined && patch.mode === undefined) {
      return this.deviceViews.rename(id, patch.name!, actor);
    }
    const hasAgent = device.credentialHash !== null;
    const current = device.ssh ?? null;
    let mode: DeviceMode = patch.mode ?? device.mode;

    if (patch.ssh === null) {
      if (!current) throw new ConflictException(`${device.name} has no SSH settings`);
      if (!hasAgent)
        throw new ConflictException(
          `${device.name} has no agent: SSH is its only way. Remove the PC instead, or enroll its agent first.`,
        );
      await this.rows.delete(id);
      this.supervisor.stop(id);
      await this.devices.update(id, { mode: 'agent' });
      await this.audit.record(actor, { action: 'device.ssh.remove', result: 'ok', deviceId: id });
      return this.afterChange(device, patch, actor, 'agent');
    }

    if (patch.ssh) {
      if (!current && patch.mode === undefined) mode = hasAgent ? 'agent-then-ssh' : 'ssh';
      const { fields, secret, reconnect } = this.merge(device, current, patch.ssh);
      this.checkMode(device, mode, true);
      let pin: Partial<DeviceSshEntity> = {};
      if (reconnect) {
        const probe = await this.probe(device.name, fields, secret);
        pin = {
          ...(fields.hostKey ? {} : pinned(probe.hostKey)),
          reachable: true,
          lastContactAt: new Date(),
          lastError: null,
        };
        await this.users.ensure(id, probe.users);
      }
      if (current) await this.rows.update(id, { ...fields, ...pin });
      else await this.rows.insert({ ...fields, ...pin } as SshRowFields);
      await this.audit.record(actor, {
        action: 'device.ssh.set',
        result: 'ok',
        deviceId: id,
        details: {
          ...auditDetails(fields),
          ...(pin.hostKeyFingerprint ? { fingerprint: pin.hostKeyFingerprint } : {}),
        },
      });
    } else {
      this.checkMode(device, mode, current !== null);
    }
    if (mode !== device.mode) {
      await this.devices.update(id, { mode });
      await this.audit.record(actor, {
        action: 'device.mode',
        result: 'ok',
        deviceId: id,
        details: { from: device.mode, to: mode },
      });
    }
    this.supervisor.start(id, mode);
    if (mode !== 'agent') await this.supervisor.pollNow(id);
    return this.afterChange(device, patch, actor, mode);
  }

  /** Accepts the host key the PC now shows, after a parent compared its fingerprint. */
  async trustHostKey(id: string, fingerprint: string, actor: AuditActor): Promise<DeviceView> {
    const device = await this.deviceViews.require(id);
    const row = device.ssh;
    if (!row) throw new ConflictException(`${device.name} has no SSH settings`);
    if (!row.offeredKey || !row.offeredKeyFingerprint || !row.offeredKeyAlgorithm)
      throw new ConflictException(
        `${device.name} has not shown a different host key: there is nothing to trust`,
      );
    if (row.offeredKeyFingerprint !== fingerprint)
      throw new ConflictException(
        `${device.name} showed ${row.offeredKeyFingerprint}, not ${fingerprint}: compare the fingerprint again`,
      );
    await this.rows.update(id, {
      ...pinned({ algorithm: row.offeredKeyAlgorithm, fingerprint, key: row.offeredKey }),
      expectedFingerprint: null,
    });
    await this.audit.record(actor, {
      action: 'device.ssh.trust',
      result: 'ok',
      deviceId: id,
      details: { from: row.hostKeyFingerprint, to: fingerprint },
    });
    this.logger.log(`Device "${device.name}" (${id}): new SSH host key ${fingerprint} trusted`);
    this.supervisor.start(id, device.mode);
    await this.supervisor.pollNow(id);
    return this.view(id);
  }

  /**
   * Connects now with the saved settings and lists the users. It changes no setting; what it meets counts as
   * news of the PC (a new host key is offered to trust, a PC answering again is read).
   */
  async check(id: string): Promise<SshCheckResult> {
    const device = await this.deviceViews.require(id);
    if (!device.ssh) throw new ConflictException(`${device.name} has no SSH settings`);
    const started = Date.now();
    const row = device.ssh;
    let probe: SshProbe;
    try {
      probe = await this.supervisor.probe(this.supervisor.endpointOf(row, this.supervisor.secretOf(row)));
    } catch (error) {
      await this.supervisor.checked(id, error);
      const hostKey = error instanceof SshConnectionError ? error.hostKey : null;
      return {
        ok: false,
        hostKey: hostKey ? { algorithm: hostKey.algorithm, fingerprint: hostKey.fingerprint } : null,
        users: [],
        elapsedMs: Date.now() - started,
        error: (error as Error).message,
      };
    }
    await this.supervisor.checked(id, null);
    return {
      ok: true,
      hostKey: { algorithm: probe.hostKey.algorithm, fingerprint: probe.hostKey.fingerprint },
      users: probe.users,
      elapsedMs: probe.elapsedMs,
      error: null,
    };
  }

  /** The new row from settings and, for fields left out of a patch, the current row. */
  private rowFields(
    deviceId: string,
    ssh: SshSettings,
    secret: string | null,
  ): Omit<SshRowFields, 'secret'> & { secret: string } {
    const auth = sshAuthOf(ssh) ?? 'hub-key';
    return {
      deviceId,
      host: ssh.host,
      port: ssh.port,
      username: ssh.username,
      auth,
      secret: secret ?? this.supervisor.seal(secretOf(ssh), deviceId),
      timekpraPath: ssh.timekpraPath,
      timezone: ssh.timezone ?? null,
      expectedFingerprint: ssh.hostKeyFingerprint ?? null,
      hostKeyAlgorithm: null,
      hostKey: null,
      hostKeyFingerprint: null,
      hostKeyPinnedAt: null,
      ...(noOfferedKey() as Pick<
        SshRowFields,
        'offeredKey' | 'offeredKeyAlgorithm' | 'offeredKeyFingerprint' | 'offeredKeyAt'
      >),
      reachable: false,
      lastContactAt: null,
      lastError: null,
      usageBook: null,
    };
  }

  /**
   * Applies a patch to the current settings (or checks it is complete when there are none). A new host or
   * port, or an expected fingerprint the pinned key does not have, forgets the pinned key.
   */
  private merge(
    device: DeviceEntity,
    current: DeviceSshEntity | null,
    patch: SshSettingsPatch,
  ): { fields: SshRowFields; secret: SshSecret; reconnect: boolean } {
    if (!current) {
      const complete = sshSettingsSchema.safeParse(patch);
      if (!complete.success) throw new BadRequestException(`ssh: ${describeZodError(complete.error, 'ssh')}`);
      return {
        fields: this.rowFields(device.id, complete.data, null),
        secret: secretOf(complete.data),
        reconnect: true,
      };
    }
    const newLogin = sshAuthOf(patch);
    const auth = newLogin ?? current.auth;
    if (patch.passphrase !== undefined && newLogin !== 'key')
      throw new BadRequestException('ssh.passphrase: give it with the private key');
    const secret: SshSecret = newLogin ? secretOf(patch) : this.supervisor.secretOf(current);
    const host = patch.host ?? current.host;
    const port = patch.port ?? current.port;
    const expected =
      patch.hostKeyFingerprint !== undefined ? patch.hostKeyFingerprint : current.expectedFingerprint;
    const moved = host !== current.host || port !== current.port;
    const keyDisagrees =
      patch.hostKeyFingerprint !== undefined && current.hostKeyFingerprint !== patch.hostKeyFingerprint;
    const forgetKey = moved || keyDisagrees;
    const fields: SshRowFields = {
      ...current,
      host,
      port,
      username: patch.username ?? current.username,
      auth,
      secret: newLogin ? this.supervisor.seal(secret, device.id) : current.secret,
      timekpraPath: patch.timekpraPath ?? current.timekpraPath,
      timezone: patch.timezone === undefined ? current.timezone : patch.timezone,
      expectedFingerprint: expected,
      ...(forgetKey
        ? { hostKey: null, hostKeyAlgorithm: null, hostKeyFingerprint: null, hostKeyPinnedAt: null }
        : {}),
    };
    delete (fields as Partial<DeviceSshEntity>).device;
    const reconnect =
      forgetKey ||
      newLogin !== undefined ||
      fields.username !== current.username ||
      fields.timekpraPath !== current.timekpraPath;
    return { fields, secret, reconnect };
  }

  private checkMode(device: DeviceEntity, mode: DeviceMode, hasSsh: boolean): void {
    if (mode !== 'agent' && !hasSsh)
      throw new ConflictException(
        `${device.name} has no SSH settings: give them before choosing mode "${mode}"`,
      );
    if (mode !== 'ssh' && device.credentialHash === null)
      throw new ConflictException(
        `${device.name} has no agent, so it can only be reached over SSH (mode "ssh"): enroll its agent first`,
      );
  }

  /**
   * Connects with settings not saved yet. Nothing is saved when this fails: the parent gets the reason in
   * words, with the status saying whose side the problem is on.
   */
  private async probe(name: string, fields: SshRowFields, secret: SshSecret): Promise<SshProbe> {
    try {
      // A pinned key that is kept must still match; without one, the first key (or the expected one) is taken.
      return await this.supervisor.probe(this.supervisor.endpointOf(fields, secret));
    } catch (error) {
      throw probeFailure(name, error);
    }
  }

  private async afterChange(
    device: DeviceEntity,
    patch: UpdateDeviceRequest,
    actor: AuditActor,
    mode: DeviceMode,
  ): Promise<DeviceView> {
    if (patch.name !== undefined && patch.name !== device.name)
      await this.deviceViews.rename(device.id, patch.name, actor);
    this.logger.log(`PC "${patch.name ?? device.name}" (${device.id}) is now reached by mode "${mode}"`);
    return this.view(device.id);
  }

  private async view(id: string): Promise<DeviceView> {
    await this.deviceViews.publish(id);
    return this.deviceViews.get(id);
  }
}

function secretOf(ssh: {
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
}): SshSecret {
  if (ssh.password !== undefined) return { password: ssh.password };
  if (ssh.privateKey !== undefined)
    return ssh.passphrase !== undefined
      ? { privateKey: ssh.privateKey, passphrase: ssh.passphrase }
      : { privateKey: ssh.privateKey };
  return {};
}

/** What the audit log keeps of SSH settings: never a secret. */
function auditDetails(fields: Pick<SshRowFields, 'host' | 'port' | 'username' | 'auth' | 'timekpraPath'>) {
  return {
    host: fields.host,
    port: fields.port,
    username: fields.username,
    auth: fields.auth,
    timekpraPath: fields.timekpraPath,
  };
}

function probeFailure(name: string, error: unknown): HttpException {
  if (error instanceof SshConnectionError) {
    const status = STATUS_FOR_FAILURE[error.kind];
    const message = `Cannot use SSH for ${name}: ${error.message}`;
    return status === 504
      ? new GatewayTimeoutException(message)
      : status === 502
        ? new BadGatewayException(message)
        : new UnprocessableEntityException(message);
  }
  if (error instanceof TimekprError) {
    const hint =
      error.kind === 'daemon-unreachable'
        ? ' Is timekprd running there, and is the SSH user in group "timekpr"?'
        : '';
    return new UnprocessableEntityException(
      `${name} logs in over SSH, but timekpra does not work: ${error.message}.${hint}`,
    );
  }
  return new BadGatewayException(`Cannot use SSH for ${name}: ${(error as Error).message}`);
}
