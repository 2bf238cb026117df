import {
  agentMayPublish,
  agentMayReceive,
  agentMaySubscribe,
  agentTopic,
  mqttBaseTopicSchema,
  mqttStateMessageSchema,
  parseAgentTopic,
} from './mqtt';

const ME = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const OTHER = '7d1e0f00-1111-4222-8333-444455556666';

describe('MQTT agent topics', () => {
  it('builds and parses the topics of one device', () => {
    expect(agentTopic('kidtime', ME, 'cmd')).toBe(`kidtime/agent/${ME}/cmd`);
    expect(parseAgentTopic('kidtime', `kidtime/agent/${ME}/state`)).toEqual({ deviceId: ME, topic: 'state' });
    expect(parseAgentTopic('home/kids', `home/kids/agent/${ME}/status`)).toEqual({
      deviceId: ME,
      topic: 'status',
    });
  });

  it.each([
    `other/agent/${ME}/state`,
    `kidtime/agent/${ME}/state/extra`,
    `kidtime/agent/${ME}`,
    `kidtime/agent/${ME.toUpperCase()}/state`,
    'kidtime/agent/not-a-device/state',
    `kidtime/agent/+/state`,
    `kidtime/agent/${ME}/#`,
    `kidtime/agent/${ME}/hello`,
    `kidtime/agentx/${ME}/state`,
    `kidtime//agent/${ME}/state`,
  ])('does not take %j for an agent topic', (topic) => {
    expect(parseAgentTopic('kidtime', topic)).toBeNull();
  });

  it('lets an agent publish only its own status, state, usage and result', () => {
    for (const kind of ['status', 'state', 'usage', 'result'] as const) {
      expect(agentMayPublish('kidtime', ME, agentTopic('kidtime', ME, kind))).toBe(true);
      expect(agentMayPublish('kidtime', ME, agentTopic('kidtime', OTHER, kind))).toBe(false);
    }
    for (const topic of [
      agentTopic('kidtime', ME, 'cmd'),
      agentTopic('kidtime', OTHER, 'cmd'),
      'kidtime/hub/status',
      'homeassistant/status',
      `homeassistant/device/${ME}/config`,
      `kidtime/agent/${ME}/state/x`,
      '$SYS/broker',
    ]) {
      expect(agentMayPublish('kidtime', ME, topic)).toBe(false);
    }
  });

  it('lets an agent subscribe to its own command topic and nothing else, wildcards never', () => {
    expect(agentMaySubscribe('kidtime', ME, `kidtime/agent/${ME}/cmd`)).toBe(true);
    for (const filter of [
      '#',
      '+/#',
      'kidtime/#',
      `kidtime/agent/+/cmd`,
      `kidtime/agent/${ME}/+`,
      `kidtime/agent/${ME}/#`,
      `kidtime/agent/${OTHER}/cmd`,
      `kidtime/agent/${ME}/status`,
      'kidtime/hub/status',
      'homeassistant/#',
      '$SYS/#',
    ]) {
      expect(agentMaySubscribe('kidtime', ME, filter)).toBe(false);
    }
  });

  it('forwards to an agent only its own commands (retained messages included)', () => {
    expect(agentMayReceive('kidtime', ME, `kidtime/agent/${ME}/cmd`)).toBe(true);
    expect(agentMayReceive('kidtime', ME, `kidtime/agent/${OTHER}/cmd`)).toBe(false);
    expect(agentMayReceive('kidtime', ME, `kidtime/agent/${OTHER}/status`)).toBe(false);
    expect(agentMayReceive('kidtime', ME, `kidtime/agent/${ME}/status`)).toBe(false);
  });

  it('accepts plain base topics only', () => {
    for (const good of ['kidtime', 'home/kidtime', 'a_b-c'])
      expect(mqttBaseTopicSchema.parse(good)).toBe(good);
    for (const bad of [
      '',
      '/kidtime',
      'kidtime/',
      'kid/+/x',
      'kid#',
      '$SYS',
      'a//b',
      'kid time',
      'x'.repeat(101),
    ]) {
      expect(mqttBaseTopicSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('reads a state message with or without the hello that follows a connect', () => {
    const state = { at: '2026-01-02T03:04:05.000Z', users: [], errors: [] };
    expect(mqttStateMessageSchema.parse(state).hello).toBeUndefined();
    const hello = {
      agentVersion: '1',
      hostname: 'pc',
      timekprVersion: null,
      timezone: 'UTC',
      users: ['kid'],
    };
    expect(mqttStateMessageSchema.parse({ ...state, hello }).hello).toEqual(hello);
    expect(mqttStateMessageSchema.safeParse({ ...state, hello: { hostname: 'pc' } }).success).toBe(false);
  });
});
