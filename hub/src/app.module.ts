import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { OidcModule } from './auth/oidc/oidc.module';
import { GlobalExceptionFilter } from './common/global-exception.filter';
import { ConfigModule } from './config/config.module';
import type { HubConfig } from './config/hub-config';
import type { HubSecrets } from './config/tokens';
import { DatabaseModule } from './database/database.module';
import { DevicesModule } from './devices/devices.module';
import { HealthController } from './health/health.controller';
import { HaLoginModule } from './home-assistant/ha-login.module';
import { LiveModule } from './live/live.module';

@Module({})
export class AppModule {
  static forRoot(config: HubConfig, secrets: HubSecrets): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, secrets),
        DatabaseModule,
        AuditModule,
        LiveModule,
        AuthModule,
        OidcModule,
        DevicesModule,
        HaLoginModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    };
  }
}
