import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { AccountRepository } from '../accounts/account.repository';
import { AccountsController } from '../accounts/accounts.controller';
import { AccountsService } from '../accounts/accounts.service';
import { SetupController } from '../accounts/setup.controller';
import { HUB_SECRETS, type HubSecrets } from '../config/tokens';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenRepository } from './api-token.repository';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard, RolesGuard } from './guards';
import { jwtKey } from './jwt-key';
import { LdapDirectory } from './ldap/ldap-directory';
import { JwtStrategy } from './jwt.strategy';
import { TrustedDeviceEntity } from './pin/trusted-device.entity';
import { TrustedDeviceRepository } from './pin/trusted-device.repository';
import { TrustedDevicesController } from './pin/trusted-devices.controller';
import { TrustedDevicesService } from './pin/trusted-devices.service';
import { LoginThrottler } from './login-throttler';
import { PasswordHasher } from './password-hasher';
import { RefreshTokenEntity } from './refresh-token.entity';
import { RefreshTokenRepository } from './refresh-token.repository';
import { SessionEntity } from './session.entity';
import { SessionRepository } from './session.repository';
import { SignOuts } from './sign-outs';
import { AccountTotpEntity } from './totp/account-totp.entity';
import { RecoveryCodeEntity } from './totp/recovery-code.entity';
import { AccountTotpController, TotpController } from './totp/totp.controller';
import { TotpRepository } from './totp/totp.repository';
import { TotpClock, TotpService } from './totp/totp.service';
import { HouseholdSettingEntity } from '../settings/household-setting.entity';
import { HouseholdSettingsRepository } from '../settings/household-settings.repository';

/** Accounts, sign-in and the global guards: every route needs a token unless @Public(). */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AccountEntity,
      RefreshTokenEntity,
      SessionEntity,
      ApiTokenEntity,
      TrustedDeviceEntity,
      AccountTotpEntity,
      RecoveryCodeEntity,
      HouseholdSettingEntity,
    ]),
    PassportModule,
    JwtModule.registerAsync({
      inject: [HUB_SECRETS],
      useFactory: (secrets: HubSecrets) => ({
        secret: jwtKey(secrets),
        signOptions: { algorithm: 'HS256', issuer: 'kidtime' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'kidtime' },
      }),
    }),
  ],
  controllers: [
    AuthController,
    TrustedDevicesController,
    ApiTokensController,
    SetupController,
    AccountsController,
    TotpController,
    AccountTotpController,
  ],
  providers: [
    AccountRepository,
    RefreshTokenRepository,
    SessionRepository,
    SignOuts,
    ApiTokenRepository,
    ApiTokensService,
    TrustedDeviceRepository,
    TrustedDevicesService,
    AccountsService,
    AuthService,
    PasswordHasher,
    LoginThrottler,
    LdapDirectory,
    JwtStrategy,
    TotpRepository,
    HouseholdSettingsRepository,
    TotpService,
    TotpClock,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AccountsService, AuthService, LoginThrottler, AccountRepository, PasswordHasher],
})
export class AuthModule {}
