import {
  ConflictException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import type { HaLoginCreated, HaLoginView, HomeAssistantStatus } from '@kidtime/protocol';
import { AuditService, type AuditActor } from '../audit/audit.service';
import { hashToken, randomToken, tokenMatches } from '../common/secure-token';
import type { HubConfig } from '../config/hub-config';
import { HUB_CONFIG } from '../config/tokens';
import type { BrokerPrincipal } from '../mqtt/broker-access';
import type { BrokerLogin, LoginRefusal } from '../mqtt/embedded-broker';
import { MqttLoginsService } from '../mqtt/mqtt-logins.service';
import { MqttService } from '../mqtt/mqtt.service';
import { ThrottledWarnings } from '../mqtt/throttled-warnings';
import {
  HA_MQTT_USERNAME,
  LAST_LOGIN_WRITE_INTERVAL_MS,
  clientIdRefusal,
  haLoginAvailability,
} from './ha-login-rules';
import type { MqttLoginEntity } from './mqtt-login.entity';
import { MqttLoginRepository } from './mqtt-login.repository';

/** What the service needs of the hub's MQTT. */
export type HaLoginMqtt = Pick<MqttService, 'unavailableReason' | 'agentBroker' | 'dropBrokerClients'>;

/**
 * Home Assistant's own login at the embedded broker: an owner creates it (the password is shown once, only
 * its hash kept), replaces or removes it, and Home Assistant's connections go with the old password at once.
 * The broker asks `check` about every login that is neither the hub's nor a device's.
 */
@Injectable()
export class HaLoginService implements OnModuleInit {
  private readonly logger = new Logger(HaLoginService.name);
  private readonly warnings = new ThrottledWarnings(
    (message) => this.logger.warn(message),
    60_000,
    () => this.now(),
  );
  /**
   * The stored login, read once at start and kept in step with every change: a broker login is then checked
   * against the current password without a database read, so none can slip in with a password just replaced.
   */
  private login: MqttLoginEntity | null = null;
  private lastLoginWrite: number | null = null;
  /** Changes one after another (a replace and a remove racing would otherwise leave the cache behind the table). */
  private changes: Promise<unknown> = Promise.resolve();
  /** The clock, for tests. */
  now: () => number = Date.now;

  constructor(
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly logins: MqttLoginRepository,
    private readonly brokerLogins: MqttLoginsService,
    @Inject(MqttService) private readonly mqtt: HaLoginMqtt,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.login = await this.logins.findByUsername(HA_MQTT_USERNAME);
    this.brokerLogins.register((login) => Promise.resolve(this.check(login)));
  }

  /** Home Assistant's principal, a refusal for its username with a wrong password or client id, or undefined. */
  check({ clientId, username, password, from }: BrokerLogin): BrokerPrincipal | LoginRefusal | undefined {
    const login = this.login;
    if (!login || username !== login.username) return undefined;
    if (password === undefined || !tokenMatches(password, login.secretHash)) {
      this.warnings.say(
        `password ${from}`,
        `MQTT login as Home Assistant (${login.username}) refused from ${from}: wrong password`,
      );
      return 'bad-credentials';
    }
    const refusal = clientIdRefusal(clientId);
    if (refusal) {
      this.warnings.say(
        `client id ${from}`,
        `MQTT login as Home Assistant (${login.username}) refused from ${from}: ${refusal}`,
      );
      return 'not-authorized';
    }
    this.recordLogin(login);
    return { kind: 'home-assistant', username: login.username };
  }

  status(hubUrl: string): HomeAssistantStatus {
    const mqtt = this.config.mqtt;
    const { mode, refusal } = haLoginAvailability(mqtt, this.mqtt.unavailableReason);
    const broker = this.mqtt.agentBroker(this.config.publicUrl ?? hubUrl);
    return {
      mqtt: mode,
      loginUnavailable: refusal,
      discovery: mode !== 'off' && (mqtt?.homeAssistant ?? false),
      discoveryPrefix: mqtt?.discoveryPrefix ?? null,
      baseTopic: mqtt?.baseTopic ?? null,
      broker: broker ? { url: broker.url } : null,
      login: this.login ? toView(this.login) : null,
    };
  }

  /** Creates Home Assistant's login, or gives it a new password: connections with the old one are dropped. */
  create(actor: AuditActor, hubUrl: string): Promise<HaLoginCreated> {
    return this.serialized(async () => {
      const { refusal } = haLoginAvailability(this.config.mqtt, this.mqtt.unavailableReason);
      const broker = this.mqtt.agentBroker(this.config.publicUrl ?? hubUrl);
      if (refusal || !broker) throw new ConflictException(refusal ?? 'MQTT is off on this hub');
      const replacing = this.login !== null;
      const password = randomToken();
      this.login = await this.logins.put({
        username: HA_MQTT_USERNAME,
        secretHash: hashToken(password),
        createdBy: actor.type === 'account' ? actor.id : null,
        createdAt: new Date(this.now()),
      });
      this.lastLoginWrite = null;
      const dropped = replacing ? this.dropConnections() : 0;
      await this.audit.record(actor, {
        action: replacing ? 'home-assistant.login.replace' : 'home-assistant.login.create',
        result: 'ok',
        details: { username: HA_MQTT_USERNAME, ...(replacing ? { dropped } : {}) },
      });
      return { username: HA_MQTT_USERNAME, password, broker: { url: broker.url } };
    });
  }

  /** Removes Home Assistant's login and drops its connections. 404 when there is none. */
  remove(actor: AuditActor): Promise<void> {
    return this.serialized(async () => {
      if (!(await this.logins.delete(HA_MQTT_USERNAME))) {
        this.login = null;
        throw new NotFoundException('Home Assistant has no MQTT login on this hub');
      }
      this.login = null;
      const dropped = this.dropConnections();
      await this.audit.record(actor, {
        action: 'home-assistant.login.remove',
        result: 'ok',
        details: { username: HA_MQTT_USERNAME, dropped },
      });
    });
  }

  private dropConnections(): number {
    const dropped = this.mqtt.dropBrokerClients(
      (principal) => principal.kind === 'home-assistant' && principal.username === HA_MQTT_USERNAME,
    );
    if (dropped > 0) this.logger.log(`Dropped ${dropped} MQTT connection(s) of Home Assistant's old login`);
    return dropped;
  }

  /** Kept in memory at once; written at most once a minute. */
  private recordLogin(login: MqttLoginEntity): void {
    const now = this.now();
    login.lastLoginAt = new Date(now);
    if (this.lastLoginWrite !== null && now - this.lastLoginWrite < LAST_LOGIN_WRITE_INTERVAL_MS) return;
    this.lastLoginWrite = now;
    this.logins.recordLogin(login.id, login.lastLoginAt).catch((error: unknown) => {
      this.logger.warn(`Could not record Home Assistant's last MQTT login: ${String(error)}`);
    });
  }

  private serialized<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }
}

function toView(login: MqttLoginEntity): HaLoginView {
  return {
    username: login.username,
    createdAt: login.createdAt.toISOString(),
    lastLoginAt: login.lastLoginAt?.toISOString() ?? null,
  };
}
