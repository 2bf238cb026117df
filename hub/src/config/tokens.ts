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
  /** AES-256 key (base64url) that encrypts the SSH passwords and keys parents give the hub. */
  credentialKey: string;
  /** The hub's own SSH key pair: parents put its public half in authorized_keys instead of giving a password. */
  sshKey: { privateKey: string; publicKey: string };
}
