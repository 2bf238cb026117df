import { ConflictException, Logger, NotFoundException } from '@nestjs/common';
import type { AuditActor, AuditEvent, AuditService } from '../audit/audit.service';
import { hashToken } from '../common/secure-token';
import type { HubConfig, MqttConfig } from '../config/hub-config';
import type { BrokerPrincipal } from '../mqtt/broker-access';
import type { BrokerLogin } from '../mqtt/embedded-broker';
import type { LoginCheck, MqttLoginsService } from '../mqtt/mqtt-logins.service';
import { HaLoginService, type HaLoginMqtt } from './ha-login.service';
import type { MqttLoginEntity } from './mqtt-login.entity';
import type { MqttLoginRepository, NewMqttLogin } from './mqtt-login.repository';

const MUM: AuditActor = { type: 'account', id: 'acc-mum', name: 'mum', channel: 'ui' };
const DEVICE = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const MQTT: MqttConfig = {
  embedded: { host: '0.0.0.0', port: 1883 },
  url: null,
  username: null,
  password: null,
  baseTopic: 'kidtime',
  discoveryPrefix: 'homeassistant',
  homeAssistant: true,
  publicUrl: null,
};

/** The table, in memory. */
class FakeLogins {
  rows = new Map<string, MqttLoginEntity>();
  lastLoginWrites: Date[] = [];
  private ids = 0;

  findByUsername(username: string) {
    return Promise.resolve(this.rows.get(username) ?? null);
  }
  put(login: NewMqttLogin) {
    const row = { id: `id-${++this.ids}`, ...login, lastLoginAt: null };
    this.rows.set(login.username, row);
    return Promise.resolve({ ...row });
  }
  delete(username: string) {
    return Promise.resolve(this.rows.delete(username));
  }
  recordLogin(id: string, at: Date) {
    this.lastLoginWrites.push(at);
    for (const row of this.rows.values()) if (row.id === id) row.lastLoginAt = at;
    return Promise.resolve();
  }
}

function setup(mqtt: MqttConfig | null = MQTT, unavailableReason: string | null = null) {
  const logins = new FakeLogins();
  const checks: LoginCheck[] = [];
  const audit: AuditEvent[] = [];
  const drops: Array<(principal: BrokerPrincipal) => boolean> = [];
  const fakeMqtt: HaLoginMqtt = {
    unavailableReason,
    agentBroker: (hubUrl) =>
      mqtt ? { url: `mqtt://${new URL(hubUrl).hostname}:1883`, baseTopic: 'kidtime' } : null,
    dropBrokerClients: (match) => {
      drops.push(match);
      return 1;
    },
  };
  const service = new HaLoginService(
    { mqtt, publicUrl: null } as HubConfig,
    logins as unknown as MqttLoginRepository,
    { register: (check: LoginCheck) => checks.push(check) } as unknown as MqttLoginsService,
    fakeMqtt,
    {
      record: (_actor: AuditActor, event: AuditEvent) => Promise.resolve(void audit.push(event)),
    } as AuditService,
  );
  let now = Date.parse('2026-03-01T18:00:00Z');
  service.now = () => now;
  const tick = (ms: number) => (now += ms);
  return { service, logins, checks, audit, drops, tick };
}

const login = (password: string | undefined, clientId = 'ha-random', from = '192.168.1.20'): BrokerLogin => ({
  clientId,
  username: 'homeassistant',
  password,
  from,
});

