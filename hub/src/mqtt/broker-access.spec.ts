import { mayPublish, mayReceive, maySubscribe, type BrokerPrincipal } from './broker-access';
import { ThrottledWarnings } from './throttled-warnings';

const ME = '0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01';
const OTHER = '7d1e0f00-1111-4222-8333-444455556666';
const agent: BrokerPrincipal = { kind: 'agent', deviceId: ME };
const hub: BrokerPrincipal = { kind: 'hub' };

describe('embedded broker access', () => {
  it('lets an agent publish its own messages, retaining only its status', () => {
    expect(mayPublish(agent, 'kidtime', `kidtime/agent/${ME}/status`, true)).toBe(true);
    expect(mayPublish(agent, 'kidtime', `kidtime/agent/${ME}/state`, false)).toBe(true);
    expect(mayPublish(agent, 'kidtime', `kidtime/agent/${ME}/state`, true)).toBe(false);
    expect(mayPublish(agent, 'kidtime', `kidtime/agent/${OTHER}/state`, false)).toBe(false);
    expect(mayPublish(agent, 'kidtime', `kidtime/agent/${ME}/cmd`, false)).toBe(false);
    expect(mayPublish(agent, 'kidtime', 'homeassistant/status', false)).toBe(false);
  });

  it('lets an agent subscribe to and receive only its own commands', () => {
    expect(maySubscribe(agent, 'kidtime', `kidtime/agent/${ME}/cmd`)).toBe(true);
    for (const filter of ['#', 'kidtime/agent/+/cmd', `kidtime/agent/${OTHER}/cmd`, `kidtime/agent/${ME}/#`])
      expect(maySubscribe(agent, 'kidtime', filter)).toBe(false);
    expect(mayReceive(agent, 'kidtime', `kidtime/agent/${OTHER}/status`)).toBe(false);
    expect(mayReceive(agent, 'kidtime', `kidtime/agent/${ME}/cmd`)).toBe(true);
  });

  it('lets the hub use its topics and Home Assistant’s, never the broker’s own $ topics or everything', () => {
    expect(mayPublish(hub, 'kidtime', `kidtime/agent/${ME}/cmd`, false)).toBe(true);
    expect(mayPublish(hub, 'kidtime', 'homeassistant/device/x/config', true)).toBe(true);
    expect(mayPublish(hub, 'kidtime', '$SYS/x', false)).toBe(false);
    expect(maySubscribe(hub, 'kidtime', 'kidtime/agent/+/state')).toBe(true);
    expect(maySubscribe(hub, 'kidtime', '#')).toBe(false);
    expect(maySubscribe(hub, 'kidtime', '$SYS/#')).toBe(false);
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
