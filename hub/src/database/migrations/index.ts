import { InitialSchema1763900000000 } from './1763900000000-initial-schema';
import { AuditLog1763990000000 } from './1763990000000-audit-log';
import { Children1764000000000 } from './1764000000000-children';
import { Usage1764100000000 } from './1764100000000-usage';
import { MqttLogins1764200000000 } from './1764200000000-mqtt-logins';
import { Ssh1764300000000 } from './1764300000000-ssh';
import { Sessions1764400000000 } from './1764400000000-sessions';
import { ApiTokens1764500000000 } from './1764500000000-api-tokens';
import { Totp1764600000000 } from './1764600000000-totp';
import { TrustedDevices1764700000000 } from './1764700000000-trusted-devices';
import { Oidc1764800000000 } from './1764800000000-oidc';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1763900000000,
  AuditLog1763990000000,
  Children1764000000000,
  Usage1764100000000,
  MqttLogins1764200000000,
  Ssh1764300000000,
  Sessions1764400000000,
  ApiTokens1764500000000,
  Totp1764600000000,
  TrustedDevices1764700000000,
  Oidc1764800000000,
];
