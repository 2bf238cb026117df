export const HUB_CONFIG = Symbol('HubConfig');
export const HUB_SECRETS = Symbol('HubSecrets');

export interface HubSecrets {
  jwtSigningKey: string;
  /** The hub's password at its embedded MQTT broker. */
  mqttHubPassword: string;
  /**
   * Names this installation where names must not collide with another hub's (Home Assistant's discovery
   * topics and unique ids). Not secret; generated with the secrets and kept with them.
   */
  installationId: string;
}