describe('HaLoginService', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('registers a broker login check that knows no one until an owner makes the login', async () => {
    const { service, checks } = setup();
    await service.onModuleInit();
    expect(checks).toHaveLength(1);
    expect(await checks[0]!(login('anything'))).toBeUndefined();
    expect(service.status('http://hub.local:8080').login).toBeNull();
  });

  it('lets Home Assistant in with the password it was shown, with any client id of its own', async () => {
    const { service, logins, audit } = setup();
    await service.onModuleInit();
    const created = await service.create(MUM, 'http://hub.local:8080');
    expect(created).toEqual({
      username: 'homeassistant',
      password: expect.any(String),
      broker: { url: 'mqtt://hub.local:1883' },
    });
    expect(logins.rows.get('homeassistant')).toMatchObject({
      secretHash: hashToken(created.password),
      createdBy: 'acc-mum',
    });
    expect(audit).toEqual([
      { action: 'home-assistant.login.create', result: 'ok', details: { username: 'homeassistant' } },
    ]);
    const ha: BrokerPrincipal = { kind: 'home-assistant', username: 'homeassistant' };
    expect(service.check(login(created.password, 'ha-1'))).toEqual(ha);
    expect(service.check(login(created.password, '2mYvTTjJmcuMsbeB6XgeEp'))).toEqual(ha);
    expect(service.check({ ...login(created.password), username: 'other' })).toBeUndefined();
  });

  it('refuses a wrong password with a warning naming the address, at most once a minute per address', async () => {
    const { service, tick } = setup();
    await service.onModuleInit();
    await service.create(MUM, 'http://hub.local');
    expect(service.check(login('guess-1'))).toBe('bad-credentials');
    expect(service.check(login(undefined))).toBe('bad-credentials');
    expect(service.check(login('guess-2', 'x', '10.0.0.9'))).toBe('bad-credentials');
    expect(warn.mock.calls.map(([message]) => message as string)).toEqual([
      'MQTT login as Home Assistant (homeassistant) refused from 192.168.1.20: wrong password',
      'MQTT login as Home Assistant (homeassistant) refused from 10.0.0.9: wrong password',
    ]);
    tick(61_000);
    expect(service.check(login('guess-3'))).toBe('bad-credentials');
    expect(warn).toHaveBeenLastCalledWith(
      'MQTT login as Home Assistant (homeassistant) refused from 192.168.1.20: wrong password (and 1 more like it in the last minute)',
    );
  });

  it("refuses the hub's client id and a PC's, which would take over their sessions", async () => {
    const { service } = setup();
    await service.onModuleInit();
    const { password } = await service.create(MUM, 'http://hub.local');
    for (const clientId of ['kidtime-hub', 'kidtime-hub-2', DEVICE])
      expect(service.check(login(password, clientId))).toBe('not-authorized');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('its client id "kidtime-hub" is the hub\'s'));
  });

  it('notes each login at once but writes it at most once a minute', async () => {
    const { service, logins, tick } = setup();
    await service.onModuleInit();
    const { password } = await service.create(MUM, 'http://hub.local');
    service.check(login(password));
    tick(30_000);
    service.check(login(password));
    expect(logins.lastLoginWrites).toHaveLength(1);
    expect(service.status('http://hub.local').login?.lastLoginAt).toBe('2026-03-01T18:00:30.000Z');
    tick(31_000);
    service.check(login(password));
    expect(logins.lastLoginWrites.map((at) => at.toISOString())).toEqual([
      '2026-03-01T18:00:00.000Z',
      '2026-03-01T18:01:01.000Z',
    ]);
  });

  it("replaces it: the old password stops working and Home Assistant's connections, only its, are dropped", async () => {
    const { service, audit, drops } = setup();
    await service.onModuleInit();
    const old = await service.create(MUM, 'http://hub.local');
    expect(drops).toHaveLength(0);
    const fresh = await service.create(MUM, 'http://hub.local');
    expect(fresh.password).not.toBe(old.password);
    expect(service.check(login(old.password))).toBe('bad-credentials');
    expect(service.check(login(fresh.password))).toEqual({
      kind: 'home-assistant',
      username: 'homeassistant',
    });
    expect(drops).toHaveLength(1);
    const drop = drops[0]!;
    expect(drop({ kind: 'home-assistant', username: 'homeassistant' })).toBe(true);
    expect(drop({ kind: 'hub' })).toBe(false);
    expect(drop({ kind: 'agent', deviceId: DEVICE })).toBe(false);
    expect(audit.map((event) => event.action)).toEqual([
      'home-assistant.login.create',
      'home-assistant.login.replace',
    ]);
  });

  it('removes it, dropping the connections; removing what is not there is a 404', async () => {
    const { service, audit, drops, logins } = setup();
    await service.onModuleInit();
    await expect(service.remove(MUM)).rejects.toBeInstanceOf(NotFoundException);
    const { password } = await service.create(MUM, 'http://hub.local');
    await service.remove(MUM);
    expect(logins.rows.size).toBe(0);
    expect(drops).toHaveLength(1);
    expect(service.check(login(password))).toBeUndefined();
    expect(audit.map((event) => event.action)).toEqual([
      'home-assistant.login.create',
      'home-assistant.login.remove',
    ]);
  });

  it('picks up the stored login at start', async () => {
    const first = setup();
    await first.service.onModuleInit();
    const { password } = await first.service.create(MUM, 'http://hub.local');
    const restarted = setup();
    restarted.logins.rows = first.logins.rows;
    await restarted.service.onModuleInit();
    expect(restarted.service.check(login(password))).toEqual({
      kind: 'home-assistant',
      username: 'homeassistant',
    });
  });

  it('refuses to make a login the embedded broker cannot use, and stores nothing', async () => {
    for (const [config, reason] of [
      [{ ...MQTT, embedded: null, url: 'mqtt://ha.local:1883' }, null],
      [null, null],
      [MQTT, 'port 1883 is in use by another program'],
    ] as const) {
      const { service, logins, audit } = setup(config, reason);
      await service.onModuleInit();
      await expect(service.create(MUM, 'http://hub.local')).rejects.toBeInstanceOf(ConflictException);
      expect(logins.rows.size).toBe(0);
      expect(audit).toEqual([]);
      expect(service.status('http://hub.local').loginUnavailable).toEqual(expect.any(String));
    }
  });
});
