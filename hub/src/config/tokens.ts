export const HUB_CONFIG = Symbol('HubConfig');
export const HUB_SECRETS = Symbol('HubSecrets');

export interface HubSecrets {
  jwtSigningKey: string;
  /** The hub's password at its embedded MQTT broker. */
  mqttHubPassword: string;
}
