import type { MqttConfig } from '../config/hub-config';
import { clientIdRefusal, haLoginAvailability } from './ha-login-rules';

const embedded: MqttConfig = {
  embedded: { host: '0.0.0.0', port: 1883 },
  url: null,
  username: null,
  password: null,
  baseTopic: 'kidtime',
  discoveryPrefix: 'homeassistant',
  homeAssistant: true,
  publicUrl: null,
};

describe("Home Assistant's client id", () => {
  it('may be anything Home Assistant picks', () => {
    for (const id of ['2mYvTTjJmcuMsbeB6XgeEp', 'mqttjs_1a2b3c4d', 'homeassistant', 'ha-kidtime', 'x'])
      expect(clientIdRefusal(id)).toBeNull();
  });

  it("may not take over the hub's session or a PC's", () => {
    expect(clientIdRefusal('kidtime-hub')).toContain("the hub's");
    expect(clientIdRefusal('kidtime-hub-cli')).toContain("the hub's");
    expect(clientIdRefusal('0b6c3a52-52a4-4c4e-9a4b-2f7f3f7f0a01')).toContain("a PC's");
    // Not the id of any device the hub issues (lower case), but it looks like one: refused all the same.
    expect(clientIdRefusal('0B6C3A52-52A4-4C4E-9A4B-2F7F3F7F0A01')).toContain("a PC's");
  });
});

describe("whether Home Assistant's login can be made", () => {
  it('can with the embedded broker running', () => {
    expect(haLoginAvailability(embedded, null)).toEqual({ mode: 'embedded', refusal: null });
  });

  it('cannot with an external broker: it is made there', () => {
    const external = { ...embedded, embedded: null, url: 'mqtt://ha.local:1883' };
    expect(haLoginAvailability(external, null)).toEqual({
      mode: 'external',
      refusal: expect.stringContaining("create Home Assistant's login at that broker") as string,
    });
  });

  it('cannot with MQTT switched off, and says how to switch it on', () => {
    const { mode, refusal } = haLoginAvailability(null, null);
    expect(mode).toBe('off');
    expect(refusal).toContain('remove MQTT_EMBEDDED=false');
  });

  it('cannot when the embedded broker did not start, and gives the reason', () => {
    const { mode, refusal } = haLoginAvailability(embedded, 'port 1883 is in use by another program');
    expect(mode).toBe('off');
    expect(refusal).toContain('port 1883 is in use by another program');
    expect(refusal).toContain('MQTT_PORT');
  });
});
