import { AccountEntity } from '../accounts/account.entity';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { ChildEntity } from '../children/child.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { CommandEntity } from '../commands/command.entity';
import { DeviceEntity } from '../devices/device.entity';
import { EnrollmentEntity } from '../devices/enrollment.entity';
import { ManagedUserEntity } from '../devices/managed-user.entity';
import { UsageDayEntity } from '../usage/usage-day.entity';
import { MqttLoginEntity } from '../home-assistant/mqtt-login.entity';
import { DeviceSshEntity } from '../ssh/device-ssh.entity';
import { SessionEntity } from '../auth/session.entity';
import { TrustedDeviceEntity } from '../auth/pin/trusted-device.entity';
import { ApiTokenEntity } from '../auth/api-token.entity';
import { AccountTotpEntity } from '../auth/totp/account-totp.entity';
import { RecoveryCodeEntity } from '../auth/totp/recovery-code.entity';
import { HouseholdSettingEntity } from '../settings/household-setting.entity';
import { OidcExchangeEntity } from '../auth/oidc/oidc-exchange.entity';

export const ENTITIES = [
  AccountEntity,
  RefreshTokenEntity,
  DeviceEntity,
  EnrollmentEntity,
  ManagedUserEntity,
  CommandEntity,
  AuditEntryEntity,
  ChildEntity,
  UsageDayEntity,
  MqttLoginEntity,
  DeviceSshEntity,
  SessionEntity,
  TrustedDeviceEntity,
  ApiTokenEntity,
  AccountTotpEntity,
  RecoveryCodeEntity,
  HouseholdSettingEntity,
  OidcExchangeEntity,
];
