import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { HubConfig } from './hub-config';
import { HUB_CONFIG, HUB_SECRETS, type HubSecrets } from './tokens';

/** Provides the configuration and secrets validated in main.ts, so nothing else reads the environment. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HubConfig, secrets: HubSecrets): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: HUB_CONFIG, useValue: config },
        { provide: HUB_SECRETS, useValue: secrets },
      ],
      exports: [HUB_CONFIG, HUB_SECRETS],
    };
  }
}
