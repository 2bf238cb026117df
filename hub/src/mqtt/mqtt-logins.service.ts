import { Inject, Injectable, Logger } from '@nestjs/common';
import { isDeviceId } from '@kidtime/protocol';
import { timingSafeEqual } from 'node:crypto';
import { AgentAuthError, AgentSessionsService } from '../agents/agent-sessions.service';
import { hashToken } from '../common/secure-token';
import { HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { HUB_MQTT_USERNAME, type BrokerPrincipal } from './broker-access';
import type { BrokerLogin, LoginRefusal } from './embedded-broker';
import { ThrottledWarnings } from './throttled-warnings';

/** Another kind of login (Home Assistant's, later): undefined when the username is not one of its own. */
export type LoginCheck = (login: BrokerLogin) => Promise<BrokerPrincipal | LoginRefusal | undefined>;

/**
 * Who may log in to the embedded broker: the hub itself with its generated credential, each agent as its own
 * device (clientId = username = device id, password = the device secret, checked against the stored hash;
 * a revoked device has none), and whatever registers a LoginCheck.
 */
@Injectable()
export class MqttLoginsService {
  private readonly logger = new Logger(MqttLoginsService.name);
  private readonly warnings = new ThrottledWarnings((message) => this.logger.warn(message));
  private readonly checks: LoginCheck[] = [];

  constructor(
    @Inject(HUB_SECRETS) private readonly secrets: HubSecrets,
    private readonly sessions: AgentSessionsService,
  ) {}

  /** The hub's own client id at a broker: starts with its username, so the login below recognises it. */
  readonly hubClientId = HUB_MQTT_USERNAME;

  register(check: LoginCheck): void {
    this.checks.push(check);
  }

  async authenticate(login: BrokerLogin): Promise<BrokerPrincipal | LoginRefusal> {
    const { clientId, username, password, from } = login;
    if (username === undefined || password === undefined) {
      this.warnings.say(`anonymous ${from}`, `MQTT login refused from ${from}: no username or password`);
      return 'not-authorized';
    }
    if (username === HUB_MQTT_USERNAME) {
      // The hub's own client, or a tool of the administrator's beside it (`kidtime-hub-…`, never taking over the hub's).
      const hubClient = clientId === this.hubClientId || clientId.startsWith(`${this.hubClientId}-`);
      if (hubClient && sameSecret(password, this.secrets.mqttHubPassword)) return { kind: 'hub' };
      this.warnings.say(`hub ${from}`, `MQTT login as the hub refused from ${from}: wrong credential`);
      return 'bad-credentials';
    }
    if (isDeviceId(username)) {
      if (clientId !== username) {
        this.warnings.say(
          `${username} ${from}`,
          `MQTT login of device ${username} refused from ${from}: its client id must be its device id`,
        );
        return 'not-authorized';
      }
      try {
        const device = await this.sessions.authenticate({ deviceId: username, secret: password }, from, (m) =>
          this.warnings.say(`${username} ${from}`, `MQTT: ${m}`),
        );
        return { kind: 'agent', deviceId: device.id };
      } catch (error) {
        if (error instanceof AgentAuthError) return 'bad-credentials';
        throw error;
      }
    }
    for (const check of this.checks) {
      const result = await check(login);
      if (result !== undefined) return result;
    }
    this.warnings.say(
      `unknown ${from}`,
      `MQTT login refused from ${from}: unknown user ${JSON.stringify(username.slice(0, 64))}`,
    );
    return 'bad-credentials';
  }
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(hashToken(given), 'hex'), Buffer.from(hashToken(expected), 'hex'));
}
