import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { AgentEnrollRequest, AgentEnrollResponse, EnrollmentCreated } from '@kidtime/protocol';
import { installCommand, InstallScriptError } from '../agents/install-script';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { LoginThrottler } from '../auth/login-throttler';
import { hashToken, randomToken } from '../common/secure-token';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import { MqttService } from '../mqtt/mqtt.service';
import { DeviceRepository } from './device.repository';
import { newEnrollmentCode, normalizeEnrollmentCode } from './enrollment-code';
import { EnrollmentRepository } from './enrollment.repository';

@Injectable()
export class EnrollmentsService {
  private readonly logger = new Logger(EnrollmentsService.name);

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly enrollments: EnrollmentRepository,
    private readonly devices: DeviceRepository,
    private readonly throttler: LoginThrottler,
    private readonly audit: AuditService,
    private readonly mqtt: MqttService,
  ) {}

  /** A one-time code for one agent; only its hash is kept. */
  async create(
    actor: AuditActor,
    hubUrl: string,
    options: { validMinutes?: number | undefined; deviceName?: string | undefined },
  ): Promise<EnrollmentCreated> {
    const code = newEnrollmentCode();
    const command = this.installCommandFor(hubUrl, code);
    const expiresAt = new Date(
      Date.now() + (options.validMinutes ?? this.config.enrollmentValidMinutes) * 60_000,
    );
    await this.enrollments.create({
      codeHash: hashToken(normalizeEnrollmentCode(code)),
      createdBy: actor.id,
      deviceName: options.deviceName ?? null,
      expiresAt,
    });
    await this.audit.record(actor, {
      action: 'enrollment.create',
      result: 'ok',
      details: { deviceName: options.deviceName ?? null, expiresAt: expiresAt.toISOString() },
    });
    return { code, expiresAt: expiresAt.toISOString(), installCommand: command };
  }

  /** `curl -fsSL 'HUB/install.sh?code=CODE' | sudo sh`, checked before any code is stored. */
  private installCommandFor(requestHubUrl: string, code: string): string {
    try {
      return installCommand(this.config.publicUrl ?? requestHubUrl, code);
    } catch (error) {
      if (error instanceof InstallScriptError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  /** Exchanges a valid, unused, unexpired code for a new device and its credential (shown once). */
  async enroll(ip: string, request: AgentEnrollRequest, hubUrl: string): Promise<AgentEnrollResponse> {
    // Before the code is used up: an agent that cannot connect must not cost the parent a code.
    const mqtt = this.mqtt.agentBroker(this.config.publicUrl ?? hubUrl);
    if (request.transport === 'mqtt' && !mqtt) {
      throw new ConflictException(
        'MQTT is off on this hub (switched off, or its broker could not start: see the hub log): enroll with --transport ws',
      );
    }
    const attempt = this.throttler.guess(ip);
    const now = new Date();
    const enrollment = await this.enrollments.findByCodeHash(
      hashToken(normalizeEnrollmentCode(request.code)),
    );
    const problem = !enrollment
      ? 'is not valid'
      : enrollment.usedAt
        ? 'has already been used'
        : enrollment.expiresAt <= now
          ? 'has expired'
          : null;
    if (problem || !enrollment || !(await this.enrollments.consume(enrollment.id, now))) {
      this.logger.warn(
        `Enrollment refused for "${request.hostname}" from ${ip}: code ${problem ?? 'was just used'}`,
      );
      throw new ForbiddenException(
        `This enrollment code ${problem ?? 'has already been used'}; create a new one in Kidtime (Devices → Add a PC)`,
      );
    }
    attempt.succeeded();
    const secret = randomToken(32);
    const device = await this.devices.create({
      name: enrollment.deviceName ?? request.hostname,
      hostname: request.hostname,
      credentialHash: hashToken(secret),
      agentVersion: request.agentVersion,
    });
    await this.enrollments.linkDevice(enrollment.id, device.id);
    this.logger.log(`Device "${device.name}" (${device.id}) enrolled from ${ip}`);
    await this.audit.record(
      { type: 'device', id: device.id, name: device.hostname, channel: 'agent' },
      {
        action: 'device.enroll',
        result: 'ok',
        deviceId: device.id,
        details: { name: device.name, from: ip },
      },
    );
    return { deviceId: device.id, secret, mqtt };
  }
}
