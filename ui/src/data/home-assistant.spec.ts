import { brokerParts } from './home-assistant';

describe('brokerParts', () => {
  it('splits the address into the host and port Home Assistant asks for', () => {
    expect(brokerParts('mqtt://192.168.1.10:1883')).toEqual({ host: '192.168.1.10', port: '1883' });
    expect(brokerParts('mqtt://kidtime.local:11883')).toEqual({ host: 'kidtime.local', port: '11883' });
  });

  it("fills in MQTT's default ports and drops an IPv6 address's brackets", () => {
    expect(brokerParts('mqtt://hub.lan')).toEqual({ host: 'hub.lan', port: '1883' });
    expect(brokerParts('mqtts://hub.lan')).toEqual({ host: 'hub.lan', port: '8883' });
    expect(brokerParts('mqtt://[fd00::5]:1883')).toEqual({ host: 'fd00::5', port: '1883' });
  });
});
