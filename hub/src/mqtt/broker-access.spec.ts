import { mayPublish, mayReceive, maySubscribe, type BrokerPrincipal } from './broker-access';
import { ThrottledWarnings } from './throttled-warnings';

const ME = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const OTHER = '7d1e0f00-1111-4222-8333-444455556666';
const agent: BrokerPrincipal = { kind: 'agent', deviceId: ME };
const hub: BrokerPrincipal = { kind: 'hub' };
const T = { base: 'kidtime', discoveryPrefix: 'homeassistant' };

describe('embedded broker access', () => {
  it('lets an agent publish its own messages, retaining only its status', () => {
    expect(mayPublish(agent, T, `kidtime/agent/${ME}/status`, true)).toBe(true);
    expect(mayPublish(agent, T, `kidtime/agent/${ME}/state`, false)).toBe(true);
    expect(mayPublish(agent, T, `kidtime/agent/${ME}/state`, true)).toBe(false);
    expect(mayPublish(agent, T, `kidtime/agent/${OTHER}/state`, false)).toBe(false);
    expect(mayPublish(agent, T, `kidtime/agent/${ME}/cmd`, false)).toBe(false);
    expect(mayPublish(agent, T, 'homeassistant/status', false)).toBe(false);
  });

  it('lets an agent subscribe to and receive only its own commands', () => {
    expect(maySubscribe(agent, T, `kidtime/agent/${ME}/cmd`)).toBe(true);
    for (const filter of ['#', 'kidtime/agent/+/cmd', `kidtime/agent/${OTHER}/cmd`, `kidtime/agent/${ME}/#`])
      expect(maySubscribe(agent, T, filter)).toBe(false);
    expect(mayReceive(agent, T, `kidtime/agent/${OTHER}/status`)).toBe(false);
    expect(mayReceive(agent, T, `kidtime/agent/${ME}/cmd`)).toBe(true);
  });

  it('lets the hub use its topics and Home Assistant’s, never the broker’s own $ topics or everything', () => {
    expect(mayPublish(hub, T, `kidtime/agent/${ME}/cmd`, false)).toBe(true);
    expect(mayPublish(hub, T, 'homeassistant/device/x/config', true)).toBe(true);
    expect(mayPublish(hub, T, '$SYS/x', false)).toBe(false);
    expect(maySubscribe(hub, T, 'kidtime/agent/+/state')).toBe(true);
    expect(maySubscribe(hub, T, '#')).toBe(false);
    expect(maySubscribe(hub, T, '$SYS/#')).toBe(false);
  });
});

describe('Home Assistant on the embedded broker', () => {
  const ha: BrokerPrincipal = { kind: 'home-assistant', username: 'homeassistant' };
  const CHILD = '5f0c2b1e-8d7a-4e44-9a31-0c9e3d2b7a10';

  it('may say it is online and press a child’s controls, never retained', () => {
    expect(mayPublish(ha, T, 'homeassistant/status', true)).toBe(true);
    expect(mayPublish(ha, T, 'homeassistant/status', false)).toBe(true);
    expect(mayPublish(ha, T, `kidtime/ha/child/${CHILD}/cmd/add`, false)).toBe(true);
    expect(mayPublish(ha, T, `kidtime/ha/child/${CHILD}/cmd/lock`, false)).toBe(true);
    // a retained command would apply again whenever the hub reconnects
    expect(mayPublish(ha, T, `kidtime/ha/child/${CHILD}/cmd/add`, true)).toBe(false);
  });

  it('may not publish states, discovery configs, the hub’s status or anything of an agent', () => {
    for (const topic of [
      `kidtime/ha/child/${CHILD}/state`,
      `kidtime/ha/child/${CHILD}/cmd/explode`,
      'kidtime/ha/child/not-a-uuid/cmd/add',
      'homeassistant/device/kidtime_x/config',
      'kidtime/hub/status',
      `kidtime/agent/${ME}/cmd`,
      `kidtime/agent/${ME}/state`,
    ])
      expect(mayPublish(ha, T, topic, false)).toBe(false);
  });

  it('reads the discovery tree, its states and the hub’s status, never the agents’ topics', () => {
    for (const filter of [
      'homeassistant/#',
      'homeassistant/+/+/config',
      'homeassistant/status',
      'kidtime/ha/#',
      `kidtime/ha/child/${CHILD}/state`,
      'kidtime/hub/status',
    ])
      expect(maySubscribe(ha, T, filter)).toBe(true);
    for (const filter of [
      '#',
      '+/#',
      'kidtime/#',
      'kidtime/+/+/+',
      `kidtime/agent/${ME}/cmd`,
      '$SYS/#',
      'home/#',
    ])
      expect(maySubscribe(ha, T, filter)).toBe(false);
    expect(mayReceive(ha, T, 'homeassistant/device/kidtime_x/config')).toBe(true);
    expect(mayReceive(ha, T, `kidtime/ha/pc/${ME}/state`)).toBe(true);
    expect(mayReceive(ha, T, 'kidtime/hub/status')).toBe(true);
    expect(mayReceive(ha, T, `kidtime/agent/${ME}/cmd`)).toBe(false);
    expect(mayReceive(ha, T, `kidtime/agent/${ME}/status`)).toBe(false);
  });

  it('keeps an agent away from Home Assistant’s topics', () => {
    expect(mayPublish(agent, T, `kidtime/ha/child/${CHILD}/cmd/add`, false)).toBe(false);
    expect(mayPublish(agent, T, 'homeassistant/status', false)).toBe(false);
    expect(maySubscribe(agent, T, 'homeassistant/#')).toBe(false);
    expect(mayReceive(agent, T, `kidtime/ha/child/${CHILD}/state`)).toBe(false);
  });
});

describe('ThrottledWarnings', () => {
  it('says a warning once a minute per key, then how many were held back', () => {
    const said: string[] = [];
    let now = 0;
    const warnings = new ThrottledWarnings(
      (m) => said.push(m),
      60_000,
      () => now,
    );
    for (let i = 0; i < 5; i++) warnings.say('a', 'device a refused');
    warnings.say('b', 'device b refused');
    now = 61_000;
    warnings.say('a', 'device a refused');
    expect(said).toEqual([
      'device a refused',
      'device b refused',
      'device a refused (and 4 more like it in the last minute)',
    ]);
  });
});
