import { ForbiddenException, Inject, Injectable, Logger } from '@nestjs/common';
import type { AgentEnrollRequest, AgentEnrollResponse, EnrollmentCreated } from '@kidtime/protocol';
import { LoginThrottler } from '../auth/login-throttler';
import { hashToken, randomToken } from '../common/secure-token';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
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
  ) {}

  /** A one-time code for one agent; only its hash is kept. */
  async create(
    accountId: string,
    hubUrl: string,
    options: { validMinutes?: number | undefined; deviceName?: string | undefined },
  ): Promise<EnrollmentCreated> {
    const code = newEnrollmentCode();
    const expiresAt = new Date(
      Date.now() + (options.validMinutes ?? this.config.enrollmentValidMinutes) * 60_000,
    );
    await this.enrollments.create({
      codeHash: hashToken(normalizeEnrollmentCode(code)),
      createdBy: accountId,
      deviceName: options.deviceName ?? null,
      expiresAt,
    });
    const hub = this.config.publicUrl ?? hubUrl;
    return {
      code,
      expiresAt: expiresAt.toISOString(),
      installCommand:
        `curl -fsSLo /tmp/kidtime-agent.cjs ${hub}/downloads/kidtime-agent.cjs && ` +
        `sudo node /tmp/kidtime-agent.cjs enroll --hub ${hub} --code ${code}`,
    };
  }

  /** Exchanges a valid, unused, unexpired code for a new device and its credential (shown once). */
  async enroll(ip: string, request: AgentEnrollRequest): Promise<AgentEnrollResponse> {
    this.throttler.assertAllowed(ip, null);
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
      this.throttler.recordFailure(ip, null);
      this.logger.warn(
        `Enrollment refused for "${request.hostname}" from ${ip}: code ${problem ?? 'was just used'}`,
      );
      throw new ForbiddenException(
        `This enrollment code ${problem ?? 'has already been used'}; create a new one in Kidtime (Devices → Add a PC)`,
      );
    }
    const secret = randomToken(32);
    const device = await this.devices.create({
      name: enrollment.deviceName ?? request.hostname,
      hostname: request.hostname,
      credentialHash: hashToken(secret),
      agentVersion: request.agentVersion,
    });
    await this.enrollments.linkDevice(enrollment.id, device.id);
    this.logger.log(`Device "${device.name}" (${device.id}) enrolled from ${ip}`);
    return { deviceId: device.id, secret };
  }
}
