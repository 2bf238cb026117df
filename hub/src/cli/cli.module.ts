import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { AccountRepository } from '../accounts/account.repository';
import { AccountsService } from '../accounts/accounts.service';
import { AuditModule } from '../audit/audit.module';
import { PasswordHasher } from '../auth/password-hasher';
import { ConfigModule } from '../config/config.module';
import type { HubConfig } from '../config/hub-config';
import { DatabaseModule } from '../database/database.module';

/** Just enough of the hub for command-line account management: the database and the accounts service. */
@Module({})
export class CliModule {
  static forRoot(config: HubConfig): DynamicModule {
    return {
      module: CliModule,
      // The CLI signs no tokens, so it needs (and creates) no secrets.
      imports: [
        ConfigModule.forRoot(config, {
          jwtSigningKey: '',
          mqttHubPassword: '',
          installationId: '',
          credentialKey: '',
          sshKey: { privateKey: '', publicKey: '' },
        }),
        DatabaseModule,
        AuditModule,
        TypeOrmModule.forFeature([AccountEntity]),
      ],
      providers: [AccountRepository, AccountsService, PasswordHasher],
    };
  }
}
