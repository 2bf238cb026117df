/** Broker host and port as Home Assistant's MQTT integration asks for them, from `mqtt://host:port`. */
export function brokerParts(url: string): { host: string; port: string } {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port || (parsed.protocol === 'mqtts:' ? '8883' : '1883');
  return { host, port };
}
